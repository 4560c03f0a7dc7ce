package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// searchSite is a real server with search, on a real SQLite file.
type searchSite struct {
	*httptest.Server
	articles *sqlite.ArticleService
}

func newSearchSite(t *testing.T) *searchSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	db.Now = func() time.Time { return t0.AddDate(1, 0, 0) }
	s := &searchSite{articles: sqlite.NewArticleService(db)}
	srv := &web.Server{Articles: s.articles, Search: sqlite.NewSearchService(db), Site: web.Site{Title: "The Test Times"}, PostsPerPage: 3}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	return s
}

func (s *searchSite) add(t *testing.T, headline, body string, published time.Time, tags ...string) *byline.Article {
	t.Helper()
	a := &byline.Article{Headline: headline, Body: body, Status: byline.Published, PublishedAt: published,
		Authors: []byline.Author{{Name: "Jane Doe"}}}
	for _, tag := range tags {
		a.Tags = append(a.Tags, byline.Tag{Name: tag})
	}
	if err := s.articles.Create(t.Context(), a); err != nil {
		t.Fatalf("create %q: %v", headline, err)
	}
	return a
}

// fetch GETs path and returns the response with its body read.
func (s *searchSite) fetch(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

func (s *searchSite) page(t *testing.T, path string, wantStatus int) *goquery.Document {
	t.Helper()
	resp, body := s.fetch(t, path)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s = %d, want %d", path, resp.StatusCode, wantStatus)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("GET %s: parse: %v", path, err)
	}
	return doc
}

func (s *searchSite) json(t *testing.T, path string, wantStatus int, v any) {
	t.Helper()
	resp, body := s.fetch(t, path)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s = %d, want %d; body %s", path, resp.StatusCode, wantStatus, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s Content-Type = %q, want JSON", path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v; body %s", path, err, body)
	}
}

// newsroom fills the site with a few stories.
func newsroom(t *testing.T, s *searchSite) map[string]*byline.Article {
	return map[string]*byline.Article{
		"syria": s.add(t, "Russian, US Relationship In Syria Remains Complicated",
			"With Russia's increased involvement in the war in Syria, an already tense relationship has become more complicated.", t0, "Middle East"),
		"geneva": s.add(t, "Talks in Geneva stall", "Diplomats said the war in Syria was not on the agenda.", t0.AddDate(0, 1, 0), "Europe"),
		"rates":  s.add(t, "Russia raises interest rates", "The central bank in Moscow raised rates.", t0.AddDate(0, 2, 0), "Economy"),
		"xss":    s.add(t, `Markup <script>alert("x")</script> in a headline`, "Body about markup <img src=x onerror=alert(1)>.", t0.AddDate(0, 3, 0)),
	}
}

