package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// sectionLines describes a site's sections, nested, one per line:
// "slug (Name, under parent): description".
func sectionLines(t *testing.T, s *testSite) string {
	t.Helper()
	list, err := s.sections.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ordered, _ := byline.SectionTree(list)
	var b strings.Builder
	for _, sec := range ordered {
		b.WriteString(sec.Slug + " (" + sec.Name + ", under " + sec.ParentSlug + "): " + sec.Description + "\n")
	}
	return b.String()
}

// articleSections lists each article's sections by slug, primary first.
func articleSections(t *testing.T, s *testSite) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, rec := range exportRecords(t, s) {
		var slugs []string
		for _, sec := range rec.Article.Sections {
			slugs = append(slugs, sec.Slug)
		}
		out[rec.Article.Slug] = strings.Join(slugs, ",")
	}
	return out
}

// A WordPress site's categories become its sections, nested as they were,
// and each post's categories its sections, Yoast's primary one first; an
// export in either format, imported into an empty site, gives the same.
func TestImport_Sections(t *testing.T) {
	t.Parallel()
	src := newSite(t)
	report, err := runImport(t, src, Options{}, "testdata/wxr/site-structure.xml")
	if err != nil {
		t.Fatal(err)
	}
	if report.Sections != 3 || report.Created != 2 {
		t.Errorf("report: %d sections, %d articles created; want 3 and 2", report.Sections, report.Created)
	}
	wantSections := "news (News, under ): \nlocal-news (Local News, under news): Around the river.\nsport (Sport & Leisure, under ): \n"
	if got := sectionLines(t, src); got != wantSections {
		t.Errorf("sections:\n%s\nwant\n%s", got, wantSections)
	}
	wantArticles := map[string]string{"rowing-club-wins": "sport,local-news", "bridge-to-close": "local-news"}
	if got := articleSections(t, src); len(got) != 2 || got["rowing-club-wins"] != wantArticles["rowing-club-wins"] || got["bridge-to-close"] != wantArticles["bridge-to-close"] {
		t.Errorf("article sections = %v, want %v", got, wantArticles)
	}

	t.Run("a re-import changes nothing", func(t *testing.T) {
		if _, err := runImport(t, src, Options{}, "testdata/wxr/site-structure.xml"); err != nil {
			t.Fatal(err)
		}
		if got := sectionLines(t, src); got != wantSections {
			t.Errorf("sections after a re-import:\n%s", got)
		}
	})
	t.Run("a dry run writes no section", func(t *testing.T) {
		dst := newSite(t)
		report, err := runImport(t, dst, Options{DryRun: true}, "testdata/wxr/site-structure.xml")
		if err != nil || report.Sections != 3 {
			t.Fatalf("dry run: %+v, %v", report, err)
		}
		if got := sectionLines(t, dst); got != "" {
			t.Errorf("a dry run wrote sections:\n%s", got)
		}
	})
	for _, format := range ExportFormats {
		t.Run("round trip through "+format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(format, &buf, Site{Title: "The Riverside Courier", BaseURL: "https://courier.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ExportSite(t.Context(), src.source(), w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "export."+format)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := newSite(t)
			if _, err := runImport(t, dst, Options{}, path); err != nil {
				t.Fatalf("import the export: %v\n%s", err, buf.String())
			}
			if got := sectionLines(t, dst); got != wantSections {
				t.Errorf("sections after the round trip:\n%s\nwant\n%s", got, wantSections)
			}
			if got := articleSections(t, dst); got["rowing-club-wins"] != wantArticles["rowing-club-wins"] || got["bridge-to-close"] != wantArticles["bridge-to-close"] {
				t.Errorf("article sections after the round trip = %v, want %v", got, wantArticles)
			}
		})
	}
}

// pageLines describes a site's pages, one per line: "URL Title (status):
// body", with the old addresses that lead to each.
func pageLines(t *testing.T, s *testSite) string {
	t.Helper()
	var b strings.Builder
	err := s.pages.Export(t.Context(), func(rec *byline.PageRecord) error {
		p := rec.Page
		b.WriteString(p.URL() + " " + p.Title + " (" + string(p.Status) + "): " + strings.TrimSpace(p.BodyText) + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// A WordPress site's pages become pages, under their parents (a page two
// levels down goes under the top one), with their old addresses leading
// to them; one at a reserved address is moved aside. An export in either
// format, imported into an empty site, gives the same pages.
func TestImport_Pages(t *testing.T) {
	t.Parallel()
	src := newSite(t)
	report, err := runImport(t, src, Options{}, "testdata/wxr/site-structure.xml")
	if err != nil {
		t.Fatal(err)
	}
	if report.Pages != 4 {
		t.Errorf("report: %d pages, want 4", report.Pages)
	}
	wantPages := "/about/ About the Courier (published): Founded in 1871.\n" +
		"/search-page/ Search tips (draft): Use quotes.\n" +
		"/about/team/ Team (published): The newsroom.\n" +
		"/about/staff/ Staff (published): Everyone who works here.\n"
	if got := pageLines(t, src); got != wantPages {
		t.Errorf("pages:\n%s\nwant\n%s", got, wantPages)
	}
	for old, want := range map[string]string{"/?page_id=30": "/about/", "/about/team/staff/": "/about/staff/", "/?page_id=32": "/about/staff/"} {
		if p, err := src.pages.FindRedirect(t.Context(), old); err != nil || p.URL() != want {
			t.Errorf("FindRedirect(%s) = %v, %v; want the page at %s", old, p, err, want)
		}
	}
	t.Run("a re-import updates in place", func(t *testing.T) {
		if _, err := runImport(t, src, Options{}, "testdata/wxr/site-structure.xml"); err != nil {
			t.Fatal(err)
		}
		if got := pageLines(t, src); got != wantPages {
			t.Errorf("pages after a re-import:\n%s", got)
		}
	})
	for _, format := range ExportFormats {
		t.Run("round trip through "+format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter(format, &buf, Site{Title: "The Riverside Courier", BaseURL: "https://courier.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ExportSite(t.Context(), src.source(), w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "export."+format)
			if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := newSite(t)
			if _, err := runImport(t, dst, Options{}, path); err != nil {
				t.Fatalf("import the export: %v", err)
			}
			if got := pageLines(t, dst); got != wantPages {
				t.Errorf("pages after the round trip:\n%s\nwant\n%s", got, wantPages)
			}
			if p, err := dst.pages.FindRedirect(t.Context(), "/about/team/staff/"); err != nil || p.URL() != "/about/staff/" {
				t.Errorf("old address after the round trip: %v, %v", p, err)
			}
		})
	}
}
