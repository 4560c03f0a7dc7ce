package web_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// watch runs a store's change feed into srv until the test ends, and
// returns once the feed watches.
func watch(t *testing.T, feed func(context.Context, func(bool)) error, srv *web.Server) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	watching := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		feed(ctx, func(w bool) {
			srv.ContentChanged(w)
			if w {
				once.Do(func() { close(watching) })
			}
		})
	}()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-watching:
	case <-time.After(10 * time.Second):
		t.Fatal("the change feed did not start watching within 10 s")
	}
}

// countingArticles is the real SQLite article service, counting the calls
// that read the database.
type countingArticles struct {
	*sqlite.ArticleService
	calls atomic.Int64
}

func (c *countingArticles) FindBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	c.calls.Add(1)
	return c.ArticleService.FindBySlug(ctx, slug)
}
func (c *countingArticles) FindByID(ctx context.Context, id int64) (*byline.Article, error) {
	c.calls.Add(1)
	return c.ArticleService.FindByID(ctx, id)
}
func (c *countingArticles) Find(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, int, error) {
	c.calls.Add(1)
	return c.ArticleService.Find(ctx, f)
}
func (c *countingArticles) Recent(ctx context.Context, n int, excludeID int64) ([]*byline.Article, error) {
	c.calls.Add(1)
	return c.ArticleService.Recent(ctx, n, excludeID)
}
func (c *countingArticles) FindRedirect(ctx context.Context, path string) (*byline.Article, error) {
	c.calls.Add(1)
	return c.ArticleService.FindRedirect(ctx, path)
}
func (c *countingArticles) LastModified(ctx context.Context) (time.Time, error) {
	c.calls.Add(1)
	return c.ArticleService.LastModified(ctx)
}
func (c *countingArticles) NextDue(ctx context.Context, after time.Time) (time.Time, error) {
	c.calls.Add(1)
	return c.ArticleService.NextDue(ctx, after)
}
func (c *countingArticles) FindAuthor(ctx context.Context, slug string) (*byline.Author, error) {
	c.calls.Add(1)
	return c.ArticleService.FindAuthor(ctx, slug)
}
func (c *countingArticles) FindTag(ctx context.Context, slug string) (*byline.Tag, error) {
	c.calls.Add(1)
	return c.ArticleService.FindTag(ctx, slug)
}

// fetch GETs base+path with the given Accept-Encoding and returns the
// status and the body as sent.
func fetch(t *testing.T, base, path, encoding string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", encoding)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(body)
}

