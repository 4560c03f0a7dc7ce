package e2e_test

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/internal/demo"
	"github.com/bylinenews/byline/sqlite"
)

// TestScreenshots takes screenshots of the demo site's pages on a desktop
// (1280×900) and a phone (390×844), in both colour schemes, for a
// reviewer to look at: into BYLINE_SCREENSHOTS if it names a folder
// (bench/screenshots.sh does), else into a temporary one. It checks each
// is a PNG of the window's size.
func TestScreenshots(t *testing.T) {
	out := os.Getenv("BYLINE_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	site := e2e.StartSite(t, e2e.WithoutSeed())
	if _, err := demo.Fill(t.Context(), site.PublicDir, sqlite.NewServices(site.DB)); err != nil {
		t.Fatal(err)
	}
	if err := demo.FillProfiles(t.Context(), filepath.Join(site.PublicDir, "uploads"), sqlite.NewAuthorService(site.DB)); err != nil {
		t.Fatal(err)
	}
	list, _, err := site.ArticleService.Find(t.Context(), byline.ArticleFilter{Limit: 50})
	if err != nil || len(list) == 0 {
		t.Fatalf("the demo's articles: %d, %v", len(list), err)
	}
	var a *byline.Article
	for _, x := range list {
		if x.FeatureImageURL != "" && len(x.Authors) > 0 && len(x.Tags) > 0 && len(x.Sections) > 0 {
			a = x
			break
		}
	}
	if a == nil {
		t.Fatal("no demo article has a picture, an author and a tag")
	}
	pages := []struct{ name, path string }{
		{"home", "/"}, {"article", a.URL()}, {"author", "/author/" + a.Authors[0].Slug + "/"},
		{"tag", "/tag/" + a.Tags[0].Slug + "/"}, {"contact", "/contact"},
		{"section", a.Sections[0].URL()}, {"page", "/about/"},
	}
	ctx := e2e.NewBrowser(t)
	for _, win := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		for _, scheme := range []string{"light", "dark"} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(win.width, win.height), e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(site.URLOf(p.path))); err != nil {
					t.Fatalf("open %s: %v", p.path, err)
				}
				shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatalf("screenshot %s: %v", p.path, err)
				}
				img, err := png.Decode(bytes.NewReader(shot))
				if err != nil {
					t.Fatalf("screenshot of %s is not a PNG: %v", p.path, err)
				}
				if b := img.Bounds(); int64(b.Dx()) != win.width || int64(b.Dy()) != win.height {
					t.Errorf("screenshot of %s on a %s is %dx%d, want %dx%d", p.path, win.name, b.Dx(), b.Dy(), win.width, win.height)
				}
				name := filepath.Join(out, p.name+"-"+win.name+"-"+scheme+".png")
				if err := os.WriteFile(name, shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	t.Logf("screenshots in %s", out)
}