func TestSearchPage(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	newsroom(t, s)

	t.Run("results are counted, ranked and marked", func(t *testing.T) {
		doc := s.page(t, "/search?q=syria", http.StatusOK)
		if got := strings.TrimSpace(doc.Find(".search-count").Text()); got != "2 articles" {
			t.Errorf("count = %q, want %q", got, "2 articles")
		}
		hits := doc.Find(".search-results > li")
		if hits.Length() != 2 {
			t.Fatalf("results = %d, want 2", hits.Length())
		}
		first := hits.First()
		if href, _ := first.Find("h2 a").Attr("href"); href != "/2015/10/russian-us-relationship-in-syria-remains-complicated/" {
			t.Errorf("first hit links to %q, want the Syria story", href)
		}
		if got := first.Find("h2 a mark").Text(); got != "Syria" {
			t.Errorf("first hit's headline marks %q, want Syria", got)
		}
		if got := first.Find(".search-result__snippet mark").First().Text(); got != "Syria" {
			t.Errorf("first hit's snippet marks %q, want Syria", got)
		}
		if got := first.Find(".meta a[rel=author]").Text(); got != "Jane Doe" {
			t.Errorf("first hit's byline = %q, want Jane Doe", got)
		}
		if v, _ := doc.Find("#search-q").Attr("value"); v != "syria" {
			t.Errorf("search box holds %q, want the query kept", v)
		}
		if c, _ := doc.Find(`meta[name=robots]`).Attr("content"); c != "noindex" {
			t.Errorf("robots = %q, want noindex", c)
		}
	})

	t.Run("the bare form asks for nothing", func(t *testing.T) {
		doc := s.page(t, "/search", http.StatusOK)
		if doc.Find("#search-q").Length() != 1 || doc.Find(".search-results, .search-empty").Length() != 0 {
			t.Errorf("GET /search: want the form alone")
		}
	})

	t.Run("nothing found offers a correction and recent posts", func(t *testing.T) {
		doc := s.page(t, "/search?q=Syira", http.StatusOK)
		if got := doc.Find(".search-count").Text(); !strings.Contains(got, "No articles match") {
			t.Errorf("count = %q, want it to say nothing matched", got)
		}
		link := doc.Find(".search-empty__suggestion a")
		if link.Text() != "Syria" {
			t.Errorf("Did you mean %q, want Syria", link.Text())
		}
		href, _ := link.Attr("href")
		u, err := url.Parse(href)
		if err != nil || u.Path != "/search" || u.Query().Get("q") != "Syria" {
			t.Errorf("Did you mean links to %q, want /search?q=Syria", href)
		}
		if n := doc.Find(".search-empty__recent li").Length(); n == 0 {
			t.Errorf("no Recent articles on an empty result")
		}
	})

	t.Run("filters narrow and are kept", func(t *testing.T) {
		doc := s.page(t, "/search?q=syria&tag=Europe&from=2015-11-01&to=2015-11-30&sort=date", http.StatusOK)
		if n := doc.Find(".search-results > li").Length(); n != 1 {
			t.Errorf("filtered results = %d, want 1", n)
		}
		if v, _ := doc.Find("#search-tag").Attr("value"); v != "Europe" {
			t.Errorf("tag box = %q, want Europe", v)
		}
		if v, _ := doc.Find("#search-from").Attr("value"); v != "2015-11-01" {
			t.Errorf("from box = %q", v)
		}
		if v, _ := doc.Find("#search-sort option[selected]").Attr("value"); v != "date" {
			t.Errorf("order = %q, want date kept", v)
		}
	})

	t.Run("text is escaped, never markup", func(t *testing.T) {
		doc := s.page(t, "/search?q=markup", http.StatusOK)
		if doc.Find(".search-results script, .search-results img").Length() != 0 {
			t.Errorf("a hit's headline or snippet became markup")
		}
		if got := doc.Find(".search-results h2 a").Text(); !strings.Contains(got, `<script>alert("x")</script>`) {
			t.Errorf("headline = %q, want the literal text", got)
		}
	})
}

func TestSearchPage_paging(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	for i := range 7 {
		s.add(t, fmt.Sprintf("Syria update %d", i+1), "News from Syria.", t0.AddDate(0, 0, i))
	}
	doc := s.page(t, "/search?q=syria&page=2", http.StatusOK)
	if n := doc.Find(".search-results > li").Length(); n != 3 {
		t.Errorf("page 2 = %d results, want 3", n)
	}
	prev, _ := doc.Find(`.pagination a[rel=prev]`).Attr("href")
	next, _ := doc.Find(`.pagination a[rel=next]`).Attr("href")
	if prev != "/search?q=syria" || next != "/search?page=3&q=syria" {
		t.Errorf("prev, next = %q, %q; want /search?q=syria and /search?page=3&q=syria", prev, next)
	}
	for _, p := range []string{"99", "0", "-1", "x", "1e3"} {
		if resp, _ := s.fetch(t, "/search?q=syria&page="+p); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /search?q=syria&page=%s = %d, want 404", p, resp.StatusCode)
		}
	}
}

