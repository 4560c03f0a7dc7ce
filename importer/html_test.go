package importer

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

func TestHTML_Read(t *testing.T) {
	t.Run("a saved news page", func(t *testing.T) {
		items, err := readItems(t, HTML{}, "testdata/html/news-page.html")
		if err != nil || len(items) != 1 || items[0].Err != nil {
			t.Fatalf("read: %v, %+v", err, items)
		}
		a := items[0].Record.Article
		if a.Headline != "Russian, US Relationship In Syria Remains Complicated" {
			t.Errorf("headline = %q, want it without the site's name", a.Headline)
		}
		if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Jane Doe", "John Smith"}) {
			t.Errorf("authors = %q", got)
		}
		if want := time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC); !a.PublishedAt.Equal(want) {
			t.Errorf("published %v, want %v", a.PublishedAt, want)
		}
		if a.SourceURL != "https://news.example.com/2015/10/russian-us-relationship-in-syria-remains-complicated/" {
			t.Errorf("source URL = %q, want the canonical URL", a.SourceURL)
		}
		if a.FeatureImageURL != "https://news.example.com/img/syria.jpg" || a.Dek == "" {
			t.Errorf("image %q, dek %q", a.FeatureImageURL, a.Dek)
		}
		if got := names(a.Tags); !reflect.DeepEqual(got, []string{"Syria", "Russia"}) {
			t.Errorf("tags = %q", got)
		}
		r, err := markdown.New().Render(a.Body)
		if err != nil {
			t.Fatal(err)
		}
		paragraphs := strings.Split(r.Text, "\n\n")
		if len(paragraphs) != 7 || !strings.HasPrefix(paragraphs[0], "With Russia’s increased involvement") ||
			!strings.HasPrefix(paragraphs[6], "However, Bloomberg News reported today") {
			t.Errorf("body has %d paragraphs, want the seed's 7:\n%s", len(paragraphs), r.Text)
		}
		for _, chrome := range []string{"Recent Posts", "Contact Us", "Drop us a note", "Not readable", "Start typing", "Share on", "Politics", "All rights reserved"} {
			if strings.Contains(r.Text, chrome) {
				t.Errorf("body keeps the page's chrome %q", chrome)
			}
		}
	})
	t.Run("a page in Latin-1", func(t *testing.T) {
		items, err := readItems(t, HTML{}, "testdata/html/latin1-page.html")
		if err != nil || items[0].Err != nil {
			t.Fatalf("read: %v %v", err, items[0].Err)
		}
		a := items[0].Record.Article
		if a.Headline != "Café owners protest" || !strings.Contains(a.Body, "cafés") {
			t.Errorf("headline %q, body %.60q: want the text decoded", a.Headline, a.Body)
		}
		if got := names(a.Authors); !reflect.DeepEqual(got, []string{"Renée Dupont"}) {
			t.Errorf("authors = %q", got)
		}
	})
	t.Run("a page with no article", func(t *testing.T) {
		items, err := readItems(t, HTML{}, "testdata/html/no-article.html")
		if err != nil || len(items) != 1 || items[0].Err == nil || byline.ErrorKind(items[0].Err) != byline.Invalid {
			t.Errorf("items %+v, %v; want one bad item", items, err)
		}
	})
}

func TestHTMLBody(t *testing.T) {
	r := markdown.New()
	tests := []struct {
		name, in string
		want     []string // in the rendered HTML
		avoid    []string
		notes    int
	}{
		{"block comments go", "<!-- wp:paragraph -->\n<p>Hello</p>\n<!-- /wp:paragraph -->", []string{"<p>Hello</p>"}, []string{"wp:"}, 0},
		{"loose text becomes paragraphs", "One.\n\nTwo\nlines.", []string{"<p>One.</p>", "<p>Two<br>\nlines.</p>"}, nil, 0},
		{"Markdown characters in HTML stay text", "<p>1. not a list * and _ and # no heading</p>\n\n    <p>indented, no code</p>", []string{"1. not a list * and _ and # no heading", "<p>indented, no code</p>"}, []string{"<ol>", "<em>", "<code>"}, 0},
		{"a blank line inside pre survives", "<div><pre>a\n\nb</pre></div>", []string{"<pre>a\n \nb</pre>"}, nil, 0},
		{"caption with a link", `[caption id="x" width="300"]<a href="/big.jpg"><img src="/s.jpg" alt=""></a> A caption[/caption]`, []string{"<figure><a href=\"/big.jpg\"", "<figcaption>A caption</figcaption>"}, nil, 0},
		{"old caption attribute", `[caption caption="Old style"]<img src="/s.jpg">[/caption]`, []string{"<figcaption>Old style</figcaption>"}, nil, 0},
		{"shortcodes counted, brackets in prose not", "[audio src=\"https://v.example/1.mp3\"] [sic] [1] [contact-form-7 id=\"3\"]", []string{"[sic]"}, nil, 2},
		{"an embed of a page becomes a link", "[embed]https://v.example/1[/embed]", []string{`<p><a href="https://v.example/1" rel="nofollow">https://v.example/1</a></p>`}, []string{"[embed", "<iframe"}, 0},
		{"script is dropped by the sanitizer", "<p>Hi</p><script>alert(1)</script>", []string{"<p>Hi</p>"}, []string{"alert"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, notes := htmlBody(tt.in)
			out, err := r.Render(body)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.HTML, w) {
					t.Errorf("htmlBody(%q) renders as\n%s\nwant %q (body %q)", tt.in, out.HTML, w, body)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(out.HTML, a) {
					t.Errorf("htmlBody(%q) renders as\n%s\nwith %q", tt.in, out.HTML, a)
				}
			}
			if len(notes) != tt.notes {
				t.Errorf("notes = %q, want %d", notes, tt.notes)
			}
		})
	}
}
