package markdown

import (
	"slices"
	"strings"
	"testing"
)

func TestRender_figures(t *testing.T) {
	r := New()
	tests := []struct {
		name      string
		in        string
		wantHTML  []string
		avoidHTML []string
	}{
		{"an image with a caption and credit is a figure",
			`![Delegates at the door](/files/uploads/a-960.jpg "Delegates arrive on Monday. | Photo: Jane Doe")`,
			[]string{"<figure>", `<img src="/files/uploads/a-960.jpg" alt="Delegates at the door"`,
				`<figcaption>Delegates arrive on Monday. <span class="credit">Photo: Jane Doe</span></figcaption>`},
			[]string{"<p><img", `title=`}},
		{"a caption alone", `![A](/x.png "Only a caption")`, []string{"<figcaption>Only a caption</figcaption>"}, []string{"credit"}},
		{"an image without a title stays inline", `![A](/x.png)`, []string{`<p><img src="/x.png" alt="A"`}, []string{"<figure>"}},
		{"an image inside text stays inline", `See ![A](/x.png "t") here`, []string{"<p>See <img"}, []string{"<figure>"}},
		{"the caption is escaped", `![A](/x.png "<b>bold</b> | <i>c</i>")`, []string{"&lt;b&gt;bold&lt;/b&gt;"}, []string{"<b>bold"}},
		{"other classes on span are dropped", `<span class="evil">x</span>`, nil, []string{"evil"}},
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
		})
	}
}

func TestImageMarkdown(t *testing.T) {
	tests := []struct {
		name                      string
		url, alt, caption, credit string
		want                      string
	}{
		{"all parts", "/u.jpg", "Alt", "Cap", "Photo: X", `![Alt](/u.jpg "Cap | Photo: X")`},
		{"no title", "/u.jpg", "Alt", "", "", `![Alt](/u.jpg)`},
		{"quotes and brackets cannot break out", "/u.jpg", "a]b", `say "hi"`, "x|y", `![a)b](/u.jpg "say ”hi” | x/y")`},
		{"line breaks become spaces", "/u.jpg", "a\nb", "c\n\nd", "", `![a b](/u.jpg "c d")`},
	}
	r := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ImageMarkdown(tt.url, tt.alt, tt.caption, tt.credit)
			if got != tt.want {
				t.Errorf("ImageMarkdown(%q, %q, %q, %q) = %q, want %q", tt.url, tt.alt, tt.caption, tt.credit, got, tt.want)
			}
			// What it writes reads back as a figure with that caption.
			out, err := r.Render(got)
			if err != nil {
				t.Fatal(err)
			}
			if tt.caption != "" && !strings.Contains(out.HTML, "<figcaption>") {
				t.Errorf("Render(%q) = %q, want a figure", got, out.HTML)
			}
		})
	}
}

func TestImagesWithoutAlt(t *testing.T) {
	r := New()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"described images pass", "![A cat](/a.png) and ![A dog](/b.png \"cap\")", nil},
		{"empty alt", "Text\n\n![](/a.png)\n\n![ok](/b.png)\n\n![ ](/c.png)", []string{"/a.png", "/c.png"}},
		{"the old placeholder counts as none", "![Describe the image](/a.png)", []string{"/a.png"}},
		{"alt with emphasis counts", "![*Big* cat](/a.png)", nil},
		{"no images", "Just text.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.ImagesWithoutAlt(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("ImagesWithoutAlt(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
