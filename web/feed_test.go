package web_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

const base = "https://news.example.com"

// trickyHeadline has everything XML and HTML must escape.
const trickyHeadline = `Tom & Jerry <script> say "hi" & 'bye'`

// newFeedSite is a site with a base URL, as behind a proxy.
func newFeedSite(t *testing.T, full bool) *site {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	s := &site{articles: sqlite.NewArticleService(db), now: t0}
	db.Now = func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
	srv := &web.Server{Articles: s.articles, Site: web.Site{Title: "The Test Times", BaseURL: base}, FeedFullContent: full}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	return s
}

func (s *site) body(t *testing.T, path string) string {
	t.Helper()
	resp := s.get(t, path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestFeeds(t *testing.T) {
	t.Parallel()
	s := newFeedSite(t, true)
	tricky := s.add(t, trickyHeadline, t0.Add(-time.Hour), func(a *byline.Article) {
		a.Body = "Body with [a link](/2015/10/other/) & an ampersand.\n\n> Quoted."
		a.SourceURL = "http://old.example.com/tricky"
	})
	s.add(t, "Second story", t0.Add(-2*time.Hour), func(a *byline.Article) {
		a.Tags = []byline.Tag{{Name: "Iran"}}
		a.Authors = []byline.Author{{Name: "Jane Roe"}}
	})

	for _, path := range []string{"/feed/", "/feed/atom/", "/feed.json"} {
		t.Run(path, func(t *testing.T) {
			feed, err := gofeed.NewParser().ParseString(s.body(t, path))
			if err != nil {
				t.Fatalf("gofeed cannot parse %s: %v", path, err)
			}
			if feed.Title != "The Test Times" {
				t.Errorf("feed title = %q", feed.Title)
			}
			if len(feed.Items) != 2 {
				t.Fatalf("%d items, want 2", len(feed.Items))
			}
			it := feed.Items[0]
			if it.Title != trickyHeadline {
				t.Errorf("title = %q, want %q (escaped exactly once)", it.Title, trickyHeadline)
			}
			if it.Link != base+tricky.URL() {
				t.Errorf("link = %q, want %q", it.Link, base+tricky.URL())
			}
			if it.PublishedParsed == nil || !it.PublishedParsed.Equal(tricky.PublishedAt) {
				t.Errorf("published = %v, want %v", it.PublishedParsed, tricky.PublishedAt)
			}
			// RSS carries one dc:creator per author; gofeed keeps the first.
			if len(it.Authors) == 0 || it.Authors[0].Name != "Luay Al-Khatteeb" || (path != "/feed/" && len(it.Authors) != 2) {
				t.Errorf("authors = %d, first %+v", len(it.Authors), it.Authors[0])
			}
			if len(it.Categories) != 1 || (it.Categories[0] != "Syria" && it.Categories[0] != "syria") {
				t.Errorf("categories = %q", it.Categories)
			}
			if !strings.Contains(it.Content, `href="`+base+`/2015/10/other/"`) {
				t.Errorf("content = %q, want absolute links", it.Content)
			}
			if !strings.Contains(it.Content, "pull-quote") {
				t.Errorf("full content expected, got %q", it.Content)
			}
			guids := map[string]bool{}
			for _, item := range feed.Items {
				if item.GUID == "" || guids[item.GUID] {
					t.Errorf("GUID %q missing or repeated", item.GUID)
				}
				guids[item.GUID] = true
			}
		})
	}

	t.Run("RSS has one guid per item and escapes the headline", func(t *testing.T) {
		var doc struct {
			Items []struct {
				Title string   `xml:"title"`
				GUIDs []string `xml:"guid"`
			} `xml:"channel>item"`
		}
		raw := s.body(t, "/feed/")
		if err := xml.Unmarshal([]byte(raw), &doc); err != nil {
			t.Fatalf("RSS is not well-formed XML: %v", err)
		}
		for _, it := range doc.Items {
			if len(it.GUIDs) != 1 {
				t.Errorf("item %q has %d guids", it.Title, len(it.GUIDs))
			}
		}
		if strings.Contains(raw, "<script>") {
			t.Error("the raw feed contains an unescaped <script>")
		}
	})

	t.Run("GUIDs survive edits", func(t *testing.T) {
		before, _ := gofeed.NewParser().ParseString(s.body(t, "/feed/"))
		edited := &byline.Article{Headline: trickyHeadline + " (updated)", Body: "New body.", Status: byline.Published,
			PublishedAt: tricky.PublishedAt, SourceURL: tricky.SourceURL, Authors: tricky.Authors, Tags: tricky.Tags}
		s.setNow(t0.Add(time.Minute))
		if _, err := byline.ImportArticles(t.Context(), s.articles, []*byline.Article{edited}); err != nil {
			t.Fatal(err)
		}
		after, _ := gofeed.NewParser().ParseString(s.body(t, "/feed/"))
		if after.Items[0].Title != trickyHeadline+" (updated)" {
			t.Fatalf("feed not updated after the edit: %q", after.Items[0].Title)
		}
		if after.Items[0].GUID != before.Items[0].GUID {
			t.Errorf("GUID changed on edit: %q → %q", before.Items[0].GUID, after.Items[0].GUID)
		}
	})

	t.Run("conditional GET", func(t *testing.T) {
		resp := s.get(t, "/feed/")
		etag := resp.Header.Get("ETag")
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/rss+xml") {
			t.Errorf("Content-Type = %q", ct)
		}
		if r := s.get(t, "/feed/", "If-None-Match", etag); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match on the feed: %d, want 304", r.StatusCode)
		}
		if r := s.get(t, "/feed/", "If-Modified-Since", resp.Header.Get("Last-Modified")); r.StatusCode != http.StatusNotModified {
			t.Errorf("If-Modified-Since on the feed: %d, want 304", r.StatusCode)
		}
	})

	t.Run("tag and author feeds", func(t *testing.T) {
		for path, want := range map[string]string{"/tag/iran/feed/": "Second story", "/author/jane-roe/feed/atom/": "Second story", "/tag/syria/feed.json": trickyHeadline + " (updated)"} {
			feed, err := gofeed.NewParser().ParseString(s.body(t, path))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if len(feed.Items) != 1 || feed.Items[0].Title != want {
				t.Errorf("%s: %d items %+v; want only %q", path, len(feed.Items), feed.Items, want)
			}
		}
		if r := s.get(t, "/tag/nothing/feed/"); r.StatusCode != http.StatusNotFound {
			t.Errorf("feed of an unknown tag: %d, want 404", r.StatusCode)
		}
	})

	t.Run("discovery links on every page", func(t *testing.T) {
		for _, path := range []string{"/", tricky.URL(), "/tag/iran/"} {
			doc := s.page(t, path, http.StatusOK)
			types := map[string]string{}
			doc.Find(`link[rel="alternate"]`).Each(func(_ int, l *goquery.Selection) {
				typ, _ := l.Attr("type")
				href, _ := l.Attr("href")
				if _, seen := types[typ]; !seen {
					types[typ] = href
				}
			})
			for typ, want := range map[string]string{"application/rss+xml": "/feed/", "application/atom+xml": "/feed/atom/", "application/feed+json": "/feed.json"} {
				if !strings.HasPrefix(types[typ], base) || !strings.HasSuffix(types[typ], want) {
					t.Errorf("%s: alternate %s = %q", path, typ, types[typ])
				}
			}
		}
		doc := s.page(t, "/tag/iran/", http.StatusOK)
		if href, _ := doc.Find(`link[rel="alternate"]`).First().Attr("href"); href != base+"/tag/iran/feed/" {
			t.Errorf("tag page's first alternate = %q, want its own feed", href)
		}
	})
}

