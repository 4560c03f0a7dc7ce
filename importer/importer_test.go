package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

// testSite is a new, empty site: its article store, its sections and its
// pages.
type testSite struct {
	*sqlite.ArticleService
	sections *sqlite.SectionService
	pages    *sqlite.PageService
	authors  *sqlite.AuthorService
}

// newSite returns a new, empty site.
func newSite(t *testing.T) *testSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	return &testSite{ArticleService: sqlite.NewArticleService(db), sections: sqlite.NewSectionService(db), pages: sqlite.NewPageService(db), authors: sqlite.NewAuthorService(db)}
}

// source is the site as ExportSite reads it.
func (s *testSite) source() Source {
	return Source{Articles: s.ArticleService, Sections: s.sections, Pages: s.pages, Authors: s.authors}
}

// copyFile copies src to dir/name.
func copyFile(t *testing.T, src, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return dst
}

// sampleFolder lays out one input of every format, as a site to migrate
// might: a WordPress export, the news sample, Hugo posts, a saved page,
// JSON lines, the seed page, and an image the importer must pass over.
func sampleFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, "testdata/wxr/wordpress-1.2.xml", dir, "wordpress.xml")
	copyFile(t, newsSample(t), dir, "news_sample.csv")
	for _, f := range []string{"yaml-post.md", "toml-post.md", "bundle-post/index.md", "_index.md", "draft-post.md"} {
		copyFile(t, "testdata/markdown/hugo/posts/"+f, dir, "content/posts/"+f)
	}
	copyFile(t, "testdata/html/news-page.html", dir, "saved/syria.html")
	copyFile(t, "testdata/jsonl/articles.jsonl", dir, "wire.jsonl")
	copyFile(t, seedArticle(t), dir, "seed-article.txt")
	os.WriteFile(filepath.Join(dir, "content/posts/photo.jpg"), []byte("\xff\xd8\xff\xe0 not text"), 0o600)
	return dir
}

// sampleArticles is how many articles sampleFolder holds: 5 posts, 250
// rows, 4 Markdown posts, 1 page, 3 JSON lines and 1 text page.
const sampleArticles = 5 + 250 + 4 + 1 + 3 + 1

// sampleStories is how many articles a site gets from them: the saved page
// is the WordPress post's story, from another site the same day, and
// updates the post's article instead of being a "-2" copy.
const sampleStories = sampleArticles - 1

