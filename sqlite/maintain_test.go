package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/query"
	"github.com/bylinenews/byline/sqlite"
)

// TestTidySearch writes articles one at a time, as a newsroom does, which
// leaves the search index in pieces, and checks that TidySearch merges
// them into one without changing what a search finds.
func TestTidySearch(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	ctx := t.Context()
	articles, search := sqlite.NewArticleService(db), sqlite.NewSearchService(db)
	for i := range 12 {
		a := &byline.Article{Headline: fmt.Sprintf("Flood report %d", i), Body: "Rivers rose overnight.",
			Status: byline.Published, PublishedAt: t0.AddDate(0, 0, i)}
		if err := articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	before, err := db.SearchSegments(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before < 2 {
		t.Fatalf("12 writes left %d segments; the test needs several", before)
	}
	find := func() []string {
		res, err := search.Search(ctx, query.Parse("flood rivers"))
		if err != nil {
			t.Fatal(err)
		}
		var slugs []string
		for _, h := range res.Hits {
			slugs = append(slugs, h.Article.Slug)
		}
		return slugs
	}
	want := find()

	if merged, err := db.TidySearch(ctx, before); err != nil || merged {
		t.Errorf("TidySearch(max %d) with %d segments = %v, %v; want no merge", before, before, merged, err)
	}
	merged, err := db.TidySearch(ctx, 1)
	if err != nil || !merged {
		t.Fatalf("TidySearch(1) = %v, %v; want a merge", merged, err)
	}
	if after, err := db.SearchSegments(ctx); err != nil || after != 1 {
		t.Errorf("after TidySearch: %d segments, %v; want 1", after, err)
	}
	if got := find(); fmt.Sprint(got) != fmt.Sprint(want) || len(got) != 10 {
		t.Errorf("search after tidying = %v, want %v (10 hits)", got, want)
	}
	if merged, err := db.TidySearch(ctx, 0); err != nil || merged {
		t.Errorf("TidySearch of a tidy index = %v, %v; want nothing to do", merged, err)
	}
}
