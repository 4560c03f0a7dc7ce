package storetest

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// RunSectionTests checks a backend's byline.SectionService and the
// articles' sections.
func RunSectionTests(t *testing.T, open Opener) {
	t.Run("CreateAndNest", func(t *testing.T) { t.Parallel(); testSectionCreateAndNest(t, open) })
	t.Run("ArticleSections", func(t *testing.T) { t.Parallel(); testArticleSections(t, open) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); testSectionImport(t, open) })
}

func sectionSlugs(list []*byline.Section) []string {
	var slugs []string
	for _, s := range list {
		slugs = append(slugs, s.Slug)
	}
	return slugs
}

func testSectionCreateAndNest(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Sections, t.Context()

	politics := &byline.Section{Name: "Politics", Description: "Who governs, and how.", Position: 2}
	if err := s.Create(ctx, politics); err != nil {
		t.Fatalf("Create(Politics): %v", err)
	}
	if politics.Slug != "politics" || politics.ID == 0 {
		t.Errorf("Create(Politics) set slug %q, ID %d; want politics and an ID", politics.Slug, politics.ID)
	}
	business := &byline.Section{Name: "Business", Position: 1}
	elections := &byline.Section{Name: "Elections", ParentID: politics.ID}
	for _, sec := range []*byline.Section{business, elections} {
		if err := s.Create(ctx, sec); err != nil {
			t.Fatalf("Create(%s): %v", sec.Name, err)
		}
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := sectionSlugs(list); !equalStrings(got, []string{"elections", "business", "politics"}) {
		t.Errorf("List = %q, want by position then name: elections (0), business (1), politics (2)", got)
	}
	ordered, depth := byline.SectionTree(list)
	if got := sectionSlugs(ordered); !equalStrings(got, []string{"business", "politics", "elections"}) || depth[elections.ID] != 1 {
		t.Errorf("SectionTree = %q with elections at depth %d, want business, politics, elections at depth 1", got, depth[elections.ID])
	}
	found, err := s.FindBySlug(ctx, "elections")
	if err != nil || found.ParentID != politics.ID || found.ParentSlug != "politics" || found.Name != "Elections" {
		t.Errorf("FindBySlug(elections) = %+v, %v; want under politics", found, err)
	}
	if _, err := s.FindBySlug(ctx, "sport"); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("FindBySlug(sport) error = %v, want NotFound", err)
	}

	t.Run("a taken slug is a conflict", func(t *testing.T) {
		err := s.Create(ctx, &byline.Section{Name: "Politics!"})
		if byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("Create(Politics!) error = %v, want Conflict", err)
		}
	})
	t.Run("a section cannot sit under its own subsection", func(t *testing.T) {
		p := *politics
		p.ParentID = elections.ID
		if err := s.Update(ctx, &p); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Update(politics under elections) error = %v, want Invalid", err)
		}
		p.ParentID = 999999
		if err := s.Update(ctx, &p); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Update(politics under a missing section) error = %v, want Invalid", err)
		}
	})
	t.Run("update keeps the slug when none is given and moves the site's version", func(t *testing.T) {
		before, err := b.Articles.LastModified(ctx)
		if err != nil {
			t.Fatal(err)
		}
		upd := &byline.Section{ID: business.ID, Name: "Business & Markets", ParentID: politics.ID}
		if err := s.Update(ctx, upd); err != nil {
			t.Fatalf("Update: %v", err)
		}
		got, err := s.FindBySlug(ctx, "business")
		if err != nil || got.Name != "Business & Markets" || got.ParentSlug != "politics" {
			t.Errorf("after Update, FindBySlug(business) = %+v, %v", got, err)
		}
		after, err := b.Articles.LastModified(ctx)
		if err != nil || !after.After(before) {
			t.Errorf("LastModified went from %v to %v (%v), want later: cached pages show the sections", before, after, err)
		}
	})
	t.Run("delete moves subsections up", func(t *testing.T) {
		if err := s.Delete(ctx, politics.ID); err != nil {
			t.Fatalf("Delete(politics): %v", err)
		}
		got, err := s.FindBySlug(ctx, "elections")
		if err != nil || got.ParentID != 0 {
			t.Errorf("after Delete(politics), elections = %+v, %v; want at the top", got, err)
		}
		if err := s.Delete(ctx, politics.ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("second Delete error = %v, want NotFound", err)
		}
	})
	t.Run("names are required", func(t *testing.T) {
		if err := s.Create(ctx, &byline.Section{Name: "  "}); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Create(blank) error = %v, want Invalid", err)
		}
	})
}