// TestSearch_hostile sends what no form would: none of it may be a 500.
func TestSearch_hostile(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	newsroom(t, s)
	inputs := []string{`*`, `"`, `"syria`, `NEAR(syria russia)`, `syria AND OR NOT`, `{headline}:syria`, `^*:()`,
		`' OR 1=1 --`, "\x00\xff", `%`, `tag:`, `after:9999-99-99`, `-`, strings.Repeat("syria ", 2000),
		strings.Repeat(`"(`, 3000), strings.Repeat("x", 10<<10), `<script>alert(1)</script>`}
	for _, in := range inputs {
		v := url.Values{"q": {in}, "tag": {in}, "author": {in}, "from": {in}, "to": {in}, "sort": {"date"}}
		for _, path := range []string{"/search?", "/api/v1/search?", "/api/v1/suggest?"} {
			resp, body := s.fetch(t, path+v.Encode())
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s q=%.30q = %d, want 200; %.200s", path, in, resp.StatusCode, body)
				continue
			}
			if path == "/search?" {
				wantEscapedPage(t, in, body)
				continue
			}
			// JSON: well formed, and nothing in it a browser that sniffed
			// it as HTML would take for markup.
			if !json.Valid(body) {
				t.Errorf("GET %s q=%.30q: the body is not JSON: %.200s", path, in, body)
			}
			if i := bytes.IndexAny(body, "<>"); i >= 0 {
				t.Errorf("GET %s q=%.30q: unescaped %q in the JSON: %.200s", path, in, body[i], body)
			}
		}
	}
}

// wantEscapedPage checks that a results page asked for in came back with
// in as text: no markup of the reader's in the page, and the search box
// and the heading holding exactly what was typed.
func wantEscapedPage(t *testing.T, in string, body []byte) {
	t.Helper()
	if strings.ContainsAny(in, "<>") && bytes.Contains(body, []byte(in)) {
		t.Errorf("GET /search q=%.30q: the page holds the query unescaped", in)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("GET /search q=%.30q: parse: %v", in, err)
	}
	doc.Find("script").Each(func(_ int, sc *goquery.Selection) {
		if _, ok := sc.Attr("src"); !ok || strings.Contains(sc.Text(), "alert") {
			html, _ := goquery.OuterHtml(sc)
			t.Errorf("GET /search q=%.30q: a script the page does not ship: %.200s", in, html)
		}
	})
	// The short, plain inputs come back as typed; the others are trimmed,
	// cut or cleaned of invalid bytes first.
	if len(in) > 100 || in != strings.TrimSpace(in) || !utf8.ValidString(in) || strings.ContainsRune(in, 0) {
		return
	}
	if got, _ := doc.Find("#search-q").Attr("value"); got != in {
		t.Errorf("GET /search q=%.30q: the search box holds %q, want what was typed", in, got)
	}
	if got, want := doc.Find("h1").Text(), "Search results for “"+in+"”"; got != want {
		t.Errorf("GET /search q=%.30q: heading %q, want %q", in, got, want)
	}
	if got, _ := doc.Find("#search-tag").Attr("value"); byline.Slugify(in) != "" && got != in {
		t.Errorf("GET /search tag=%.30q: the tag box holds %q, want what was typed", in, got)
	}
}

