package e2e_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/sqlite"
)

// TestNewsroomHistory: someone else saves while the editor types; the
// conflict page shows what differs word by word, the editor takes the
// other headline and keeps their own body, and saves; the revision page
// then shows what that save changed. Both pages pass axe-core in both
// colour schemes.
func TestNewsroomHistory(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	desk := sqlite.NewDeskService(site.DB)
	a := &byline.Article{Headline: "Talks open in Vienna", Body: "The talks opened on Monday.", Status: byline.Draft}
	if err := desk.CreateArticle(t.Context(), a, editor.ID); err != nil {
		t.Fatal(err)
	}
	path := "/newsroom/articles/" + strconv.FormatInt(a.ID, 10)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	rec := e2e.Record(t, ctx)
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, path)

	// Meanwhile, a colleague saves version 2.
	if _, err := desk.UpdateArticle(t.Context(), a.ID, byline.ArticleUpdate{Headline: ptr("Talks resume in Vienna"),
		Body: ptr("The talks opened on Monday, officials said.")}, 1, editor.ID); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`(() => { const b = document.getElementById("body"); b.focus(); b.setSelectionRange(b.value.length, b.value.length) })()`),
		chromedp.KeyEvent(" They go on."),
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.ID("conflict")),
	)
	if err != nil {
		t.Fatalf("save over the colleague's version: %v", err)
	}
	if got := e2e.Attrs(t, ctx, "#diffs dt", "data-field"); strings.Join(got, ",") != "headline,body" {
		t.Errorf("fields that differ = %q, want headline and body", got)
	}
	if got := e2e.Texts(t, ctx, `#diffs dd pre del`); len(got) != 1 || !strings.Contains(got[0], "officials said") {
		t.Errorf("body words only in the saved version = %q", got)
	}
	if got := e2e.Texts(t, ctx, `#diffs dd pre ins`); len(got) != 1 || !strings.Contains(got[0], "They go on") {
		t.Errorf("body words only in the editor's version = %q", got)
	}
	for _, scheme := range schemes {
		t.Run("conflict page in "+scheme, func(t *testing.T) {
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			e2e.CheckAxe(t, ctx)
		})
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[name="take"][value="headline"]`))); err != nil {
		t.Fatalf("take the saved headline: %v", err)
	}
	waitFor(t, ctx, `document.getElementById("conflict") && !document.querySelector('#diffs dt[data-field="headline"]')`, "the page with the headline taken")
	headline, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("headline").value`))
	if err != nil || headline != "Talks resume in Vienna" {
		t.Errorf("headline after taking = %q (%v), want the colleague's", headline, err)
	}
	if got := bodyValue(t, ctx); got != "The talks opened on Monday. They go on." {
		t.Errorf("body after taking the headline = %q, want the editor's", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(".nr-notice")),
	)
	if err != nil {
		t.Fatalf("save the merge: %v", err)
	}
	saved, _ := site.ArticleService.FindByID(t.Context(), a.ID)
	if saved.Headline != "Talks resume in Vienna" || saved.Body != "The talks opened on Monday. They go on." || saved.Version != 3 {
		t.Errorf("saved: %q / %q version %d", saved.Headline, saved.Body, saved.Version)
	}

	// The revision page of the merge: what it changed from version 2.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(".nr-revisions li:first-child a")),
		chromedp.WaitVisible(chromedp.ID("diffs")),
	)
	if err != nil {
		t.Fatalf("open the newest revision: %v", err)
	}
	if got := e2e.Attrs(t, ctx, "#diffs dt", "data-field"); strings.Join(got, ",") != "body" {
		t.Errorf("fields version 3 changed = %q, want the body", got)
	}
	if got := e2e.Texts(t, ctx, "#diffs ins"); len(got) != 1 || !strings.Contains(got[0], "They go on") {
		t.Errorf("added in version 3 = %q", got)
	}
	for _, scheme := range schemes {
		t.Run("revision page in "+scheme, func(t *testing.T) {
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			e2e.CheckAxe(t, ctx)
		})
	}
	rec.CheckSameOrigin(t, site.URL)
	for _, e := range rec.Errors() {
		if !strings.Contains(e, "status of 409 (Conflict)") { // the conflict page's status
			t.Errorf("the page reported an error: %s", e)
		}
	}
}
