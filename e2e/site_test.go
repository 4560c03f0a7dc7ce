package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
)

// schemes are the colour schemes every page is checked in.
var schemes = []string{"light", "dark"}

// TestPagesAreAccessible loads each kind of public page in the light and
// the dark colour scheme and checks it with axe-core (WCAG 2.2 A and AA,
// and best practice), that it asks no other origin for anything, and that
// it reports no error.
func TestPagesAreAccessible(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t)
	browser := e2e.NewBrowser(t)
	seed := site.ArticleByHeadline(t, e2e.SeedHeadline)
	generated := site.Articles[2] // pull quote, subheading, list, footnote
	pages := []struct {
		name, path string
		status     int64
	}{
		{"home", "/", http.StatusOK},
		{"home page 2", "/?page=2", http.StatusOK},
		{"seed article", seed.URL(), http.StatusOK},
		{"generated article", generated.URL(), http.StatusOK},
		{"tag archive", "/tag/syria/", http.StatusOK},
		{"author archive", "/author/maria-lopez/", http.StatusOK},
		{"not found", "/2015/10/no-such-article/", http.StatusNotFound},
	}
	for _, scheme := range schemes {
		for _, p := range pages {
			t.Run(p.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, p.path); resp.Status != p.status {
					t.Fatalf("GET %s: status %d, want %d", p.path, resp.Status, p.status)
				}
				checkScheme(t, ctx, scheme)
				e2e.CheckAxe(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
				if p.status == http.StatusOK {
					rec.CheckNoErrors(t) // a 404 page logs its own status as an error
				}
			})
		}
	}
}

// TestFirstRunPageIsAccessible checks a brand-new, empty site's welcome page.
func TestFirstRunPageIsAccessible(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t, e2e.WithoutSeed())
	browser := e2e.NewBrowser(t)
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			if resp := site.Visit(t, ctx, "/"); resp.Status != http.StatusOK {
				t.Fatalf("GET /: status %d, want 200", resp.Status)
			}
			e2e.CheckVisible(t, ctx, ".first-run h1")
			checkScheme(t, ctx, scheme)
			e2e.CheckAxe(t, ctx)
			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
}

// TestHomePage checks what a reader sees first: the newest articles, newest
// first, and Recent Posts beside them.
func TestHomePage(t *testing.T) {
	site := e2e.StartSite(t)
	ctx := e2e.NewBrowser(t)
	site.Visit(t, ctx, "/")

	e2e.CheckVisible(t, ctx, ".site-title", ".summary__headline a", "#recent-posts-title", ".recent-posts__list a")
	got := e2e.Texts(t, ctx, ".summary__headline a")
	want := headlines(site.Articles[:min(10, len(site.Articles))])
	if !slices.Equal(got, want) {
		t.Errorf("home page headlines:\n got %q\nwant %q", got, want)
	}
	recent := e2e.Texts(t, ctx, ".recent-posts__list a")
	if want := headlines(site.Articles[:5]); !slices.Equal(recent, want) {
		t.Errorf("Recent Posts on the home page:\n got %q\nwant %q", recent, want)
	}
}

// TestArticlePage checks an article page: its headline, its text, and
// Recent Posts that leave out the article being read.
func TestArticlePage(t *testing.T) {
	site := e2e.StartSite(t)
	browser := e2e.NewBrowser(t)
	for i, a := range []*byline.Article{site.Articles[0], site.Articles[2]} {
		t.Run(a.Headline, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			if resp := site.Visit(t, ctx, a.URL()); resp.Status != http.StatusOK {
				t.Fatalf("GET %s: status %d, want 200", a.URL(), resp.Status)
			}
			e2e.CheckVisible(t, ctx, "h1.article__headline", ".article__body p", "#recent-posts-title", ".recent-posts__list a")
			if got := e2e.Texts(t, ctx, "h1.article__headline"); !slices.Equal(got, []string{a.Headline}) {
				t.Errorf("headline = %q, want %q", got, a.Headline)
			}
			hrefs := e2e.Attrs(t, ctx, ".recent-posts__list a", "href")
			if len(hrefs) != 5 {
				t.Errorf("Recent Posts has %d links, want 5: %q", len(hrefs), hrefs)
			}
			if slices.Contains(hrefs, a.URL()) {
				t.Errorf("Recent Posts on %s lists the article itself: %q", a.URL(), hrefs)
			}
			var others []*byline.Article
			for _, o := range site.Articles {
				if o.ID != a.ID {
					others = append(others, o)
				}
			}
			if got, want := e2e.Texts(t, ctx, ".recent-posts__list a"), headlines(others[:5]); !slices.Equal(got, want) {
				t.Errorf("Recent Posts:\n got %q\nwant %q", got, want)
			}
			body := strings.Join(e2e.Texts(t, ctx, ".article__body"), "\n")
			switch i {
			case 0: // the imported seed page
				if !strings.Contains(body, "With Russia’s increased involvement in the war in Syria") {
					t.Errorf("the seed article's body lacks its first paragraph:\n%s", body)
				}
				for _, chrome := range []string{"Drop us a note", "captcha txt", "Recent Posts"} {
					if strings.Contains(body, chrome) {
						t.Errorf("the seed article's body holds the source site's page chrome %q", chrome)
					}
				}
			case 1: // a generated article
				e2e.CheckVisible(t, ctx, ".article__body blockquote.pull-quote", ".article__footer .tags a")
			}
		})
	}
}

