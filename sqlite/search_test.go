package sqlite_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/query"
	"github.com/bylinenews/byline/sqlite"
)

// The search behaviour both backends share is tested in storetest
// (RunSearchTests, run by store_test.go); this file keeps what is
// SQLite's own.

// TestSearchService_Search_large reaches the handling of searches that
// match more articles than it ranks one by one (an estimated total, the
// candidates bounded) by lowering its thresholds.
func TestSearchService_Search_large(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	db.Now = func() time.Time { return t0.AddDate(0, 1, 0) }
	articles, search := sqlite.NewArticleService(db), sqlite.NewSearchService(db)
	ctx := t.Context()
	headline := map[int64]bool{}
	for i := range 30 {
		a := &byline.Article{Headline: fmt.Sprintf("Report %d", i), Body: "A quiet day. Then a quake shook the town.",
			Status: byline.Published, PublishedAt: t0.AddDate(0, 0, i)}
		if i%3 == 0 {
			a.Headline = fmt.Sprintf("Quake report %d", i)
		}
		if i == 29 {
			a.Status = byline.Draft
		}
		if err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		headline[a.ID] = i%3 == 0
	}
	pages := func(t *testing.T) []int64 {
		t.Helper()
		seen := map[int64]bool{}
		var order []int64
		for page := 0; page < 4; page++ {
			q := query.Parse("quake")
			q.Limit, q.Offset = 10, page*10
			res, err := search.Search(ctx, q)
			if err != nil {
				t.Fatalf("Search(quake, offset %d): %v", q.Offset, err)
			}
			if !res.Approximate || res.Total < 20 || res.Total > 40 {
				t.Errorf("Search(quake, offset %d): Total %d, Approximate %v; want an estimate near 29", q.Offset, res.Total, res.Approximate)
			}
			for i, h := range res.Hits {
				if seen[h.Article.ID] {
					t.Errorf("article %d on two pages", h.Article.ID)
				}
				seen[h.Article.ID] = true
				order = append(order, h.Article.ID)
				if i > 0 && h.Score > res.Hits[i-1].Score {
					t.Errorf("offset %d: score rises at hit %d", q.Offset, i)
				}
			}
		}
		if len(order) != 29 {
			t.Errorf("pages hold %d articles, want all 29 (the draft left out)", len(order))
		}
		return order
	}

	t.Run("a rare word's matches are all ranked: headline matches of any age first", func(t *testing.T) {
		sqlite.SetSearchLimits(search, 10, 3, 0)
		order := pages(t)
		for i, id := range order[:10] {
			if !headline[id] {
				t.Errorf("hit %d (article %d) has no headline match; want the 10 headline matches first", i, id)
			}
		}
		for i := 1; i < 10; i++ {
			if order[i] > order[i-1] {
				t.Errorf("headline matches %d and %d are not newest first (the recency prior breaks their tie)", i-1, i)
			}
		}
	})
	t.Run("with no rare word, the newest matches are ranked", func(t *testing.T) {
		sqlite.SetSearchLimits(search, 10, 9, -1)
		order := pages(t)
		// The first page ranks the 10 newest matches (the window of 9 and
		// the match that shows there are more), 3 of them with the word in
		// the headline; the next pages hold the others, newest first.
		newest := slices.Sorted(slices.Values(order))[len(order)-10:]
		for i, id := range order[:10] {
			if !slices.Contains(newest, id) {
				t.Errorf("hit %d (article %d) is not among the 10 newest matches", i, id)
			}
			if want := i < 3; headline[id] != want {
				t.Errorf("hit %d (article %d): headline match %v, want %v", i, id, headline[id], want)
			}
		}
		for i := 11; i < len(order); i++ {
			if order[i] > order[i-1] {
				t.Errorf("hits %d and %d, past the ranked window, are not newest first", i-1, i)
			}
		}
	})

	q := query.Parse("quake")
	q.Sort = byline.SortNewest
	res, err := search.Search(ctx, q)
	if err != nil || len(res.Hits) != 10 || !headline[res.Hits[1].Article.ID] && res.Hits[0].Article.ID < res.Hits[1].Article.ID {
		t.Errorf("Search(quake, newest first) = %d hits, %v; want 10, the newest first", len(res.Hits), err)
	}

	related, err := search.Related(ctx, &byline.Article{ID: res.Hits[0].Article.ID, Headline: "Quake"}, 5)
	if err != nil || len(related) != 5 {
		t.Errorf("Related(Quake) = %d articles, %v; want 5", len(related), err)
	}
}