func TestAPISearch(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	stories := newsroom(t, s)

	var res struct {
		Total int `json:"total"`
		Hits  []struct {
			Slug        string  `json:"slug"`
			Title       string  `json:"title"`
			URL         string  `json:"url"`
			PublishedAt string  `json:"published_at"`
			Snippet     string  `json:"snippet"`
			Score       float64 `json:"score"`
		} `json:"hits"`
		DidYouMean string `json:"did_you_mean"`
	}
	s.json(t, "/api/v1/search?q=syria", http.StatusOK, &res)
	if res.Total != 2 || len(res.Hits) != 2 {
		t.Fatalf("search syria: total %d, %d hits; want 2, 2", res.Total, len(res.Hits))
	}
	h, a := res.Hits[0], stories["syria"]
	if h.Slug != a.Slug || h.Title != a.Headline || h.URL != s.URL+a.URL() || h.PublishedAt != "2015-10-08T12:00:00Z" {
		t.Errorf("first hit = %+v, want the Syria story with its slug, title, absolute URL and time", h)
	}
	if !strings.Contains(h.Snippet, "<mark>Syria</mark>") || h.Score <= res.Hits[1].Score {
		t.Errorf("first hit snippet %q, score %v (second %v): want Syria marked and the best score", h.Snippet, h.Score, res.Hits[1].Score)
	}

	s.json(t, "/api/v1/search?q=syria&limit=1&offset=1", http.StatusOK, &res)
	if res.Total != 2 || len(res.Hits) != 1 || res.Hits[0].Slug != stories["geneva"].Slug {
		t.Errorf("limit=1 offset=1: total %d, hits %+v; want the second hit of 2", res.Total, res.Hits)
	}
	s.json(t, "/api/v1/search?q=russia&sort=date", http.StatusOK, &res)
	if len(res.Hits) != 2 || res.Hits[0].Slug != stories["rates"].Slug {
		t.Errorf("sort=date: %+v, want the newest first", res.Hits)
	}
	s.json(t, "/api/v1/search?q=russia&tag=economy&author=jane-doe", http.StatusOK, &res)
	if len(res.Hits) != 1 || res.Hits[0].Slug != stories["rates"].Slug {
		t.Errorf("tag=economy: %+v, want the rates story", res.Hits)
	}
	s.json(t, "/api/v1/search?q=Syira", http.StatusOK, &res)
	if res.Total != 0 || res.Hits == nil || res.DidYouMean != "Syria" {
		t.Errorf("Syira: total %d, hits %v, did_you_mean %q; want 0, [], Syria", res.Total, res.Hits, res.DidYouMean)
	}
	s.json(t, "/api/v1/search?q=", http.StatusOK, &res)
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("empty q: %+v, want nothing", res)
	}
	s.json(t, "/api/v1/search?q=markup", http.StatusOK, &res)
	if len(res.Hits) != 1 || strings.Contains(res.Hits[0].Snippet, "<img") {
		t.Errorf("markup: snippet %q must be escaped", res.Hits[0].Snippet)
	}

	for _, bad := range []string{"limit=0", "limit=x", "limit=-1", "offset=-1", "offset=1.5", "sort=best"} {
		var e struct {
			Error string `json:"error"`
		}
		s.json(t, "/api/v1/search?q=syria&"+bad, http.StatusBadRequest, &e)
		if e.Error == "" {
			t.Errorf("%s: 400 without an error message", bad)
		}
	}
	s.json(t, "/api/v1/search?q=syria&limit=100000", http.StatusOK, &res)
}

func TestAPISuggest(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	newsroom(t, s)
	for i := range 10 {
		s.add(t, fmt.Sprintf("Syrian refugees, part %d", i+1), "More.", t0.AddDate(0, 0, i))
	}
	var res struct {
		Suggestions []struct {
			Slug        string `json:"slug"`
			Title       string `json:"title"`
			TitleHTML   string `json:"title_html"`
			URL         string `json:"url"`
			PublishedAt string `json:"published_at"`
		} `json:"suggestions"`
	}
	s.json(t, "/api/v1/suggest?q=russia+rat", http.StatusOK, &res)
	if len(res.Suggestions) != 1 {
		t.Fatalf("suggest russia rat = %+v, want the rates story", res.Suggestions)
	}
	sg := res.Suggestions[0]
	if sg.TitleHTML != "<mark>Russia</mark> raises interest <mark>rates</mark>" || sg.URL != "/2015/12/russia-raises-interest-rates/" {
		t.Errorf("suggestion = %+v", sg)
	}
	s.json(t, "/api/v1/suggest?q=syri", http.StatusOK, &res)
	if len(res.Suggestions) != byline.MaxSuggestions {
		t.Errorf("suggest syri = %d suggestions, want %d", len(res.Suggestions), byline.MaxSuggestions)
	}
	s.json(t, "/api/v1/suggest?q=", http.StatusOK, &res)
	if res.Suggestions == nil || len(res.Suggestions) != 0 {
		t.Errorf("suggest nothing = %v, want []", res.Suggestions)
	}
}

