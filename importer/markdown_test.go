package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

func readMarkdown(t *testing.T, path string) *Item {
	t.Helper()
	m := Markdown{Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	items, err := readItems(t, m, filepath.Join("testdata/markdown", path))
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(items) != 1 {
		t.Fatalf("read %s: %d items, want 1", path, len(items))
	}
	return items[0]
}

func TestMarkdown_Read(t *testing.T) {
	t.Run("Hugo, YAML front matter", func(t *testing.T) {
		it := readMarkdown(t, "hugo/posts/yaml-post.md")
		if it.Err != nil {
			t.Fatal(it.Err)
		}
		a := it.Record.Article
		if a.Headline != "Ceasefire talks resume in Geneva" || a.Slug != "ceasefire-talks-resume" || a.Dek != "Delegations return to the table after a week." {
			t.Errorf("headline, slug, dek = %q, %q, %q", a.Headline, a.Slug, a.Dek)
		}
		if want := time.Date(2015, 10, 8, 10, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) || a.Status != byline.Published {
			t.Errorf("%s at %v, want published at %v", a.Status, a.PublishedAt, want)
		}
		if want := time.Date(2015, 10, 9, 8, 30, 0, 0, time.UTC); !a.UpdatedAt.Equal(want) {
			t.Errorf("updated %v, want %v (lastmod)", a.UpdatedAt, want)
		}
		if got := names(a.Tags); !reflect.DeepEqual(got, []string{"Syria", "Diplomacy", "World"}) {
			t.Errorf("tags = %q, want tags then categories", got)
		}
		if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Jane Doe"}) {
			t.Errorf("authors = %q", got)
		}
		if want := []string{"/2015/10/08/ceasefire-talks/", "/news/ceasefire.html"}; !reflect.DeepEqual(it.Record.OldPaths, want) {
			t.Errorf("old paths = %q, want the aliases %q", it.Record.OldPaths, want)
		}
		if a.FeatureImageURL != "/images/geneva.jpg" || !strings.HasPrefix(a.Body, "Delegations from both sides **returned**") {
			t.Errorf("image %q, body %q", a.FeatureImageURL, a.Body)
		}
		if want := []string{`front matter field "weight" ignored`, "Hugo shortcode {{< figure >}} left as text"}; !reflect.DeepEqual(it.Notes, want) {
			t.Errorf("notes = %q, want %q", it.Notes, want)
		}
	})
	t.Run("sections", func(t *testing.T) {
		dir := t.TempDir()
		src := "---\ntitle: Ferry times change\nsections: [\"Transport\", \"News\", \"transport\"]\n---\nThe ferry leaves earlier.\n"
		if err := os.WriteFile(filepath.Join(dir, "ferry.md"), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		items, err := readItems(t, Markdown{}, filepath.Join(dir, "ferry.md"))
		if err != nil || len(items) != 1 || items[0].Err != nil {
			t.Fatalf("read: %v, %v", items, err)
		}
		a := items[0].Record.Article
		var got []string
		for _, s := range a.Sections {
			got = append(got, s.Slug+"="+s.Name)
		}
		if want := []string{"transport=Transport", "news=News"}; !reflect.DeepEqual(got, want) {
			t.Errorf("sections = %q, want %q (the first primary, a repeat once)", got, want)
		}
		if len(items[0].Notes) != 0 {
			t.Errorf("notes = %q, want none: sections is a known field", items[0].Notes)
		}
	})
	t.Run("Hugo, TOML front matter", func(t *testing.T) {
		it := readMarkdown(t, "hugo/posts/toml-post.md")
		if it.Err != nil {
			t.Fatal(it.Err)
		}
		a := it.Record.Article
		if a.Headline != "Inflation eases for a third month" || a.Slug != "toml-post" || a.Dek != "Prices rose 1.2% on the year." || a.FeatureImageURL != "/images/prices.png" {
			t.Errorf("article = %+v", a)
		}
		if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Ann Lee", "Bo Chan"}) {
			t.Errorf("authors = %q", got)
		}
		if want := time.Date(2016, 2, 1, 9, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
			t.Errorf("published %v, want %v", a.PublishedAt, want)
		}
	})
	t.Run("a Hugo bundle takes its folder's name", func(t *testing.T) {
		a := readMarkdown(t, "hugo/posts/bundle-post/index.md").Record.Article
		if a.Slug != "bundle-post" || !a.PublishedAt.Equal(time.Date(2016, 3, 4, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("slug %q, published %v", a.Slug, a.PublishedAt)
		}
	})
	t.Run("a section's _index.md is skipped", func(t *testing.T) {
		if it := readMarkdown(t, "hugo/posts/_index.md"); it.Skip == "" {
			t.Errorf("_index.md gave %+v, want a skip", it)
		}
	})
	t.Run("drafts and future posts", func(t *testing.T) {
		if a := readMarkdown(t, "hugo/posts/draft-post.md").Record.Article; a.Status != byline.Draft {
			t.Errorf("draft: true gives %q", a.Status)
		}
		if a := readMarkdown(t, "jekyll/_posts/2014-06-01-unpublished.md").Record.Article; a.Status != byline.Draft {
			t.Errorf("published: false gives %q", a.Status)
		}
		if a := readMarkdown(t, "hugo/posts/future-post.md").Record.Article; a.Status != byline.Scheduled {
			t.Errorf("a future date gives %q, want scheduled", a.Status)
		}
	})
	t.Run("Jekyll: date and slug from the file name", func(t *testing.T) {
		it := readMarkdown(t, "jekyll/_posts/2014-05-20-court-rules-on-data.markdown")
		a := it.Record.Article
		if a.Slug != "court-rules-on-data" || !a.PublishedAt.Equal(time.Date(2014, 5, 20, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("slug %q, published %v", a.Slug, a.PublishedAt)
		}
		if got := names(a.Tags); !reflect.DeepEqual(got, []string{"law", "europe"}) {
			t.Errorf("space-separated categories give %q", got)
		}
		if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Max Müller"}) {
			t.Errorf("authors = %q", got)
		}
		if want := []string{"/law/2014/court-data/", "/2014/05/court-rules/"}; !reflect.DeepEqual(it.Record.OldPaths, want) {
			t.Errorf("old paths = %q, want %q", it.Record.OldPaths, want)
		}
		if !strings.Contains(strings.Join(it.Notes, "|"), "Liquid tag {% include %} left as text") {
			t.Errorf("notes = %q", it.Notes)
		}
	})
}

func TestMarkdown_Errors(t *testing.T) {
	tests := []struct {
		file string
		line int
		want string
	}{
		{"broken/bad-yaml.md", 2, "The YAML front matter is broken: did not find expected ',' or ']'"},
		{"broken/unclosed.md", 1, "The front matter is not closed"},
		{"broken/impossible-date.md", 1, `date: The date "2015-02-30" is impossible`},
		{"broken/no-title.md", 1, "no title"},
		{"broken/bad-toml.md", 3, "The TOML front matter is broken"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			it := readMarkdown(t, tt.file)
			if it.Err == nil || it.Line != tt.line || !strings.Contains(byline.ErrorMessage(it.Err), tt.want) {
				t.Errorf("item line %d, error %v; want line %d and %q", it.Line, it.Err, tt.line, tt.want)
			}
		})
	}
	t.Run("invalid UTF-8 names its line", func(t *testing.T) {
		var got *Item
		err := Markdown{}.ReadItems("x.md", strings.NewReader("---\ntitle: X\n---\nfine\n\xff bad\n"), func(it *Item) error { got = it; return nil })
		if err != nil || got.Err == nil || got.Line != 5 {
			t.Errorf("item %+v, %v; want a bad item at line 5", got, err)
		}
	})
}
