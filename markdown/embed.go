package markdown

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Video is a video on YouTube or Vimeo, as a link to it names it.
//
// Byline never puts the provider's player in a page: an embedded video is
// a link (with a local poster image when the import could copy one, else a
// plain styled box) that a small script turns into the player, from the
// provider's privacy-preserving host, only when the reader clicks it.
// Without JavaScript the link simply opens the video.
type Video struct {
	Provider string // "youtube" or "vimeo"
	ID       string
}

var (
	youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID   = regexp.MustCompile(`^[0-9]{1,12}$`)
)

// ParseVideo recognises the address of a YouTube or Vimeo video:
// youtube.com/watch?v=ID, youtu.be/ID, youtube.com/embed/ID or /shorts/ID,
// youtube-nocookie.com/embed/ID, vimeo.com/ID, vimeo.com/channels/NAME/ID
// and player.vimeo.com/video/ID, over http or https.
func ParseVideo(raw string) (Video, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return Video{}, false
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	host = strings.TrimPrefix(host, "m.")
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	var v Video
	switch host {
	case "youtube.com", "youtube-nocookie.com":
		v.Provider = "youtube"
		switch {
		case len(parts) == 1 && parts[0] == "watch":
			v.ID = u.Query().Get("v")
		case len(parts) == 2 && (parts[0] == "embed" || parts[0] == "shorts" || parts[0] == "v" || parts[0] == "live"):
			v.ID = parts[1]
		}
	case "youtu.be":
		v.Provider = "youtube"
		if len(parts) == 1 {
			v.ID = parts[0]
		}
	case "vimeo.com":
		v.Provider = "vimeo"
		switch {
		case len(parts) == 1:
			v.ID = parts[0]
		case len(parts) == 3 && parts[0] == "channels":
			v.ID = parts[2]
		}
	case "player.vimeo.com":
		v.Provider = "vimeo"
		if len(parts) == 2 && parts[0] == "video" {
			v.ID = parts[1]
		}
	default:
		return Video{}, false
	}
	if (v.Provider == "youtube" && !youtubeID.MatchString(v.ID)) || (v.Provider == "vimeo" && !vimeoID.MatchString(v.ID)) {
		return Video{}, false
	}
	return v, true
}

// WatchURL is the video's own page, where the link goes without JavaScript.
func (v Video) WatchURL() string {
	if v.Provider == "vimeo" {
		return "https://vimeo.com/" + v.ID
	}
	return "https://www.youtube.com/watch?v=" + v.ID
}

// PlayerURL is the player the script loads after a click: YouTube's
// no-cookie host, Vimeo's player with do-not-track.
func (v Video) PlayerURL() string {
	if v.Provider == "vimeo" {
		return "https://player.vimeo.com/video/" + v.ID + "?autoplay=1&dnt=1"
	}
	return "https://www.youtube-nocookie.com/embed/" + v.ID + "?autoplay=1"
}

// PosterURL is a still of the video an import may copy in as its poster,
// or "" when the provider has none at a fixed address (Vimeo).
func (v Video) PosterURL() string {
	if v.Provider == "youtube" {
		return "https://i.ytimg.com/vi/" + v.ID + "/hqdefault.jpg"
	}
	return ""
}

// ProviderName is the provider as a reader knows it.
func (v Video) ProviderName() string {
	if v.Provider == "vimeo" {
		return "Vimeo"
	}
	return "YouTube"
}

// EmbedClass is the class of an embedded video's figure; the figure also
// has EmbedClass + "-" + the provider.
const EmbedClass = "embed"

// PosterAlt is the alt text of a poster an import copies in.
const PosterAlt = "Still from the video"

// PosterMarkdown returns the Markdown of a video with a poster: the image,
// linked to the video, alone in its paragraph.
func PosterMarkdown(v Video, posterURL string) string {
	return "[![" + PosterAlt + "](" + posterURL + ")](" + v.WatchURL() + ")"
}

