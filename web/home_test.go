package web_test

import (
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// writeUpload writes a real PNG of the given size under dir/uploads/ at
// every width [byline.UploadWidths] stores, as an upload would, and
// returns the URL an article's feature image has.
func writeUpload(t *testing.T, dir, hash string, width, height int) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "uploads"), 0o755); err != nil {
		t.Fatal(err)
	}
	u := &byline.Upload{Hash: hash, Ext: "png", Widths: byline.UploadWidths(width)}
	for _, w := range u.Widths {
		f, err := os.Create(filepath.Join(dir, "uploads", u.FileName(w)))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, image.NewGray(image.Rect(0, 0, w, height*w/width))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	return u.URL()
}

// The front page leads with the newest story, large, with its picture
// fetched at once; the next stories follow with thumbnails, lazily; every
// picture of the site's own has its width and height, so nothing moves.
func TestFrontPage(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	db.Now = func() time.Time { return t0 }
	articles := sqlite.NewArticleService(db)
	public := t.TempDir()
	srv := &web.Server{Articles: articles, Site: web.Site{Title: "The Test Times"}, PostsPerPage: 8, PublicDir: os.DirFS(public)}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	s := &site{Server: ts, articles: articles, now: t0}

	t.Run("a site without pictures still has a lead", func(t *testing.T) {
		s.add(t, "Plain story", t0.Add(-48*time.Hour))
		doc := s.page(t, "/", http.StatusOK)
		if got := texts(doc.Find("main .summary--lead .summary__headline")); len(got) != 1 || got[0] != "Plain story" {
			t.Errorf("lead headline = %q, want [Plain story]", got)
		}
		if n := doc.Find("main img").Length(); n != 0 {
			t.Errorf("%d images on a site with none", n)
		}
	})

	lead := writeUpload(t, public, "0123456789abcdef", 2000, 1000)
	thumb := writeUpload(t, public, "fedcba9876543210", 1200, 800)
	for i := range 6 {
		s.add(t, fmt.Sprintf("Story %d", i), t0.Add(time.Duration(i-10)*time.Hour), func(a *byline.Article) {
			if i%2 == 0 {
				a.FeatureImageURL = thumb
			}
		})
	}
	s.add(t, "The lead", t0.Add(-time.Hour), func(a *byline.Article) { a.FeatureImageURL = lead })
	doc := s.page(t, "/", http.StatusOK)

	t.Run("the lead is large, with its picture eager", func(t *testing.T) {
		l := doc.Find("main .summary--lead")
		if got := strings.TrimSpace(l.Find(".summary__headline").Text()); got != "The lead" {
			t.Fatalf("lead headline = %q, want the newest story", got)
		}
		img := l.Find("img")
		for attr, want := range map[string]string{"width": "2000", "height": "1000", "fetchpriority": "high", "src": lead} {
			if got, _ := img.Attr(attr); got != want {
				t.Errorf("lead image %s = %q, want %q", attr, got, want)
			}
		}
		if _, lazy := img.Attr("loading"); lazy {
			t.Error("the lead image is lazy; it is the largest thing in the first screen")
		}
		if srcset, _ := img.Attr("srcset"); strings.Count(srcset, "w,")+1 != 4 {
			t.Errorf("lead srcset = %q, want 4 widths", srcset)
		}
	})
	t.Run("top stories follow with thumbnails, lazily", func(t *testing.T) {
		top := doc.Find("main .top-stories .summary--top")
		if got := texts(top.Find(".summary__headline")); strings.Join(got, "|") != "Story 5|Story 4|Story 3|Story 2" {
			t.Errorf("top stories = %q", got)
		}
		if n := top.Find("img").Length(); n != 2 {
			t.Errorf("%d thumbnails among the top stories, want 2 (the stories with a picture)", n)
		}
		top.Find("img").Each(func(_ int, img *goquery.Selection) {
			w, _ := img.Attr("width")
			h, _ := img.Attr("height")
			lazy, _ := img.Attr("loading")
			sizes, _ := img.Attr("sizes")
			if w != "1200" || h != "800" || lazy != "lazy" || sizes == "" {
				t.Errorf("thumbnail width %q height %q loading %q sizes %q; want 1200, 800, lazy and sizes", w, h, lazy, sizes)
			}
		})
	})
	t.Run("the rest of the news lists thumbnails too", func(t *testing.T) {
		more := doc.Find("main .more-stories .summary")
		if got := texts(more.Find(".summary__headline")); strings.Join(got, "|") != "Story 1|Story 0|Plain story" {
			t.Errorf("more news = %q", got)
		}
		if n := more.Find(".summary__thumb img").Length(); n != 1 {
			t.Errorf("%d thumbnails in More news, want 1 (Story 0)", n)
		}
	})
	t.Run("archives and later pages have no lead", func(t *testing.T) {
		tag := s.page(t, "/tag/syria/", http.StatusOK)
		if n := tag.Find(".summary--lead, .top-stories").Length(); n != 0 {
			t.Errorf("the tag page has %d front-page blocks", n)
		}
		if n := tag.Find("main .summary__thumb img[loading=lazy]").Length(); n != 4 {
			t.Errorf("the tag page has %d lazy thumbnails, want 4", n)
		}
	})
}
