package e2e_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/internal/demo"
	"github.com/bylinenews/byline/sqlite"
)

// windows are the two sizes the site's structure is checked at: a desktop
// and a phone.
var windows = []struct {
	name          string
	width, height int64
}{{"desktop", 1280, 900}, {"phone", 390, 844}}

// startStructureSite starts the seed site with sections (World, Europe
// under it, Business) and a story in each.
func startStructureSite(t *testing.T) *e2e.Site {
	t.Helper()
	in := func(headline string, at time.Duration, sections ...string) *byline.Article {
		a := &byline.Article{Headline: headline, Body: "The text of " + headline + ".", Status: byline.Published,
			PublishedAt: e2e.SeedPublished.Add(at)}
		for _, s := range sections {
			a.Sections = append(a.Sections, byline.Section{Slug: s, Name: s})
		}
		return a
	}
	site := e2e.StartSite(t, e2e.WithArticles(
		in("Talks resume in Vienna", time.Hour, "europe"),
		in("A summit in Nairobi", 2*time.Hour, "world"),
		in("Shares rise again", 3*time.Hour, "business"),
	))
	sections := sqlite.NewSectionService(site.DB)
	world := &byline.Section{Slug: "world", Name: "World", Description: "News from everywhere.", Position: 1}
	if err := sections.Import(t.Context(), []*byline.Section{world,
		{Slug: "europe", Name: "Europe", ParentSlug: "world"}, {Slug: "business", Name: "Business", Position: 2}}); err != nil {
		t.Fatal(err)
	}
	return site
}

// TestSectionFront opens a section's front on a desktop and a phone, in
// both colour schemes: its name, description and subsections, its lead
// story, no request to another site, and no accessibility violation.
func TestSectionFront(t *testing.T) {
	e2e.RequireAxe(t)
	site := startStructureSite(t)
	browser := e2e.NewBrowser(t)
	for _, win := range windows {
		for _, scheme := range schemes {
			t.Run(win.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, "/section/world/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /section/world/: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, "main h1"); len(got) != 1 || got[0] != "World" {
					t.Errorf("h1 = %q, want World", got)
				}
				if got := e2e.Texts(t, ctx, ".summary--lead .summary__headline"); len(got) != 1 || got[0] != "A summit in Nairobi" {
					t.Errorf("lead = %q, want the section's newest story", got)
				}
				if got := e2e.Texts(t, ctx, ".more-stories .summary__headline"); len(got) != 1 || got[0] != "Talks resume in Vienna" {
					t.Errorf("more = %q, want Europe's story too", got)
				}
				e2e.CheckVisible(t, ctx, ".section-front__description", ".section-front__subsections a")
				checkScheme(t, ctx, scheme)
				e2e.CheckAxe(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
				rec.CheckNoErrors(t)
			})
		}
	}
}

// TestStaticPage opens a page and its subpage on a desktop and a phone, in
// both colour schemes: the title and body, no date or byline, no request
// to another site, and no accessibility violation. A draft stays hidden.
func TestStaticPage(t *testing.T) {
	e2e.RequireAxe(t)
	site := startStructureSite(t)
	pages := sqlite.NewPageService(site.DB)
	about := &byline.Page{Title: "About us", Slug: "about", Status: byline.Published,
		Body: "We are a small newsroom.\n\n## Our team\n\nReporters and editors."}
	if err := pages.Create(t.Context(), about, 0); err != nil {
		t.Fatal(err)
	}
	team := &byline.Page{Title: "The masthead", Slug: "masthead", ParentID: about.ID, Status: byline.Published, Body: "Editor: Ines Duarte."}
	draft := &byline.Page{Title: "Corrections", Slug: "corrections", Status: byline.Draft, Body: "Not yet."}
	for _, p := range []*byline.Page{team, draft} {
		if err := pages.Create(t.Context(), p, 0); err != nil {
			t.Fatal(err)
		}
	}
	browser := e2e.NewBrowser(t)
	for _, win := range windows {
		for _, scheme := range schemes {
			t.Run(win.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, "/about/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /about/: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, "main h1"); len(got) != 1 || got[0] != "About us" {
					t.Errorf("h1 = %q, want About us", got)
				}
				if got := e2e.Texts(t, ctx, "main h2"); len(got) == 0 || got[0] != "Our team" {
					t.Errorf("h2 = %q, want the body's subheading", got)
				}
				if got := e2e.Texts(t, ctx, "main time, main .article__byline"); len(got) != 0 {
					t.Errorf("a page shows a date or byline: %q", got)
				}
				checkScheme(t, ctx, scheme)
				e2e.CheckAxe(t, ctx)
				if resp := site.Visit(t, ctx, "/about/masthead/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /about/masthead/: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, "main h1"); len(got) != 1 || got[0] != "The masthead" {
					t.Errorf("subpage h1 = %q, want The masthead", got)
				}
				e2e.CheckAxe(t, ctx)
				if resp := site.Visit(t, ctx, "/corrections/"); resp.Status != http.StatusNotFound {
					t.Errorf("GET /corrections/ (a draft): status %d, want 404", resp.Status)
				}
				rec.CheckSameOrigin(t, site.URL)
			})
		}
	}
}

// TestAuthorPage opens an author's page and one of their articles on a
// desktop and a phone, in both colour schemes: the profile (photo, name,
// job title, bio, links) above the list, the author box at the article's
// foot, the photo loaded from the site itself, and no accessibility
// violation.
func TestAuthorPage(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t, e2e.WithoutSeed(), e2e.WithArticles(&byline.Article{Headline: "The budget passes", Body: "The council voted.",
		Status: byline.Published, PublishedAt: e2e.SeedPublished, Authors: []byline.Author{{Name: "Leila Haddad"}}}))
	if err := demo.FillProfiles(t.Context(), filepath.Join(site.PublicDir, "uploads"), sqlite.NewAuthorService(site.DB)); err != nil {
		t.Fatal(err)
	}
	browser := e2e.NewBrowser(t)
	for _, win := range windows {
		for _, scheme := range schemes {
			t.Run(win.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, "/author/leila-haddad/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /author/leila-haddad/: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, "main h1"); len(got) != 1 || got[0] != "Leila Haddad" {
					t.Errorf("h1 = %q, want Leila Haddad", got)
				}
				if got := e2e.Texts(t, ctx, ".author-profile__title"); len(got) != 1 || got[0] != "City hall reporter" {
					t.Errorf("job title = %q", got)
				}
				if got := e2e.Texts(t, ctx, ".author-links a"); len(got) != 2 {
					t.Errorf("links = %q, want Website and Mastodon", got)
				}
				loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('.author-profile img'); return !!i && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width > 0; })()`))
				if err != nil || !loaded {
					t.Errorf("the profile photo is not shown (%v)", err)
				}
				checkScheme(t, ctx, scheme)
				e2e.CheckAxe(t, ctx)
				if resp := site.Visit(t, ctx, site.Articles[0].URL()); resp.Status != http.StatusOK {
					t.Fatalf("GET the article: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, ".author-box__name"); len(got) != 1 || got[0] != "Leila Haddad" {
					t.Errorf("author box = %q, want Leila Haddad", got)
				}
				e2e.CheckAxe(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
			})
		}
	}
}
