package web_test

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// The render benchmarks measure the home and article pages through the real
// handler (all middleware, the page cache) on a real SQLite file:
//
//	go test -run '^$' -bench 'Render/' ./web/
//	go test -run '^$' -bench 'Render/article' -render-articles 100000 ./web/  # minutes to seed
//
// "cached" is what readers get almost always: the page from the page cache,
// after one query for the site's change clock. "cold" saves a draft before
// each request (untimed), which makes every cached page stale, so it
// measures what the first reader after an edit waits for: the database
// queries (Related articles included), the template, and the gzipped copy
// the cache keeps.
var renderArticles = flag.Int("render-articles", 1000, "articles to seed the render benchmarks' database with")

// renderBenchSite is the seeded site the render benchmarks share.
type renderBenchSite struct {
	handler http.Handler
	article string // the permalink of an article in the middle of the site
	// touch saves a draft: readers see nothing new, but the site's change
	// clock moves, so every page in the page cache is stale.
	touch func()
}

// seedRenderSite fills a database in dir with n articles.
func seedRenderSite(b *testing.B, dir string, n int) *renderBenchSite {
	b.Helper()
	ctx := b.Context()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "byline.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	articles := sqlite.NewArticleService(db)
	end := time.Date(2025, 12, 31, 12, 0, 0, 0, time.UTC)
	var middle string
	for done := 0; done < n; {
		size := min(1000, n-done)
		batch := make([]*byline.Article, size)
		for i := range batch {
			k := done + i
			batch[i] = renderBenchArticle(k, end.Add(-time.Duration(n-1-k)*time.Hour))
		}
		if _, err := byline.ImportArticles(ctx, articles, batch); err != nil {
			b.Fatalf("seed the render benchmarks: %v", err)
		}
		for i, a := range batch {
			if done+i == n/2 {
				middle = a.URL()
			}
		}
		done += size
	}
	public := filepath.Join(dir, "public")
	if err := os.MkdirAll(public, 0o750); err != nil {
		b.Fatal(err)
	}
	// As `byline serve` wires it, with search for the Related articles.
	srv := &web.Server{Articles: articles, Search: sqlite.NewSearchService(db), Site: web.Site{Title: "The Bench Times"}, PublicDir: os.DirFS(public)}
	h := srv.Handler()
	// The static twin of the article page, as bench/load.sh makes it.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, middle, nil))
	if err := os.WriteFile(filepath.Join(public, "article.html"), rec.Body.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	// From now on the clock moves a second at each reading, so every touch
	// changes the site's version. It starts after the import's real time,
	// which the site's change clock holds.
	var clock atomic.Int64
	clock.Store(time.Now().Add(time.Hour).Unix())
	db.Now = func() time.Time { return time.Unix(clock.Add(1), 0) }
	touches := 0
	touch := func() {
		touches++ // a slug of its own: no search for a free one
		draft := &byline.Article{Headline: "Bench touch", Slug: fmt.Sprintf("bench-touch-%d", touches), Body: "A draft.", Status: byline.Draft}
		if err := articles.Create(ctx, draft); err != nil {
			b.Fatalf("touch the site: %v", err)
		}
	}
	return &renderBenchSite{handler: h, article: middle, touch: touch}
}

// renderBenchArticle is a news-sized article: a dek, eight paragraphs, a
// pull quote, a subheading, two authors and three tags.
func renderBenchArticle(k int, published time.Time) *byline.Article {
	var body strings.Builder
	for p := range 8 {
		if p == 3 {
			body.WriteString("> “We have waited long enough. Now we have to get it right,” said the council’s leader.\n\n")
		}
		if p == 5 {
			body.WriteString("## What happens next\n\n")
		}
		for s := range 4 {
			fmt.Fprintf(&body, "Sentence %d of paragraph %d of story %d tells the reader what the council decided, why it matters, and who will pay for it. ", s+1, p+1, k)
		}
		body.WriteString("\n\n")
	}
	return &byline.Article{
		Headline:    fmt.Sprintf("Council approves plan number %d for the riverside after a long debate", k),
		Dek:         "After eleven hours of debate, the plan passes with a narrow majority.",
		Body:        body.String(),
		Status:      byline.Published,
		PublishedAt: published,
		Authors:     []byline.Author{{Name: fmt.Sprintf("Reporter %d", k%40)}, {Name: "Staff Writer"}},
		Tags:        []byline.Tag{{Name: "Local"}, {Name: fmt.Sprintf("Topic %d", k%50)}, {Name: "Politics"}},
	}
}

// renderGet serves path once through h and fails b on a status other than 200.
func renderGet(b *testing.B, h http.Handler, path string, gzip bool) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: status %d", path, rec.Code)
	}
}

// BenchmarkRender serves the home page and an article page, from the page
// cache and rendered afresh, plain and gzipped, and for comparison a saved
// copy of the article page as a static file from /files/. It seeds the database once
// for all its sub-benchmarks (a benchmark that has sub-benchmarks runs once).
func BenchmarkRender(b *testing.B) {
	site := seedRenderSite(b, b.TempDir(), *renderArticles)
	for _, page := range []struct{ name, path string }{{"home", "/"}, {"article", site.article}, {"static", "/files/article.html"}} {
		for _, gzip := range []bool{false, true} {
			enc := "identity"
			if gzip {
				enc = "gzip"
			}
			name := page.name + "/cached/" + enc
			if page.name == "static" {
				name = "static/file/" + enc
			}
			b.Run(name, func(b *testing.B) {
				renderGet(b, site.handler, page.path, gzip) // fill the cache
				b.ReportAllocs()
				for b.Loop() {
					renderGet(b, site.handler, page.path, gzip)
				}
			})
			if page.name == "static" {
				continue
			}
			b.Run(page.name+"/cold/"+enc, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					site.touch()
					b.StartTimer()
					renderGet(b, site.handler, page.path, gzip)
				}
			})
		}
	}
}
