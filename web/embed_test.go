package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
)

// An article with a video shows it as a link (the player only after a
// click, via embed.js), and no public page asks for anything from another
// host: the CSP's img-src has no https: wildcard and only the players may
// be framed.
func TestEmbeddedVideo(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	video := s.add(t, "The speech", t0.Add(-time.Hour), func(a *byline.Article) {
		a.Body = "The minister spoke.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nThen she left."
	})
	plain := s.add(t, "No video", t0.Add(-2*time.Hour))

	doc := s.page(t, video.URL(), http.StatusOK)
	link := doc.Find(".article__body figure.embed a.embed-play")
	if link.Length() != 1 {
		t.Fatalf("the article has %d video links, want 1", link.Length())
	}
	if href, _ := link.Attr("href"); href != "https://www.youtube.com/watch?v=dQw4w9WgXcQ" {
		t.Errorf("without JavaScript the video is a link to %q, want the video's page", href)
	}
	if player, _ := link.Attr("data-embed"); player != "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1" {
		t.Errorf("player = %q, want YouTube's no-cookie host", player)
	}
	if doc.Find("iframe").Length() != 0 {
		t.Error("the page holds an iframe before any click")
	}
	var scripts []string
	doc.Find("script[src]").Each(func(_ int, sel *goquery.Selection) { src, _ := sel.Attr("src"); scripts = append(scripts, src) })
	if !strings.Contains(strings.Join(scripts, " "), "/embed.") {
		t.Errorf("scripts %q lack embed.js", scripts)
	}
	for _, attr := range []string{"src", "srcset", "href"} {
		doc.Find("img, script, link[rel=stylesheet], iframe").Each(func(_ int, sel *goquery.Selection) {
			if v, ok := sel.Attr(attr); ok && (strings.HasPrefix(v, "http") || strings.HasPrefix(v, "//")) {
				t.Errorf("the page loads %s from another host", v)
			}
		})
	}
	doc = s.page(t, plain.URL(), http.StatusOK)
	if doc.Find(`script[src*="/embed."]`).Length() != 0 {
		t.Error("an article without a video loads embed.js")
	}

	csp := s.get(t, video.URL()).Header.Get("Content-Security-Policy")
	var imgSrc, frameSrc string
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		if v, ok := strings.CutPrefix(d, "img-src "); ok {
			imgSrc = v
		}
		if v, ok := strings.CutPrefix(d, "frame-src "); ok {
			frameSrc = v
		}
	}
	if imgSrc != "'self' data:" {
		t.Errorf("img-src = %q, want only 'self' data: (imported images are copied in)", imgSrc)
	}
	if frameSrc != "https://www.youtube-nocookie.com https://player.vimeo.com" {
		t.Errorf("frame-src = %q, want the two players' privacy-preserving hosts", frameSrc)
	}
}