// TestSearchService_DidYouMean_newWords checks that "Did you mean" learns
// the words of articles published after it first read the vocabulary,
// once its snapshot is old enough to be read again.
func TestSearchService_DidYouMean_newWords(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	ctx := t.Context()
	articles, search := sqlite.NewArticleService(db), sqlite.NewSearchService(db)
	sqlite.SetVocabularyRefresh(search, time.Millisecond)
	publish := func(headline string) {
		t.Helper()
		a := &byline.Article{Headline: headline, Body: "Text.", Status: byline.Published, PublishedAt: time.Now().Add(-time.Hour)}
		if err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	publish("Volcano erupts in Iceland")
	if got, err := search.DidYouMean(ctx, query.Parse("Vulcano")); err != nil || got == nil || got.String() != "Volcano" {
		t.Fatalf("DidYouMean(Vulcano) = %v, %v; want Volcano", got, err)
	}
	publish("Earthquake shakes Chile")
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := search.DidYouMean(ctx, query.Parse("Earthqake"))
		if err != nil {
			t.Fatal(err)
		}
		if got != nil && got.String() == "Earthquake" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("DidYouMean(Earthqake) = %v ten seconds after the article; want Earthquake", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSearchService_Search_filteredCommon reaches a filtered search whose
// words are common, by lowering the thresholds: it estimates its total
// from a sample of the newest matches when the filter keeps enough of
// them, counts exactly when it keeps too few, and ranks newest first.
func TestSearchService_Search_filteredCommon(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	db.Now = func() time.Time { return t0.AddDate(2, 0, 0) }
	articles, search := sqlite.NewArticleService(db), sqlite.NewSearchService(db)
	// 200 articles match "quake", more than exactCount (60); the 50 of
	// tag Geo are fewer, so only the sample makes their total an estimate.
	sqlite.SetSearchLimits(search, 60, 3, 0)
	sqlite.SetSearchSample(search, 40, 5)
	ctx := t.Context()
	var list []*byline.Article
	for i := range 200 {
		a := &byline.Article{Headline: fmt.Sprintf("Report %d", i), Body: "The quake shook the town.",
			Status: byline.Published, PublishedAt: t0.Add(time.Duration(i) * time.Hour)}
		switch {
		case i%4 == 0:
			a.Tags = []byline.Tag{{Name: "Geo"}}
		case i == 1 || i == 5:
			a.Tags = []byline.Tag{{Name: "Rare"}}
		}
		list = append(list, a)
	}
	if _, err := byline.ImportArticles(ctx, articles, list); err != nil {
		t.Fatal(err)
	}

	seen := map[int64]bool{}
	var last time.Time
	for page := 0; ; page++ {
		q := query.Parse("quake tag:geo")
		q.Limit, q.Offset = 10, page*10
		res, err := search.Search(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Approximate || res.Total < 35 || res.Total > 65 {
			t.Fatalf("quake tag:geo: Total %d, Approximate %v; want an estimate near 50", res.Total, res.Approximate)
		}
		if len(res.Hits) == 0 {
			break
		}
		for _, h := range res.Hits {
			a := h.Article
			if len(a.Tags) != 1 || a.Tags[0].Slug != "geo" || seen[a.ID] {
				t.Fatalf("hit %q (tags %v) is not a new Geo article", a.Headline, a.Tags)
			}
			if !last.IsZero() && a.PublishedAt.After(last) {
				t.Errorf("hit %q is newer than the one before: want newest first", a.Headline)
			}
			seen[a.ID], last = true, a.PublishedAt
		}
	}
	if len(seen) != 50 {
		t.Errorf("the pages of quake tag:geo hold %d articles, want all 50", len(seen))
	}

	res, err := search.Search(ctx, query.Parse("quake tag:rare"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Approximate || res.Total != 2 || len(res.Hits) != 2 || res.Hits[0].Article.Headline != "Report 5" {
		t.Errorf("quake tag:rare = %d hits of %d (approximate %v); want the 2, counted exactly, newest first", len(res.Hits), res.Total, res.Approximate)
	}
}

// A search with a date filter whose words are common reports about the
// articles of those dates, not of the whole archive ("housing
// after:2024-06-01" once reported as many as "housing").
func TestSearchService_Search_dateTotal(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	db.Now = func() time.Time { return t0.AddDate(2, 0, 0) }
	articles, search := sqlite.NewArticleService(db), sqlite.NewSearchService(db)
	sqlite.SetSearchLimits(search, 20, 9, 0)
	sqlite.SetSearchSample(search, 40, 5)
	var list []*byline.Article
	for i := range 200 {
		list = append(list, &byline.Article{Headline: fmt.Sprintf("Housing report %d", i), Body: "Rents rose again.",
			Status: byline.Published, PublishedAt: t0.AddDate(0, 0, i)})
	}
	if _, err := byline.ImportArticles(t.Context(), articles, list); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		q          string
		want, near int
	}{
		{"housing", 200, 30},
		{"housing after:" + t0.AddDate(0, 0, 149).Format(time.DateOnly), 50, 15},
		{"housing before:" + t0.AddDate(0, 0, 100).Format(time.DateOnly), 100, 25},
		{"after:" + t0.AddDate(0, 0, 49).Format(time.DateOnly), 150, 20},
	} {
		res, err := search.Search(t.Context(), query.Parse(tt.q))
		if err != nil {
			t.Fatal(err)
		}
		if res.Total < tt.want-tt.near || res.Total > tt.want+tt.near {
			t.Errorf("Search(%q).Total = %d (approximate %v), want about %d", tt.q, res.Total, res.Approximate, tt.want)
		}
	}
}
