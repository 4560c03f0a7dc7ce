package markdown

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	r := New()
	tests := []struct {
		name      string
		in        string
		wantHTML  []string // substrings the HTML must contain
		avoidHTML []string // substrings it must not
		wantText  string
	}{
		{"paragraphs", "One.\n\nTwo.", []string{"<p>One.</p>", "<p>Two.</p>"}, nil, "One.\n\nTwo."},
		{"block quotes are pull quotes", "> Said it.", []string{`<blockquote class="pull-quote">`}, nil, "Said it."},
		{"script is removed", "Hi<script>alert(1)</script>", []string{"Hi"}, []string{"<script", "alert"}, "Hi"},
		{"event handlers are removed", `<img src="x.png" onerror="alert(1)">`, []string{`<img src="x.png"`}, []string{"onerror"}, ""},
		{"javascript links are removed", "[x](javascript:alert(1))", nil, []string{"javascript:"}, "x"},
		{"other classes on blockquote are dropped", `<blockquote class="evil">q</blockquote>`, nil, []string{"evil"}, "q"},
		{"entities become text", "Tom &amp; Jerry", []string{"Tom &amp; Jerry"}, nil, "Tom & Jerry"},
		{"external links get nofollow", "[a](https://example.com/)", []string{`rel="nofollow"`}, nil, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render(tt.in)
			if err != nil {
				t.Fatalf("Render(%q): %v", tt.in, err)
			}
			for _, s := range tt.wantHTML {
				if !strings.Contains(got.HTML, s) {
					t.Errorf("Render(%q).HTML = %q, want it to contain %q", tt.in, got.HTML, s)
				}
			}
			for _, s := range tt.avoidHTML {
				if strings.Contains(got.HTML, s) {
					t.Errorf("Render(%q).HTML = %q, must not contain %q", tt.in, got.HTML, s)
				}
			}
			if got.Text != tt.wantText {
				t.Errorf("Render(%q).Text = %q, want %q", tt.in, got.Text, tt.wantText)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"short text is kept", "Hello world.", 50, "Hello world."},
		{"cut at a word", "alpha beta gamma delta", 13, "alpha beta…"},
		{"whitespace collapses", "a\n\nb", 10, "a b"},
		{"runes, not bytes", "Россия и США", 8, "Россия…"},
		{"a cut at a sentence's end has no ellipsis", "One sentence. Two sentence more words", 15, "One sentence."},
	}
	for _, tt := range tests {
		if got := Excerpt(tt.in, tt.max); got != tt.want {
			t.Errorf("%s: Excerpt(%q, %d) = %q, want %q", tt.name, tt.in, tt.max, got, tt.want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"# h\n\n> q", "<script>x</script>", "[a](b)", "| a | b |\n|---|---|\n| 1 | 2 |", "x[^1]\n\n[^1]: n"} {
		f.Add(s)
	}
	r := New()
	f.Fuzz(func(t *testing.T, src string) {
		got, err := r.Render(src)
		if err != nil {
			t.Fatalf("Render(%q): %v", src, err)
		}
		if strings.Contains(strings.ToLower(got.HTML), "<script") {
			t.Errorf("Render(%q) kept a script: %q", src, got.HTML)
		}
	})
}
