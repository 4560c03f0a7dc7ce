package storetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// RunPageTests checks a backend's byline.PageService.
func RunPageTests(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) { t.Parallel(); testPageCreateAndFind(t, open) })
	t.Run("Clashes", func(t *testing.T) { t.Parallel(); testPageClashes(t, open) })
	t.Run("UpdateAndRevisions", func(t *testing.T) { t.Parallel(); testPageUpdate(t, open) })
	t.Run("ImportExport", func(t *testing.T) { t.Parallel(); testPageImport(t, open) })
}

func pageTitles(list []*byline.Page) []string {
	var out []string
	for _, p := range list {
		out = append(out, p.Title)
	}
	return out
}

func testPageCreateAndFind(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Pages, t.Context()
	about := &byline.Page{Title: "About us", Body: "We **report**.", Status: byline.Published}
	if err := s.Create(ctx, about, 0); err != nil {
		t.Fatalf("Create(About us): %v", err)
	}
	if about.Slug != "about-us" || about.URL() != "/about-us/" || about.Version != 1 || about.ID == 0 {
		t.Errorf("Create set slug %q, URL %q, version %d, ID %d", about.Slug, about.URL(), about.Version, about.ID)
	}
	team := &byline.Page{Title: "Masthead", Slug: "team", ParentID: about.ID, Body: "Editors.", Status: byline.Published}
	draft := &byline.Page{Title: "Corrections", Body: "None yet."}
	for _, p := range []*byline.Page{team, draft} {
		if err := s.Create(ctx, p, 0); err != nil {
			t.Fatalf("Create(%s): %v", p.Title, err)
		}
	}
	if team.URL() != "/about-us/team/" {
		t.Errorf("subpage URL = %q, want /about-us/team/", team.URL())
	}
	got, err := s.FindByPath(ctx, "/about-us/team/")
	if err != nil || got.ID != team.ID || got.ParentSlug != "about-us" || !strings.Contains(got.BodyHTML, "Editors.") {
		t.Errorf("FindByPath(/about-us/team/) = %+v, %v", got, err)
	}
	if got, err := s.FindByPath(ctx, "/about-us/"); err != nil || !strings.Contains(got.BodyHTML, "<strong>report</strong>") || got.BodyText == "" {
		t.Errorf("FindByPath(/about-us/) = %+v, %v; want the rendered body", got, err)
	}
	for _, path := range []string{"/corrections/", "/team/", "/about-us/nothing/", "/", "/about-us", "/a/b/c/"} {
		if _, err := s.FindByPath(ctx, path); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindByPath(%q) error = %v, want NotFound (drafts and wrong parents are not found)", path, err)
		}
	}
	if got, err := s.FindByID(ctx, draft.ID); err != nil || got.Status != byline.Draft {
		t.Errorf("FindByID(draft) = %+v, %v", got, err)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := pageTitles(list); !slices.Equal(got, []string{"About us", "Masthead", "Corrections"}) {
		t.Errorf("List = %q, want each page followed by its subpages", got)
	}
	t.Run("pages nest one level deep", func(t *testing.T) {
		deep := &byline.Page{Title: "Deep", ParentID: team.ID}
		if err := s.Create(ctx, deep, 0); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Create(under a subpage) error = %v, want Invalid", err)
		}
		moved := *about
		moved.ParentID = draft.ID
		if err := s.Update(ctx, &moved, about.Version, 0); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Update(a page with subpages under another) error = %v, want Invalid", err)
		}
	})
	t.Run("every write moves the site's version", func(t *testing.T) {
		before, _ := b.Articles.LastModified(ctx)
		if err := s.Delete(ctx, draft.ID); err != nil {
			t.Fatal(err)
		}
		after, _ := b.Articles.LastModified(ctx)
		if !after.After(before) {
			t.Errorf("LastModified %v then %v after a deletion, want later", before, after)
		}
	})
	t.Run("deleting a page moves its subpages up", func(t *testing.T) {
		if err := s.Delete(ctx, about.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := s.FindByPath(ctx, "/team/"); err != nil || got.ID != team.ID {
			t.Errorf("after deleting its parent, FindByPath(/team/) = %+v, %v", got, err)
		}
		if err := s.Delete(ctx, about.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("second Delete error = %v, want NotFound", err)
		}
	})
}