// TestWithoutJavaScript checks that the pages work with scripts off: the
// reader still gets the articles and Recent Posts.
func TestWithoutJavaScript(t *testing.T) {
	site := e2e.StartSite(t)
	// A probe page whose script marks the document: it proves the scripts
	// really are off, not merely absent.
	probe := `<!DOCTYPE html><html lang="en"><title>probe</title><script src="probe.js"></script><p>probe</p></html>`
	if err := os.WriteFile(filepath.Join(site.PublicDir, "probe.html"), []byte(probe), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(site.PublicDir, "probe.js"), []byte(`document.documentElement.dataset.js = "ran";`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := e2e.NewBrowser(t)

	site.Visit(t, ctx, "/files/probe.html")
	if got := e2e.Attrs(t, ctx, "html", "data-js"); !slices.Equal(got, []string{"ran"}) {
		t.Fatalf("with JavaScript on, the probe script did not run (data-js = %q)", got)
	}
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
		t.Fatal(err)
	}
	site.Visit(t, ctx, "/files/probe.html")
	if got := e2e.Attrs(t, ctx, "html", "data-js"); !slices.Equal(got, []string{""}) {
		t.Fatalf("with JavaScript off, the probe script still ran (data-js = %q)", got)
	}

	site.Visit(t, ctx, "/")
	e2e.CheckVisible(t, ctx, ".summary__headline a", ".recent-posts__list a")
	if got, want := e2e.Texts(t, ctx, ".summary__headline a"), headlines(site.Articles[:10]); !slices.Equal(got, want) {
		t.Errorf("home page headlines with JavaScript off:\n got %q\nwant %q", got, want)
	}
	e2e.CheckVisible(t, ctx, ".pagination a[rel=next]")

	a := site.Articles[0]
	site.Visit(t, ctx, a.URL())
	e2e.CheckVisible(t, ctx, "h1.article__headline", ".article__body p", ".recent-posts__list a")
	if got := e2e.Texts(t, ctx, "h1.article__headline"); !slices.Equal(got, []string{a.Headline}) {
		t.Errorf("headline with JavaScript off = %q, want %q", got, a.Headline)
	}
}

// TestAxeRunsUnderTheSiteCSP checks the harness itself: the pages carry a
// Content-Security-Policy that forbids inline script, the browser enforces
// it, and axe-core is injected all the same (through the DevTools protocol,
// which the policy does not cover), so no test needs to weaken the policy.
func TestAxeRunsUnderTheSiteCSP(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t)
	ctx := e2e.NewBrowser(t)
	resp := site.Visit(t, ctx, "/")
	csp := ""
	for k, v := range resp.Headers {
		if strings.EqualFold(k, "Content-Security-Policy") {
			csp, _ = v.(string)
		}
	}
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("Content-Security-Policy = %q, want script-src 'self' without 'unsafe-inline'", csp)
	}
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const s = document.createElement("script");
		s.textContent = "window.inlineRan = true";
		document.head.append(s);
		return window.inlineRan === true;
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if ran {
		t.Fatal("an inline script ran: the browser is not enforcing the site's CSP, so this test proves nothing")
	}
	res, err := e2e.RunAxe(ctx, e2e.AxePath(t))
	if err != nil {
		t.Fatalf("axe-core under the site's CSP: %v", err)
	}
	if res.URL != site.URLOf("/") {
		t.Errorf("axe-core checked %q, want %q", res.URL, site.URLOf("/"))
	}
}

// checkScheme checks that the page is drawn in the scheme asked for: the
// emulation took, and the stylesheet follows it.
func checkScheme(t *testing.T, ctx context.Context, scheme string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[
		matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light",
		getComputedStyle(document.body).backgroundColor,
	]`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != scheme {
		t.Fatalf("the page sees prefers-color-scheme: %s, want %s", got[0], scheme)
	}
	// Dark text on a light page, or light text on a dark one.
	var r, g, b int
	if _, err := fmt.Sscanf(got[1], "rgb(%d, %d, %d)", &r, &g, &b); err != nil {
		t.Fatalf("body background = %q, want an opaque rgb() colour", got[1])
	}
	light := (r+g+b)/3 > 128
	if light != (scheme == "light") {
		t.Errorf("body background in the %s scheme is %s", scheme, got[1])
	}
}

func headlines(articles []*byline.Article) []string {
	out := make([]string, len(articles))
	for i, a := range articles {
		out[i] = a.Headline
	}
	return out
}

// TestAxeFindsViolations checks the harness against a page with known
// faults, so a clean result on the real pages means something: a missing
// alt text, low contrast in both schemes, and a form field with no label.
func TestAxeFindsViolations(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t, e2e.WithoutSeed())
	bad := `<!DOCTYPE html><html lang="en"><head><title>bad</title><link rel="stylesheet" href="bad.css"></head>
<body><main><h1>Bad page</h1><p class="faint">Faint text</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text"></main></body></html>`
	css := `.faint { color: #bbb; background: #fff; }
@media (prefers-color-scheme: dark) { body { background: #000; } .faint { color: #333; background: #000; } }`
	for name, content := range map[string]string{"bad.html": bad, "bad.css": css} {
		if err := os.WriteFile(filepath.Join(site.PublicDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	browser := e2e.NewBrowser(t)
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			site.Visit(t, ctx, "/files/bad.html")
			res, err := e2e.RunAxe(ctx, e2e.AxePath(t))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range res.Violations {
				got = append(got, v.ID)
			}
			for _, want := range []string{"image-alt", "color-contrast", "label"} {
				if !slices.Contains(got, want) {
					t.Errorf("axe-core found %q on the faulty page, want it to find %s too", got, want)
				}
			}
		})
	}
}
