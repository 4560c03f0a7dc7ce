package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/sqlite"
)

// TestMenus opens the header menu on a desktop and a phone with
// JavaScript off, in both colour schemes: on the desktop a bar whose
// submenu opens from the keyboard, on the phone a Menu button that opens
// the list and then the submenu by taps; a link followed from the submenu;
// the footer menu; no request to another site, and no accessibility
// violation with the menus open.
func TestMenus(t *testing.T) {
	e2e.RequireAxe(t)
	site := startStructureSite(t)
	ctx := t.Context()
	about := &byline.Page{Title: "About us", Slug: "about", Status: byline.Published, Body: "A small newsroom."}
	if err := sqlite.NewPageService(site.DB).Create(ctx, about, 0); err != nil {
		t.Fatal(err)
	}
	menus := sqlite.NewMenuService(site.DB)
	if err := menus.Replace(ctx, byline.HeaderMenu, []*byline.MenuItem{
		{Kind: byline.MenuSection, Target: "world", Children: []*byline.MenuItem{
			{Kind: byline.MenuSection, Target: "europe"},
			{Kind: byline.MenuLink, Target: "/search?q=summit", Label: "Summit coverage"},
		}},
		{Kind: byline.MenuSection, Target: "business"},
		{Kind: byline.MenuPage, Target: "/about/"},
	}); err != nil {
		t.Fatal(err)
	}
	if err := menus.Replace(ctx, byline.FooterMenu, []*byline.MenuItem{
		{Kind: byline.MenuLink, Target: "/contact", Label: "Contact us"},
		{Kind: byline.MenuPage, Target: "/about/", Label: "Who we are"},
	}); err != nil {
		t.Fatal(err)
	}
	browser := e2e.NewBrowser(t)
	for _, win := range windows {
		for _, scheme := range schemes {
			t.Run(win.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, e2e.DisableJavaScript(true), chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, "/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /: status %d", resp.Status)
				}
				bar, sub := ".site-nav__wide", ".site-nav__wide .site-nav__sub"
				if win.name == "phone" {
					bar, sub = ".site-nav__narrow", ".site-nav__narrow .site-nav__sub"
					if evalBool(t, ctx, `document.querySelector(".site-nav__wide").checkVisibility()`) {
						t.Error("the desktop bar shows on a phone")
					}
					if evalBool(t, ctx, `document.querySelector(".site-nav__narrow > .site-nav__list").checkVisibility()`) {
						t.Error("the phone's menu is open before the Menu button is tapped")
					}
					e2e.CheckVisible(t, ctx, ".site-nav__toggle")
					if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".site-nav__toggle"))); err != nil {
						t.Fatalf("tap Menu: %v", err)
					}
					e2e.CheckVisible(t, ctx, ".site-nav__narrow > .site-nav__list")
				} else if evalBool(t, ctx, `document.querySelector(".site-nav__narrow").checkVisibility()`) {
					t.Error("the phone's Menu button shows on a desktop")
				}
				if got := e2e.Texts(t, ctx, bar+" > .site-nav__list > li > a, "+bar+" > .site-nav__list > li > details > summary"); strings.Join(got, "|") != "World|Business|About us" {
					t.Errorf("top-level items = %q, want World|Business|About us", got)
				}
				if evalBool(t, ctx, `document.querySelector("`+sub+` .site-nav__sublist").checkVisibility()`) {
					t.Error("the submenu is open before it is asked for")
				}
				var err error
				if win.name == "desktop" { // from the keyboard
					err = chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sub+" > summary")), chromedp.KeyEvent(kb.Enter))
				} else {
					err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sub+" > summary")))
				}
				if err != nil {
					t.Fatalf("open the submenu: %v", err)
				}
				e2e.CheckVisible(t, ctx, sub+" .site-nav__sublist a")
				if got := e2e.Texts(t, ctx, sub+" .site-nav__sublist a"); strings.Join(got, "|") != "World|Europe|Summit coverage" {
					t.Errorf("submenu = %q, want World|Europe|Summit coverage", got)
				}
				e2e.CheckVisible(t, ctx, ".footer-nav a")
				if got := e2e.Texts(t, ctx, ".footer-nav a"); strings.Join(got, "|") != "Contact us|Who we are" {
					t.Errorf("footer menu = %q", got)
				}
				checkScheme(t, ctx, scheme)
				checkAxeScriptsOff(t, ctx) // with the menu open

				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sub+` .site-nav__sublist a[href="/section/europe/"]`))); err != nil {
					t.Fatalf("follow Europe: %v", err)
				}
				contactWait(t, ctx, `location.pathname === "/section/europe/" && document.readyState === "complete"`, "the Europe front")
				if got := e2e.Texts(t, ctx, "main h1"); len(got) != 1 || got[0] != "Europe" {
					t.Errorf("after following the submenu, h1 = %q, want Europe", got)
				}
				checkAxeScriptsOff(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
			})
		}
	}
}

// checkAxeScriptsOff runs axe-core on a page loaded with JavaScript off:
// axe needs scripts, so they are on while it runs (the page's own, loaded
// without them, stay unrun) and off again for the next page.
func checkAxeScriptsOff(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(false)); err != nil {
		t.Fatal(err)
	}
	e2e.CheckAxe(t, ctx)
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
		t.Fatal(err)
	}
}
