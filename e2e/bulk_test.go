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

// TestNewsroomBulkPublish ticks two drafts in the article list, asks to
// publish them, confirms, and finds both published; the confirmation
// passes axe-core.
func TestNewsroomBulkPublish(t *testing.T) {
	site, editor, _ := startNewsroom(t)
	desk := sqlite.NewDeskService(site.DB)
	var ids []int64
	for _, h := range []string{"First bulk draft", "Second bulk draft"} {
		a := &byline.Article{Headline: h, Body: "Text.", Status: byline.Draft}
		if err := desk.CreateArticle(t.Context(), a, editor.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	rec := e2e.Record(t, ctx)
	signIn(t, site, ctx, editor)
	site.Visit(t, ctx, "/newsroom/?status=draft")
	var steps []chromedp.Action[chromedp.Void]
	for _, id := range ids {
		steps = append(steps, chromedp.Click(chromedp.ID("select-"+strconv.FormatInt(id, 10))))
	}
	steps = append(steps,
		chromedp.SetValue(chromedp.ID("bulk_action"), "publish"),
		chromedp.Click(chromedp.ID("bulk-apply")),
		chromedp.WaitVisible(chromedp.ID("bulk-confirm")),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("tick and apply: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#bulk-articles li"); len(got) != 2 {
		t.Errorf("confirmation lists %q, want the two drafts", got)
	}
	e2e.CheckAxe(t, ctx)
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("bulk-confirm")),
		chromedp.WaitVisible(chromedp.ID("bulk-results")),
	)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if got := e2e.Texts(t, ctx, "h1"); len(got) != 1 || !strings.HasPrefix(got[0], "Publish: 2 of 2 done") {
		t.Errorf("result heading = %q", got)
	}
	for _, id := range ids {
		if a, _ := site.ArticleService.FindByID(t.Context(), id); a.Status != byline.Published {
			t.Errorf("article %d is %s, want published", id, a.Status)
		}
	}
	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)
}
