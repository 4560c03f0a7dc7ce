package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// feedBenchSite is one large site shared by the feed and sitemap
// benchmarks: BYLINE_BENCH_ARTICLES articles (default 100,000).
var feedBenchSite = sync.OnceValues(func() (*benchSite, error) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("BYLINE_BENCH_ARTICLES")); err == nil && v > 0 {
		n = v
	}
	dir, err := os.MkdirTemp("", "byline-feed-bench")
	if err != nil {
		return nil, err
	}
	db, err := sqlite.Open(t0Context(), filepath.Join(dir, "byline.db"))
	if err != nil {
		return nil, err
	}
	articles := sqlite.NewArticleService(db)
	words := strings.Fields("the minister said talks on the ceasefire would resume next week as aid convoys reached the city " +
		"while analysts warned that the fragile agreement could collapse if either side broke its terms again")
	batch := make([]*byline.Article, 0, 2000)
	for i := range n {
		var body strings.Builder
		for p := range 4 {
			for w := range 40 {
				body.WriteString(words[(i+p*7+w)%len(words)])
				body.WriteByte(' ')
			}
			body.WriteString("\n\n")
		}
		batch = append(batch, &byline.Article{
			Headline: fmt.Sprintf("Story number %d about the ceasefire", i), Body: body.String(), Status: byline.Published,
			PublishedAt: time.Now().Add(-time.Duration(n-i) * time.Minute),
			Authors:     []byline.Author{{Name: fmt.Sprintf("Reporter %d", i%50)}},
			Tags:        []byline.Tag{{Name: fmt.Sprintf("Topic %d", i%200)}},
		})
		if len(batch) == cap(batch) || i == n-1 {
			if _, err := byline.ImportArticles(t0Context(), articles, batch); err != nil {
				return nil, err
			}
			batch = batch[:0]
		}
	}
	srv := &web.Server{Articles: articles, Site: web.Site{Title: "Bench Times", BaseURL: "https://bench.example.com"}, FeedFullContent: true}
	return &benchSite{handler: srv.Handler(), articles: articles, n: n}, nil
})

type benchSite struct {
	handler  http.Handler
	articles *sqlite.ArticleService
	n        int
}

func benchGet(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

// benchPaths: the feed, and the first sitemap file, which lists 50,000 URLs.
var benchPaths = map[string]string{"Feed": "/feed/", "Sitemap": "/sitemap/1.xml"}

// BenchmarkFeedCached measures the feed and sitemap served from the page
// cache; BenchmarkFeedAfterPublish publishes an article before each request,
// so each is rendered afresh (the invalidation path), and
// BenchmarkPublishOnly is the publish alone, to subtract.
func BenchmarkFeedCached(b *testing.B) {
	site, err := feedBenchSite()
	if err != nil {
		b.Fatal(err)
	}
	for name, path := range benchPaths {
		b.Run(name, func(b *testing.B) {
			benchGet(b, site.handler, path)
			for b.Loop() {
				benchGet(b, site.handler, path)
			}
		})
	}
}

func BenchmarkFeedAfterPublish(b *testing.B) {
	site, err := feedBenchSite()
	if err != nil {
		b.Fatal(err)
	}
	for name, path := range benchPaths {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				publish(b, site, i)
				i++
				benchGet(b, site.handler, path)
			}
		})
	}
}

func BenchmarkPublishOnly(b *testing.B) {
	site, err := feedBenchSite()
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		publish(b, site, i)
		i++
	}
}

func publish(b *testing.B, site *benchSite, i int) {
	a := &byline.Article{Headline: fmt.Sprintf("Breaking %d", i), Body: "Just in.", Status: byline.Published}
	if err := site.articles.Create(t0Context(), a); err != nil {
		b.Fatal(err)
	}
	// LastModified has millisecond resolution: make sure the clock moved.
	time.Sleep(time.Millisecond)
}

func t0Context() context.Context { return context.Background() }