func TestFeedExcerptsOnly(t *testing.T) {
	t.Parallel()
	s := newFeedSite(t, false)
	s.add(t, "Short", t0.Add(-time.Hour))
	feed, err := gofeed.NewParser().ParseString(s.body(t, "/feed/"))
	if err != nil {
		t.Fatal(err)
	}
	if it := feed.Items[0]; it.Content != "" || !strings.HasPrefix(it.Description, "Opening paragraph of Short") {
		t.Errorf("excerpt feed: content %q, description %q", it.Content, it.Description)
	}
}

func TestArticleMetadata(t *testing.T) {
	t.Parallel()
	s := newFeedSite(t, true)
	a := s.add(t, trickyHeadline, t0.Add(-time.Hour), func(a *byline.Article) {
		a.FeatureImageURL = "/files/photo.jpg"
		a.Dek = `A dek with "quotes" & </script> inside`
	})
	doc := s.page(t, a.URL(), http.StatusOK)
	meta := func(sel string) string { v, _ := doc.Find(sel).Attr("content"); return v }
	if href, _ := doc.Find(`link[rel="canonical"]`).Attr("href"); href != base+a.URL() {
		t.Errorf("canonical = %q", href)
	}
	checks := map[string]string{
		`meta[property="og:type"]`:        "article",
		`meta[property="og:title"]`:       trickyHeadline,
		`meta[property="og:url"]`:         base + a.URL(),
		`meta[property="og:image"]`:       base + "/files/photo.jpg",
		`meta[name="twitter:card"]`:       "summary_large_image",
		`meta[name="description"]`:        a.Dek,
		`meta[property="article:author"]`: "Luay Al-Khatteeb",
	}
	for sel, want := range checks {
		if got := meta(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	var ld struct {
		Context       string `json:"@context"`
		Type          string `json:"@type"`
		Headline      string `json:"headline"`
		Description   string `json:"description"`
		DatePublished string `json:"datePublished"`
		DateModified  string `json:"dateModified"`
		Image         []string
		Author        []struct {
			Type string `json:"@type"`
			Name string `json:"name"`
		} `json:"author"`
		Publisher struct {
			Type string `json:"@type"`
			Name string `json:"name"`
		} `json:"publisher"`
	}
	raw := doc.Find(`script[type="application/ld+json"]`).Text()
	if err := json.Unmarshal([]byte(raw), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, raw)
	}
	if ld.Context != "https://schema.org" || ld.Type != "NewsArticle" || ld.Headline != trickyHeadline || ld.Description != a.Dek {
		t.Errorf("JSON-LD = %+v", ld)
	}
	if ld.DatePublished != "2015-10-08T11:00:00Z" || ld.DateModified == "" {
		t.Errorf("JSON-LD dates = %q, %q", ld.DatePublished, ld.DateModified)
	}
	if len(ld.Author) != 2 || ld.Author[0].Type != "Person" || ld.Publisher.Name != "The Test Times" || len(ld.Image) != 1 {
		t.Errorf("JSON-LD people = %+v, publisher %+v, image %q", ld.Author, ld.Publisher, ld.Image)
	}
	if strings.Contains(raw, "</script>") {
		t.Error("JSON-LD contains a raw </script>")
	}

	t.Run("home page: website metadata and rel next", func(t *testing.T) {
		for i := range 12 {
			s.add(t, fmt.Sprintf("Filler %d", i), t0.Add(-time.Duration(i+2)*time.Hour))
		}
		doc := s.page(t, "/", http.StatusOK)
		if v, _ := doc.Find(`meta[property="og:type"]`).Attr("content"); v != "website" {
			t.Errorf("home og:type = %q", v)
		}
		if next, _ := doc.Find(`link[rel="next"]`).Attr("href"); next != "/?page=2" {
			t.Errorf("home rel=next = %q", next)
		}
		doc = s.page(t, "/?page=2", http.StatusOK)
		if prev, _ := doc.Find(`link[rel="prev"]`).Attr("href"); prev != "/" {
			t.Errorf("page 2 rel=prev = %q", prev)
		}
	})
}

type urlset struct {
	XMLName xml.Name `xml:"urlset"`
	URLs    []struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod"`
	} `xml:"url"`
}

