package web_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

var t0 = time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)

// site is a real server on a real SQLite file, with a clock the test moves.
type site struct {
	*httptest.Server
	articles *sqlite.ArticleService
	mu       sync.Mutex
	now      time.Time
}

func newSite(t *testing.T) *site {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	s := &site{articles: sqlite.NewArticleService(db), now: t0}
	db.Now = func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
	srv := &web.Server{Articles: s.articles, Site: web.Site{Title: "The Test Times"}, PostsPerPage: 3, Health: db.Ping}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	return s
}

func (s *site) setNow(t time.Time) { s.mu.Lock(); s.now = t; s.mu.Unlock() }

func (s *site) add(t *testing.T, headline string, published time.Time, mod ...func(*byline.Article)) *byline.Article {
	t.Helper()
	a := &byline.Article{
		Headline:    headline,
		Body:        "Opening paragraph of " + headline + ".\n\n> The quote that matters.\n\nClosing paragraph.",
		Status:      byline.Published,
		PublishedAt: published,
		Authors:     []byline.Author{{Name: "Luay Al-Khatteeb"}, {Name: "Abbas Kadhim"}},
		Tags:        []byline.Tag{{Name: "Syria"}},
	}
	for _, m := range mod {
		m(a)
	}
	if err := s.articles.Create(t.Context(), a); err != nil {
		t.Fatalf("create %q: %v", headline, err)
	}
	return a
}

// get fetches path without following redirects.
func (s *site) get(t *testing.T, path string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// page fetches path, checks the status and parses the HTML.
func (s *site) page(t *testing.T, path string, wantStatus int) *goquery.Document {
	t.Helper()
	resp := s.get(t, path)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, wantStatus)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: parse: %v", path, err)
	}
	return doc
}

func texts(sel *goquery.Selection) []string {
	var out []string
	sel.Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
	return out
}

func TestFirstRun(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	doc := s.page(t, "/", http.StatusOK)
	if got := doc.Find(".first-run h1").Text(); !strings.Contains(got, "Welcome") {
		t.Errorf("empty site: first-run heading = %q", got)
	}
	if !strings.Contains(doc.Find(".first-run").Text(), "byline import") {
		t.Error("first-run page does not say how to add content")
	}
}

func TestHomePage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for i := range 7 {
		s.add(t, fmt.Sprintf("Story %d", i), t0.Add(time.Duration(i-10)*time.Hour))
	}
	s.add(t, "Secret draft", time.Time{}, func(a *byline.Article) { a.Status = byline.Draft })
	future := s.add(t, "Tomorrow's story", t0.Add(24*time.Hour), func(a *byline.Article) { a.Status = byline.Scheduled })

	t.Run("newest first, a page at a time", func(t *testing.T) {
		doc := s.page(t, "/", http.StatusOK)
		got := texts(doc.Find("main .summary__headline"))
		want := []string{"Story 6", "Story 5", "Story 4"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("home headlines = %q, want %q", got, want)
		}
		if next, _ := doc.Find(`a[rel="next"]`).Attr("href"); next != "/?page=2" {
			t.Errorf("next link = %q, want /?page=2", next)
		}
		if byline := doc.Find("main .summary .meta").First().Text(); !strings.Contains(byline, "Luay Al-Khatteeb and Abbas Kadhim") {
			t.Errorf("summary byline = %q", byline)
		}
	})
	t.Run("last page", func(t *testing.T) {
		doc := s.page(t, "/?page=3", http.StatusOK)
		if got := texts(doc.Find("main .summary__headline")); len(got) != 1 || got[0] != "Story 0" {
			t.Errorf("page 3 = %q, want [Story 0]", got)
		}
	})
	t.Run("pages past the end and nonsense are not found", func(t *testing.T) {
		s.page(t, "/?page=4", http.StatusNotFound)
		s.page(t, "/?page=abc", http.StatusNotFound)
		s.page(t, "/?page=-1", http.StatusNotFound)
	})
	t.Run("drafts and future articles are invisible", func(t *testing.T) {
		for p := 1; p <= 3; p++ {
			body := s.page(t, fmt.Sprintf("/?page=%d", p), http.StatusOK).Text()
			if strings.Contains(body, "Secret draft") || strings.Contains(body, "Tomorrow") {
				t.Errorf("page %d shows a hidden article", p)
			}
		}
		s.page(t, future.URL(), http.StatusNotFound)
	})
	t.Run("a scheduled article appears at its time, without a restart", func(t *testing.T) {
		s.setNow(t0.Add(25 * time.Hour))
		defer s.setNow(t0)
		doc := s.page(t, "/", http.StatusOK)
		if got := doc.Find("main .summary__headline").First().Text(); !strings.Contains(got, "Tomorrow") {
			t.Errorf("after its time, first headline = %q, want the scheduled story", got)
		}
		s.page(t, future.URL(), http.StatusOK)
	})
}