func TestArticle_related(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	stories := newsroom(t, s)
	a := stories["syria"]
	doc := s.page(t, a.URL(), http.StatusOK)
	links := doc.Find("section.related a")
	if links.Length() == 0 {
		t.Fatal("no Related articles under the Syria story")
	}
	links.Each(func(_ int, l *goquery.Selection) {
		if href, _ := l.Attr("href"); href == a.URL() {
			t.Errorf("Related articles list the article itself")
		}
	})
}

func TestSearchOverlay_markup(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	newsroom(t, s)
	doc := s.page(t, "/", http.StatusOK)
	if href, _ := doc.Find("a.search-button").Attr("href"); href != "/search" {
		t.Errorf("search button links to %q, want /search (it must work without JavaScript)", href)
	}
	dialog := doc.Find("dialog#search-overlay")
	if dialog.Length() != 1 {
		t.Fatal("no search dialog on the home page")
	}
	if got := strings.TrimSpace(dialog.Find("label[for=search-overlay-q]").Text()); got != "Start typing and press Enter to search" {
		t.Errorf("overlay label = %q", got)
	}
	input := dialog.Find("input#search-overlay-q")
	if role, _ := input.Attr("role"); role != "combobox" {
		t.Errorf("overlay input role = %q, want combobox", role)
	}
	if c, _ := input.Attr("aria-controls"); dialog.Find("#"+c+"[role=listbox]").Length() != 1 {
		t.Errorf("overlay input controls %q, which is no listbox in the dialog", c)
	}
	if action, _ := dialog.Find("form").Attr("action"); action != "/search" {
		t.Errorf("overlay form action = %q, want /search", action)
	}
	src, _ := doc.Find(`script[type=module][src*="search.js"]`).Attr("src")
	if resp, _ := s.fetch(t, src); src == "" || resp.StatusCode != http.StatusOK {
		t.Errorf("search.js at %q not served", src)
	}
}

// TestSearchPage_recentPostsFollowEdits checks that the Recent Posts beside
// search results, which the server keeps between requests, show an article
// published since.
func TestSearchPage_recentPostsFollowEdits(t *testing.T) {
	t.Parallel()
	s := newSearchSite(t)
	s.add(t, "Old flood report", "Rivers rose.", t0)
	recent := func() string {
		_, body := s.fetch(t, "/search?q=flood")
		doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		return doc.Find("#recent-posts-title").Parent().Find("li a").First().Text()
	}
	if got := recent(); got != "Old flood report" {
		t.Fatalf("Recent Posts start with %q, want the only article", got)
	}
	s.add(t, "New bridge opens", "Traffic flows.", t0.AddDate(0, 1, 0))
	if got := recent(); got != "New bridge opens" {
		t.Errorf("after publishing, Recent Posts start with %q, want the new article", got)
	}
}

// countingSettings counts the reads of the settings it passes on.
type countingSettings struct {
	byline.SettingsService
	reads atomic.Int64
}

func (c *countingSettings) Settings(ctx context.Context) (*byline.Settings, error) {
	c.reads.Add(1)
	return c.SettingsService.Settings(ctx)
}

// TestSearchPage_readsSettingsOnce checks that a page outside the page
// cache reads the newsroom's settings once, though its layout, feed links
// and metadata all use them.
func TestSearchPage_readsSettingsOnce(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	articles := sqlite.NewArticleService(db)
	a := &byline.Article{Headline: "Flood report", Body: "Rivers rose.", Status: byline.Published, PublishedAt: time.Now().Add(-time.Hour)}
	if err := articles.Create(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	settings := &countingSettings{SettingsService: sqlite.NewSettingsService(db)}
	srv := httptest.NewServer((&web.Server{Articles: articles, Search: sqlite.NewSearchService(db), Settings: settings}).Handler())
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL + "/search?q=flood")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /search: %s", resp.Status)
	}
	if n := settings.reads.Load(); n != 1 {
		t.Errorf("the search page read the settings %d times, want once", n)
	}
}
