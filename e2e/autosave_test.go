package e2e_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
)

// closableTab opens a tab of browser that the test closes itself, as a
// reader closes a tab: cancel closes it.
func closableTab(t *testing.T, browser context.Context) (context.Context, context.CancelFunc) {
	t.Helper()
	tab, cancel := chromedp.NewContext(context.WithoutCancel(browser))
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tab, cancel
}

// waitAutosaved waits for the editor to say it autosaved.
func waitAutosaved(t *testing.T, ctx context.Context) {
	t.Helper()
	waitFor(t, ctx, `document.getElementById("autosave-status").textContent.startsWith("Autosaved at")`, "the autosave")
}

// checkAxeIfInstalled runs axe-core when it is installed, without skipping
// the rest of the test when it is not.
func checkAxeIfInstalled(t *testing.T, ctx context.Context) {
	t.Helper()
	res, err := e2e.RunAxe(ctx, e2e.AxePath(t))
	if errors.Is(err, e2e.ErrNoAxe) {
		t.Log(err)
		return
	} else if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	for _, v := range res.Violations {
		t.Errorf("axe-core: %s: %s", res.URL, v)
	}
}

// TestEditorAutosaveRecovery types a new article, waits for the autosave,
// closes the tab and recovers the text in another; then does the same on
// the saved article and discards what was autosaved.
func TestEditorAutosaveRecovery(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	browser := e2e.NewTab(t, e2e.NewBrowser(t))
	signIn(t, site, browser, editor)

	// A new article, never saved: typed, autosaved, the tab closed.
	tab, closeTab := closableTab(t, browser)
	rec := e2e.Record(t, tab)
	site.Visit(t, tab, "/newsroom/articles/new")
	err := chromedp.Do(tab,
		chromedp.SendKeys(chromedp.ID("headline"), "Written before the crash"),
		chromedp.SendKeys(chromedp.ID("body"), "The text that must survive a closed tab."),
	)
	if err != nil {
		t.Fatalf("type: %v", err)
	}
	waitAutosaved(t, tab)
	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)
	closeTab()

	ctx := e2e.NewTab(t, browser)
	site.Visit(t, ctx, "/newsroom/articles/new")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("autosave"))); err != nil {
		t.Fatalf("no autosave offered: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#autosave h2"); len(got) != 1 || !strings.HasPrefix(got[0], "Restore the autosaved version from ") {
		t.Errorf("offer heading = %q", got)
	}
	if added := strings.Join(e2e.Texts(t, ctx, "#autosave-diffs ins"), " "); !strings.Contains(added, "must survive") {
		t.Errorf("the offer's difference adds %q, want the typed body", added)
	}
	if v := bodyValue(t, ctx); v != "" {
		t.Errorf("before restoring the body is %q, want it empty", v)
	}
	for _, scheme := range schemes {
		if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
			t.Fatal(err)
		}
		checkAxeIfInstalled(t, ctx)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("autosave-restore")),
		chromedp.WaitVisible(chromedp.ID("autosave-discard")),
	)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	if v := bodyValue(t, ctx); v != "The text that must survive a closed tab." {
		t.Errorf("restored body = %q", v)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nr-notice")),
	)
	if err != nil {
		t.Fatalf("save the restored text: %v", err)
	}
	list, _, err := site.Server.Desk.FindDesk(t.Context(), byline.DeskFilter{Query: "before the crash"})
	if err != nil || len(list) != 1 {
		t.Fatalf("saved articles = %d, %v; want the restored one", len(list), err)
	}
	saved, _ := site.ArticleService.FindByID(t.Context(), list[0].ID)
	if saved.Body != "The text that must survive a closed tab." || saved.Version != 1 {
		t.Errorf("saved article: body %q, version %d", saved.Body, saved.Version)
	}
	if evalBool(t, ctx, `!!document.getElementById("autosave")`) {
		t.Error("the offer is still shown after saving")
	}

	// The saved article: more typed, autosaved, the tab closed, then
	// thrown away.
	path := "/newsroom/articles/" + strconv.FormatInt(saved.ID, 10)
	tab, closeTab = closableTab(t, browser)
	site.Visit(t, tab, path)
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.ID("body"), " And a sentence typed later.")); err != nil {
		t.Fatal(err)
	}
	waitAutosaved(t, tab)
	closeTab()
	if revs, _ := site.Server.Desk.Revisions(t.Context(), saved.ID); len(revs) != 1 {
		t.Errorf("revisions after autosaving = %d, want 1: an autosave is not a revision", len(revs))
	}
	site.Visit(t, ctx, path)
	if added := strings.Join(e2e.Texts(t, ctx, "#autosave-diffs ins"), " "); !strings.Contains(added, "typed later") {
		t.Errorf("the offer's difference adds %q, want the later sentence", added)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("autosave-discard")),
		chromedp.WaitVisible(chromedp.CSS(".nr-notice")),
	)
	if err != nil {
		t.Fatalf("discard: %v", err)
	}
	if evalBool(t, ctx, `!!document.getElementById("autosave")`) || bodyValue(t, ctx) != saved.Body {
		t.Errorf("after discarding: offer shown %v, body %q; want no offer and the saved body",
			evalBool(t, ctx, `!!document.getElementById("autosave")`), bodyValue(t, ctx))
	}
}