// playerURLPattern matches what PlayerURL makes, for the sanitizer.
var playerURLPattern = regexp.MustCompile(`^https://(www\.youtube-nocookie\.com/embed/[A-Za-z0-9_-]{11}\?autoplay=1|player\.vimeo\.com/video/[0-9]{1,12}\?autoplay=1&dnt=1)$`)

// KindEmbed is the kind of an embedded video's node.
var KindEmbed = ast.NewNodeKind("Embed")

// embed is a video link alone in its paragraph: a bare address, or an
// image (the poster) linked to the video.
type embed struct {
	ast.BaseBlock
	video                Video
	poster, alt, caption []byte
}

func (n *embed) Kind() ast.NodeKind { return KindEmbed }

func (n *embed) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Video": n.video.Provider + ":" + n.video.ID, "Poster": string(n.poster)}, nil)
}

// embeds turns a paragraph holding nothing but a link to a video (its
// address as its text, or a poster image) into an embed.
type embeds struct{}

func (embeds) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	type found struct {
		p *ast.Paragraph
		e *embed
	}
	var list []found
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		p, ok := n.(*ast.Paragraph)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		if e := embedOf(p, source); e != nil {
			list = append(list, found{p, e})
		}
		return ast.WalkSkipChildren, nil
	})
	for _, f := range list {
		f.p.Parent().ReplaceChild(f.p.Parent(), f.p, f.e)
	}
}

// embedOf returns the embed a paragraph is, or nil.
func embedOf(p *ast.Paragraph, source []byte) *embed {
	child := p.FirstChild()
	if child == nil {
		return nil
	}
	// A line may end in spaces the parser kept as a text node.
	if last := p.LastChild(); last != child {
		if t, ok := last.(*ast.Text); !ok || len(bytes.TrimSpace(t.Segment.Value(source))) > 0 || last.PreviousSibling() != child {
			return nil
		}
	}
	switch c := child.(type) {
	case *ast.AutoLink:
		if v, ok := ParseVideo(string(c.URL(source))); ok {
			return &embed{video: v}
		}
	case *ast.Link:
		v, ok := ParseVideo(string(c.Destination))
		if !ok {
			return nil
		}
		if img, ok := c.FirstChild().(*ast.Image); ok && c.ChildCount() == 1 {
			return &embed{video: v, poster: img.Destination, alt: nodeText(img, source), caption: img.Title}
		}
		if strings.TrimSpace(string(nodeText(c, source))) == strings.TrimSpace(string(c.Destination)) {
			return &embed{video: v}
		}
	}
	return nil
}

// embedRenderer writes embed nodes.
type embedRenderer struct{}

func (embedRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindEmbed, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		e := node.(*embed)
		w.WriteString(`<figure class="` + EmbedClass + " " + EmbedClass + "-" + e.video.Provider + `">` + "\n")
		w.WriteString(`<a class="embed-play" href="`)
		w.Write(util.EscapeHTML([]byte(e.video.WatchURL())))
		w.WriteString(`" data-embed="`)
		w.Write(util.EscapeHTML([]byte(e.video.PlayerURL())))
		w.WriteString(`">`)
		if len(e.poster) > 0 {
			w.WriteString(`<img src="`)
			w.Write(util.EscapeHTML(util.URLEscape(e.poster, true)))
			w.WriteString(`" alt="`)
			w.Write(util.EscapeHTML(e.alt))
			w.WriteString(`" loading="lazy">`)
		}
		w.WriteString(`<span class="embed-label">Play the video on ` + e.video.ProviderName() + `</span></a>`)
		if caption := bytes.TrimSpace(e.caption); len(caption) > 0 {
			w.WriteString("\n<figcaption>")
			w.Write(util.EscapeHTML(caption))
			w.WriteString("</figcaption>")
		}
		w.WriteString("\n</figure>\n")
		return ast.WalkSkipChildren, nil
	})
}

var _ renderer.NodeRenderer = embedRenderer{}

// GalleryClass is the class of a gallery's figure: images side by side.
const GalleryClass = "gallery"