func testArticleSections(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0.Add(time.Hour))
	ctx := t.Context()
	world := &byline.Section{Name: "World"}
	if err := b.Sections.Create(ctx, world); err != nil {
		t.Fatal(err)
	}
	europe := &byline.Section{Name: "Europe", ParentID: world.ID}
	if err := b.Sections.Create(ctx, europe); err != nil {
		t.Fatal(err)
	}
	inEurope := newArticle("Talks resume in Vienna", t0)
	inEurope.Sections = []byline.Section{{Slug: "europe"}, {Slug: "analysis", Name: "Analysis"}}
	inWorld := newArticle("A summit in Nairobi", t0.Add(time.Minute))
	inWorld.Sections = []byline.Section{{Slug: "world"}}
	elsewhere := newArticle("Local weather", t0.Add(2*time.Minute))
	for _, a := range []*byline.Article{inEurope, inWorld, elsewhere} {
		if err := b.Articles.Create(ctx, a); err != nil {
			t.Fatalf("Create(%q): %v", a.Headline, err)
		}
	}
	got, err := b.Articles.FindBySlug(ctx, inEurope.Slug)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.PrimarySection(); p == nil || p.Slug != "europe" || p.Name != "Europe" || len(got.Sections) != 2 || got.Sections[1].Name != "Analysis" {
		t.Errorf("sections = %+v, want europe (primary, named Europe) then analysis", got.Sections)
	}
	if _, err := b.Sections.FindBySlug(ctx, "analysis"); err != nil {
		t.Errorf("a section named by an article is created: FindBySlug(analysis): %v", err)
	}

	find := func(slug string) []string {
		t.Helper()
		list, total, err := b.Articles.Find(ctx, byline.ArticleFilter{Section: &slug})
		if err != nil {
			t.Fatalf("Find(section %s): %v", slug, err)
		}
		var heads []string
		for _, a := range list {
			heads = append(heads, a.Headline)
		}
		if total != len(list) {
			t.Errorf("Find(section %s) total = %d for %d articles", slug, total, len(list))
		}
		return heads
	}
	if got := find("world"); !equalStrings(got, []string{"A summit in Nairobi", "Talks resume in Vienna"}) {
		t.Errorf("Find(section world) = %q, want its own article and its subsection's, newest first", got)
	}
	if got := find("europe"); !equalStrings(got, []string{"Talks resume in Vienna"}) {
		t.Errorf("Find(section europe) = %q", got)
	}

	t.Run("an update changes the primary section", func(t *testing.T) {
		got.Sections = []byline.Section{{Slug: "analysis"}, {Slug: "europe"}}
		if _, err := b.Desk.UpdateArticle(ctx, got.ID, byline.ArticleUpdate{Sections: &got.Sections}, got.Version, 0); err != nil {
			t.Fatalf("UpdateArticle: %v", err)
		}
		again, err := b.Articles.FindByID(ctx, got.ID)
		if err != nil || again.PrimarySection() == nil || again.PrimarySection().Slug != "analysis" {
			t.Errorf("after the update, sections = %+v, %v; want analysis first", again.Sections, err)
		}
		unchanged, err := b.Desk.UpdateArticle(ctx, got.ID, byline.ArticleUpdate{Headline: ptr("Talks resume in Vienna, again")}, again.Version, 0)
		if err != nil || len(unchanged.Sections) != 2 {
			t.Errorf("an update without sections kept %+v, %v; want both", unchanged.Sections, err)
		}
	})
	t.Run("deleting a section takes it off its articles", func(t *testing.T) {
		if err := b.Sections.Delete(ctx, europe.ID); err != nil {
			t.Fatal(err)
		}
		again, err := b.Articles.FindByID(ctx, got.ID)
		if err != nil || len(again.Sections) != 1 || again.Sections[0].Slug != "analysis" {
			t.Errorf("after deleting europe, sections = %+v, %v", again.Sections, err)
		}
	})
}

func testSectionImport(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	ctx := t.Context()
	if err := b.Sections.Create(ctx, &byline.Section{Name: "Sport"}); err != nil {
		t.Fatal(err)
	}
	imported := func() []*byline.Section {
		return []*byline.Section{
			{Slug: "news", Name: "News"},
			{Slug: "local", Name: "Local news", ParentSlug: "news", Description: "Around town."},
			{Slug: "football", Name: "Football", ParentSlug: "sport"},
			{Slug: "orphan", Name: "Orphan", ParentSlug: "missing"},
		}
	}
	for run := 1; run <= 2; run++ {
		if err := b.Sections.Import(ctx, imported()); err != nil {
			t.Fatalf("Import (run %d): %v", run, err)
		}
		list, err := b.Sections.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 5 {
			t.Errorf("run %d: %d sections %q, want 5 (an import updates by slug)", run, len(list), sectionSlugs(list))
		}
		parents := map[string]string{}
		for _, s := range list {
			parents[s.Slug] = s.ParentSlug
		}
		want := map[string]string{"news": "", "local": "news", "football": "sport", "orphan": "", "sport": ""}
		for slug, parent := range want {
			if parents[slug] != parent {
				t.Errorf("run %d: %s is under %q, want %q", run, slug, parents[slug], parent)
			}
		}
		ordered, _ := byline.SectionTree(list)
		if got := sectionSlugs(ordered); !equalStrings(got, []string{"sport", "football", "news", "local", "orphan"}) {
			// Sport was created at position 0; the import numbers its own
			// from 1 in file order, each under its parent.
			t.Errorf("run %d: tree = %q", run, got)
		}
	}
	t.Run("a loop in the import is refused", func(t *testing.T) {
		err := b.Sections.Import(ctx, []*byline.Section{{Slug: "news", Name: "News", ParentSlug: "local"}})
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Import(news under local) error = %v, want Invalid", err)
		}
	})
}
