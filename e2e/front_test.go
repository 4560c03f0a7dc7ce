package e2e_test

import (
	"image"
	"image/color"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
)

// writeUploadPNG writes a real PNG under the site's uploads folder at every
// width an upload stores, and returns its URL.
func writeUploadPNG(t *testing.T, site *e2e.Site, hash string, width, height int) string {
	t.Helper()
	dir := filepath.Join(site.PublicDir, "uploads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	u := &byline.Upload{Hash: hash, Ext: "png", Widths: byline.UploadWidths(width)}
	for _, w := range u.Widths {
		img := image.NewRGBA(image.Rect(0, 0, w, height*w/width))
		for y := range img.Bounds().Dy() {
			for x := range w {
				img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
			}
		}
		f, err := os.Create(filepath.Join(dir, u.FileName(w)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return u.URL()
}

// TestFrontPagePictures opens the front page of a site whose stories have
// pictures, on a desktop and on a phone: the lead story's picture is in the
// first screen, loaded from the site itself at a width fit for the window,
// the page does not shift as the pictures arrive, and it passes axe-core in
// both colour schemes.
func TestFrontPagePictures(t *testing.T) {
	e2e.RequireAxe(t)
	lead := &byline.Article{Headline: "Floods reach the old town", Body: "The river rose overnight.", Status: byline.Published,
		PublishedAt: e2e.SeedPublished.Add(time.Hour), Tags: []byline.Tag{{Name: "Weather"}}}
	top := &byline.Article{Headline: "Council meets on the bridge", Body: "A vote is due.", Status: byline.Published,
		PublishedAt: e2e.SeedPublished.Add(30 * time.Minute)}
	site := e2e.StartSite(t, e2e.WithArticles(lead, top))
	leadURL := writeUploadPNG(t, site, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1600, 900)
	topURL := writeUploadPNG(t, site, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 960, 640)
	for url, a := range map[string]*byline.Article{leadURL: lead, topURL: top} {
		stored, err := site.ArticleService.FindBySlug(t.Context(), a.Slug)
		if err != nil {
			t.Fatal(err)
		}
		stored.FeatureImageURL = url
		if _, err := byline.ImportArticles(t.Context(), site.ArticleService, []*byline.Article{stored}); err != nil {
			t.Fatal(err)
		}
	}
	browser := e2e.NewBrowser(t)
	windows := []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}}
	for _, win := range windows {
		for _, scheme := range schemes {
			t.Run(win.name+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, browser)
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, "/"); resp.Status != http.StatusOK {
					t.Fatalf("GET /: status %d", resp.Status)
				}
				if got := e2e.Texts(t, ctx, ".summary--lead .summary__headline"); len(got) != 1 || got[0] != lead.Headline {
					t.Fatalf("lead = %q, want %q", got, lead.Headline)
				}
				type measure struct {
					Loaded   bool    `json:"loaded"`
					Top      float64 `json:"top"`
					Width    float64 `json:"width"`
					Current  string  `json:"current"`
					Shift    float64 `json:"shift"`
					Viewport float64 `json:"viewport"`
				}
				const probe = `new Promise(done => {
					const i = document.querySelector('.summary--lead img');
					// The observer is called only if the page shifted at all: wait a
					// moment for the buffered entries, then take what there is.
					const shifts = [];
					new PerformanceObserver(list => shifts.push(...list.getEntries())).observe({type: 'layout-shift', buffered: true});
					const finish = () => setTimeout(() => {
						let shift = 0;
						for (const e of shifts) if (!e.hadRecentInput) shift += e.value;
						const r = i.getBoundingClientRect();
						done({loaded: i.complete && i.naturalWidth > 0, top: r.top, width: r.width,
							current: i.currentSrc, shift, viewport: innerHeight});
					}, 300);
					if (i.complete) finish(); else i.addEventListener('load', finish);
				})`
				img, err := chromedp.Run(ctx, chromedp.Evaluate[measure](probe, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatalf("measure the lead image: %v", err)
				}
				if !img.Loaded || img.Top < 0 || img.Top > img.Viewport {
					t.Errorf("lead image loaded %v at top %.0f, want loaded in the first %.0f px", img.Loaded, img.Top, img.Viewport)
				}
				// The copy chosen is the narrowest stored one at least as wide as
				// the picture is shown (the window's device pixel ratio is 1).
				m := regexp.MustCompile(`-([0-9]+)\.png$`).FindStringSubmatch(img.Current)
				if m == nil || !strings.HasPrefix(img.Current, site.URL+"/files/uploads/") {
					t.Fatalf("lead image came from %q, want one of the site's stored copies", img.Current)
				}
				if w, _ := strconv.Atoi(m[1]); float64(w) < img.Width || (w > 480 && float64(prevWidth(w)) >= img.Width) {
					t.Errorf("lead image shown %.0f px wide from the %d px copy", img.Width, w)
				}
				if img.Shift >= 0.05 {
					t.Errorf("the page shifted by %.3f as it loaded, want under 0.05", img.Shift)
				}
				e2e.CheckVisible(t, ctx, ".top-stories .summary__thumb img")
				checkScheme(t, ctx, scheme)
				e2e.CheckAxe(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
				rec.CheckNoErrors(t)
			})
		}
	}
}

// prevWidth is the stored width below w, for a 1600 px image.
func prevWidth(w int) int {
	prev := 0
	for _, s := range byline.UploadWidths(1600) {
		if s < w {
			prev = s
		}
	}
	return prev
}