func TestArticlePage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var all []*byline.Article
	for i := range 8 {
		all = append(all, s.add(t, fmt.Sprintf("Story %d", i), t0.Add(time.Duration(i-8)*time.Hour)))
	}
	read := all[7] // the newest: Recent Posts must skip it and still list five

	doc := s.page(t, read.URL(), http.StatusOK)
	if got := doc.Find("h1.article__headline").Text(); got != "Story 7" {
		t.Errorf("headline = %q", got)
	}
	if got := doc.Find("title").Text(); got != "Story 7 — The Test Times" {
		t.Errorf("title = %q", got)
	}
	authors := texts(doc.Find(`.article .byline a[rel="author"]`))
	if strings.Join(authors, "|") != "Luay Al-Khatteeb|Abbas Kadhim" {
		t.Errorf("byline authors = %q", authors)
	}
	if dt, _ := doc.Find(".article time").Attr("datetime"); dt != "2015-10-08T11:00:00Z" {
		t.Errorf("time datetime = %q", dt)
	}
	if !strings.Contains(doc.Find(".article .meta").Text(), "1 min read") {
		t.Errorf("meta = %q, want a reading time", doc.Find(".article .meta").Text())
	}
	if doc.Find(".article__body blockquote.pull-quote").Length() != 1 {
		t.Error("the block quote is not a pull quote")
	}
	if href, _ := doc.Find(`.tags a[rel="tag"]`).Attr("href"); href != "/tag/syria/" {
		t.Errorf("tag link = %q", href)
	}

	t.Run("recent posts: five, newest first, never the one being read", func(t *testing.T) {
		recent := texts(doc.Find(".recent-posts li a"))
		want := []string{"Story 6", "Story 5", "Story 4", "Story 3", "Story 2"}
		if strings.Join(recent, "|") != strings.Join(want, "|") {
			t.Errorf("recent posts = %q, want %q", recent, want)
		}
	})
	t.Run("wrong year or month redirects to the permalink", func(t *testing.T) {
		resp := s.get(t, "/2011/01/"+read.Slug+"/")
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != read.URL() {
			t.Errorf("status %d Location %q; want 301 to %q", resp.StatusCode, resp.Header.Get("Location"), read.URL())
		}
	})
	t.Run("missing slash redirects", func(t *testing.T) {
		resp := s.get(t, strings.TrimSuffix(read.URL(), "/"))
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != read.URL() {
			t.Errorf("status %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	t.Run("unknown article: a 404 that helps", func(t *testing.T) {
		doc := s.page(t, "/2015/10/no-such-story/", http.StatusNotFound)
		if doc.Find(`form[role="search"] input[name="q"]`).Length() != 1 {
			t.Error("404 page has no search box")
		}
		if n := doc.Find(".recent-posts li").Length(); n != 5 {
			t.Errorf("404 page lists %d recent posts, want 5", n)
		}
	})
	t.Run("other unknown paths are 404 too", func(t *testing.T) {
		s.page(t, "/wp-admin/", http.StatusNotFound)
		s.page(t, "/2015/10/a/b/", http.StatusNotFound)
	})
}

func TestArchives(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.add(t, "About Syria", t0.Add(-2*time.Hour))
	s.add(t, "About Iran", t0.Add(-time.Hour), func(a *byline.Article) {
		a.Tags = []byline.Tag{{Name: "Iran"}}
		a.Authors = []byline.Author{{Name: "Jane Roe"}}
	})

	doc := s.page(t, "/tag/syria/", http.StatusOK)
	if got := texts(doc.Find("main .summary__headline")); strings.Join(got, "|") != "About Syria" {
		t.Errorf("tag page = %q", got)
	}
	if h := doc.Find("h1").Text(); !strings.Contains(h, "Syria") {
		t.Errorf("tag heading = %q", h)
	}
	doc = s.page(t, "/author/jane-roe/", http.StatusOK)
	if got := texts(doc.Find("main .summary__headline")); strings.Join(got, "|") != "About Iran" {
		t.Errorf("author page = %q", got)
	}
	s.page(t, "/tag/nothing/", http.StatusNotFound)
	s.page(t, "/author/nobody/", http.StatusNotFound)
}

func TestHTTPBehaviour(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	a := s.add(t, "Cached story", t0)

	t.Run("security headers", func(t *testing.T) {
		resp := s.get(t, "/")
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "strict-origin-when-cross-origin",
		}
		for k, v := range want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, part := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("CSP %q lacks %q", csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP allows inline code: %q", csp)
		}
	})
	t.Run("conditional GET", func(t *testing.T) {
		resp := s.get(t, a.URL())
		etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
		if etag == "" || lm == "" {
			t.Fatalf("ETag %q, Last-Modified %q; want both", etag, lm)
		}
		if r := s.get(t, a.URL(), "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d, want 304", r.StatusCode)
		}
		if r := s.get(t, a.URL(), "If-Modified-Since", lm); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-Modified-Since: status %d, want 304", r.StatusCode)
		}
		// Any change to the site changes the ETag: the cached copy is stale.
		s.setNow(t0.Add(time.Minute))
		s.add(t, "Newer story", t0.Add(time.Minute))
		r := s.get(t, a.URL(), "If-None-Match", etag)
		if r.StatusCode != http.StatusOK || r.Header.Get("ETag") == etag {
			t.Errorf("after a change: status %d, ETag %q (old %q); want 200 and a new ETag", r.StatusCode, r.Header.Get("ETag"), etag)
		}
		doc, _ := goquery.NewDocumentFromReader(r.Body)
		if got := doc.Find(".recent-posts li a").First().Text(); got != "Newer story" {
			t.Errorf("after a change, recent posts start with %q: the page cache is stale", got)
		}
	})
	t.Run("gzip", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.URL+a.URL(), nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding = %q, want gzip", resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		if !strings.Contains(string(body), "Cached story") {
			t.Errorf("gunzipped body lacks the headline")
		}
	})
	t.Run("static files are content-addressed and cached for a year", func(t *testing.T) {
		doc := s.page(t, "/", http.StatusOK)
		href, _ := doc.Find(`link[rel="stylesheet"]`).Attr("href")
		resp := s.get(t, href)
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: %d, Cache-Control %q", href, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("stylesheet Content-Type = %q", ct)
		}
	})
	t.Run("cross-origin POST is refused", func(t *testing.T) {
		req, _ := http.NewRequest("POST", s.URL+"/", strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST: status %d, want 403", resp.StatusCode)
		}
	})
	t.Run("healthz", func(t *testing.T) {
		resp := s.get(t, "/healthz")
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ok" {
			t.Errorf("healthz: %d %q", resp.StatusCode, body)
		}
	})
}

