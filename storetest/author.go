package storetest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// RunAuthorTests checks a backend's byline.AuthorService: authors' profiles.
func RunAuthorTests(t *testing.T, open Opener) {
	t.Run("Profile", func(t *testing.T) { t.Parallel(); testAuthorProfile(t, open) })
	t.Run("Validation", func(t *testing.T) { t.Parallel(); testAuthorValidation(t, open) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); testAuthorImport(t, open) })
}

// janeProfile is a full profile for the author an article credits as
// Jane Doe.
func janeProfile(id int64) *byline.Author {
	return &byline.Author{
		ID: id, Name: "Jane Doe", JobTitle: "Middle East correspondent",
		Bio:      "Jane Doe covers the Middle East from Beirut. She joined in 2009.\n\nShe speaks Arabic and Russian.",
		PhotoURL: "/files/uploads/0123456789abcdef-800.jpg",
		Website:  "https://janedoe.example/",
		Links: []byline.AuthorLink{
			{Label: "Mastodon", URL: "https://social.example/@jane"},
			{URL: "https://www.photos.example/jane"},
		},
	}
}

func testAuthorProfile(t *testing.T, open Opener) {
	b, clock := openAt(t, open, t0)
	ctx := t.Context()
	if err := b.Articles.Create(ctx, newArticle("Talks resume", t0)); err != nil {
		t.Fatal(err)
	}
	jane, err := b.Authors.FindBySlug(ctx, "jane-doe")
	if err != nil {
		t.Fatalf("FindBySlug(jane-doe) after an article credits her: %v", err)
	}
	if jane.Name != "Jane Doe" || jane.HasProfile() {
		t.Errorf("a new author = %+v, want Jane Doe with an empty profile", jane)
	}
	before, err := b.Articles.LastModified(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(1)
	upd := janeProfile(jane.ID)
	upd.Slug = "someone-else" // ignored: the slug is the address
	if err := b.Authors.Update(ctx, upd); err != nil {
		t.Fatalf("Update(profile): %v", err)
	}
	want := janeProfile(jane.ID)
	want.Slug = "jane-doe"
	want.Links[1].Label = "photos.example" // a link without a label gets its host
	for _, read := range []struct {
		name string
		get  func() (*byline.Author, error)
	}{
		{"FindBySlug", func() (*byline.Author, error) { return b.Authors.FindBySlug(ctx, "jane-doe") }},
		{"FindByID", func() (*byline.Author, error) { return b.Authors.FindByID(ctx, jane.ID) }},
		{"FindBySlug on another instance", func() (*byline.Author, error) { return reopen(t, b).Authors.FindBySlug(ctx, "jane-doe") }},
	} {
		got, err := read.get()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s after Update = %+v, %v\nwant %+v", read.name, got, err, want)
		}
	}
	after, err := b.Articles.LastModified(ctx)
	if err != nil || !after.After(before) {
		t.Errorf("LastModified went from %v to %v (%v), want later: article pages show the profile", before, after, err)
	}
	if got := upd.ShortBio(); got != "Jane Doe covers the Middle East from Beirut." {
		t.Errorf("ShortBio() = %q, want the first sentence", got)
	}

	t.Run("an article still credits the author by the new name", func(t *testing.T) {
		upd := janeProfile(jane.ID)
		upd.Name = "Jane Q. Doe"
		if err := b.Authors.Update(ctx, upd); err != nil {
			t.Fatal(err)
		}
		list, _, err := b.Articles.Find(ctx, byline.ArticleFilter{Author: &want.Slug})
		if err != nil || len(list) != 1 || list[0].Byline() != "Jane Q. Doe" {
			t.Errorf("Find(author jane-doe) = %d articles, %v; want one by Jane Q. Doe", len(list), err)
		}
	})
	t.Run("find lists by name and filters by words", func(t *testing.T) {
		if err := b.Articles.Create(ctx, &byline.Article{Headline: "Markets", Status: byline.Draft,
			Authors: []byline.Author{{Name: "adam smith"}, {Name: "Zoe Kim"}}}); err != nil {
			t.Fatal(err)
		}
		list, total, err := b.Authors.Find(ctx, byline.AuthorFilter{Limit: 2})
		if err != nil || total != 3 || len(list) != 2 || list[0].Slug != "adam-smith" || list[1].Slug != "jane-doe" {
			t.Errorf("Find(limit 2) = %v, total %d, %v; want adam-smith, jane-doe of 3", authorSlugs(list), total, err)
		}
		list, total, err = b.Authors.Find(ctx, byline.AuthorFilter{Limit: 2, Offset: 2})
		if err != nil || total != 3 || len(list) != 1 || list[0].Slug != "zoe-kim" {
			t.Errorf("Find(offset 2) = %v, total %d, %v; want zoe-kim of 3", authorSlugs(list), total, err)
		}
		list, total, err = b.Authors.Find(ctx, byline.AuthorFilter{Query: "KIM"})
		if err != nil || total != 1 || len(list) != 1 || list[0].Slug != "zoe-kim" {
			t.Errorf("Find(query KIM) = %v, total %d, %v; want zoe-kim", authorSlugs(list), total, err)
		}
	})
	t.Run("a missing author is NotFound", func(t *testing.T) {
		if _, err := b.Authors.FindBySlug(ctx, "nobody"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindBySlug(nobody) error = %v, want NotFound", err)
		}
		if err := b.Authors.Update(ctx, &byline.Author{ID: 999999, Name: "Nobody"}); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Update(ID 999999) error = %v, want NotFound", err)
		}
	})
}