func testPageClashes(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Pages, t.Context()
	if err := b.Sections.Create(ctx, &byline.Section{Name: "Politics"}); err != nil {
		t.Fatal(err)
	}
	about := &byline.Page{Title: "About", Status: byline.Published}
	if err := s.Create(ctx, about, 0); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		page byline.Page
		kind string
		says string // the message names what clashes
	}{
		{"a reserved address", byline.Page{Title: "Search", Slug: "search"}, byline.Conflict, "/search/"},
		{"a reserved address from the title", byline.Page{Title: "Newsroom"}, byline.Conflict, "/newsroom/"},
		{"a section's slug", byline.Page{Title: "Politics"}, byline.Conflict, "section"},
		{"a taken address", byline.Page{Title: "About"}, byline.Conflict, "/about/"},
		{"a bad slug", byline.Page{Title: "X", Slug: "a/b"}, byline.Invalid, "slug"},
		{"no title", byline.Page{Title: " "}, byline.Invalid, "title"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.page
			err := s.Create(ctx, &p, 0)
			if byline.ErrorKind(err) != tt.kind || !strings.Contains(byline.ErrorMessage(err), tt.says) {
				t.Errorf("Create(%+v) error = %v, want %s saying %q", tt.page, err, tt.kind, tt.says)
			}
		})
	}
	t.Run("the same slug under another parent is fine", func(t *testing.T) {
		if err := s.Create(ctx, &byline.Page{Title: "Search", Slug: "search", ParentID: about.ID}, 0); err != nil {
			t.Errorf("Create(/about/search/): %v", err)
		}
	})
	t.Run("a section cannot take a top-level page's slug", func(t *testing.T) {
		if err := b.Sections.Create(ctx, &byline.Section{Name: "About"}); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("Sections.Create(About) error = %v, want Conflict", err)
		}
	})
}

func testPageUpdate(t *testing.T, open Opener) {
	b, clock := openAt(t, open, t0)
	s, ctx := b.Pages, t.Context()
	p := &byline.Page{Title: "Privacy", Body: "First text.", Status: byline.Draft}
	if err := s.Create(ctx, p, 0); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	upd := &byline.Page{ID: p.ID, Title: "Privacy policy", Body: "Second text.", Status: byline.Published}
	if err := s.Update(ctx, upd, 1, 0); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if upd.Slug != "privacy" || upd.Version != 2 || !upd.UpdatedAt.After(p.UpdatedAt) {
		t.Errorf("after Update: slug %q (kept), version %d, updated %v", upd.Slug, upd.Version, upd.UpdatedAt)
	}
	if got, err := s.FindByPath(ctx, "/privacy/"); err != nil || got.Title != "Privacy policy" {
		t.Errorf("FindByPath after publishing = %+v, %v", got, err)
	}
	stale := &byline.Page{ID: p.ID, Title: "Lost edit", Status: byline.Published}
	if err := s.Update(ctx, stale, 1, 0); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("Update from version 1 error = %v, want Conflict", err)
	}
	revs, err := s.Revisions(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) != 2 || revs[0].Version != 2 || revs[0].Body != "Second text." || revs[1].Title != "Privacy" {
		t.Errorf("revisions = %+v, want version 2 then 1", revs)
	}
}

func testPageImport(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Pages, t.Context()
	records := func() []*byline.PageRecord {
		return []*byline.PageRecord{
			{Page: &byline.Page{Title: "Team", Slug: "team", ParentSlug: "about", Body: "People.", Status: byline.Published},
				ImportKey: "wxr:https://old.example.com/?page_id=3", OldPaths: []string{"/?page_id=3"}},
			{Page: &byline.Page{Title: "About", Slug: "about", Body: "Us.", Status: byline.Published},
				ImportKey: "wxr:https://old.example.com/?page_id=2", OldPaths: []string{"https://old.example.com/who-we-are/", "/?page_id=2"}},
		}
	}
	for run := 1; run <= 2; run++ {
		if err := s.Import(ctx, slices.Values(records())); err != nil {
			t.Fatalf("Import (run %d): %v", run, err)
		}
		list, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := pageTitles(list); !slices.Equal(got, []string{"About", "Team"}) {
			t.Errorf("run %d: pages %q, want About then Team under it (a re-import updates in place)", run, got)
		}
	}
	if p, err := s.FindByPath(ctx, "/about/team/"); err != nil || p.Title != "Team" {
		t.Errorf("FindByPath(/about/team/) = %+v, %v", p, err)
	}
	for path, want := range map[string]string{"/who-we-are/": "/about/", "/?page_id=3": "/about/team/"} {
		if p, err := s.FindRedirect(ctx, path); err != nil || p.URL() != want {
			t.Errorf("FindRedirect(%s) = %+v, %v; want the page at %s", path, p, err, want)
		}
	}
	var exported []*byline.PageRecord
	if err := s.Export(ctx, func(r *byline.PageRecord) error { exported = append(exported, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(exported) != 2 || exported[0].Page.Slug != "about" || exported[1].Page.ParentSlug != "about" ||
		exported[0].ImportKey != "wxr:https://old.example.com/?page_id=2" || !slices.Equal(exported[0].OldPaths, []string{"/?page_id=2", "/who-we-are/"}) ||
		exported[1].Page.Body != "People." {
		t.Errorf("Export = %+v, %+v; want About (with its key and old paths) then Team", exported[0], exported[1])
	}
}
