package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

var t0 = time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)

func newArticle(headline string, published time.Time) *byline.Article {
	return &byline.Article{
		Headline:    headline,
		Body:        "First paragraph about " + headline + ".\n\n> A pull quote.\n\nLast paragraph.",
		Status:      byline.Published,
		PublishedAt: published,
		Authors:     []byline.Author{{Name: "Jane Doe"}},
		Tags:        []byline.Tag{{Name: "Middle East"}, {Name: "Russia"}},
	}
}

// RunArticleTests checks a backend's byline.ArticleService.
func RunArticleTests(t *testing.T, open Opener) {
	t.Run("CreateAndFind", func(t *testing.T) { t.Parallel(); testCreateAndFind(t, open) })
	t.Run("Visibility", func(t *testing.T) { t.Parallel(); testVisibility(t, open) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); testImport(t, open) })
	t.Run("ConcurrentWriters", func(t *testing.T) { t.Parallel(); testConcurrentWriters(t, open) })
	t.Run("NextDue", func(t *testing.T) { t.Parallel(); testNextDue(t, open) })
}

func testCreateAndFind(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0.Add(time.Hour))
	s, ctx := b.Articles, t.Context()

	a := newArticle("Russian, US Relationship In Syria Remains Complicated", t0)
	if err := s.Create(ctx, a); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if a.Slug != "russian-us-relationship-in-syria-remains-complicated" {
		t.Errorf("slug = %q", a.Slug)
	}
	if a.URL() != "/2015/10/russian-us-relationship-in-syria-remains-complicated/" {
		t.Errorf("URL() = %q", a.URL())
	}
	got, err := s.FindBySlug(ctx, a.Slug)
	if err != nil {
		t.Fatalf("FindBySlug: %v", err)
	}
	if got.Headline != a.Headline || !got.PublishedAt.Equal(t0) || got.ID != a.ID {
		t.Errorf("FindBySlug = %q at %v, want %q at %v", got.Headline, got.PublishedAt, a.Headline, t0)
	}
	if !strings.Contains(got.BodyHTML, `<blockquote class="pull-quote">`) {
		t.Errorf("BodyHTML = %q, want a pull quote", got.BodyHTML)
	}
	if got.Byline() != "Jane Doe" || len(got.Tags) != 2 || got.Tags[0].Slug != "middle-east" || got.Tags[1].Name != "Russia" {
		t.Errorf("people = %q %+v", got.Byline(), got.Tags)
	}
	byID, err := s.FindByID(ctx, a.ID)
	if err != nil || byID.Slug != a.Slug || !byID.CreatedAt.Equal(a.CreatedAt) || !byID.UpdatedAt.Equal(a.UpdatedAt) {
		t.Errorf("FindByID = %+v, %v; want the same times as Create set", byID, err)
	}

	t.Run("slug clashes get a number", func(t *testing.T) {
		b := newArticle(a.Headline, t0.Add(time.Minute))
		if err := s.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if b.Slug != a.Slug+"-2" {
			t.Errorf("second slug = %q, want %q", b.Slug, a.Slug+"-2")
		}
	})
	t.Run("non-Latin headlines get readable slugs", func(t *testing.T) {
		r := newArticle("Россия и США", t0)
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
		if r.Slug != "россия-и-сша" {
			t.Errorf("slug = %q", r.Slug)
		}
		if got, err := s.FindBySlug(ctx, r.Slug); err != nil || got.ID != r.ID {
			t.Errorf("FindBySlug(%q) = %v, %v", r.Slug, got, err)
		}
	})
	t.Run("unknown slug is not found", func(t *testing.T) {
		_, err := s.FindBySlug(ctx, "nope")
		if byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindBySlug(nope) error = %v, want NotFound", err)
		}
		if _, err := s.FindByID(ctx, 999999); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindByID(999999) error = %v, want NotFound", err)
		}
	})
	t.Run("invalid article is refused", func(t *testing.T) {
		err := s.Create(ctx, &byline.Article{Headline: "  "})
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Create(blank headline) error = %v, want Invalid", err)
		}
	})
	t.Run("duplicate source URL is a conflict", func(t *testing.T) {
		x, y := newArticle("One", t0), newArticle("Two", t0)
		x.SourceURL, y.SourceURL = "http://example.com/same", "http://example.com/same"
		if err := s.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
		if err := s.Create(ctx, y); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("second Create with the same source URL: %v, want Conflict", err)
		}
	})
	t.Run("author and tag lookups", func(t *testing.T) {
		au, err := s.FindAuthor(ctx, "jane-doe")
		if err != nil || au.Name != "Jane Doe" {
			t.Errorf("FindAuthor = %+v, %v", au, err)
		}
		tag, err := s.FindTag(ctx, "middle-east")
		if err != nil || tag.Name != "Middle East" {
			t.Errorf("FindTag = %+v, %v", tag, err)
		}
		if _, err := s.FindTag(ctx, "none"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindTag(none) = %v, want NotFound", err)
		}
	})
}