// headlines returns the home page's article headlines.
func headlines(t *testing.T, base string) string {
	t.Helper()
	status, body := fetch(t, base, "/", "identity")
	if status != http.StatusOK {
		t.Fatalf("GET %s/: %d", base, status)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc.Find("main").Text()
}

// waitFor polls the home page at base until it names headline, and
// returns how long that took; it fails the test after limit.
func waitFor(t *testing.T, base, headline string, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for !strings.Contains(headlines(t, base), headline) {
		if time.Since(start) > limit {
			t.Fatalf("%s/ does not show %q %v after it was published", base, headline, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

func publishNow(t *testing.T, articles byline.ArticleService, headline string) *byline.Article {
	t.Helper()
	a := &byline.Article{Headline: headline, Body: "Body of " + headline + ".", Status: byline.Published,
		PublishedAt: time.Now().Add(-time.Minute), Authors: []byline.Author{{Name: "Ann Lee"}}}
	if err := articles.Create(t.Context(), a); err != nil {
		t.Fatalf("create %q: %v", headline, err)
	}
	return a
}

// On SQLite a cached page reads nothing from the database once the change
// feed watches; a write through the same database shows at once, and one
// by another process on the same file within the feed's poll.
func TestCachedPage_SQLiteFeed(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "byline.db")
	open := func() *sqlite.DB {
		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db, other := open(), open() // other stands for a second process
	db.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	articles := &countingArticles{ArticleService: sqlite.NewArticleService(db)}
	first := publishNow(t, articles, "The first story")
	srv := &web.Server{Articles: articles, Site: web.Site{Title: "The Test Times"}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	watch(t, db.WatchChanges, srv)

	paths := []string{"/", first.URL()}
	for _, p := range paths {
		for _, enc := range []string{"identity", "gzip"} {
			fetch(t, ts.URL, p, enc) // render and cache
		}
	}
	before := articles.calls.Load()
	for range 20 {
		for _, p := range paths {
			for _, enc := range []string{"identity", "gzip"} {
				if status, _ := fetch(t, ts.URL, p, enc); status != http.StatusOK {
					t.Fatalf("GET %s (%s): %d", p, enc, status)
				}
			}
		}
	}
	if n := articles.calls.Load() - before; n != 0 {
		t.Errorf("80 cached hits made %d calls to the article service, want 0", n)
	}

	t.Run("a write through this database shows at once", func(t *testing.T) {
		publishNow(t, articles, "Written here")
		if !strings.Contains(headlines(t, ts.URL), "Written here") {
			t.Error("the home page right after the write does not show it")
		}
	})
	t.Run("a write by another process shows within a second", func(t *testing.T) {
		publishNow(t, sqlite.NewArticleService(other), "Written elsewhere")
		took := waitFor(t, ts.URL, "Written elsewhere", time.Second)
		t.Logf("shown after %v", took)
	})
	t.Run("without a feed every page asks the database", func(t *testing.T) {
		srv.ContentChanged(false)
		before := articles.calls.Load()
		fetch(t, ts.URL, "/", "gzip")
		if articles.calls.Load() == before {
			t.Error("a page served with no feed watching did not ask the database for the site's version")
		}
	})
}

// A scheduled article comes due with no write to notify anyone: the
// remembered version must not outlive it.
func TestCachedPage_ScheduledComesDue(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db.Now = clock
	articles := sqlite.NewArticleService(db)
	srv := &web.Server{Articles: articles, Site: web.Site{Title: "The Test Times"}, Now: clock}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	watch(t, db.WatchChanges, srv)

	for _, a := range []*byline.Article{
		{Headline: "Out already", Body: "Body.", Status: byline.Published, PublishedAt: t0.Add(-time.Hour)},
		{Headline: "Embargoed story", Body: "Body.", Status: byline.Published, PublishedAt: t0.Add(time.Hour)},
	} {
		if err := articles.Create(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	if got := headlines(t, ts.URL); !strings.Contains(got, "Out already") || strings.Contains(got, "Embargoed") {
		t.Fatalf("home page before the embargo = %q; want the first story only", got)
	}
	mu.Lock()
	now = t0.Add(time.Hour + time.Second)
	mu.Unlock()
	if !strings.Contains(headlines(t, ts.URL), "Embargoed story") {
		t.Error("the home page does not show the scheduled article once it came due")
	}
}

// countingProxy forwards TCP connections to target and counts the bytes
// clients send: every database round trip sends some.
type countingProxy struct {
	ln   net.Listener
	sent atomic.Int64
}

func startCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			go func() {
				buf := make([]byte, 32<<10)
				for {
					n, err := client.Read(buf)
					p.sent.Add(int64(n))
					if n > 0 {
						if _, werr := server.Write(buf[:n]); werr != nil {
							break
						}
					}
					if err != nil {
						break
					}
				}
				server.Close()
			}()
			go func() {
				io.Copy(client, server)
				client.Close()
			}()
		}
	}()
	return p
}

// count returns the bytes clients have sent so far.
func (p *countingProxy) count() int64 { return p.sent.Load() }

// Two instances on one PostgreSQL database: a cached page sends not a byte
// to the database; a publish through one shows at once on it and within a
// second on the other, told by LISTEN/NOTIFY.
func TestCachedPage_PostgresFeed(t *testing.T) {
	t.Parallel()
	pgURL := dbtest.PostgresURL(t)
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startCountingProxy(t, u.Host)
	proxied := *u
	proxied.Host = proxy.ln.Addr().String()

	instance := func(dbURL string) (*postgres.DB, *web.Server, string) {
		db, err := postgres.Open(t.Context(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
		services := postgres.NewServices(db)
		srv := &web.Server{Articles: services.Articles, Search: services.Search, Settings: services.Settings,
			Site: web.Site{Title: "The Test Times"}}
		ts := httptest.NewServer(srv.Handler())
		t.Cleanup(ts.Close)
		watch(t, db.WatchChanges, srv)
		return db, srv, ts.URL
	}
	dbA, _, a := instance(pgURL)
	_, _, b := instance(proxied.String()) // B's every byte to the database is counted
	articlesA := postgres.NewArticleService(dbA)
	first := publishNow(t, articlesA, "The first story")
	waitFor(t, b, "The first story", time.Second)

	paths := []string{"/", first.URL()}
	for _, p := range paths {
		for _, enc := range []string{"identity", "gzip"} {
			fetch(t, b, p, enc)
		}
	}
	before := proxy.count()
	for range 20 {
		for _, p := range paths {
			for _, enc := range []string{"identity", "gzip"} {
				if status, _ := fetch(t, b, p, enc); status != http.StatusOK {
					t.Fatalf("GET %s (%s): %d", p, enc, status)
				}
			}
		}
	}
	if n := proxy.count() - before; n != 0 {
		t.Errorf("80 cached hits on B sent %d bytes to the database, want 0", n)
	}

	headlines(t, a) // A caches its home page too
	publishNow(t, articlesA, "Published on A")
	if !strings.Contains(headlines(t, a), "Published on A") {
		t.Error("A's home page right after A published does not show the article")
	}
	took := waitFor(t, b, "Published on A", time.Second)
	t.Logf("B showed A's article after %v", took)
}