// snapshot is everything the site holds, as an export, and its clock.
func snapshot(t *testing.T, s *testSite) string {
	t.Helper()
	var buf bytes.Buffer
	w := NewJSONLWriter(&buf)
	if _, err := ExportSite(t.Context(), s.source(), w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	modified, err := s.LastModified(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return modified.String() + "\n" + buf.String()
}

func runImport(t *testing.T, s *testSite, opts Options, paths ...string) (*Report, error) {
	t.Helper()
	return (&Importer{Articles: s, Sections: s.sections, Pages: s.pages, Authors: s.authors}).Run(t.Context(), paths, nil, opts)
}

func TestImporter_Run(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	dir := sampleFolder(t)

	report, err := runImport(t, s, Options{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if report.Created != sampleStories || report.Updated != 1 || report.Matched.SameStory != 1 || len(report.Bad) != 0 {
		t.Fatalf("first import: %d created, %d updated (%+v), %d bad; want %d created and the same story updated",
			report.Created, report.Updated, report.Matched, len(report.Bad), sampleStories)
	}
	wantSkipped := map[string]int{"comment": 2, "attachment": 1, "menu item": 1,
		"post in the trash": 1, "section index (_index.md)": 1, "file of no known format": 1}
	gotSkipped := map[string]int{}
	for _, c := range report.Skipped {
		gotSkipped[c.What] = c.N
	}
	if !reflect.DeepEqual(gotSkipped, wantSkipped) {
		t.Errorf("skipped %v, want %v", gotSkipped, wantSkipped)
	}
	if len(report.Listed) != MaxListed {
		t.Errorf("%d listed, want the first %d", len(report.Listed), MaxListed)
	}
	first := snapshot(t, s)

	t.Run("re-importing updates in place and never duplicates", func(t *testing.T) {
		report, err := runImport(t, s, Options{}, dir)
		if err != nil {
			t.Fatal(err)
		}
		if report.Created != 0 || report.Updated != sampleArticles {
			t.Errorf("re-import: %d created, %d updated; want 0 and %d", report.Created, report.Updated, sampleArticles)
		}
		if _, total, _ := s.Find(t.Context(), byline.ArticleFilter{IncludeHidden: true}); total != sampleStories {
			t.Errorf("%d articles after a re-import, want %d", total, sampleStories)
		}
		// The same slugs, so the same permalinks.
		if got := slugs(t, s); !reflect.DeepEqual(got, slugsOf(t, first)) {
			t.Errorf("re-import changed the slugs: %q", diffSlugs(slugsOf(t, first), got))
		}
	})

	t.Run("old WordPress addresses lead to the articles", func(t *testing.T) {
		a, err := s.FindRedirect(t.Context(), "/?p=12")
		if err != nil || a.Slug != "russian-us-relationship-in-syria" {
			t.Errorf("FindRedirect(/?p=12) = %v, %v", a, err)
		}
		// The Cyrillic post's link is its new permalink too: no redirect,
		// the slug itself answers.
		a, err = s.FindBySlug(t.Context(), "переговоры")
		if err != nil || a.URL() != byline.RedirectPath("https://old.example.com/2015/10/%d0%bf%d0%b5%d1%80%d0%b5%d0%b3%d0%be%d0%b2%d0%be%d1%80%d1%8b/") {
			t.Errorf("FindBySlug(переговоры) = %v, %v; want the old link as its permalink", a, err)
		}
		a, err = s.FindRedirect(t.Context(), "/news/ceasefire.html")
		if err != nil || a.Slug != "ceasefire-talks-resume" {
			t.Errorf("FindRedirect(Hugo alias) = %v, %v", a, err)
		}
	})

	t.Run("a feature image from an attachment listed after its post", func(t *testing.T) {
		a, err := s.FindBySlug(t.Context(), "russian-us-relationship-in-syria")
		if err != nil || a.FeatureImageURL != "https://old.example.com/wp-content/uploads/2015/10/talks.jpg" {
			t.Errorf("feature image = %q, %v", a.FeatureImageURL, err)
		}
	})
}

func slugs(t *testing.T, s *testSite) []string {
	t.Helper()
	return slugsOf(t, snapshot(t, s))
}

func slugsOf(t *testing.T, snap string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(snap, "\n")[1:] {
		if line == "" || strings.HasPrefix(line, `{"type":`) {
			continue // the site's structure, not an article
		}
		rec, err := decodeJSONArticle([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec.Article.Slug)
	}
	return out
}

// A bad input is reported with its file and line, and the database is
// left exactly as it was.
func TestImporter_BadInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	if _, err := runImport(t, s, Options{}, "testdata/jsonl/articles.jsonl", seedArticle(t)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)

	huge := filepath.Join(t.TempDir(), "huge.jsonl")
	f, _ := os.Create(huge)
	f.WriteString(`{"headline":"Fine","body":"ok"}` + "\n" + `{"headline":"Huge","body":"`)
	for range 50 {
		f.WriteString(strings.Repeat("x", 1<<20))
	}
	f.WriteString("\"}\n")
	f.Close()
	notUTF8 := filepath.Join(t.TempDir(), "latin1.txt")
	os.WriteFile(notUTF8, []byte("Headline\nCaf\xe9 au lait\n"), 0o600)

	tests := []struct {
		name  string
		paths []string
		want  []string // in the error
	}{
		{"broken XML", []string{"testdata/wxr/broken.xml"}, []string{"testdata/wxr/broken.xml:23", "The XML is broken"}},
		{"a ragged CSV row", []string{"testdata/csv/ragged.csv"}, []string{"testdata/csv/ragged.csv:5 (row 2): The row has 3 fields"}},
		{"an impossible date", []string{"testdata/wxr/impossible-date.xml"}, []string{"impossible-date.xml:", "item 2 “A post from February 30th”", `"2015-02-30 10:00:00" is impossible`}},
		{"invalid UTF-8", []string{notUTF8}, []string{"latin1.txt:2: This line is not valid UTF-8"}},
		{"a 50 MB field", []string{huge}, []string{"huge.jsonl:2: The item is larger than 11 MB"}},
		{"several bad lines of JSON", []string{"testdata/jsonl/broken.jsonl"}, []string{"4 bad items", "broken.jsonl:2", `Unknown field "bdoy"`, "broken.jsonl:3", "not valid JSON", "broken.jsonl:4", "impossible", "broken.jsonl:5", `Unknown status "live"`}},
		{"a bad YAML front matter", []string{"testdata/markdown/broken/bad-yaml.md"}, []string{"bad-yaml.md:2", "YAML front matter is broken"}},
		{"good files with a bad one", []string{"testdata/jsonl/articles.jsonl", "testdata/csv/ragged.csv", newsSample(t)}, []string{"ragged.csv:5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runImport(t, s, Options{}, tt.paths...)
			var bad *BadInputError
			if !errors.As(err, &bad) {
				t.Fatalf("Run(%q) = %v, want a BadInputError", tt.paths, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n%v\nlacks %q", err, w)
				}
			}
			if after := snapshot(t, s); after != before {
				t.Errorf("the site changed after a failed import")
			}
		})
	}
}

func TestImporter_SkipBad(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	report, err := runImport(t, s, Options{SkipBad: true}, "testdata/wxr/impossible-date.xml", "testdata/csv/ragged.csv", "testdata/wxr/broken.xml", "testdata/jsonl/broken.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	// 2 + 2 + 1 (before the break) + 2 good articles; the post before the
	// break has the guid of the first post of impossible-date.xml.
	if report.Created != 6 || report.Updated != 1 {
		t.Errorf("%d created, %d updated; want 6 and 1", report.Created, report.Updated)
	}
	var bad []string
	for _, b := range report.Bad {
		bad = append(bad, b.Error())
	}
	want := []string{
		"testdata/wxr/impossible-date.xml:20 (item 2 “A post from February 30th”): post_date_gmt: The date \"2015-02-30 10:00:00\" is impossible.",
		"testdata/csv/ragged.csv:5 (row 2): The row has 3 fields where the header has 6.",
		"testdata/wxr/broken.xml:23 (item 2): The XML is broken: element <status> closed by </post_type>. (The rest of the file was not read.)",
	}
	for i, w := range want {
		if i >= len(bad) || bad[i] != w {
			t.Errorf("bad[%d] = %q, want %q", i, bad[min(i, len(bad)-1)], w)
		}
	}
	if len(bad) != 3+4 {
		t.Errorf("%d bad items, want 7: %q", len(bad), bad)
	}
}

func TestImporter_DryRun(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	if _, err := runImport(t, s, Options{}, "testdata/jsonl/articles.jsonl"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	report, err := runImport(t, s, Options{DryRun: true}, "testdata/jsonl/articles.jsonl", "testdata/csv/other-columns.csv")
	if err != nil {
		t.Fatal(err)
	}
	if report.Created != 1 || report.Updated != 3 {
		t.Errorf("dry run: %d created, %d updated; want 1 and 3", report.Created, report.Updated)
	}
	if snapshot(t, s) != before {
		t.Errorf("a dry run changed the site")
	}
}

func TestImporter_StandardInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	in, _ := os.ReadFile("testdata/jsonl/articles.jsonl")
	report, err := (&Importer{Articles: s}).Run(t.Context(), []string{"-"}, bytes.NewReader(in), Options{})
	if err != nil || report.Created != 3 {
		t.Fatalf("Run(-) = %+v, %v; want 3 created", report, err)
	}
	_, err = (&Importer{Articles: s}).Run(t.Context(), []string{"-"}, strings.NewReader("{\"headline\": 1}\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "standard input:1") {
		t.Errorf("bad standard input: %v, want it named", err)
	}
}

// Clashing slugs get numbers in input order, the same on every run, and
// headlines in other scripts keep readable slugs.
func TestImporter_Slugs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Budget vote delayed\nFirst.\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"headline":"Budget vote delayed","body":"Second.","source_url":"https://x.example/2"}`+"\n"+
		`{"headline":"Budget vote delayed!","body":"Third.","source_url":"https://x.example/3"}`+"\n"+
		`{"headline":"Ο προϋπολογισμός ψηφίζεται","body":"Greek."}`+"\n"+
		`{"headline":"预算投票推迟","body":"Chinese."}`+"\n"), 0o600)
	var runs [][]string
	for range 2 {
		s := newSite(t)
		if _, err := runImport(t, s, Options{}, dir); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, slugs(t, s))
	}
	want := []string{"budget-vote-delayed", "budget-vote-delayed-2", "budget-vote-delayed-3", "ο-προϋπολογισμός-ψηφίζεται", "预算投票推迟"}
	if !reflect.DeepEqual(runs[0], want) || !reflect.DeepEqual(runs[1], want) {
		t.Errorf("slugs = %q then %q, want %q both times", runs[0], runs[1], want)
	}
}

// Export, import into an empty site: the same articles.
func TestExport_RoundTrip(t *testing.T) {
	t.Parallel()
	src := newSite(t)
	if _, err := runImport(t, src, Options{}, sampleFolder(t)); err != nil {
		t.Fatal(err)
	}
	want := exportRecords(t, src)

	for _, format := range ExportFormats {
		t.Run(format, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "export."+format)
			f, _ := os.Create(path)
			w, err := NewWriter(format, f, Site{Title: "The Daily Example", BaseURL: "https://news.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ExportSite(t.Context(), src.source(), w); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			f.Close()

			dst := newSite(t)
			report, err := runImport(t, dst, Options{}, path)
			if err != nil {
				t.Fatal(err)
			}
			if report.Created != len(want) {
				t.Errorf("imported %d articles, want %d", report.Created, len(want))
			}
			got := exportRecords(t, dst)
			if len(got) != len(want) {
				t.Fatalf("%d articles after the round trip, want %d", len(got), len(want))
			}
			for i := range want {
				if diff := recordDiff(want[i], got[i]); diff != "" {
					t.Errorf("article %d (%q) after the round trip: %s", i, want[i].Article.Headline, diff)
				}
			}
		})
	}
}

func exportRecords(t *testing.T, s *testSite) []*byline.ArticleRecord {
	t.Helper()
	var out []*byline.ArticleRecord
	if err := s.Export(t.Context(), func(r *byline.ArticleRecord) error {
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// recordDiff says how two records differ, leaving out the IDs and version
// numbers a new site gives.
func recordDiff(want, got *byline.ArticleRecord) string {
	norm := func(r *byline.ArticleRecord) byline.ArticleRecord {
		c := *r
		a := *r.Article
		a.ID, a.Version = 0, 0
		a.Authors = append([]byline.Author(nil), a.Authors...)
		for i := range a.Authors {
			a.Authors[i].ID = 0
		}
		a.Tags = append([]byline.Tag(nil), a.Tags...)
		for i := range a.Tags {
			a.Tags[i].ID = 0
		}
		c.Article = &a
		return c
	}
	w, g := norm(want), norm(got)
	wa, ga := *w.Article, *g.Article
	if !reflect.DeepEqual(wa, ga) {
		var diffs []string
		wv, gv := reflect.ValueOf(wa), reflect.ValueOf(ga)
		for i := range wv.NumField() {
			if !reflect.DeepEqual(wv.Field(i).Interface(), gv.Field(i).Interface()) {
				diffs = append(diffs, wv.Type().Field(i).Name+": got "+short(gv.Field(i).Interface())+", want "+short(wv.Field(i).Interface()))
			}
		}
		return strings.Join(diffs, "; ")
	}
	if !reflect.DeepEqual(w.ImportKey, g.ImportKey) || !reflect.DeepEqual(w.OldPaths, g.OldPaths) {
		return "key " + g.ImportKey + " paths " + strings.Join(g.OldPaths, ",") + ", want " + w.ImportKey + " " + strings.Join(w.OldPaths, ",")
	}
	return ""
}

func short(v any) string {
	s := strings.Join(strings.Fields(fmt.Sprintf("%+v", v)), " ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// An article the database refuses (here: it would take another article's
// source URL) is named by its file and line, like a bad input.
func TestImporter_RefusedByStore(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "a.jsonl")
	os.WriteFile(first, []byte(`{"headline":"A","body":"x","import_key":"k1"}`+"\n"+`{"headline":"B","body":"y","source_url":"https://x.example/b"}`+"\n"), 0o600)
	if _, err := runImport(t, s, Options{}, first); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, s)
	second := filepath.Join(dir, "b.jsonl")
	os.WriteFile(second, []byte(`{"headline":"C","body":"z"}`+"\n"+`{"headline":"A2","body":"x","import_key":"k1","source_url":"https://x.example/b"}`+"\n"+`{"headline":"D","body":"w"}`+"\n"), 0o600)

	_, err := runImport(t, s, Options{}, second)
	if want := "b.jsonl:2 (A2): Another article already has the source URL"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want %q", err, want)
	}
	if snapshot(t, s) != before {
		t.Errorf("the site changed after a refused import")
	}
	report, err := runImport(t, s, Options{SkipBad: true}, second)
	if err != nil || report.Created != 2 || len(report.Bad) != 1 || !strings.Contains(report.Bad[0].Error(), "b.jsonl:2 (A2): Another article already has the source URL") {
		t.Errorf("with SkipBad: %+v, %v", report, err)
	}
}

// An empty input is refused the same way whatever its format, by its name,
// and the site is left as it was.
func TestImporter_EmptyInput(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	before := snapshot(t, s)
	dir := t.TempDir()
	tests := []struct {
		name, file, content, format string
	}{
		{"empty JSON lines", "wire.jsonl", "", ""},
		{"blank JSON lines", "wire.jsonl", "\n \n\t\n", ""},
		{"empty CSV", "news.csv", "", ""},
		{"empty WXR", "wordpress.xml", "", ""},
		{"empty WXR named", "export", "", "wxr"},
		{"empty Markdown", "post.md", "", ""},
		{"empty HTML", "page.html", "", ""},
		{"empty text", "page.txt", "\n\n", ""},
		{"empty file of no known kind", "export", "", ""},
		{"empty standard input", "-", "", ""},
		{"empty standard input as JSON lines", "-", "", "jsonl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, name := tt.file, "standard input"
			var stdin *strings.Reader
			if tt.file == "-" {
				stdin = strings.NewReader(tt.content)
			} else {
				path = filepath.Join(dir, tt.name, tt.file)
				name = path
				os.MkdirAll(filepath.Dir(path), 0o750)
				if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			report, err := (&Importer{Articles: s}).Run(t.Context(), []string{path}, stdin, Options{Format: tt.format})
			want := name + ": The file is empty: there is nothing to import."
			if err == nil || err.Error() != want {
				t.Errorf("Run(%q, format %q) = %+v, %v; want the error %q", tt.file, tt.format, report, err, want)
			}
			var bad *BadInputError
			if !errors.As(err, &bad) || len(bad.Bad) != 1 || byline.ErrorKind(bad.Bad[0].Err) != byline.Invalid {
				t.Errorf("Run(%q): %#v, want a BadInputError with one Invalid item", tt.file, err)
			}
		})
	}
	t.Run("an empty file in a folder that no format claims is passed over", func(t *testing.T) {
		folder := filepath.Join(dir, "folder")
		os.MkdirAll(folder, 0o750)
		os.WriteFile(filepath.Join(folder, "README"), nil, 0o600)
		os.WriteFile(filepath.Join(folder, "a.txt"), []byte("Headline\nBody.\n"), 0o600)
		report, err := runImport(t, newSite(t), Options{}, folder)
		if err != nil || report.Created != 1 || !reflect.DeepEqual(report.Skipped, []Count{{"empty file", 1}}) {
			t.Errorf("Run(folder) = %+v, %v; want 1 created, 1 empty file passed over", report, err)
		}
	})
	t.Run("an empty file in a folder under a format's name is refused", func(t *testing.T) {
		folder := filepath.Join(dir, "folder2")
		os.MkdirAll(folder, 0o750)
		os.WriteFile(filepath.Join(folder, "wire.jsonl"), nil, 0o600)
		os.WriteFile(filepath.Join(folder, "a.txt"), []byte("Headline\nBody.\n"), 0o600)
		_, err := runImport(t, s, Options{}, folder)
		want := filepath.Join(folder, "wire.jsonl") + ": The file is empty: there is nothing to import."
		if err == nil || err.Error() != want {
			t.Errorf("Run(folder) = %v, want %q", err, want)
		}
		report, err := runImport(t, newSite(t), Options{SkipBad: true}, folder)
		if err != nil || report.Created != 1 || len(report.Bad) != 1 || report.Bad[0].Error() != want {
			t.Errorf("Run(folder, SkipBad) = %+v, %v; want 1 created and %q", report, err, want)
		}
	})
	if snapshot(t, s) != before {
		t.Errorf("an empty input changed the site")
	}
}

func diffSlugs(a, b []string) []string {
	var out []string
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			x, y := "", ""
			if i < len(a) {
				x = a[i]
			}
			if i < len(b) {
				y = b[i]
			}
			out = append(out, x+" -> "+y)
		}
	}
	return out
}
