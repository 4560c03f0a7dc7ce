package importer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bylinenews/byline/markdown"
)

func TestParseShortcodes(t *testing.T) {
	names := map[string]bool{"gallery": true, "embed": true}
	tests := []struct {
		name, in string
		want     []shortcode
	}{
		{"attributes quoted, single-quoted, bare and flags", `a [gallery ids="1,2" columns='3' link=file hidden] b`,
			[]shortcode{{Name: "gallery", Attrs: map[string]string{"ids": "1,2", "columns": "3", "link": "file", "hidden": ""}, Start: 2, End: 50}}},
		{"content up to the closing tag", `[embed]https://youtu.be/dQw4w9WgXcQ[/embed]`,
			[]shortcode{{Name: "embed", Attrs: map[string]string{}, Content: "https://youtu.be/dQw4w9WgXcQ", Start: 0, End: 43}}},
		{"self-closing", `[gallery ids="4" /]x`, []shortcode{{Name: "gallery", Attrs: map[string]string{"ids": "4"}, Start: 0, End: 19}}},
		{"names are case-blind", `[Gallery]`, []shortcode{{Name: "gallery", Attrs: map[string]string{}, Start: 0, End: 9}}},
		{"[[escaped]] is text", `[[gallery]]`, nil},
		{"a longer name is another shortcode", `[gallery-pro ids="1"]`, nil},
		{"an unclosed tag is text", `[gallery ids="1`, nil},
		{"a bracket inside is text", `[gallery [x]`, nil},
		{"unknown names are left alone", `[sic] [1] [audio src="x"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseShortcodes(tt.in, names); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseShortcodes(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLBody_media(t *testing.T) {
	gallery := func(ids []int64) []galleryImage {
		images := map[int64]galleryImage{
			1: {URL: "https://old.example.com/a.jpg", Alt: "Crowd at the rally"},
			2: {URL: "https://old.example.com/b.jpg", Caption: "The speaker"},
		}
		if len(ids) == 0 {
			ids = []int64{1, 2}
		}
		var out []galleryImage
		for _, id := range ids {
			if im, ok := images[id]; ok {
				out = append(out, im)
			}
		}
		return out
	}
	const ytPlayer = `data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"`
	tests := []struct {
		name, in string
		want     []string // in the rendered HTML
		avoid    []string
	}{
		{"a WordPress embed block of a video",
			`<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube"} -->
<figure class="wp-block-embed is-type-video"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=dQw4w9WgXcQ
</div><figcaption>The speech in full.</figcaption></figure>
<!-- /wp:embed -->`,
			[]string{`<figure class="embed embed-youtube">`, ytPlayer, `href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"`, "<p>The speech in full.</p>"},
			[]string{"wp-block-embed", "<iframe", "wp:"}},
		{"an old core-embed block", `<!-- wp:core-embed/vimeo {"url":"https://vimeo.com/76979871"} --><figure><div>https://vimeo.com/76979871</div></figure><!-- /wp:core-embed/vimeo -->`,
			[]string{`<figure class="embed embed-vimeo">`, `data-embed="https://player.vimeo.com/video/76979871?autoplay=1&amp;dnt=1"`}, nil},
		{"an embed block of a tweet becomes a link", `<!-- wp:embed {"url":"https://twitter.com/x/status/1"} --><figure><div>https://twitter.com/x/status/1</div></figure><!-- /wp:embed -->`,
			[]string{`<a href="https://twitter.com/x/status/1" rel="nofollow">https://twitter.com/x/status/1</a>`}, []string{"embed-play", "<script"}},
		{"[embed] of a video", `<p>Before.</p>[embed width="640"]https://youtu.be/dQw4w9WgXcQ[/embed]<p>After.</p>`,
			[]string{ytPlayer, "<p>Before.</p>", "<p>After.</p>"}, []string{"[embed"}},
		{"a bare link on its own line, as WordPress embeds it", "Words.\n\nhttps://youtu.be/dQw4w9WgXcQ\n\nMore words.",
			[]string{ytPlayer, "<p>Words.</p>", "<p>More words.</p>"}, nil},
		{"a paragraph holding only a link to a video", `<p><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></p>`,
			[]string{ytPlayer}, nil},
		{"a video link inside a sentence stays a link", `<p>Watch <a href="https://youtu.be/dQw4w9WgXcQ">this</a> now.</p>`,
			[]string{`<a href="https://youtu.be/dQw4w9WgXcQ" rel="nofollow">this</a>`}, []string{"embed-play"}},
		{"a gallery by IDs", `[gallery ids="2,1"]`,
			[]string{`<figure class="gallery"><img src="https://old.example.com/b.jpg" alt="The speaker" loading="lazy"/><img src="https://old.example.com/a.jpg" alt="Crowd at the rally" loading="lazy"/></figure>`}, []string{"[gallery"}},
		{"a gallery of the post's attachments", `[gallery]`, []string{`<figure class="gallery">`, "a.jpg", "b.jpg"}, nil},
		{"a gallery of missing images stays as text", `[gallery ids="9"]`, []string{`[gallery ids=&#34;9&#34;]`}, []string{`class="gallery"`}},
		{"a plugin's [youtube] shortcode", `[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ]`, []string{ytPlayer}, nil},
	}
	r := markdown.New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, _ := htmlBodyWith(tt.in, gallery)
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
					t.Errorf("htmlBody(%q) renders as\n%s\nwhich holds %q", tt.in, out.HTML, a)
				}
			}
		})
	}
}

// FuzzShortcodes checks the shortcode parser and the media markup on any
// text: shortcodes in order, inside the text, not overlapping, and the
// body that comes out renders.
func FuzzShortcodes(f *testing.F) {
	for _, s := range []string{`[gallery ids="1,2" columns='3' link=file]`, `[embed]https://youtu.be/dQw4w9WgXcQ[/embed]`,
		`[[gallery]] [gallery /] [embed url="https://vimeo.com/1"]`, `<!-- wp:embed {"url":"https://youtu.be/dQw4w9WgXcQ"} --><figure></figure><!-- /wp:embed -->`,
		"[gallery ids=\"1\n", `[youtube dQw4w9WgXcQ][vimeo 76979871]`, `[embed][embed][/embed][/embed]`} {
		f.Add(s)
	}
	r := markdown.New()
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, sc := range parseShortcodes(s, mediaShortcodes) {
			if sc.Start < last || sc.End <= sc.Start || sc.End > len(s) || s[sc.Start] != '[' {
				t.Fatalf("parseShortcodes(%q): shortcode %+v out of place (previous ended at %d)", s, sc, last)
			}
			last = sc.End
		}
		body, _ := htmlBodyWith(s, func(ids []int64) []galleryImage {
			return []galleryImage{{URL: "/files/a.jpg", Alt: "A"}}
		})
		if _, err := r.Render(body); err != nil {
			t.Fatalf("the body of %q does not render: %v", s, err)
		}
	})
}
