package importer

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// readItems reads a file with f and returns what it emitted, and its error.
func readItems(t testing.TB, f Format, path string) ([]*Item, error) {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var items []*Item
	err = f.ReadItems(path, file, func(it *Item) error {
		items = append(items, it)
		return nil
	})
	return items, err
}

// articles splits items into the articles, the skip reasons and the bad ones.
func articles(items []*Item) (recs []*byline.ArticleRecord, skips map[string]int, bad []*Item) {
	skips = map[string]int{}
	for _, it := range items {
		switch {
		case it.Section != nil, it.Page != nil, it.Author != nil: // the site's structure: see structure_test.go and author_test.go
		case it.Skip != "":
			skips[it.Skip]++
		case it.Err != nil:
			bad = append(bad, it)
		default:
			recs = append(recs, it.Record)
		}
	}
	return recs, skips, bad
}

func TestWXR_Read(t *testing.T) {
	for _, file := range []string{"testdata/wxr/wordpress-1.2.xml", "testdata/wxr/wordpress-1.1.xml"} {
		t.Run(file, func(t *testing.T) {
			w := &WXR{}
			// The attachment comes after its post: the first reading learns
			// it, the second (as in an import's write pass) uses it.
			if _, err := readItems(t, w, file); err != nil {
				t.Fatal(err)
			}
			items, err := readItems(t, w, file)
			if err != nil {
				t.Fatal(err)
			}
			recs, skips, bad := articles(items)
			if len(bad) != 0 {
				t.Fatalf("bad items: %v", bad[0].Err)
			}
			wantSkips := map[string]int{"comment": 2, "attachment": 1, "menu item": 1, "post in the trash": 1}
			if !reflect.DeepEqual(skips, wantSkips) {
				t.Errorf("skipped %v, want %v", skips, wantSkips)
			}
			if len(recs) != 5 {
				t.Fatalf("%d articles, want 5", len(recs))
			}

			syria := recs[0]
			a := syria.Article
			for _, c := range []struct{ what, got, want string }{
				{"headline", a.Headline, "Russian, US Relationship In Syria Remains Complicated"},
				{"slug", a.Slug, "russian-us-relationship-in-syria"},
				{"dek", a.Dek, "Moscow offers “far broader cooperation”."},
				{"source URL", a.SourceURL, "https://old.example.com/2015/10/russian-us-relationship-in-syria/"},
				{"feature image", a.FeatureImageURL, "https://old.example.com/wp-content/uploads/2015/10/talks.jpg"},
				{"import key", syria.ImportKey, "wxr:https://old.example.com/?p=12"},
				{"status", string(a.Status), "published"},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
				}
			}
			if want := []byline.Author{{Name: "Jane Doe", Slug: "jdoe"}}; !reflect.DeepEqual(a.Authors, want) {
				t.Errorf("authors = %+v, want %+v", a.Authors, want)
			}
			if want := []byline.Tag{{Name: "Syria", Slug: "syria"}, {Name: "Foreign & Policy", Slug: "foreign-policy"}}; !reflect.DeepEqual(a.Tags, want) {
				t.Errorf("tags = %+v, want %+v (post formats left out)", a.Tags, want)
			}
			if want := []byline.Section{{Name: "World", Slug: "world"}}; !reflect.DeepEqual(a.Sections, want) {
				t.Errorf("sections = %+v, want %+v (Uncategorized left out)", a.Sections, want)
			}
			if want := time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
				t.Errorf("published at %v, want %v (post_date_gmt)", a.PublishedAt, want)
			}
			if want := time.Date(2015, 10, 9, 8, 30, 0, 0, time.UTC); !a.UpdatedAt.Equal(want) {
				t.Errorf("updated at %v, want %v", a.UpdatedAt, want)
			}
			if want := []string{"/2015/10/russian-us-relationship-in-syria/", "/?p=12"}; !reflect.DeepEqual(syria.OldPaths, want) {
				t.Errorf("old paths = %q, want %q", syria.OldPaths, want)
			}
			if strings.Contains(a.Body, "wp:") || strings.Contains(a.Body, "[caption") {
				t.Errorf("body keeps block comments or the caption shortcode:\n%s", a.Body)
			}
			r, err := markdown.New().Render(a.Body)
			if err != nil {
				t.Fatal(err)
			}
			// [gallery ids="13,14"]: 13 is the file's one attachment.
			if want := `<figure class="gallery"><img src="https://old.example.com/wp-content/uploads/2015/10/talks.jpg" alt="Talks in Geneva on Monday." loading="lazy"/></figure>`; !strings.Contains(r.HTML, want) {
				t.Errorf("the gallery shortcode did not become a gallery of the file's attachment:\n%s\nwant %s", r.HTML, want)
			}
			for _, want := range []string{"<figure>", "<figcaption>Talks in Geneva on Monday.</figcaption>", "<em>complicated</em>", "2015. was a year of * stars * and _underscores_."} {
				if !strings.Contains(r.HTML, want) {
					t.Errorf("rendered body lacks %q:\n%s", want, r.HTML)
				}
			}
			var notes []string
			for _, it := range items {
				notes = append(notes, it.Notes...)
			}
			for _, want := range []string{"category Uncategorized left out", `terms of taxonomy "post_format" left out`, "private post imported as a draft"} {
				if !strings.Contains(strings.Join(notes, "|"), want) {
					t.Errorf("notes %q lack %q", notes, want)
				}
			}

			russian := recs[1].Article
			if russian.Slug != "переговоры" {
				t.Errorf("non-Latin slug = %q, want the decoded, readable %q", russian.Slug, "переговоры")
			}
			if want := []byline.Author{{Name: "Иван Петров", Slug: "ivan"}}; !reflect.DeepEqual(russian.Authors, want) {
				t.Errorf("authors = %+v, want %+v", russian.Authors, want)
			}
			r, _ = markdown.New().Render(russian.Body)
			for _, want := range []string{"<p>Первый абзац классического редактора.</p>", "<p>Второй абзац,<br>\nсо строкой.</p>", "<li>два</li>"} {
				if !strings.Contains(r.HTML, want) {
					t.Errorf("classic editor body renders as\n%s\nwant %q (paragraphs made as wpautop does)", r.HTML, want)
				}
			}

			draft := recs[2].Article
			if draft.Status != byline.Draft || !draft.PublishedAt.IsZero() || draft.Slug != "" {
				t.Errorf("draft: status %q, published %v, slug %q; want a draft, unpublished, with a slug made later", draft.Status, draft.PublishedAt, draft.Slug)
			}
		})
	}
}