func authorSlugs(list []*byline.Author) []string {
	var slugs []string
	for _, a := range list {
		slugs = append(slugs, a.Slug)
	}
	return slugs
}

func testAuthorValidation(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	ctx := t.Context()
	if err := b.Articles.Create(ctx, newArticle("Talks resume", t0)); err != nil {
		t.Fatal(err)
	}
	jane, err := b.Authors.FindBySlug(ctx, "jane-doe")
	if err != nil {
		t.Fatal(err)
	}
	tooManyLinks := make([]byline.AuthorLink, byline.MaxAuthorLinks+1)
	for i := range tooManyLinks {
		tooManyLinks[i] = byline.AuthorLink{Label: "Site", URL: "https://example.com/"}
	}
	tests := []struct {
		name string
		edit func(*byline.Author)
		want string // in the sentence
	}{
		{"a javascript: link", func(a *byline.Author) { a.Links[0].URL = "javascript:alert(1)" }, "Link 1 must be a web address"},
		{"a data: website", func(a *byline.Author) { a.Website = "data:text/html,<b>hi</b>" }, "The website must be a web address"},
		{"a link without a host", func(a *byline.Author) { a.Links[1].URL = "https:///path" }, "Link 2 must be a web address"},
		{"a photo on another host", func(a *byline.Author) { a.PhotoURL = "https://cdn.example/jane.jpg" }, "uploaded to this site"},
		{"a photo outside the uploads", func(a *byline.Author) { a.PhotoURL = "/files/uploads/../secret.jpg" }, "uploaded to this site"},
		{"too many links", func(a *byline.Author) { a.Links = tooManyLinks }, "at most 8 links"},
		{"a bio too long", func(a *byline.Author) { a.Bio = strings.Repeat("a", byline.MaxBioRunes+1) }, "bio is longer"},
		{"no name", func(a *byline.Author) { a.Name = "  " }, "name must be"},
		{"a NUL", func(a *byline.Author) { a.JobTitle = "Editor\x00" }, "NUL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			upd := janeProfile(jane.ID)
			tt.edit(upd)
			err := b.Authors.Update(ctx, upd)
			if byline.ErrorKind(err) != byline.Invalid || !strings.Contains(byline.ErrorMessage(err), tt.want) ||
				!strings.HasSuffix(byline.ErrorMessage(err), ".") {
				t.Errorf("Update(%s) error = %v, want Invalid with a sentence saying %q", tt.name, err, tt.want)
			}
		})
	}
	got, err := b.Authors.FindBySlug(ctx, "jane-doe")
	if err != nil || got.HasProfile() {
		t.Errorf("after refused updates, the profile = %+v, %v; want still empty", got, err)
	}
}

func testAuthorImport(t *testing.T, open Opener) {
	b, clock := openAt(t, open, t0)
	ctx := t.Context()
	if err := b.Articles.Create(ctx, newArticle("Talks resume", t0)); err != nil {
		t.Fatal(err)
	}
	jane, err := b.Authors.FindBySlug(ctx, "jane-doe")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Authors.Update(ctx, janeProfile(jane.ID)); err != nil {
		t.Fatal(err)
	}
	before, err := b.Articles.LastModified(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(1)
	// A WordPress export: display names and a description, nothing else.
	imported := []*byline.Author{
		{Slug: "jane-doe", Name: "Jane Doe (Beirut)", Bio: "Covers the region."},
		{Name: "Omar Haddad", JobTitle: "Photographer", Links: []byline.AuthorLink{{Label: "Portfolio", URL: "https://omar.example/"}}},
	}
	if err := b.Authors.Import(ctx, imported); err != nil {
		t.Fatalf("Import: %v", err)
	}
	if imported[1].Slug != "omar-haddad" || imported[1].ID == 0 {
		t.Errorf("Import set Omar's slug %q, ID %d; want omar-haddad and an ID", imported[1].Slug, imported[1].ID)
	}
	got, err := b.Authors.FindBySlug(ctx, "jane-doe")
	want := janeProfile(jane.ID)
	if err != nil || got.Name != "Jane Doe (Beirut)" || got.Bio != "Covers the region." ||
		got.PhotoURL != want.PhotoURL || got.Website != want.Website || len(got.Links) != 2 || got.JobTitle != want.JobTitle {
		t.Errorf("after Import, jane-doe = %+v, %v; want the new name and bio, the photo, website, title and links kept", got, err)
	}
	omar, err := b.Authors.FindBySlug(ctx, "omar-haddad")
	if err != nil || omar.JobTitle != "Photographer" || len(omar.Links) != 1 || omar.Links[0].URL != "https://omar.example/" {
		t.Errorf("after Import, omar-haddad = %+v, %v", omar, err)
	}
	after, err := b.Articles.LastModified(ctx)
	if err != nil || !after.After(before) {
		t.Errorf("LastModified went from %v to %v (%v), want later", before, after, err)
	}
	bad := []*byline.Author{{Name: "Eve", Website: "javascript:alert(1)"}}
	if err := b.Authors.Import(ctx, bad); byline.ErrorKind(err) != byline.Invalid {
		t.Errorf("Import(a javascript: website) error = %v, want Invalid", err)
	}
	if _, err := b.Authors.FindBySlug(ctx, "eve"); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("after a refused Import, FindBySlug(eve) error = %v, want NotFound", err)
	}
}
