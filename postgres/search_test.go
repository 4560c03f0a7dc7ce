package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

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
	if _, err := byline.ImportArticles(ctx, articles, []*byline.Article{{Slug: a.Slug, Headline: a.Headline, Dek: a.Dek, Body: a.Body, Status: byline.Published, PublishedAt: t0}}); err != nil {
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

// TestSearchService_Search_bounded reaches the ranking of large groups,
// where only the likely best are ranked, by lowering its threshold.
func TestSearchService_Search_bounded(t *testing.T) {
	t.Parallel()
	_, articles, search := openSearch(t)
	postgres.SetSearchLimits(search, 0, 3, 0)
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
	seen := map[int64]bool{}
	var order []int64
	for page := 0; page < 4; page++ {
		q := query.Parse("quake")
		q.Limit, q.Offset = 10, page*10
		res, err := search.Search(ctx, q)
		if err != nil {
			t.Fatalf("Search(quake, offset %d): %v", q.Offset, err)
		}
		if res.Total != 29 {
			t.Errorf("Search(quake, offset %d).Total = %d, want 29 (the draft left out)", q.Offset, res.Total)
		}
		for _, h := range res.Hits {
			if seen[h.Article.ID] {
				t.Errorf("article %d on two pages", h.Article.ID)
			}
			seen[h.Article.ID] = true
			order = append(order, h.Article.ID)
		}
	}
	if len(order) != 29 {
		t.Errorf("pages hold %d articles, want all 29", len(order))
	}
	// The 3 newest headline matches were ranked and lead.
	for i, id := range order[:3] {
		if !headline[id] {
			t.Errorf("hit %d (article %d) has no headline match; want the headline matches first", i, id)
		}
	}
	related, err := search.Related(ctx, &byline.Article{ID: order[0], Headline: "Quake"}, 5)
	if err != nil || len(related) != 5 {
		t.Errorf("Related(Quake) = %d articles, %v; want 5", len(related), err)
	}
}

// A statement that writes many articles (byline migrate-db copies a site
// with one COPY; an editor's bulk change is one UPDATE) counts their words
// once, and right.
func TestSearchService_vocabularyOfBulkStatements(t *testing.T) {
	t.Parallel()
	db, articles, _ := openSearch(t)
	ctx := t.Context()
	for i := range 3 {
		if err := articles.Create(ctx, &byline.Article{Headline: fmt.Sprintf("Harbour story %d", i), Dek: "Boats.", Body: "Text.", Status: byline.Published, PublishedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	pool := db.Pool()
	if _, err := pool.Exec(ctx, `UPDATE articles SET dek = 'Ships and boats.' WHERE headline LIKE 'Harbour story%'`); err != nil {
		t.Fatal(err)
	}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"articles"},
		[]string{"slug", "headline", "dek", "status", "created_at", "updated_at"},
		pgx.CopyFromRows([][]any{
			{"copied-1", "Copied harbour news", "Ships.", "draft", t0, t0},
			{"copied-2", "Copied river news", "", "draft", t0, t0},
		}))
	if err != nil {
		t.Fatal(err)
	}
	kept, counted := vocabulary(t, db)
	if fmt.Sprint(kept) != fmt.Sprint(counted) {
		t.Errorf("search_words = %v, but the articles hold %v", kept, counted)
	}
	if kept["harbour"] != 4 || kept["ships"] != 4 || kept["boats"] != 3 || kept["river"] != 1 {
		t.Errorf("counts = %v; want harbour 4, ships 4, boats 3, river 1", kept)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM articles WHERE slug LIKE 'copied-%'`); err != nil {
		t.Fatal(err)
	}
	if kept, counted := vocabulary(t, db); fmt.Sprint(kept) != fmt.Sprint(counted) || kept["river"] != 0 {
		t.Errorf("after a delete: search_words = %v, but the articles hold %v", kept, counted)
	}
}
