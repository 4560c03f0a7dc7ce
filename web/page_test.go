package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

func TestPages(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	s := &site{articles: sqlite.NewArticleService(db), now: t0}
	db.Now = func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
	pages := sqlite.NewPageService(db)
	srv := &web.Server{Articles: s.articles, Pages: pages, Sections: sqlite.NewSectionService(db),
		Site: web.Site{Title: "The Test Times", BaseURL: "https://news.example.com"}}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	s.add(t, "An article", t0.Add(-time.Hour))

	about := &byline.Page{Title: "About us", Slug: "about", Body: "We **report** the news.", Status: byline.Published}
	if err := pages.Create(t.Context(), about, 0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*byline.Page{
		{Title: "Masthead", Slug: "masthead", ParentID: about.ID, Body: "Editors.", Status: byline.Published},
		{Title: "Unfinished", Slug: "unfinished", Body: "Not yet."},
	} {
		if err := pages.Create(t.Context(), p, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := pages.Import(t.Context(), slices.Values([]*byline.PageRecord{{Page: &byline.Page{Title: "Privacy", Body: "We keep nothing.", Status: byline.Published},
		OldPaths: []string{"/?page_id=7", "/privacy-policy/"}}})); err != nil {
		t.Fatal(err)
	}

	doc := s.page(t, "/about/", http.StatusOK)
	if got := strings.TrimSpace(doc.Find("main h1").Text()); got != "About us" {
		t.Errorf("h1 = %q", got)
	}
	if html, _ := doc.Find("main .article__body").Html(); !strings.Contains(html, "<strong>report</strong>") {
		t.Errorf("body = %q, want the rendered Markdown", html)
	}
	if got := texts(doc.Find(".static-page__subpages a")); len(got) != 1 || got[0] != "Masthead" {
		t.Errorf("subpages = %q", got)
	}
	if href, _ := doc.Find(`link[rel=canonical]`).Attr("href"); href != "https://news.example.com/about/" {
		t.Errorf("canonical = %q", href)
	}
	if got := strings.TrimSpace(s.page(t, "/about/masthead/", http.StatusOK).Find("main h1").Text()); got != "Masthead" {
		t.Errorf("subpage h1 = %q", got)
	}
	for _, path := range []string{"/unfinished/", "/masthead/", "/about/nothing/", "/nothing/"} {
		s.page(t, path, http.StatusNotFound)
	}
	for old, want := range map[string]string{"/?page_id=7": "/privacy/", "/privacy-policy/": "/privacy/"} {
		if r := s.get(t, old); r.StatusCode != http.StatusMovedPermanently || r.Header.Get("Location") != want {
			t.Errorf("GET %s: %d to %q, want 301 to %s", old, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
	t.Run("in the sitemap, not in feeds or Recent Posts", func(t *testing.T) {
		sitemap := s.body(t, "/sitemap.xml")
		for _, loc := range []string{"https://news.example.com/about/", "https://news.example.com/about/masthead/", "https://news.example.com/privacy/"} {
			if !strings.Contains(sitemap, "<loc>"+loc+"</loc>") {
				t.Errorf("sitemap lacks %s", loc)
			}
		}
		if strings.Contains(sitemap, "unfinished") {
			t.Error("the sitemap lists a draft page")
		}
		if feed := s.body(t, "/feed/"); strings.Contains(feed, "About us") {
			t.Error("the feed carries a page")
		}
		if got := texts(s.page(t, "/", http.StatusOK).Find(".recent-posts a")); slices.Contains(got, "About us") {
			t.Errorf("Recent Posts = %q, with a page", got)
		}
	})
	t.Run("an edit shows at once on the cached page", func(t *testing.T) {
		about.Title = "About the Test Times"
		if err := pages.Update(t.Context(), about, about.Version, 0); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(s.page(t, "/about/", http.StatusOK).Find("main h1").Text()); got != "About the Test Times" {
			t.Errorf("after the edit, h1 = %q", got)
		}
	})
}

// Editors write pages in the newsroom with the article editor's body
// field and preview, publish them, and restore a revision; a clash is
// a clear error that keeps the text.
func TestNewsroom_Pages(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	editor := n.signedIn(t, n.editor)

	form := doc(t, editor.get(t, "/newsroom/pages/new"))
	if form.Find("form#editor textarea#body[data-preview=preview]").Length() != 1 || form.Find("#toolbar").Length() != 1 {
		t.Error("the page editor lacks the article editor's body field and toolbar")
	}
	resp := editor.post(t, "/newsroom/pages", url.Values{"title": {"Search"}, "slug": {"search"}, "body": {"Tips."}, "action": {"publish"}})
	wantStatus(t, "a page at a reserved address", resp, http.StatusConflict)
	d := doc(t, resp)
	if msg := d.Find(".nr-error").Text(); !strings.Contains(msg, "/search/") {
		t.Errorf("error = %q, want it to name the address", msg)
	}
	if v, _ := d.Find("textarea#body").Html(); !strings.Contains(v, "Tips.") {
		t.Errorf("the form lost the text: %q", v)
	}
	resp = editor.post(t, "/newsroom/pages", url.Values{"title": {"Corrections"}, "body": {"We fix **errors**."}, "action": {"preview"}})
	if html, _ := doc(t, resp).Find("#preview").Html(); !strings.Contains(html, "<strong>errors</strong>") {
		t.Errorf("preview = %q", html)
	}
	resp = editor.post(t, "/newsroom/pages", url.Values{"title": {"Corrections"}, "body": {"We fix errors."}, "action": {"publish"}})
	wantStatus(t, "publish Corrections", resp, http.StatusSeeOther)
	id, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(resp.Header.Get("Location"), "?")[0], "/newsroom/pages/"), 10, 64)
	p, err := n.pages.FindByPath(t.Context(), "/corrections/")
	if err != nil || p.ID != id {
		t.Fatalf("FindByPath(/corrections/) = %+v, %v; want the page just published (ID %d)", p, err, id)
	}
	path := "/newsroom/pages/" + strconv.FormatInt(id, 10)
	wantStatus(t, "edit", editor.post(t, path, url.Values{"title": {"Corrections and clarifications"}, "body": {"Second."}, "version": {"1"}, "action": {"save"}}), http.StatusSeeOther)
	resp = editor.post(t, path, url.Values{"title": {"A stale edit"}, "body": {"Lost?"}, "version": {"1"}, "action": {"save"}})
	wantStatus(t, "a stale edit", resp, http.StatusConflict)
	if v, _ := doc(t, resp).Find("input[name=version]").Attr("value"); v != "2" {
		t.Errorf("after a conflict the form's version is %q, want 2 (the one saved now)", v)
	}
	revs, err := n.pages.Revisions(t.Context(), id)
	if err != nil || len(revs) != 2 {
		t.Fatalf("revisions = %v, %v", revs, err)
	}
	wantStatus(t, "restore version 1", editor.post(t, path+"/revisions/"+strconv.FormatInt(revs[1].ID, 10)+"/restore", url.Values{"version": {"2"}}), http.StatusSeeOther)
	if p, err := n.pages.FindByID(t.Context(), id); err != nil || p.Title != "Corrections" || p.Body != "We fix errors." || p.Version != 3 {
		t.Errorf("after restoring version 1: %+v, %v", p, err)
	}
	if list := doc(t, editor.get(t, "/newsroom/pages")); !strings.Contains(list.Find("#pages").Text(), "/corrections/") {
		t.Errorf("the page list lacks /corrections/")
	}
	author := n.signedIn(t, n.author)
	wantStatus(t, "an author opens the pages", author.get(t, "/newsroom/pages"), http.StatusForbidden)
	wantStatus(t, "an author writes a page", author.post(t, "/newsroom/pages", url.Values{"title": {"Mine"}, "action": {"publish"}}), http.StatusForbidden)
	wantStatus(t, "delete", editor.post(t, path+"/delete", nil), http.StatusSeeOther)
	if _, err := n.pages.FindByID(t.Context(), id); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("after delete: %v", err)
	}
}