// Tracking parameters neither bypass the page cache nor reach the page.
func TestCacheIgnoresOtherParameters(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	for i := range 4 {
		s.add(t, fmt.Sprintf("Story %d", i), t0.Add(-time.Duration(i+1)*time.Hour))
	}
	plain := s.get(t, "/?page=2")
	tracked := s.get(t, "/?utm_source=x&page=2&fbclid=y")
	if plain.StatusCode != 200 || tracked.StatusCode != 200 || plain.Header.Get("ETag") != tracked.Header.Get("ETag") {
		t.Errorf("/?page=2 and the tracked URL: %d %q, %d %q; want the same page", plain.StatusCode, plain.Header.Get("ETag"),
			tracked.StatusCode, tracked.Header.Get("ETag"))
	}
	a, _ := io.ReadAll(plain.Body)
	b, _ := io.ReadAll(tracked.Body)
	if string(a) != string(b) {
		t.Error("the tracked URL got a different page")
	}
	if strings.Contains(string(b), "utm_source") {
		t.Error("a tracking parameter reached the page")
	}
}

// An uploaded feature image is offered at every stored width.
func TestFeatureImageSrcset(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	a := s.add(t, "Pictured", t0.Add(-time.Hour), func(a *byline.Article) {
		a.FeatureImageURL = byline.UploadPath + "0123456789abcdef0123456789abcdef-2000.jpg"
	})
	doc := s.page(t, a.URL(), http.StatusOK)
	img := doc.Find(".article__image img")
	srcset, _ := img.Attr("srcset")
	if got := strings.Count(srcset, "w"); got != 4 || !strings.Contains(srcset, "-480.jpg 480w") || !strings.Contains(srcset, "-2000.jpg 2000w") {
		t.Errorf("feature image srcset = %q; want 480, 960, 1600 and 2000 widths", srcset)
	}
	if sizes, _ := img.Attr("sizes"); sizes == "" {
		t.Error("feature image has a srcset but no sizes")
	}
}
