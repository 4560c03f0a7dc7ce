package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
)

// TestEmbeddedVideo: an article with a YouTube video passes axe-core in
// both colour schemes and asks no other origin for anything until the
// reader clicks the video; the click swaps the link for the no-cookie
// player. Without JavaScript the video is a link to its page.
func TestEmbeddedVideo(t *testing.T) {
	e2e.RequireAxe(t)
	video := &byline.Article{Headline: "The minister's speech", Status: byline.Published,
		PublishedAt: time.Date(2015, 10, 20, 9, 0, 0, 0, time.UTC),
		Body:        "The minister spoke for an hour.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nThen she took questions."}
	site := e2e.StartSite(t, e2e.WithArticles(video))
	browser := e2e.NewBrowser(t)
	path := site.ArticleByHeadline(t, video.Headline).URL()
	for _, scheme := range schemes {
		t.Run("axe in "+scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			if resp := site.Visit(t, ctx, path); resp.Status != http.StatusOK {
				t.Fatalf("GET %s: %d", path, resp.Status)
			}
			e2e.CheckVisible(t, ctx, "figure.embed a.embed-play")
			e2e.CheckAxe(t, ctx)
			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
	t.Run("a click loads the player", func(t *testing.T) {
		ctx := e2e.NewTab(t, browser)
		site.Visit(t, ctx, path)
		if err := chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS("a.embed-play")),
			chromedp.WaitReady(chromedp.CSS("iframe.embed-frame")),
		); err != nil {
			t.Fatalf("click the video: %v", err)
		}
		src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("iframe.embed-frame").src`))
		if err != nil {
			t.Fatal(err)
		}
		if src != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1" {
			t.Errorf("player src = %q, want YouTube's no-cookie player", src)
		}
	})
	t.Run("without JavaScript it is a link", func(t *testing.T) {
		ctx := e2e.NewTab(t, browser)
		if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
			t.Fatal(err)
		}
		site.Visit(t, ctx, path)
		hrefs := e2e.Attrs(t, ctx, "figure.embed a.embed-play", "href")
		if strings.Join(hrefs, " ") != "https://www.youtube.com/watch?v=dQw4w9WgXcQ" {
			t.Errorf("video links = %q, want the video's page", hrefs)
		}
	})
}