func TestWXR_Statuses(t *testing.T) {
	w := &WXR{}
	items, err := readItems(t, w, "testdata/wxr/wordpress-1.2.xml")
	if err != nil {
		t.Fatal(err)
	}
	recs, _, _ := articles(items)
	got := map[string]byline.Status{}
	for _, r := range recs {
		got[r.Article.Headline] = r.Article.Status
	}
	want := map[string]byline.Status{
		"Russian, US Relationship In Syria Remains Complicated": byline.Published,
		"Переговоры в Женеве продолжатся":                       byline.Published,
		"A draft on the ceasefire":                              byline.Draft,
		"Summit preview":                                        byline.Scheduled,
		"Staff notes":                                           byline.Draft, // private
	}
	for h, s := range want {
		if got[h] != s {
			t.Errorf("%q: status %q, want %q", h, got[h], s)
		}
	}
	if len(recs) != len(want) {
		t.Errorf("%d articles, want %d: %v", len(recs), len(want), got)
	}
}

func TestWXR_Errors(t *testing.T) {
	t.Run("broken XML names its line and stops the file", func(t *testing.T) {
		items, err := readItems(t, &WXR{}, "testdata/wxr/broken.xml")
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line != 23 || !strings.Contains(pe.Error(), "The XML is broken") {
			t.Fatalf("error = %v, want a ParseError at line 23 saying the XML is broken", err)
		}
		if recs, _, _ := articles(items); len(recs) != 1 {
			t.Errorf("%d articles before the break, want 1", len(recs))
		}
	})
	t.Run("an impossible date is a bad item, the others are good", func(t *testing.T) {
		items, err := readItems(t, &WXR{}, "testdata/wxr/impossible-date.xml")
		if err != nil {
			t.Fatal(err)
		}
		recs, _, bad := articles(items)
		if len(recs) != 2 || len(bad) != 1 {
			t.Fatalf("%d good, %d bad; want 2 and 1", len(recs), len(bad))
		}
		if !strings.Contains(bad[0].Label, "A post from February 30th") || !strings.Contains(byline.ErrorMessage(bad[0].Err), `"2015-02-30 10:00:00" is impossible`) {
			t.Errorf("bad item %q: %v", bad[0].Label, bad[0].Err)
		}
	})
	t.Run("an RSS feed that is not an export", func(t *testing.T) {
		_, err := readItems(t, &WXR{}, "testdata/wxr/not-wordpress.xml")
		if err == nil || !strings.Contains(err.Error(), "not a WordPress export") {
			t.Errorf("error = %v, want one saying it is not a WordPress export", err)
		}
	})
	t.Run("a field larger than any article stops the file with a clear message", func(t *testing.T) {
		// The reader stops at maxItemBytes, whatever the size beyond (the
		// CSV and JSON-lines tests use 50 MB; XML is slower to read).
		src, _ := os.ReadFile("testdata/wxr/impossible-date.xml")
		huge := strings.Replace(string(src), "<p>Text.</p>", "<p>"+strings.Repeat("x", maxItemBytes+1<<20)+"</p>", 2)
		path := t.TempDir() + "/huge.xml"
		os.WriteFile(path, []byte(huge), 0o600)
		items, err := readItems(t, &WXR{}, path)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Item != "item 1" || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("error = %v, want item 1 named and a size message", err)
		}
		if len(items) != 0 {
			t.Errorf("%d items before the huge one, want 0", len(items))
		}
	})
	t.Run("invalid UTF-8 names its line", func(t *testing.T) {
		src, _ := os.ReadFile("testdata/wxr/impossible-date.xml")
		bad := strings.Replace(string(src), "Another good post", "Another \xff\xfe post", 1)
		path := t.TempDir() + "/bad-utf8.xml"
		os.WriteFile(path, []byte(bad), 0o600)
		_, err := readItems(t, &WXR{}, path)
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Line == 0 || !strings.Contains(err.Error(), "UTF-8") {
			t.Errorf("error = %v, want a located UTF-8 error", err)
		}
	})
}
