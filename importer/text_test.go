package importer

import (
	"os"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/shareddata"
	"github.com/bylinenews/byline/markdown"
)

// seedArticle and newsSample are the shared sample data; a test without it
// is skipped.
func seedArticle(t testing.TB) string { return shareddata.Path(t, "seed-article.txt") }
func newsSample(t testing.TB) string  { return shareddata.Path(t, "news_sample.csv") }

func readText(t *testing.T, in string) (*byline.Article, error) {
	t.Helper()
	var got []*byline.Article
	err := Text{}.Read("test.txt", strings.NewReader(in), func(a *byline.Article) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(got) != 1 {
		t.Fatalf("Read emitted %d articles, want 1", len(got))
	}
	return got[0], nil
}

func TestText_Read(t *testing.T) {
	tests := []struct {
		name, in, headline string
		paragraphs         []string
	}{
		{"headline then paragraphs", "Title\n\nOne.\n\nTwo.\n", "Title", []string{"One.", "Two."}},
		{"single newlines split paragraphs", "Title\nOne.\nTwo.", "Title", []string{"One.", "Two."}},
		{"leading blank lines", "\n\n  Title  \nOne.", "Title", []string{"One."}},
		{"chrome at the end is dropped", "Title\nOne long enough paragraph.\nRecent Posts\nAnother story title\nContact Us\nDrop us a note and we will get in touch soon!\nNot readable? Change text. captcha txt\nStart typing and press Enter to search\n",
			"Title", []string{"One long enough paragraph."}},
		{"chrome words inside the text stay", "Title\nPlease contact us for more.\nLast.", "Title", []string{"Please contact us for more.", "Last."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := readText(t, tt.in)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if a.Headline != tt.headline {
				t.Errorf("headline = %q, want %q", a.Headline, tt.headline)
			}
			if got := strings.Split(a.Body, "\n\n"); strings.Join(got, "|") != strings.Join(tt.paragraphs, "|") {
				t.Errorf("paragraphs = %q, want %q", got, tt.paragraphs)
			}
		})
	}
}

func TestText_ReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty file", "\n\n", "test.txt: The file is empty"},
		{"invalid UTF-8 names its line", "Title\nok\n\xff\xfe bad\n", "test.txt:3: This line is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readText(t, tt.in)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Read(%q) error = %v, want prefix %q", tt.in, err, tt.want)
			}
		})
	}
}

// The seed page from the source site: one article, its paragraphs, and
// none of the page chrome.
func TestText_SeedArticle(t *testing.T) {
	f, err := os.Open(seedArticle(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []*byline.Article
	err = Text{}.Read(seedArticle(t), f, func(a *byline.Article) error {
		got = append(got, a)
		return nil
	})
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("seed gave %d articles, want 1", len(got))
	}
	a := got[0]
	if a.Headline != "Russian, US Relationship In Syria Remains Complicated" {
		t.Errorf("headline = %q", a.Headline)
	}
	paragraphs := strings.Split(a.Body, "\n\n")
	if len(paragraphs) != 7 {
		t.Errorf("%d paragraphs, want 7: %q", len(paragraphs), paragraphs)
	}
	if !strings.HasPrefix(paragraphs[0], "With Russia’s increased involvement") {
		t.Errorf("first paragraph = %q", paragraphs[0])
	}
	if !strings.HasPrefix(paragraphs[len(paragraphs)-1], "However, Bloomberg News reported today") {
		t.Errorf("last paragraph = %q", paragraphs[len(paragraphs)-1])
	}
	for _, chrome := range []string{"Recent Posts", "Contact Us", "Drop us a note", "Not readable", "captcha txt", "Start typing"} {
		if strings.Contains(a.Body, chrome) {
			t.Errorf("body contains page chrome %q", chrome)
		}
	}
}

// Escaped text must render back to the same words: nothing in a scraped
// page may turn into Markdown syntax.
func FuzzEscapeMarkdown(f *testing.F) {
	for _, s := range []string{"2015. A year", "# not a heading", "> not a quote", "a *b* _c_", "Tom &amp; Jerry", "- item", "<b>x</b>", "[x](y)", "***", "1) x"} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, s string) {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || !strings.ContainsFunc(s, func(r rune) bool { return r > ' ' }) {
			return
		}
		got, err := r.Render(escapeMarkdown(s))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(got.Text), " ")
		if text != s && !strings.ContainsAny(s, "\"'.-\x00\ufffd") { // the typographer curls quotes and dashes
			t.Errorf("escapeMarkdown(%q) renders as %q", s, text)
		}
	})
}