func testVisibility(t *testing.T, open Opener) {
	b, clk := openAt(t, open, t0)
	s, ctx := b.Articles, t.Context()

	for i := range 7 {
		if err := s.Create(ctx, newArticle(fmt.Sprintf("Story %d", i), t0.Add(-time.Duration(7-i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	draft := newArticle("A draft", time.Time{})
	draft.Status = byline.Draft
	future := newArticle("Tomorrow's news", t0.Add(24*time.Hour))
	future.Status = byline.Scheduled
	for _, a := range []*byline.Article{draft, future} {
		if err := s.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("drafts and future articles are hidden", func(t *testing.T) {
		list, total, err := s.Find(ctx, byline.ArticleFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if total != 7 || len(list) != 7 {
			t.Fatalf("Find: %d of total %d, want 7 of 7", len(list), total)
		}
		if list[0].Headline != "Story 6" || list[6].Headline != "Story 0" {
			t.Errorf("order: first %q, last %q; want newest first", list[0].Headline, list[6].Headline)
		}
		for _, slug := range []string{draft.Slug, future.Slug} {
			if _, err := s.FindBySlug(ctx, slug); byline.ErrorKind(err) != byline.NotFound {
				t.Errorf("FindBySlug(%q) error = %v, want NotFound", slug, err)
			}
		}
		all, total, err := s.Find(ctx, byline.ArticleFilter{IncludeHidden: true})
		if err != nil || total != 9 || len(all) != 9 {
			t.Errorf("Find(IncludeHidden) = %d of %d, %v; want 9", len(all), total, err)
		}
	})
	t.Run("paging", func(t *testing.T) {
		list, total, err := s.Find(ctx, byline.ArticleFilter{Limit: 3, Offset: 3})
		if err != nil || total != 7 || len(list) != 3 || list[0].Headline != "Story 3" {
			t.Errorf("Find(3,3) = %d items, total %d, %v", len(list), total, err)
		}
	})
	t.Run("metadata only, by ID", func(t *testing.T) {
		list, _, err := s.Find(ctx, byline.ArticleFilter{MetadataOnly: true, OrderByID: true})
		if err != nil || len(list) != 7 {
			t.Fatalf("Find(MetadataOnly) = %d, %v", len(list), err)
		}
		if list[0].Headline != "Story 0" || list[0].Body != "" || list[0].UpdatedAt.IsZero() {
			t.Errorf("first = %+v; want Story 0 without its body, with its times", list[0])
		}
	})
	t.Run("recent excludes the article being read", func(t *testing.T) {
		latest, _, _ := s.Find(ctx, byline.ArticleFilter{Limit: 1})
		recent, err := s.Recent(ctx, 5, latest[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(recent) != 5 {
			t.Fatalf("Recent = %d, want 5", len(recent))
		}
		for _, a := range recent {
			if a.ID == latest[0].ID {
				t.Errorf("Recent includes the excluded article %q", a.Headline)
			}
		}
		if recent[0].Headline != "Story 5" || recent[0].Byline() != "Jane Doe" {
			t.Errorf("Recent[0] = %q by %q, want Story 5 by Jane Doe", recent[0].Headline, recent[0].Byline())
		}
	})
	t.Run("tag and author filters", func(t *testing.T) {
		tag := "russia"
		_, total, err := s.Find(ctx, byline.ArticleFilter{Tag: &tag})
		if err != nil || total != 7 {
			t.Errorf("Find(tag) total = %d, %v; want 7", total, err)
		}
		nobody := "nobody"
		_, total, err = s.Find(ctx, byline.ArticleFilter{Author: &nobody})
		if err != nil || total != 0 {
			t.Errorf("Find(unknown author) total = %d, %v; want 0", total, err)
		}
	})
	t.Run("a scheduled article appears on its own when due", func(t *testing.T) {
		before, err := s.LastModified(ctx)
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(t0.Add(25 * time.Hour))
		got, err := s.FindBySlug(ctx, future.Slug)
		if err != nil {
			t.Fatalf("FindBySlug(due scheduled) = %v", err)
		}
		if got.Headline != future.Headline {
			t.Errorf("got %q", got.Headline)
		}
		after, err := s.LastModified(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !after.After(before) || !after.Equal(future.PublishedAt) {
			t.Errorf("LastModified moved from %v to %v, want %v", before, after, future.PublishedAt)
		}
	})
}

func testImport(t *testing.T, open Opener) {
	b, clk := openAt(t, open, t0)
	s, ctx := b.Articles, t.Context()

	batch := func() []*byline.Article {
		a := newArticle("Imported one", t0)
		a.SourceURL = "http://example.com/one"
		b := newArticle("Imported two", t0)
		return []*byline.Article{a, b}
	}
	res, err := byline.ImportArticles(ctx, s, batch())
	if err != nil || len(res) != 2 || !res[0].Created || !res[1].Created {
		t.Fatalf("first Import = %+v, %v", res, err)
	}
	again := batch()
	again[0].Headline = "Imported one, corrected"
	res, err = byline.ImportArticles(ctx, s, again)
	if err != nil || res[0].Created || res[1].Created {
		t.Fatalf("re-Import = %+v, %v; want updates", res, err)
	}
	list, total, _ := s.Find(ctx, byline.ArticleFilter{})
	if total != 2 {
		t.Fatalf("after re-import: %d articles, want 2", total)
	}
	if list[0].Headline != "Imported one, corrected" && list[1].Headline != "Imported one, corrected" {
		t.Errorf("update in place lost: %q, %q", list[0].Headline, list[1].Headline)
	}
	if again[0].Version != 2 {
		t.Errorf("version after update = %d, want 2", again[0].Version)
	}

	t.Run("a bad article leaves the database as it was", func(t *testing.T) {
		good := newArticle("Would be new", t0)
		bad := newArticle("", t0)
		_, err := byline.ImportArticles(ctx, s, []*byline.Article{good, bad})
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Import(good, bad) = %v, want Invalid", err)
		}
		if _, total, _ := s.Find(ctx, byline.ArticleFilter{}); total != 2 {
			t.Errorf("after failed import: %d articles, want 2", total)
		}
	})
	t.Run("delete", func(t *testing.T) {
		before, _ := s.LastModified(ctx)
		clk.Set(t0.Add(time.Hour))
		if err := s.Delete(ctx, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if after, _ := s.LastModified(ctx); !after.After(before) {
			t.Errorf("LastModified did not move on delete: %v → %v", before, after)
		}
		if err := s.Delete(ctx, list[0].ID); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("second Delete = %v, want NotFound", err)
		}
	})
}

// Concurrent writers queue instead of failing.
func testConcurrentWriters(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	s, ctx := b.Articles, t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			a := newArticle(fmt.Sprintf("Concurrent %d", i%10), t0) // clashing slugs too
			a.Tags = append(a.Tags, byline.Tag{Name: fmt.Sprintf("New tag %d", i%3)})
			errs <- s.Create(ctx, a)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Create: %v", err)
		}
	}
	if _, total, err := s.Find(ctx, byline.ArticleFilter{}); err != nil || total != 40 {
		t.Errorf("after concurrent writes: %d articles, %v; want 40", total, err)
	}
}
