package storetest

import (
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// RunImportTests checks a backend's byline.ArticleService.Import, Export
// and FindRedirect.
func RunImportTests(t *testing.T, open Opener) {
	t.Run("Records", func(t *testing.T) { t.Parallel(); testImportRecords(t, open) })
	t.Run("Export", func(t *testing.T) { t.Parallel(); testExport(t, open) })
	t.Run("ConcurrentWriters", func(t *testing.T) { t.Parallel(); testImportConcurrentWriters(t, open) })
	t.Run("SameStory", func(t *testing.T) { t.Parallel(); testImportSameStory(t, open) })
}

// records yields recs, then err if it is not nil.
func records(err error, recs ...*byline.ArticleRecord) iter.Seq2[*byline.ArticleRecord, error] {
	return func(yield func(*byline.ArticleRecord, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

func importAll(t *testing.T, s byline.ArticleService, opts byline.ImportOptions, recs ...*byline.ArticleRecord) ([]byline.ImportResult, error) {
	t.Helper()
	var got []byline.ImportResult
	err := s.Import(t.Context(), records(nil, recs...), opts, func(r byline.ImportResult) error {
		got = append(got, r)
		return nil
	})
	return got, err
}

func count(t *testing.T, s byline.ArticleService) int {
	t.Helper()
	_, total, err := s.Find(t.Context(), byline.ArticleFilter{IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func testImportRecords(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0.Add(time.Hour))
	s, ctx := b.Articles, t.Context()

	wp := func(headline string) *byline.ArticleRecord {
		a := newArticle(headline, t0)
		a.SourceURL = "https://old.example/2015/10/hello/"
		a.Slug = "hello"
		return &byline.ArticleRecord{Article: a, ImportKey: "wxr:https://old.example/?p=12",
			OldPaths: []string{"/?p=12", "https://old.example/2015/10/08/hello/"}}
	}
	res, err := importAll(t, s, byline.ImportOptions{}, wp("Hello"))
	if err != nil || len(res) != 1 || !res[0].Created {
		t.Fatalf("Import = %+v, %v; want one created", res, err)
	}
	first := res[0].Article

	t.Run("the import key finds the article even when its URL changed", func(t *testing.T) {
		rec := wp("Hello again")
		rec.Article.SourceURL = "https://new-domain.example/hello/"
		res, err := importAll(t, s, byline.ImportOptions{}, rec)
		if err != nil || res[0].Created || res[0].Article.ID != first.ID {
			t.Fatalf("re-import = %+v, %v; want article %d updated", res, err, first.ID)
		}
		if n := count(t, s); n != 1 {
			t.Errorf("%d articles after re-import, want 1", n)
		}
	})

	t.Run("old paths redirect to the article", func(t *testing.T) {
		for _, path := range []string{"/?p=12", "/2015/10/08/hello/"} {
			a, err := s.FindRedirect(ctx, path)
			if err != nil || a.ID != first.ID {
				t.Errorf("FindRedirect(%q) = %v, %v; want article %d", path, a, err, first.ID)
			}
		}
		if _, err := s.FindRedirect(ctx, "/?p=13"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindRedirect(unknown) = %v, want NotFound", err)
		}
	})

	t.Run("a redirect to an article readers cannot see is not found", func(t *testing.T) {
		draft := newArticle("Not yet", time.Time{})
		draft.Status = byline.Draft
		rec := &byline.ArticleRecord{Article: draft, OldPaths: []string{"/not-yet.html"}}
		if _, err := importAll(t, s, byline.ImportOptions{}, rec); err != nil {
			t.Fatal(err)
		}
		if a, err := s.FindRedirect(ctx, "/not-yet.html"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindRedirect(a draft's old path) = %v, %v; want NotFound", a, err)
		}
	})

	t.Run("times from the source are kept", func(t *testing.T) {
		a := newArticle("Dated", t0)
		a.CreatedAt, a.UpdatedAt = t0.Add(-time.Hour), t0.Add(time.Hour)
		if _, err := importAll(t, s, byline.ImportOptions{}, &byline.ArticleRecord{Article: a}); err != nil {
			t.Fatal(err)
		}
		got, err := s.FindByID(ctx, a.ID)
		if err != nil || !got.CreatedAt.Equal(t0.Add(-time.Hour)) || !got.UpdatedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("stored times = %v, %v (%v); want %v, %v", got.CreatedAt, got.UpdatedAt, err, t0.Add(-time.Hour), t0.Add(time.Hour))
		}
	})

	t.Run("an error from the records leaves the database as it was", func(t *testing.T) {
		before := count(t, s)
		var recs []*byline.ArticleRecord
		for i := range 600 { // more than one batch
			recs = append(recs, &byline.ArticleRecord{Article: newArticle(fmt.Sprintf("Batch %d", i), t0)})
		}
		boom := errors.New("broken input at line 9000")
		err := s.Import(ctx, records(boom, recs...), byline.ImportOptions{}, func(byline.ImportResult) error { return nil })
		if !errors.Is(err, boom) {
			t.Errorf("Import = %v, want %v", err, boom)
		}
		if n := count(t, s); n != before {
			t.Errorf("%d articles after a failed import, want %d", n, before)
		}
	})

	t.Run("an error from report leaves the database as it was", func(t *testing.T) {
		before := count(t, s)
		stop := errors.New("stop")
		err := s.Import(ctx, records(nil, &byline.ArticleRecord{Article: newArticle("Reported", t0)}),
			byline.ImportOptions{}, func(byline.ImportResult) error { return stop })
		if !errors.Is(err, stop) {
			t.Errorf("Import = %v, want %v", err, stop)
		}
		if n := count(t, s); n != before {
			t.Errorf("%d articles after a failed import, want %d", n, before)
		}
	})

	t.Run("a refused article ends the import unless skipped", func(t *testing.T) {
		before := count(t, s)
		taken := newArticle("Taken URL", t0)
		taken.SourceURL = "https://old.example/2015/10/hello/x"
		if _, err := importAll(t, s, byline.ImportOptions{}, &byline.ArticleRecord{Article: taken}); err != nil {
			t.Fatal(err)
		}
		// Found by its key, this record asks for a source URL another
		// article has: a conflict.
		clash := wp("Hello clash")
		clash.Article.SourceURL = taken.SourceURL
		good := &byline.ArticleRecord{Article: newArticle("Good one", t0)}
		if _, err := importAll(t, s, byline.ImportOptions{}, good, clash); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("Import(good, clash) = %v, want Conflict", err)
		}
		if n := count(t, s); n != before+1 {
			t.Errorf("%d articles, want %d: nothing of the failed import", n, before+1)
		}
		good = &byline.ArticleRecord{Article: newArticle("Good one", t0)}
		clash = wp("Hello clash")
		clash.Article.SourceURL = taken.SourceURL
		invalid := &byline.ArticleRecord{Article: newArticle(" ", t0)}
		after := &byline.ArticleRecord{Article: newArticle("After the clash", t0)}
		after.Article.Tags = append(after.Article.Tags, byline.Tag{Name: "Brand new tag"})
		res, err := importAll(t, s, byline.ImportOptions{SkipBad: true}, good, clash, invalid, after)
		if err != nil || len(res) != 4 || res[0].Err != nil || byline.ErrorKind(res[1].Err) != byline.Conflict ||
			byline.ErrorKind(res[2].Err) != byline.Invalid || res[3].Err != nil {
			t.Fatalf("Import(skip bad) = %+v, %v; want the good ones stored and the others reported", res, err)
		}
		if n := count(t, s); n != before+3 {
			t.Errorf("%d articles, want %d", n, before+3)
		}
		if a, _ := s.FindByID(ctx, first.ID); a.Headline == "Hello clash" {
			t.Errorf("the skipped article's update was stored")
		}
		if got, err := s.FindByID(ctx, after.Article.ID); err != nil || len(got.Tags) != 3 {
			t.Errorf("the article after the clash = %+v, %v; want it stored with its 3 tags", got, err)
		}
	})

	t.Run("an article with neither key nor source is found again though its slug was taken", func(t *testing.T) {
		before := count(t, s)
		withSource := newArticle("Budget vote delayed", t0)
		withSource.SourceURL = "https://old.example/budget"
		// Another day: the same headline the same day from these two
		// sources would be one story (testImportSameStory).
		plain := func() *byline.ArticleRecord {
			return &byline.ArticleRecord{Article: newArticle("Budget vote delayed", t0.Add(48*time.Hour))}
		}
		for run := range 2 {
			src := *withSource
			res, err := importAll(t, s, byline.ImportOptions{}, &byline.ArticleRecord{Article: &src}, plain())
			if err != nil || len(res) != 2 || res[0].Created != (run == 0) || res[1].Created != (run == 0) {
				t.Fatalf("import #%d = %+v, %v; want both created the first time, updated the second", run+1, res, err)
			}
			if res[1].Article.Slug != "budget-vote-delayed-2" {
				t.Errorf("import #%d: slug %q, want budget-vote-delayed-2", run+1, res[1].Article.Slug)
			}
		}
		if n := count(t, s); n != before+2 {
			t.Errorf("%d articles after importing two twice, want %d", n, before+2)
		}
		res, err := importAll(t, s, byline.ImportOptions{DryRun: true}, plain())
		if err != nil || res[0].Created {
			t.Errorf("dry run of the same = %+v, %v; want an update", res, err)
		}
	})

	t.Run("an import updates an article made in the newsroom by its slug", func(t *testing.T) {
		made := newArticle("Written in the newsroom", t0)
		if err := s.Create(ctx, made); err != nil {
			t.Fatal(err)
		}
		before := count(t, s)
		res, err := importAll(t, s, byline.ImportOptions{}, &byline.ArticleRecord{Article: newArticle("Written in the newsroom", t0)})
		if err != nil || res[0].Created || res[0].Article.ID != made.ID {
			t.Errorf("import = %+v, %v; want article %d updated", res, err, made.ID)
		}
		if n := count(t, s); n != before {
			t.Errorf("%d articles, want %d", n, before)
		}
	})

	t.Run("a dry run writes nothing", func(t *testing.T) {
		before, _ := s.LastModified(ctx)
		n := count(t, s)
		res, err := importAll(t, s, byline.ImportOptions{DryRun: true},
			wp("Hello dry"), &byline.ArticleRecord{Article: newArticle("Brand new", t0)},
			&byline.ArticleRecord{Article: newArticle("Brand new", t0)})
		if err != nil || len(res) != 3 || res[0].Created || !res[1].Created || res[2].Created {
			t.Fatalf("dry run = %+v, %v; want update, create, then update of the same", res, err)
		}
		after, _ := s.LastModified(ctx)
		if count(t, s) != n || !after.Equal(before) {
			t.Errorf("the dry run changed the site")
		}
	})
}

func testExport(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0)
	src := b.Articles
	var recs []*byline.ArticleRecord
	for i := range 1100 { // more than two export pages
		a := newArticle(fmt.Sprintf("Story %d", i), t0.Add(time.Duration(i)*time.Minute))
		rec := &byline.ArticleRecord{Article: a}
		switch i % 3 {
		case 0:
			a.SourceURL = fmt.Sprintf("https://old.example/%d/", i)
			rec.ImportKey = fmt.Sprintf("wxr:%d", i)
			rec.OldPaths = []string{fmt.Sprintf("/?p=%d", i+1), fmt.Sprintf("/archive/%d.html", i), fmt.Sprintf("/Archive/%d/", i)}
		case 1:
			a.Status = byline.Draft
			a.PublishedAt = time.Time{}
		}
		recs = append(recs, rec)
	}
	if _, err := importAll(t, src, byline.ImportOptions{}, recs...); err != nil {
		t.Fatal(err)
	}
	exported := exportAll(t, src)
	if len(exported) != len(recs) {
		t.Fatalf("exported %d records, want %d", len(exported), len(recs))
	}
	want := []string{"/?p=1", "/Archive/0/", "/archive/0.html"} // byte order
	if got := exported[0]; got.ImportKey != "wxr:0" || !reflect.DeepEqual(got.OldPaths, want) || len(got.Article.Authors) != 1 || len(got.Article.Tags) != 2 {
		t.Errorf("first record = %+v, %+v; want its key, old paths %q, author and tags", got, got.Article, want)
	}
	for i := 1; i < len(exported); i++ {
		if exported[i].Article.ID <= exported[i-1].Article.ID {
			t.Fatalf("record %d has ID %d after %d: want ascending IDs", i, exported[i].Article.ID, exported[i-1].Article.ID)
		}
	}

	t.Run("an error from each ends the export", func(t *testing.T) {
		stop := errors.New("disk full")
		n := 0
		err := src.Export(t.Context(), func(*byline.ArticleRecord) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("Export = %v after %d records, want %v after 1", err, n, stop)
		}
	})

	// Importing the export into an empty site gives the same articles.
	dst := open(t, func() time.Time { return t0 }).Articles
	if _, err := importAll(t, dst, byline.ImportOptions{}, exported...); err != nil {
		t.Fatal(err)
	}
	again := exportAll(t, dst)
	if len(again) != len(exported) {
		t.Fatalf("re-exported %d records, want %d", len(again), len(exported))
	}
	for i := range exported {
		if diff := recordDiff(exported[i], again[i]); diff != "" {
			t.Errorf("record %d after a round trip: %s", i, diff)
			break
		}
	}
}

func exportAll(t *testing.T, s byline.ArticleService) []*byline.ArticleRecord {
	t.Helper()
	var out []*byline.ArticleRecord
	if err := s.Export(t.Context(), func(r *byline.ArticleRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// recordDiff describes how two records differ, ignoring the IDs and
// version numbers a new site gives.
func recordDiff(a, b *byline.ArticleRecord) string {
	norm := func(r *byline.ArticleRecord) byline.ArticleRecord {
		c := *r
		art := *r.Article
		art.ID, art.Version = 0, 0
		art.Authors = append([]byline.Author(nil), art.Authors...)
		for i := range art.Authors {
			art.Authors[i].ID = 0
		}
		art.Tags = append([]byline.Tag(nil), art.Tags...)
		for i := range art.Tags {
			art.Tags[i].ID = 0
		}
		c.Article = &art
		return c
	}
	na, nb := norm(a), norm(b)
	if !reflect.DeepEqual(na.Article, nb.Article) {
		return fmt.Sprintf("article %+v, want %+v", nb.Article, na.Article)
	}
	if !reflect.DeepEqual(na, nb) {
		return fmt.Sprintf("key %q paths %q, want %q %q", nb.ImportKey, nb.OldPaths, na.ImportKey, na.OldPaths)
	}
	return ""
}

// testImportConcurrentWriters runs imports while editors create and delete
// articles, on two instances: writers queue, none fails, nothing is lost.
func testImportConcurrentWriters(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0.Add(time.Hour))
	other := reopen(t, b)
	ctx := t.Context()
	doomed := newArticle("Doomed", t0)
	if err := b.Articles.Create(ctx, doomed); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i, s := range []byline.ArticleService{b.Articles, other.Articles} {
		wg.Go(func() {
			var recs []*byline.ArticleRecord
			for j := range 150 {
				a := newArticle(fmt.Sprintf("Imported %d", j%40), t0) // slugs clash with the editors' too
				a.SourceURL = fmt.Sprintf("https://old.example/%d/%d/", i, j)
				recs = append(recs, &byline.ArticleRecord{Article: a, ImportKey: fmt.Sprintf("key:%d:%d", i, j)})
			}
			_, err := importAll(t, s, byline.ImportOptions{}, recs...)
			errs <- err
		})
		for j := range 10 {
			wg.Go(func() {
				a := newArticle(fmt.Sprintf("Imported %d", j), t0)
				a.Tags = append(a.Tags, byline.Tag{Name: fmt.Sprintf("Editor tag %d", j)})
				errs <- s.Create(ctx, a)
			})
		}
	}
	wg.Go(func() { errs <- other.Articles.Delete(ctx, doomed.ID) })
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent write: %v", err)
		}
	}
	if n := count(t, b.Articles); n != 2*150+2*10 {
		t.Errorf("%d articles after concurrent imports and creates, want %d", n, 2*150+2*10)
	}
}

// testImportSameStory imports one story from two sources: the second
// updates the article the first made instead of a "-2" copy, unless
// AllowDuplicates; two stories of one source, or an article made in the
// newsroom, are never taken for each other by their headlines.
func testImportSameStory(t *testing.T, open Opener) {
	b, _ := openAt(t, open, t0.Add(72*time.Hour))
	s, ctx := b.Articles, t.Context()
	story := func(headline, key, url string, at time.Time) *byline.ArticleRecord {
		a := newArticle(headline, at)
		a.SourceURL = url
		return &byline.ArticleRecord{Article: a, ImportKey: key}
	}
	// A scraper's CSV: a source URL, no import key.
	scraped := func() *byline.ArticleRecord {
		return story("Talks resume in Geneva", "", "https://www.scraped.example/talks", t0)
	}
	// The old site's WXR export: another address, the headline in title
	// case with a mark, published three hours later the same day.
	wxr := func() *byline.ArticleRecord {
		rec := story("Talks Resume in Geneva!", "wxr:https://old.example/?p=7", "https://old.example/2015/10/talks/", t0.Add(3*time.Hour))
		rec.OldPaths = []string{"/2015/10/talks/"}
		return rec
	}
	res, err := importAll(t, s, byline.ImportOptions{}, scraped())
	if err != nil || !res[0].Created || res[0].Match != byline.MatchNone {
		t.Fatalf("first source = %+v, %v; want created", res, err)
	}
	first := res[0].Article
	before := count(t, s)

	res, err = importAll(t, s, byline.ImportOptions{DryRun: true}, wxr())
	if err != nil || res[0].Created || res[0].Match != byline.MatchSameStory {
		t.Errorf("dry run of the second source = %+v, %v; want an update of the same story", res, err)
	}
	// With its own slug: the story moves, its permalink redirects.
	second := wxr()
	second.Article.Slug = "talks-in-geneva"
	res, err = importAll(t, s, byline.ImportOptions{}, second)
	if err != nil || res[0].Created || res[0].Match != byline.MatchSameStory || res[0].Article.ID != first.ID {
		t.Fatalf("second source = %+v, %v; want article %d updated as the same story", res, err, first.ID)
	}
	if n := count(t, s); n != before {
		t.Errorf("%d articles after the second source, want %d (no copy)", n, before)
	}
	again, err := s.FindByID(ctx, first.ID)
	if err != nil || again.Slug != "talks-in-geneva" || again.SourceURL != "https://old.example/2015/10/talks/" {
		t.Errorf("the article after the second source = %+v, %v; want its slug and source", again, err)
	}
	for _, path := range []string{"/2015/10/talks/", first.URL()} {
		if a, err := s.FindRedirect(ctx, path); err != nil || a.ID != first.ID {
			t.Errorf("FindRedirect(%q) = %v, %v; want article %d: the second source's old address and the story's first permalink", path, a, err, first.ID)
		}
	}

	// Each source again finds the one article: the first by the story
	// (its URL was replaced), the second by its import key.
	for _, tc := range []struct {
		name string
		rec  *byline.ArticleRecord
		by   byline.ImportMatch
	}{{"the first source again", scraped(), byline.MatchSameStory}, {"the second source again", wxr(), byline.MatchImportKey}} {
		res, err = importAll(t, s, byline.ImportOptions{}, tc.rec)
		if err != nil || res[0].Created || res[0].Match != tc.by || res[0].Article.ID != first.ID {
			t.Errorf("%s = %+v, %v; want article %d updated, matched by %d", tc.name, res, err, first.ID, tc.by)
		}
	}
	if n := count(t, s); n != before {
		t.Errorf("%d articles after both sources again, want %d", n, before)
	}

	third := story("Talks resume in Geneva", "", "https://third.example/talks", t0)
	third.Article.Slug = "talks-in-geneva"
	res, err = importAll(t, s, byline.ImportOptions{AllowDuplicates: true}, third)
	if err != nil || !res[0].Created || res[0].Article.Slug != "talks-in-geneva-2" {
		t.Errorf("with AllowDuplicates = %+v, %v; want a copy with the slug talks-in-geneva-2", res, err)
	}

	t.Run("two stories of one source are two articles", func(t *testing.T) {
		n := count(t, s)
		letters := func(p int) *byline.ArticleRecord {
			return story("Letters to the editor", fmt.Sprintf("wxr:https://old.example/?p=%d", p), fmt.Sprintf("https://old.example/letters-%d/", p), t0)
		}
		res1, err1 := importAll(t, s, byline.ImportOptions{}, letters(20), letters(21))
		res2, err2 := importAll(t, s, byline.ImportOptions{}, letters(22))
		if err1 != nil || err2 != nil || !res1[0].Created || !res1[1].Created || !res2[0].Created {
			t.Errorf("three letters of one source, in two imports = %+v %v, %+v %v; want three created", res1, err1, res2, err2)
		}
		if got := count(t, s); got != n+3 {
			t.Errorf("%d articles after three letters, want %d", got, n+3)
		}
	})

	t.Run("one import with both sources makes one article", func(t *testing.T) {
		n := count(t, s)
		csv := story("Budget vote delayed", "", "https://scraped.example/budget", t0)
		old := story("Budget Vote Delayed", "wxr:https://old.example/?p=30", "https://old.example/budget/", t0.Add(time.Hour))
		dry, err := importAll(t, s, byline.ImportOptions{DryRun: true}, csv, old)
		if err != nil || !dry[0].Created || dry[1].Created || dry[1].Match != byline.MatchSameStory {
			t.Errorf("dry run = %+v, %v; want the first created, the second the same story", dry, err)
		}
		csv = story("Budget vote delayed", "", "https://scraped.example/budget", t0)
		old = story("Budget Vote Delayed", "wxr:https://old.example/?p=30", "https://old.example/budget/", t0.Add(time.Hour))
		res, err := importAll(t, s, byline.ImportOptions{}, csv, old)
		if err != nil || !res[0].Created || res[1].Created || res[1].Match != byline.MatchSameStory || res[1].Article.ID != res[0].Article.ID {
			t.Errorf("import = %+v, %v; want the first created and updated by the second", res, err)
		}
		if got := count(t, s); got != n+1 {
			t.Errorf("%d articles after one story from two sources, want %d", got, n+1)
		}
	})

	t.Run("an article made in the newsroom is not taken over by its headline", func(t *testing.T) {
		own := newArticle("Storm closes schools", t0)
		if err := s.Create(ctx, own); err != nil {
			t.Fatal(err)
		}
		res, err := importAll(t, s, byline.ImportOptions{}, story("Storm closes schools", "wxr:https://old.example/?p=40", "https://old.example/storm/", t0))
		if err != nil || !res[0].Created || res[0].Article.ID == own.ID {
			t.Errorf("import = %+v, %v; want a new article, the newsroom's %d left alone", res, err, own.ID)
		}
	})

	t.Run("the day is the zone's", func(t *testing.T) {
		late := t0.Truncate(24 * time.Hour).Add(22*time.Hour + 30*time.Minute) // 22:30 UTC
		if _, err := importAll(t, s, byline.ImportOptions{}, story("Night session ends", "", "https://scraped.example/night", late)); err != nil {
			t.Fatal(err)
		}
		// Two hours later: the next day in UTC and in Paris, the same
		// evening in New York.
		next := story("Night session ends", "wxr:https://old.example/?p=50", "https://old.example/night/", late.Add(2*time.Hour))
		for _, tc := range []struct {
			zone *time.Location
			same bool
		}{{nil, false}, {time.FixedZone("EDT", -4*3600), true}, {time.FixedZone("CET", 3600), false}} {
			res, err := importAll(t, s, byline.ImportOptions{DryRun: true, Zone: tc.zone}, next)
			if err != nil || (res[0].Match == byline.MatchSameStory) != tc.same {
				t.Errorf("in %v: dry run = %+v, %v; want the same story %v", tc.zone, res, err, tc.same)
			}
		}
	})

	t.Run("a draft is no story on the site", func(t *testing.T) {
		draft := story("Talks resume in Geneva", "wxr:https://old.example/?p=60", "https://old.example/draft/", t0)
		draft.Article.Status = byline.Draft
		res, err := importAll(t, s, byline.ImportOptions{DryRun: true}, draft)
		if err != nil || !res[0].Created {
			t.Errorf("dry run of a draft = %+v, %v; want created", res, err)
		}
	})
}