func TestSitemap(t *testing.T) {
	t.Parallel()
	s := newFeedSite(t, true)
	a := s.add(t, "In the sitemap", t0.Add(-time.Hour))
	s.add(t, "A draft, not in it", time.Time{}, func(a *byline.Article) { a.Status = byline.Draft })

	var set urlset
	if err := xml.Unmarshal([]byte(s.body(t, "/sitemap.xml")), &set); err != nil {
		t.Fatal(err)
	}
	if set.XMLName.Space != "http://www.sitemaps.org/schemas/sitemap/0.9" {
		t.Errorf("namespace = %q", set.XMLName.Space)
	}
	if len(set.URLs) != 2 || set.URLs[0].Loc != base+"/" || set.URLs[1].Loc != base+a.URL() {
		t.Fatalf("sitemap URLs = %+v", set.URLs)
	}
	for _, u := range set.URLs {
		if _, err := time.Parse(time.RFC3339, u.LastMod); err != nil {
			t.Errorf("lastmod %q: %v", u.LastMod, err)
		}
	}
	if set.URLs[1].LastMod != a.UpdatedAt.Format(time.RFC3339) {
		t.Errorf("lastmod = %q, want the update time %v", set.URLs[1].LastMod, a.UpdatedAt)
	}
	robots := s.body(t, "/robots.txt")
	if !strings.Contains(robots, "Sitemap: "+base+"/sitemap.xml") {
		t.Errorf("robots.txt = %q", robots)
	}
}

