package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/query"
)

var t0 = time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)

func openSearch(t *testing.T) (*postgres.DB, *postgres.ArticleService, *postgres.SearchService) {
	t.Helper()
	db := dbtest.OpenPostgres(t)
	db.Now = func() time.Time { return t0.AddDate(1, 0, 0) }
	return db, postgres.NewArticleService(db), postgres.NewSearchService(db)
}

// vocabulary returns search_words as a map, and the same counted afresh
// from the articles.
func vocabulary(t *testing.T, db *postgres.DB) (kept, counted map[string]int) {
	t.Helper()
	read := func(sql string) map[string]int {
		rows, err := db.Pool().Query(t.Context(), sql)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		m := map[string]int{}
		for rows.Next() {
			var (
				w string
				n int
			)
			if err := rows.Scan(&w, &n); err != nil {
				t.Fatal(err)
			}
			m[w] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	return read(`SELECT word, docs FROM search_words`),
		read(`SELECT w, count(*) FROM articles, unnest(search_words_of(headline, dek)) AS w GROUP BY w`)
}

// The vocabulary "Did you mean" draws on follows every write to the
// articles' headlines and deks, in the same transaction.
func TestSearchService_vocabularyFollowsArticles(t *testing.T) {
	t.Parallel()
	db, articles, _ := openSearch(t)
	ctx := t.Context()
	check := func(step string, want map[string]int) {
		t.Helper()
		kept, counted := vocabulary(t, db)
		if fmt.Sprint(kept) != fmt.Sprint(counted) {
			t.Errorf("after %s: search_words = %v, but the articles hold %v", step, kept, counted)
		}
		for w, n := range want {
			if kept[w] != n {
				t.Errorf("after %s: %q is in %d articles, want %d", step, w, kept[w], n)
			}
		}
	}
	a := &byline.Article{Headline: "Café society in Zürich", Dek: "Coffee, coffee, coffee.", Body: "Unindexed body words.", Status: byline.Published, PublishedAt: t0}
	b := &byline.Article{Headline: "Zürich votes", Body: "More.", Status: byline.Draft}
	for _, x := range []*byline.Article{a, b} {
		if err := articles.Create(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	check("two creates", map[string]int{"cafe": 1, "zurich": 2, "coffee": 1, "unindexed": 0})

	a.Headline = "Tea society in Geneva"
	if _, err := articles.Import(ctx, []*byline.Article{{Slug: a.Slug, Headline: a.Headline, Dek: a.Dek, Body: a.Body, Status: byline.Published, PublishedAt: t0}}); err != nil {
		t.Fatal(err)
	}
	check("an edit", map[string]int{"cafe": 0, "zurich": 1, "tea": 1, "society": 1})

	if err := articles.Delete(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	check("a delete", map[string]int{"zurich": 0, "votes": 0, "geneva": 1})
}

// Without pg_trgm's index "Did you mean" scans the vocabulary by first
// letters, as on SQLite, and finds the same corrections.
func TestSearchService_DidYouMean_withoutTrigrams(t *testing.T) {
	t.Parallel()
	db, articles, _ := openSearch(t)
	ctx := t.Context()
	for _, h := range []string{"Russian, US Relationship In Syria Remains Complicated", "Local elections draw record turnout"} {
		if err := articles.Create(ctx, &byline.Article{Headline: h, Body: "Text.", Status: byline.Published, PublishedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Pool().Exec(ctx, `DROP INDEX IF EXISTS search_words_trgm`); err != nil {
		t.Fatal(err)
	}
	search := postgres.NewSearchService(db)
	for _, tt := range []struct{ in, want string }{
		{"Syira", "Syria"},
		{"ysria", "syria"},
		{"relatoinship elecions", "relationship elections"},
		{"syria", ""},
		{"qqqqqqq", ""},
	} {
		got, err := search.DidYouMean(ctx, query.Parse(tt.in))
		if err != nil {
			t.Fatalf("DidYouMean(%q): %v", tt.in, err)
		}
		gotText := ""
		if got != nil {
			gotText = got.String()
		}
		if gotText != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.in, gotText, tt.want)
		}
	}
}

// Words holding bytes PostgreSQL cannot store (NUL, invalid UTF-8), as a
// Query made by hand may, are searched as text like any other.
func TestSearchService_unstorableBytes(t *testing.T) {
	t.Parallel()
	_, articles, search := openSearch(t)
	ctx := t.Context()
	if err := articles.Create(ctx, &byline.Article{Headline: "Syria talks", Body: "Text.", Status: byline.Published, PublishedAt: t0}); err != nil {
		t.Fatal(err)
	}
	q := byline.Query{Words: []string{"syria\x00", "\xff"}, Phrases: []string{"syria\x00 talks"}, Exclude: []string{"\x00"}}
	res, err := search.Search(ctx, q)
	if err != nil || res.Total != 1 {
		t.Errorf("Search(%q) = %+v, %v; want the article", q.String(), res, err)
	}
	if _, err := search.Suggest(ctx, q, 8); err != nil {
		t.Errorf("Suggest(%q): %v", q.String(), err)
	}
	if _, err := search.DidYouMean(ctx, q); err != nil {
		t.Errorf("DidYouMean(%q): %v", q.String(), err)
	}
}
