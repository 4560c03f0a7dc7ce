package e2e_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// withSearch plugs the SQLite search into the site.
func withSearch() e2e.SiteOption {
	return e2e.WithServer(func(s *web.Server, db *sqlite.DB) { s.Search = sqlite.NewSearchService(db) })
}

// TestSearchOverlay is a reader searching from the home page: the header's
// Search button opens the overlay, typing "syria" brings suggestions,
// Enter opens the results page, whose first hit is about Syria. axe-core
// checks the overlay (closed list and open) and the results page, in both
// colour schemes.
func TestSearchOverlay(t *testing.T) {
	e2e.RequireAxe(t)
	site := e2e.StartSite(t, withSearch())
	browser := e2e.NewBrowser(t)
	for _, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			if resp := site.Visit(t, ctx, "/"); resp.Status != http.StatusOK {
				t.Fatalf("GET /: status %d", resp.Status)
			}

			// Open the overlay: the input has the focus.
			err := chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("a.search-button")),
				chromedp.WaitVisible(chromedp.ID("search-overlay-q")),
			)
			if err != nil {
				t.Fatalf("open the search overlay: %v", err)
			}
			e2e.CheckVisible(t, ctx, "#search-overlay-label", "#search-overlay-q")
			if got := e2e.Texts(t, ctx, "#search-overlay-label"); len(got) != 1 || got[0] != "Start typing and press Enter to search" {
				t.Errorf("overlay says %q", got)
			}
			if focused := activeID(t, ctx); focused != "search-overlay-q" {
				t.Errorf("focus is on %q, want the search input", focused)
			}
			e2e.CheckAxe(t, ctx)

			// Type: suggestions appear, each a headline about Syria.
			if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("search-overlay-q"), "syria")); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.querySelectorAll('#search-overlay-list [role=option]').length > 0`, "suggestions")
			options := e2e.Texts(t, ctx, "#search-overlay-list [role=option]")
			for _, o := range options {
				if !strings.Contains(strings.ToLower(o), "syria") {
					t.Errorf("suggestion %q does not mention Syria", o)
				}
			}
			if marks := e2e.Texts(t, ctx, "#search-overlay-list [role=option] mark"); len(marks) == 0 {
				t.Error("suggestions mark no typed word")
			}
			if got := e2e.Attrs(t, ctx, "#search-overlay-q", "aria-expanded"); len(got) != 1 || got[0] != "true" {
				t.Errorf("aria-expanded = %q with suggestions showing", got)
			}
			e2e.CheckAxe(t, ctx)

			// Arrow down selects the first; Escape closes the list but
			// not the overlay.
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
				t.Fatal(err)
			}
			if got := e2e.Attrs(t, ctx, "#search-overlay-q", "aria-activedescendant"); len(got) != 1 || got[0] != "search-suggestion-0" {
				t.Errorf("after ArrowDown aria-activedescendant = %q, want search-suggestion-0", got)
			}
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `document.getElementById('search-overlay-list').hidden`, "the list to close on Escape")
			if open := evalBool(t, ctx, `document.getElementById('search-overlay').open`); !open {
				t.Error("the first Escape closed the overlay; want only the list closed")
			}

			// Enter, with no suggestion chosen: the results page.
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			waitFor(t, ctx, `location.pathname === '/search' && document.readyState === 'complete'`, "the results page")
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			if u, _ := url.Parse(loc); u.Query().Get("q") != "syria" {
				t.Errorf("results page at %s, want q=syria", loc)
			}
			hits := e2e.Texts(t, ctx, ".search-results > li")
			if len(hits) == 0 {
				t.Fatal("the results page lists no hit")
			}
			if !strings.Contains(strings.ToLower(hits[0]), "syria") {
				t.Errorf("first hit does not mention Syria:\n%s", hits[0])
			}
			e2e.CheckVisible(t, ctx, ".search-results > li h2 a", ".search-count")
			e2e.CheckAxe(t, ctx)

			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
}

// TestSearchOverlay_keyboard chooses a suggestion with the keyboard, and
// closes the overlay with Escape, the focus back on the button.
func TestSearchOverlay_keyboard(t *testing.T) {
	site := e2e.StartSite(t, withSearch())
	ctx := e2e.NewBrowser(t)
	rec := e2e.Record(t, ctx)
	site.Visit(t, ctx, "/")

	// Open and close: the focus returns to the button.
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a.search-button")),
		chromedp.WaitVisible(chromedp.ID("search-overlay-q")),
		chromedp.KeyEvent(kb.Escape),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `!document.getElementById('search-overlay').open`, "Escape to close the overlay")
	if got := evalBool(t, ctx, `document.activeElement.matches('a.search-button')`); !got {
		t.Errorf("after Escape the focus is on %q, want the Search button", activeID(t, ctx))
	}

	// Enter on a suggestion opens its article.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a.search-button")),
		chromedp.WaitVisible(chromedp.ID("search-overlay-q")),
		chromedp.SendKeys(chromedp.ID("search-overlay-q"), "russian relat"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The suggestions for all that was typed, not for its beginning.
	waitFor(t, ctx, `(document.querySelector('#search-overlay-list [role=option]')?.textContent ?? '').includes('Relationship')`, "suggestions")
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	want := site.ArticleByHeadline(t, e2e.SeedHeadline).URL()
	waitFor(t, ctx, `location.pathname === `+jsString(want)+` && document.readyState === 'complete'`, "the chosen article")
	if got := e2e.Texts(t, ctx, "h1.article__headline"); len(got) != 1 || got[0] != e2e.SeedHeadline {
		t.Errorf("Enter on the suggestion opened %q", got)
	}
	rec.CheckNoErrors(t)
}

// TestSearchWithoutJavaScript checks that the Search button is a link to a
// plain form that works with scripts off.
func TestSearchWithoutJavaScript(t *testing.T) {
	site := e2e.StartSite(t, withSearch())
	ctx := e2e.NewBrowser(t)
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
		t.Fatal(err)
	}
	site.Visit(t, ctx, "/")
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("a.search-button")),
		chromedp.WaitVisible(chromedp.ID("search-q")),
		chromedp.SendKeys(chromedp.ID("search-q"), "syria"+kb.Enter),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, `location.search.includes('q=syria') && document.readyState === 'complete'`, "the results page")
	if hits := e2e.Texts(t, ctx, ".search-results > li h2"); len(hits) == 0 || !strings.Contains(strings.ToLower(hits[0]), "syria") {
		t.Errorf("without JavaScript, results = %q", hits)
	}
}

// waitFor polls a JavaScript condition until it holds, failing the test
// with what it waited for if it does not within 15 seconds. An evaluation
// that fails while the page navigates is tried again.
func waitFor(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var lastErr error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("waiting for %s: gave up after 15s at %s (last error: %v)", what, loc, lastErr)
}

func evalBool(t *testing.T, ctx context.Context, expr string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func activeID(t *testing.T, ctx context.Context) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? (document.activeElement.id || document.activeElement.tagName) : ""`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func jsString(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}