func TestNewsSitemap(t *testing.T) {
	t.Parallel()
	s := newFeedSite(t, true)
	now := time.Now().UTC()
	s.setNow(now)
	fresh := s.add(t, "Fresh & new", now.Add(-time.Hour))
	s.add(t, "Old news", now.Add(-72*time.Hour))
	var set struct {
		URLs []struct {
			Loc  string `xml:"loc"`
			News struct {
				Title string `xml:"title"`
				Date  string `xml:"publication_date"`
				Pub   struct {
					Name string `xml:"name"`
					Lang string `xml:"language"`
				} `xml:"publication"`
			} `xml:"news"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(s.body(t, "/sitemap-news.xml")), &set); err != nil {
		t.Fatal(err)
	}
	if len(set.URLs) != 1 || set.URLs[0].Loc != base+fresh.URL() || set.URLs[0].News.Title != "Fresh & new" ||
		set.URLs[0].News.Pub.Name != "The Test Times" || set.URLs[0].News.Pub.Lang != "en" {
		t.Errorf("news sitemap = %+v", set.URLs)
	}
}

// Past 50,000 URLs the sitemap becomes an index of files of at most
// 50,000 each.
func TestSitemapIndex(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("60,000 articles: a volume test, skipped in -short mode and under the race detector (.ci/run runs it without)")
	}
	t.Parallel()
	s := newFeedSite(t, true)
	const n = 60_000
	batch := make([]*byline.Article, 0, 5000)
	for i := range n {
		batch = append(batch, &byline.Article{Headline: fmt.Sprintf("Story %d", i), Body: "Text.", Status: byline.Published,
			PublishedAt: t0.Add(-time.Duration(i) * time.Minute)})
		if len(batch) == cap(batch) {
			if _, err := byline.ImportArticles(t.Context(), s.articles, batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var idx struct {
		XMLName  xml.Name `xml:"sitemapindex"`
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal([]byte(s.body(t, "/sitemap.xml")), &idx); err != nil {
		t.Fatalf("sitemap.xml is not an index: %v", err)
	}
	if len(idx.Sitemaps) != 3 || idx.Sitemaps[1].Loc != base+"/sitemap/2.xml" || idx.Sitemaps[2].Loc != base+"/sitemap/site.xml" {
		t.Fatalf("index = %+v, want 2 sitemaps of articles and site.xml", idx.Sitemaps)
	}
	seen := map[string]bool{}
	for i, sm := range idx.Sitemaps {
		var set urlset
		if err := xml.Unmarshal([]byte(s.body(t, strings.TrimPrefix(sm.Loc, base))), &set); err != nil {
			t.Fatal(err)
		}
		if want := []int{50_000, 10_000, 1}[i]; len(set.URLs) != want { // site.xml: the home page
			t.Errorf("sitemap %d has %d URLs, want %d", i+1, len(set.URLs), want)
		}
		for _, u := range set.URLs {
			seen[u.Loc] = true
		}
	}
	if len(seen) != n+1 {
		t.Errorf("the sitemaps list %d distinct URLs, want %d articles and the home page", len(seen), n)
	}
	if r := s.get(t, "/sitemap/3.xml"); r.StatusCode != http.StatusNotFound {
		t.Errorf("sitemap 3: %d, want 404", r.StatusCode)
	}
}

// The newsroom's settings apply to feeds and link previews at once, as to pages.
func TestFeedsFollowSettings(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	articles, settings := sqlite.NewArticleService(db), sqlite.NewSettingsService(db)
	srv := &web.Server{Articles: articles, Settings: settings, Site: web.Site{Title: "From the flag", BaseURL: base}}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	if err := articles.Create(t.Context(), &byline.Article{Headline: "One", Body: "x", Status: byline.Published}); err != nil {
		t.Fatal(err)
	}
	fetchTitle := func() string {
		resp, err := http.Get(ts.URL + "/feed/atom/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		feed, err := gofeed.NewParser().Parse(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return feed.Title
	}
	if got := fetchTitle(); got != "From the flag" {
		t.Fatalf("feed title = %q", got)
	}
	st, err := settings.Settings(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	st.Title = "From the newsroom"
	if err := settings.UpdateSettings(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	if got := fetchTitle(); got != "From the newsroom" {
		t.Errorf("after a settings change, feed title = %q, want the new title", got)
	}
}
