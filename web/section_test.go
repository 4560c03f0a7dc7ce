package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// sectionSite is a site with sections: World (with Europe under it) and
// Business.
type sectionSite struct {
	*site
	sections *sqlite.SectionService
	world    *byline.Section
}

func newSectionSite(t *testing.T) *sectionSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	s := &sectionSite{site: &site{articles: sqlite.NewArticleService(db), now: t0}, sections: sqlite.NewSectionService(db)}
	db.Now = func() time.Time { s.mu.Lock(); defer s.mu.Unlock(); return s.now }
	srv := &web.Server{Articles: s.articles, Sections: s.sections, Site: web.Site{Title: "The Test Times", BaseURL: "https://news.example.com"}, PostsPerPage: 10}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	s.world = &byline.Section{Name: "World", Description: "News from everywhere.", Position: 1}
	for _, sec := range []*byline.Section{s.world, {Name: "Business", Position: 2}} {
		if err := s.sections.Create(t.Context(), sec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.sections.Create(t.Context(), &byline.Section{Name: "Europe", ParentID: s.world.ID}); err != nil {
		t.Fatal(err)
	}
	return s
}

func inSections(slugs ...string) func(*byline.Article) {
	return func(a *byline.Article) {
		a.Sections = nil
		for _, slug := range slugs {
			a.Sections = append(a.Sections, byline.Section{Slug: slug})
		}
	}
}

func TestSectionFront(t *testing.T) {
	t.Parallel()
	s := newSectionSite(t)
	s.add(t, "Vienna talks resume", t0.Add(-3*time.Hour), inSections("europe"))
	s.add(t, "Nairobi summit opens", t0.Add(-2*time.Hour), inSections("world"))
	s.add(t, "Shares rise", t0.Add(-time.Hour), inSections("business", "world"))
	s.add(t, "Local weather", t0.Add(-30*time.Minute))

	doc := s.page(t, "/section/world/", http.StatusOK)
	if got := strings.TrimSpace(doc.Find("main h1").Text()); got != "World" {
		t.Errorf("h1 = %q, want World", got)
	}
	if got := strings.TrimSpace(doc.Find(".section-front__description").Text()); got != "News from everywhere." {
		t.Errorf("description = %q", got)
	}
	if got := texts(doc.Find(".section-front__subsections a")); len(got) != 1 || got[0] != "Europe" {
		t.Errorf("subsections = %q, want [Europe]", got)
	}
	if got := texts(doc.Find("main .summary--lead .summary__headline")); len(got) != 1 || got[0] != "Shares rise" {
		t.Errorf("lead = %q, want the newest of the section: Shares rise", got)
	}
	if got := texts(doc.Find("main .more-stories .summary__headline")); strings.Join(got, "|") != "Nairobi summit opens|Vienna talks resume" {
		t.Errorf("list = %q, want the section's own and its subsection's, newest first, without Local weather", got)
	}
	if got := texts(doc.Find("main .summary--lead .kicker")); len(got) != 1 || got[0] != "Business" {
		t.Errorf("lead kicker = %q, want its primary section, Business", got)
	}
	if href, _ := doc.Find(`link[rel=alternate][type="application/rss+xml"]`).First().Attr("href"); href != "https://news.example.com/section/world/feed/" {
		t.Errorf("first feed link = %q, want the section's RSS feed", href)
	}
	if desc, _ := doc.Find(`meta[name=description]`).Attr("content"); desc != "News from everywhere." {
		t.Errorf("meta description = %q", desc)
	}

	t.Run("feeds carry the section's articles", func(t *testing.T) {
		for _, path := range []string{"/section/world/feed/", "/section/world/feed/atom/", "/section/europe/feed.json"} {
			body := s.body(t, path)
			if path == "/section/europe/feed.json" {
				var feed struct {
					Title string
					Items []struct{ Title string }
				}
				if err := json.Unmarshal([]byte(body), &feed); err != nil || len(feed.Items) != 1 || feed.Items[0].Title != "Vienna talks resume" || !strings.Contains(feed.Title, "Europe") {
					t.Errorf("%s = %+v, %v; want Europe's one article", path, feed, err)
				}
				continue
			}
			if !strings.Contains(body, "Vienna talks resume") || strings.Contains(body, "Local weather") {
				t.Errorf("%s: want the section's articles, and only them:\n%s", path, body)
			}
		}
	})
	t.Run("an unknown section is not found", func(t *testing.T) {
		s.page(t, "/section/sport/", http.StatusNotFound)
		if r := s.get(t, "/section/sport/feed/"); r.StatusCode != http.StatusNotFound {
			t.Errorf("feed of an unknown section: %d, want 404", r.StatusCode)
		}
	})
	t.Run("the article's kicker is its primary section", func(t *testing.T) {
		doc := s.page(t, "/2015/10/vienna-talks-resume/", http.StatusOK)
		if got := texts(doc.Find("main .kicker a")); len(got) != 1 || got[0] != "Europe" {
			t.Errorf("kicker = %q, want Europe", got)
		}
		if href, _ := doc.Find("main .kicker a").Attr("href"); href != "/section/europe/" {
			t.Errorf("kicker link = %q", href)
		}
		doc = s.page(t, "/2015/10/local-weather/", http.StatusOK)
		if got := texts(doc.Find("main .kicker a")); len(got) != 1 || got[0] != "Syria" {
			t.Errorf("kicker of an article in no section = %q, want its first tag", got)
		}
	})
	t.Run("WordPress category addresses answer 301", func(t *testing.T) {
		for from, to := range map[string]string{
			"/category/world/":            "/section/world/",
			"/category/world/europe/":     "/section/europe/",
			"/category/world/feed/":       "/section/world/feed/",
			"/category/europe/feed/atom/": "/section/europe/feed/atom/",
			"/category/World/Europe":      "/section/europe/",
		} {
			resp := s.get(t, from)
			if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != to {
				t.Errorf("GET %s: %d to %q, want 301 to %s", from, resp.StatusCode, resp.Header.Get("Location"), to)
			}
		}
		if r := s.get(t, "/category/sport/"); r.StatusCode != http.StatusNotFound {
			t.Errorf("GET /category/sport/: %d, want 404", r.StatusCode)
		}
	})
	t.Run("the sitemap lists the section fronts", func(t *testing.T) {
		body := s.body(t, "/sitemap.xml")
		for _, loc := range []string{"https://news.example.com/section/world/", "https://news.example.com/section/europe/", "https://news.example.com/section/business/"} {
			if !strings.Contains(body, "<loc>"+loc+"</loc>") {
				t.Errorf("sitemap.xml lacks %s", loc)
			}
		}
	})
	t.Run("a renamed section shows at once on cached pages", func(t *testing.T) {
		s.page(t, "/section/europe/", http.StatusOK) // cached now
		s.page(t, "/2015/10/vienna-talks-resume/", http.StatusOK)
		eu, err := s.sections.FindBySlug(t.Context(), "europe")
		if err != nil {
			t.Fatal(err)
		}
		eu.Name = "Europe & Russia"
		if err := s.sections.Update(t.Context(), eu); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(s.page(t, "/section/europe/", http.StatusOK).Find("main h1").Text()); got != "Europe & Russia" {
			t.Errorf("section front after a rename: h1 = %q", got)
		}
		if got := texts(s.page(t, "/2015/10/vienna-talks-resume/", http.StatusOK).Find("main .kicker a")); len(got) != 1 || got[0] != "Europe & Russia" {
			t.Errorf("article kicker after a rename = %q", got)
		}
	})
}

// The front page has a block per top-level section, in the newsroom's
// order, with stories the lead and top stories did not already show.
func TestFrontPageSectionBlocks(t *testing.T) {
	t.Parallel()
	s := newSectionSite(t)
	for i := range 8 {
		section := "business"
		if i%2 == 0 {
			section = "europe"
		}
		s.add(t, "Story "+strconv.Itoa(i), t0.Add(time.Duration(i-20)*time.Hour), inSections(section))
	}
	doc := s.page(t, "/", http.StatusOK)
	if got := texts(doc.Find("main .section-block .block-title")); strings.Join(got, "|") != "World|Business" {
		t.Errorf("section blocks = %q, want World then Business (their order)", got)
	}
	onPage := map[string]int{}
	doc.Find("main .summary__headline").Each(func(_ int, h *goquery.Selection) { onPage[strings.TrimSpace(h.Text())]++ })
	for headline, n := range onPage {
		if n > 1 {
			t.Errorf("%q is on the front page %d times", headline, n)
		}
	}
	// Lead: Story 7 (business); top: 6, 5, 4, 3; World gets 2 and 0
	// (Europe's, under World); Business gets 1.
	if got := texts(doc.Find("main .section-block").First().Find(".summary__headline")); strings.Join(got, "|") != "Story 2|Story 0" {
		t.Errorf("World's block = %q, want Story 2|Story 0", got)
	}
	if href, _ := doc.Find("main .section-block .block-title a").First().Attr("href"); href != "/section/world/" {
		t.Errorf("block title link = %q", href)
	}
}

// Editors manage sections in the newsroom and put articles in them;
// authors cannot change the sections.
func TestNewsroom_Sections(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	sections := n.sections
	editor := n.signedIn(t, n.editor)

	resp := editor.post(t, "/newsroom/sections", url.Values{"name": {"Politics"}, "description": {"Who governs."}, "position": {"1"}})
	wantStatus(t, "add Politics", resp, http.StatusSeeOther)
	politics, err := sections.FindBySlug(t.Context(), "politics")
	if err != nil || politics.Description != "Who governs." {
		t.Fatalf("after adding: %+v, %v", politics, err)
	}
	resp = editor.post(t, "/newsroom/sections", url.Values{"name": {"Elections"}, "parent_id": {strconv.FormatInt(politics.ID, 10)}})
	wantStatus(t, "add Elections", resp, http.StatusSeeOther)
	resp = editor.post(t, "/newsroom/sections", url.Values{"name": {"Politics"}})
	wantStatus(t, "add Politics again", resp, http.StatusConflict)
	if got := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(got, "politics") {
		t.Errorf("conflict message = %q", got)
	}

	list := doc(t, editor.get(t, "/newsroom/sections"))
	if got := texts(list.Find("#sections tbody th")); strings.Join(got, "|") != "Politics|— Elections" {
		t.Errorf("section list = %q, want Politics then Elections indented", got)
	}
	elections, err := sections.FindBySlug(t.Context(), "elections")
	if err != nil {
		t.Fatal(err)
	}
	resp = editor.post(t, "/newsroom/sections/"+strconv.FormatInt(politics.ID, 10), url.Values{"name": {"Politics"}, "parent_id": {strconv.FormatInt(elections.ID, 10)}})
	wantStatus(t, "put Politics under Elections", resp, http.StatusBadRequest)

	t.Run("an article gets a primary section and more", func(t *testing.T) {
		form := doc(t, editor.get(t, "/newsroom/articles/new"))
		if got := texts(form.Find("select#section option")); strings.Join(got, "|") != "— none —|Politics|— Elections" {
			t.Errorf("section choices = %q", got)
		}
		resp := editor.post(t, "/newsroom/articles", url.Values{"headline": {"Vote count begins"}, "body": {"Text."},
			"sections_shown": {"1"}, "section": {"elections"}, "sections": {"politics", "elections"}, "action": {"publish"}})
		wantStatus(t, "create the article", resp, http.StatusSeeOther)
		list, _, err := n.articles.Find(t.Context(), byline.ArticleFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("articles = %v, %v", list, err)
		}
		a := list[0]
		if len(a.Sections) != 2 || a.Sections[0].Slug != "elections" || a.Sections[1].Slug != "politics" {
			t.Errorf("sections = %+v, want elections (primary) then politics", a.Sections)
		}
		edit := doc(t, editor.get(t, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10)))
		if v, _ := edit.Find("select#section option[selected]").Attr("value"); v != "elections" {
			t.Errorf("the editor shows primary %q, want elections", v)
		}
		if n := edit.Find(`input[name=sections][value=politics][checked]`).Length(); n != 1 {
			t.Errorf("politics is ticked %d times, want once", n)
		}
	})
	t.Run("authors cannot change sections", func(t *testing.T) {
		author := n.signedIn(t, n.author)
		wantStatus(t, "author lists sections", author.get(t, "/newsroom/sections"), http.StatusForbidden)
		wantStatus(t, "author adds a section", author.post(t, "/newsroom/sections", url.Values{"name": {"Sport"}}), http.StatusForbidden)
		if _, err := sections.FindBySlug(t.Context(), "sport"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Sport exists after an author's attempt: %v", err)
		}
	})
	t.Run("delete after a confirmation", func(t *testing.T) {
		path := "/newsroom/sections/" + strconv.FormatInt(politics.ID, 10) + "/delete"
		if got := doc(t, editor.get(t, path)).Find("h1").Text(); !strings.Contains(got, "Politics") {
			t.Errorf("confirmation = %q", got)
		}
		wantStatus(t, "delete Politics", editor.post(t, path, nil), http.StatusSeeOther)
		if _, err := sections.FindBySlug(t.Context(), "politics"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Politics after delete: %v", err)
		}
	})
}
