package demo

import (
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

// The demo fills an empty site with every article, each with a picture
// that is there, by several authors under several tags; filling it again
// changes nothing but updates in place; and the binary carries little.
func TestFill(t *testing.T) {
	t.Parallel()
	site := sqlite.NewServices(dbtest.OpenSQLite(t))
	articles := site.Articles
	public := t.TempDir()
	files, err := fs.Glob(content, "content/articles/*.md")
	if err != nil || len(files) < 8 {
		t.Fatalf("%d article files (%v), want at least 8", len(files), err)
	}

	report, err := Fill(t.Context(), public, site)
	if err != nil {
		t.Fatal(err)
	}
	if report.Created != len(files) || len(report.Bad) != 0 || len(report.Notes) != 0 {
		t.Fatalf("Fill: %d created, bad %v, notes %v; want %d created, nothing bad or noted", report.Created, report.Bad, report.Notes, len(files))
	}
	list, total, err := articles.Find(t.Context(), byline.ArticleFilter{Limit: 100})
	if err != nil || total != len(files) {
		t.Fatalf("Find = %d published (%v), want %d", total, err, len(files))
	}
	authors, tags, used := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range list {
		for _, au := range a.Authors {
			authors[au.Slug] = true
		}
		for _, tg := range a.Tags {
			tags[tg.Slug] = true
		}
		name, ok := strings.CutPrefix(a.FeatureImageURL, "/files/"+PictureDir+"/")
		if !ok {
			t.Errorf("%s: feature image %q, want one of the demo's pictures", a.Slug, a.FeatureImageURL)
			continue
		}
		used[name] = true
		f, err := os.Open(filepath.Join(public, PictureDir, name))
		if err != nil {
			t.Errorf("%s: its picture: %v", a.Slug, err)
			continue
		}
		cfg, err := jpeg.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != pictureWidth || cfg.Height != pictureHeight {
			t.Errorf("%s: picture %s is %dx%d (%v), want a %dx%d JPEG", a.Slug, name, cfg.Width, cfg.Height, err, pictureWidth, pictureHeight)
		}
	}
	sections := map[string]int{}
	for _, a := range list {
		if len(a.Sections) == 0 {
			t.Errorf("%s: in no section", a.Slug)
		}
		for _, s := range a.Sections {
			sections[s.Slug]++
		}
	}
	stored, err := site.Sections.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	nested := 0
	for _, s := range stored {
		if s.ParentSlug != "" {
			nested++
		}
		if s.Description == "" || sections[s.Slug] == 0 {
			t.Errorf("section %s: description %q, %d articles; want a description and an article", s.Slug, s.Description, sections[s.Slug])
		}
	}
	if len(stored) < 5 || nested == 0 || report.Sections != len(stored) {
		t.Errorf("%d sections (%d nested), report says %d; want at least 5, some nested", len(stored), nested, report.Sections)
	}
	pages, err := site.Pages.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, p := range pages {
		paths[p.URL()] = p.IsVisible()
	}
	for _, want := range []string{"/about/", "/about/masthead/", "/privacy/", "/corrections/"} {
		if !paths[want] {
			t.Errorf("no published page at %s (pages: %v)", want, paths)
		}
	}
	if report.Pages != len(pages) {
		t.Errorf("report says %d pages, %d stored", report.Pages, len(pages))
	}
	about, err := site.Pages.FindByPath(t.Context(), "/about/")
	if err != nil || !strings.Contains(about.BodyHTML, "<h2") {
		t.Errorf("/about/: %v, body %.80q; want its Markdown rendered", err, about.BodyHTML)
	}
	if len(authors) < 4 || len(tags) < 8 {
		t.Errorf("%d authors and %d tags, want at least 4 and 8", len(authors), len(tags))
	}
	for name := range scenes {
		if !used[name+".jpg"] {
			t.Errorf("picture %s is drawn but no article shows it", name)
		}
	}

	t.Run("filling again updates in place", func(t *testing.T) {
		report, err := Fill(t.Context(), public, site)
		if err != nil || report.Created != 0 || report.Updated != len(files) {
			t.Errorf("Fill again: %+v, %v; want %d updated, none created", report, err, len(files))
		}
		again, err := site.Pages.List(t.Context())
		if err != nil || len(again) != len(pages) {
			t.Errorf("pages after filling again: %d (%v), want %d", len(again), err, len(pages))
		}
		secs, err := site.Sections.List(t.Context())
		if err != nil || len(secs) != len(stored) {
			t.Errorf("sections after filling again: %d (%v), want %d", len(secs), err, len(stored))
		}
	})

	t.Run("a few hundred kB at most", func(t *testing.T) {
		var text int64
		fs.WalkDir(content, "content", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				info, _ := d.Info()
				text += info.Size()
			}
			return err
		})
		if text > 200<<10 {
			t.Errorf("the binary carries %d bytes of demo content, want at most 200 kB", text)
		}
		var drawn int64
		entries, _ := os.ReadDir(filepath.Join(public, PictureDir))
		for _, e := range entries {
			info, _ := e.Info()
			drawn += info.Size()
		}
		if drawn > 3<<20 {
			t.Errorf("the pictures take %d bytes on disk, want at most 3 MB", drawn)
		}
		t.Logf("demo: %d bytes of text in the binary, %d bytes of pictures drawn", text, drawn)
	})
}
