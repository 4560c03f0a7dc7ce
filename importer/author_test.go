package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bylinenews/byline"
)

// A WordPress export's authors keep their display names (or first and
// last names) and descriptions; a profile written in Byline survives an
// export in either format, imported into an empty site.
func TestImport_Authors(t *testing.T) {
	t.Parallel()
	src := newSite(t)
	report, err := runImport(t, src, Options{}, "testdata/wxr/authors.xml")
	if err != nil {
		t.Fatal(err)
	}
	if report.Authors != 2 || report.Created != 2 {
		t.Errorf("report: %d authors, %d articles created; want 2 and 2", report.Authors, report.Created)
	}
	ann, err := src.authors.FindBySlug(t.Context(), "annl")
	if err != nil || ann.Name != "Ann Lee" || ann.Bio != "Ann Lee covers the council. She joined in 2012.\n\nTips welcome." {
		t.Errorf("annl = %+v, %v; want Ann Lee with the description as plain paragraphs", ann, err)
	}
	bob, err := src.authors.FindBySlug(t.Context(), "bob")
	if err != nil || bob.Name != "Bob Stone" || bob.Bio != "" {
		t.Errorf("bob = %+v, %v; want Bob Stone from the first and last names", bob, err)
	}
	list, _, err := src.Find(t.Context(), byline.ArticleFilter{Author: &bob.Slug})
	if err != nil || len(list) != 1 || list[0].Byline() != "Bob Stone" {
		t.Errorf("Bob's articles = %d, %v; want one by Bob Stone", len(list), err)
	}

	ann.JobTitle, ann.PhotoURL, ann.Website = "Council reporter", "/files/uploads/0123456789abcdef0123456789abcdef-400.jpg", "https://ann.example/"
	ann.Links = []byline.AuthorLink{{Label: "Mastodon", URL: "https://social.example/@ann"}}
	if err := src.authors.Update(t.Context(), ann); err != nil {
		t.Fatal(err)
	}
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
			for _, want := range []*byline.Author{ann, bob} {
				got, err := dst.authors.FindBySlug(t.Context(), want.Slug)
				if err != nil {
					t.Fatalf("FindBySlug(%s) after the round trip: %v", want.Slug, err)
				}
				got.ID = want.ID
				if !reflect.DeepEqual(got, want) {
					t.Errorf("after the round trip, %s = %+v\nwant %+v", want.Slug, got, want)
				}
			}
		})
	}
}
