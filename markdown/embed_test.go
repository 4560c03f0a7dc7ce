package markdown

import (
	"strings"
	"testing"
)

func TestParseVideo(t *testing.T) {
	tests := []struct {
		in       string
		provider string // "" when not a video
		id       string
	}{
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"},
		{"http://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42", "youtube", "dQw4w9WgXcQ"},
		{"https://youtu.be/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"},
		{"https://www.youtube.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"},
		{"https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"},
		{"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "youtube", "dQw4w9WgXcQ"},
		{"https://vimeo.com/76979871", "vimeo", "76979871"},
		{"https://vimeo.com/channels/staffpicks/76979871", "vimeo", "76979871"},
		{"https://player.vimeo.com/video/76979871", "vimeo", "76979871"},
		{"https://www.youtube.com/watch?v=short", "", ""},
		{"https://www.youtube.com/watch?v=dQw4w9WgXcQ%22onload", "", ""},
		{"https://www.youtube.com/channel/UC123", "", ""},
		{"https://vimeo.com/about", "", ""},
		{"https://notyoutube.com/watch?v=dQw4w9WgXcQ", "", ""},
		{"javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ", "", ""},
	}
	for _, tt := range tests {
		v, ok := ParseVideo(tt.in)
		if ok != (tt.provider != "") || v.Provider != tt.provider || v.ID != tt.id {
			t.Errorf("ParseVideo(%q) = %+v, %v; want %s %s", tt.in, v, ok, tt.provider, tt.id)
		}
	}
}

func TestRender_embeds(t *testing.T) {
	r := New()
	tests := []struct {
		name, in string
		want     []string
		avoid    []string
	}{
		{"a bare address on its line is a link to the video, no player", "https://youtu.be/dQw4w9WgXcQ",
			[]string{`<figure class="embed embed-youtube">`, `<a class="embed-play" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" data-embed="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"`, `<span class="embed-label">Play the video on YouTube</span>`},
			[]string{"<iframe", "<img", "ytimg"}},
		{"a poster linked to the video", `[![Still from the video](/files/uploads/0123456789abcdef0123456789abcdef-480.jpg "The speech")](https://vimeo.com/76979871)`,
			[]string{`<figure class="embed embed-vimeo">`, `<img src="/files/uploads/0123456789abcdef0123456789abcdef-480.jpg" alt="Still from the video" loading="lazy">`, "<figcaption>The speech</figcaption>"}, nil},
		{"an address in a sentence stays a link", "See https://youtu.be/dQw4w9WgXcQ now.", []string{`<a href="https://youtu.be/dQw4w9WgXcQ"`}, []string{"embed-play"}},
		{"a link with words stays a link", "[the speech](https://youtu.be/dQw4w9WgXcQ)", []string{">the speech</a>"}, []string{"embed-play"}},
		{"raw HTML cannot forge a player address", `<a class="embed-play" href="https://evil.example/" data-embed="https://evil.example/player">x</a>`,
			[]string{`<a class="embed-play" href="https://evil.example/"`}, []string{"data-embed", "evil.example/player"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Render(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.HTML, w) {
					t.Errorf("Render(%q) =\n%s\nwant %q", tt.in, out.HTML, w)
				}
			}
			for _, a := range tt.avoid {
				if strings.Contains(out.HTML, a) {
					t.Errorf("Render(%q) =\n%s\nholds %q", tt.in, out.HTML, a)
				}
			}
		})
	}
}
