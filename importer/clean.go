package importer

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// maxItemBytes bounds one item of a file (a CSV row, a WXR item, a JSON
// line): room for the largest body Byline keeps, its HTML form and the
// rest. A larger item stops the file's reading with a clear message instead
// of filling memory.
const maxItemBytes = 2*byline.MaxBodyBytes + 1<<20

// errItemTooLarge is returned by an itemLimiter past its limit.
var errItemTooLarge = byline.Errorf(byline.Invalid, "The item is larger than %d MB: no article is that large; is the file damaged?", maxItemBytes>>20)

// itemLimiter fails a read once more than maxItemBytes have been read since
// the last reset; a reader resets it at the start of each item. Readers
// buffer ahead, so the count is close, not exact.
type itemLimiter struct {
	r io.Reader
	n int64
}

func (l *itemLimiter) Read(p []byte) (int, error) {
	if l.n > maxItemBytes {
		return 0, errItemTooLarge
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

func (l *itemLimiter) reset() { l.n = 0 }

// textBody turns plain text into Markdown that reads as the same text: each
// non-empty line a paragraph, nothing taken for syntax.
func textBody(s string) string {
	var paragraphs []string
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(strings.ReplaceAll(line, "\u00a0", " "))
		if line != "" {
			paragraphs = append(paragraphs, escapeMarkdown(line))
		}
	}
	return strings.Join(paragraphs, "\n\n")
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// plainLine turns a title or excerpt that may hold tags and entities into
// one line of plain text.
func plainLine(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	s = html.UnescapeString(s)
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

var blockEndRE = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li|/h[1-6])[^>]*>`)

// plainParagraphs turns text that may hold tags and entities (a
// WordPress user's description) into plain paragraphs, one per line or
// block, within max runes (cut at a word with an ellipsis).
func plainParagraphs(s string, max int) string {
	s = tagRE.ReplaceAllString(blockEndRE.ReplaceAllString(s, "\n"), "") // inline tags join their words
	var paragraphs []string
	for line := range strings.Lines(s) {
		if line = plainLine(line); line != "" {
			paragraphs = append(paragraphs, line)
		}
	}
	out := strings.Join(paragraphs, "\n\n")
	if r := []rune(out); len(r) > max {
		cut := string(r[:max-1])
		if sp := strings.LastIndexByte(cut, ' '); sp > 0 {
			cut = cut[:sp]
		}
		out = cut + "…"
	}
	return out
}

// looksLikeHTML reports whether a body is HTML rather than plain text.
var htmlBlockRE = regexp.MustCompile(`(?i)<(p|div|br|h[1-6]|ul|ol|li|blockquote|figure|img|table|a\s)[\s/>]`)

func looksLikeHTML(s string) bool { return htmlBlockRE.MatchString(s) }

// Dates.

// dateLayouts are the forms of date the readers accept, tried in order. A
// date without a zone is UTC.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05 -0700 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	time.RFC822Z,
	time.RFC822,
	time.RFC850,
	"2006/01/02 15:04:05",
	"2006/01/02",
	"January 2, 2006",
	"2 January 2006",
	"Jan 2, 2006",
}

// parseDate reads a date in any of dateLayouts. An empty date, or
// WordPress's "0000-00-00 00:00:00", is the zero time. An impossible date
// (February 30th, month 13) is an Invalid error saying so.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, nil
	}
	impossible := false
	for _, layout := range dateLayouts {
		t, err := time.Parse(layout, s)
		if err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				impossible = true
				continue
			}
			return t.UTC(), nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			impossible = true
		}
	}
	if impossible {
		return time.Time{}, byline.Errorf(byline.Invalid, "The date %q is impossible.", s)
	}
	return time.Time{}, byline.Errorf(byline.Invalid, "The date %q is not in a form Byline reads (2006-01-02 15:04:05, or RFC 3339).", s)
}

// People and tags.

var (
	// roleWords end a fragment of a byline that is a job, not a person.
	roleWords = map[string]bool{"editor": true, "columnist": true, "producer": true, "correspondent": true,
		"reporter": true, "contributor": true, "writer": true, "photographer": true, "editor-in-chief": true,
		"anchor": true, "intern": true}
	// conjunctions start a fragment that is part of a sentence (a site's
	// slogan caught in the byline), not a name.
	conjunctions = map[string]bool{"because": true, "since": true, "when": true, "if": true, "while": true,
		"although": true, "unless": true, "where": true}
	// bylineNoise are fragments that scrapers take for names.
	bylineNoise = map[string]bool{"posted on": true, "posted by": true, "posted": true, "published": true,
		"published on": true, "updated": true, "updated on": true, "by": true, "please enter your name here": true,
		"admin": false, "staff": false, "unknown": true, "anonymous": false}
	dayOrMonth = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true,
		"friday": true, "saturday": true, "sunday": true, "january": true, "february": true, "march": true,
		"april": true, "may": true, "june": true, "july": true, "august": true, "september": true,
		"october": true, "november": true, "december": true}
	bylineSplitRE = regexp.MustCompile(`\s*(?:[,;|/]|\s+and\s+|\s+&\s+)\s*`)
	possessiveRE  = regexp.MustCompile(`(\p{L})'S\b`)
	byPrefixRE    = regexp.MustCompile(`(?i)^by\s+`)
)

// maxNameWords: a fragment longer than this is a sentence, not a name.
const maxNameWords = 8

// splitAuthors splits a byline as scrapers store it ("Jane Roe, Senior
// Columnist, John Doe") into people, leaving out job titles, dates, a
// site's slogan and placeholders, and fixing "Caroline'S Blog".
func splitAuthors(s string) []byline.Author {
	s = possessiveRE.ReplaceAllString(html.UnescapeString(s), "$1's")
	parts := bylineSplitRE.Split(strings.TrimSpace(s), -1)
	var names []string
	for _, p := range parts {
		p = strings.Trim(byPrefixRE.ReplaceAllString(strings.TrimSpace(p), ""), " \t\"")
		words := strings.Fields(p)
		if len(words) == 0 {
			continue
		}
		// "Adrienne, 'S Corner" is one name cut in two.
		if (strings.HasPrefix(p, "'s ") || strings.HasPrefix(p, "'S ")) && len(names) > 0 {
			names[len(names)-1] += "'s" + p[2:]
			continue
		}
		lower := strings.ToLower(p)
		first, last := strings.ToLower(words[0]), strings.ToLower(strings.TrimRight(words[len(words)-1], ".,!?"))
		switch {
		case bylineNoise[lower], roleWords[last], conjunctions[first], allDayOrMonth(words):
			continue
		case len(words) >= 4 && strings.ContainsAny(p[len(p)-1:], ".!?"):
			continue // a sentence
		case len(words) > maxNameWords, utf8.RuneCountInString(p) > byline.MaxNameRunes:
			continue
		case !strings.ContainsFunc(p, unicode.IsLetter):
			continue
		}
		names = append(names, p)
	}
	var authors []byline.Author
	seen := map[string]bool{}
	for _, n := range names {
		key := byline.Slugify(n)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		authors = append(authors, byline.Author{Name: n})
	}
	return authors
}

func allDayOrMonth(words []string) bool {
	for _, w := range words {
		if !dayOrMonth[strings.ToLower(strings.Trim(w, ".,"))] {
			return false
		}
	}
	return true
}

var tagSplitRE = regexp.MustCompile(`\s*[,;|]\s*`)

// splitTags splits a list of tags ("Politics, Media Bias; Russia") into
// tags, leaving out URLs, entities and other fragments without a word,
// and duplicates (by slug).
func splitTags(s string) []byline.Tag {
	var tags []byline.Tag
	seen := map[string]bool{}
	for _, p := range tagSplitRE.Split(html.UnescapeString(s), -1) {
		p = strings.TrimSpace(p)
		p = strings.TrimSpace(strings.Trim(p, `"'“”‘’`))
		switch {
		case p == "", strings.Contains(p, "://"), strings.HasPrefix(strings.ToLower(p), "www."),
			!strings.ContainsFunc(p, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }),
			utf8.RuneCountInString(p) > byline.MaxNameRunes:
			continue
		}
		key := byline.Slugify(p)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		tags = append(tags, byline.Tag{Name: p})
	}
	return tags
}

// HTML bodies.
//
// WordPress posts and saved pages are HTML. Byline keeps a body as Markdown,
// and Markdown passes raw HTML through to the sanitizer, but only whole
// blocks of it: a blank line ends an HTML block, after which "*", "_" or an
// indented line would be read as Markdown. htmlBody therefore puts every
// top-level piece in a block element (wrapping loose text in paragraphs, as
// WordPress's wpautop does) and leaves no blank line inside a block.

var (
	blockCommentRE = regexp.MustCompile(`(?s)<!--\s*/?wp:.*?-->`)
	captionRE      = regexp.MustCompile(`(?s)\[caption([^\]]*)\](.*?)\[/caption\]`)
	captionMediaRE = regexp.MustCompile(`(?s)^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$`)
	captionAttrRE  = regexp.MustCompile(`caption="([^"]*)"`)
	shortcodeRE    = regexp.MustCompile(`\[([a-zA-Z][a-zA-Z0-9_-]*)(\s[^\[\]]*)?/?\]`)
	paragraphGapRE = regexp.MustCompile(`\n[ \t]*\n\s*`)
)

// knownShortcodes are WordPress's own and the commonest plugins': counted
// even without attributes.
var knownShortcodes = map[string]bool{"gallery": true, "embed": true, "audio": true, "video": true,
	"playlist": true, "wp_caption": true, "contact-form-7": true, "youtube": true, "vimeo": true,
	"tweet": true, "soundcloud": true, "googlemaps": true, "instagram": true, "pdf-embedder": true}

// htmlBody turns an HTML body (a WordPress post's content, an extracted
// page) into Markdown source that renders as that HTML. It strips
// WordPress block comments, makes [caption] shortcodes figures, embeds
// (blocks, [embed], a video's address alone on its line) videos or links,
// and returns a note for each other shortcode, left as text.
func htmlBody(s string) (string, []string) { return htmlBodyWith(s, nil) }

// htmlBodyWith is htmlBody with the images of [gallery] shortcodes.
func htmlBodyWith(s string, gallery galleryLookup) (string, []string) {
	s = mediaMarkup(s, gallery)
	s = blockCommentRE.ReplaceAllString(s, "")
	s = captionRE.ReplaceAllStringFunc(s, captionFigure)
	var notes []string
	for _, m := range shortcodeRE.FindAllStringSubmatch(s, -1) {
		name := strings.ToLower(m[1])
		if knownShortcodes[name] || strings.Contains(m[2], "=") || strings.Contains(s, "[/"+m[1]+"]") {
			notes = append(notes, fmt.Sprintf("shortcode [%s] left as text", name))
		}
	}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "body", DataAtom: atom.Body})
	if err != nil {
		// The tokenizer reads anything; this is a reader's error only.
		return textBody(plainLine(s)), notes
	}
	var (
		blocks []string
		para   []*xhtml.Node
	)
	flush := func() {
		if v, ok := videoLine(para); ok {
			blocks = append(blocks, v)
		} else if p := paragraph(para); p != "" {
			blocks = append(blocks, p)
		}
		para = para[:0]
	}
	for _, n := range nodes {
		switch {
		case n.Type == xhtml.CommentNode, n.Type == xhtml.DoctypeNode:
			continue
		case n.Type == xhtml.TextNode:
			// A blank line in loose text ends a paragraph.
			pieces := paragraphGapRE.Split(n.Data, -1)
			for i, piece := range pieces {
				if i > 0 {
					flush()
				}
				para = append(para, &xhtml.Node{Type: xhtml.TextNode, Data: piece})
			}
		case n.Type == xhtml.ElementNode && isBlock(n.DataAtom):
			flush()
			if v, ok := videoLine(children(n)); ok && n.DataAtom == atom.P {
				blocks = append(blocks, v)
				continue
			}
			blocks = append(blocks, renderBlock(n))
		default:
			para = append(para, n)
		}
	}
	flush()
	return strings.Join(blocks, "\n\n"), notes
}

// videoLine reports whether nodes are nothing but a video's address (as
// text, or a link whose text is its address), as WordPress embeds one on a
// line of its own, and returns it as a Markdown autolink, which the
// renderer makes an embed.
func videoLine(nodes []*xhtml.Node) (string, bool) {
	var target string
	for _, n := range nodes {
		switch {
		case n.Type == xhtml.TextNode && strings.TrimSpace(n.Data) == "":
		case target != "":
			return "", false
		case n.Type == xhtml.TextNode:
			target = strings.TrimSpace(n.Data)
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.A:
			kids := children(n)
			if len(kids) != 1 || kids[0].Type != xhtml.TextNode || strings.TrimSpace(kids[0].Data) != attrOf(n, "href") {
				return "", false
			}
			target = attrOf(n, "href")
		default:
			return "", false
		}
	}
	v, ok := markdown.ParseVideo(target)
	if !ok || strings.ContainsAny(target, " \t\n") {
		return "", false
	}
	return "<" + v.WatchURL() + ">", true
}

// children lists n's child nodes.
func children(n *xhtml.Node) []*xhtml.Node {
	var out []*xhtml.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

// attrOf is the value of n's attribute key, or "".
func attrOf(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return strings.TrimSpace(a.Val)
		}
	}
	return ""
}

// captionFigure turns [caption ...]<img ...> Words[/caption] into a figure.
func captionFigure(sc string) string {
	m := captionRE.FindStringSubmatch(sc)
	attrs, inner := m[1], m[2]
	media, caption := inner, ""
	if mm := captionMediaRE.FindStringSubmatch(inner); mm != nil {
		media, caption = mm[1], strings.TrimSpace(mm[2])
	}
	if caption == "" {
		if am := captionAttrRE.FindStringSubmatch(attrs); am != nil {
			caption = am[1]
		}
	}
	if caption == "" {
		return "<figure>" + media + "</figure>"
	}
	return "<figure>" + media + "<figcaption>" + caption + "</figcaption></figure>"
}

// isBlock reports whether an element starts an HTML block in Markdown
// (CommonMark's HTML blocks of kinds 1 and 6).
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Center, atom.Details, atom.Dialog,
		atom.Dd, atom.Div, atom.Dl, atom.Dt, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer,
		atom.Form, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Hr, atom.Iframe,
		atom.Li, atom.Main, atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Section, atom.Summary, atom.Table,
		atom.Ul, atom.Pre, atom.Script, atom.Style, atom.Textarea:
		return true
	}
	return false
}

// paragraph renders loose inline nodes as a paragraph, a single line break
// in their text becoming <br> as in WordPress; "" if there is nothing but
// space.
func paragraph(nodes []*xhtml.Node) string {
	var b strings.Builder
	for _, n := range nodes {
		if n.Type == xhtml.TextNode {
			lines := strings.Split(n.Data, "\n")
			for i, l := range lines {
				if i > 0 && strings.TrimSpace(b.String()) != "" {
					b.WriteString("<br>\n")
				}
				b.WriteString(html.EscapeString(l))
			}
			continue
		}
		if n.Type != xhtml.ElementNode {
			continue
		}
		b.WriteString(renderBlock(n))
	}
	inner := strings.TrimSpace(b.String())
	inner = strings.TrimSuffix(inner, "<br>")
	if inner == "" || !hasContent(nodes) {
		return ""
	}
	return "<p>" + strings.TrimSpace(inner) + "</p>"
}

// hasContent reports whether nodes hold text or an element (an image).
func hasContent(nodes []*xhtml.Node) bool {
	for _, n := range nodes {
		if n.Type == xhtml.ElementNode || (n.Type == xhtml.TextNode && strings.TrimSpace(n.Data) != "") {
			return true
		}
	}
	return false
}

// renderBlock renders n as HTML with no blank line in it: a blank line would
// end the HTML block in Markdown. Inside <pre> an empty line matters, so it
// keeps a space, written as an entity so that Markdown sees a character.
func renderBlock(n *xhtml.Node) string {
	var buf bytes.Buffer
	if err := xhtml.Render(&buf, n); err != nil {
		return ""
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) == "" && i > 0 && i < len(lines)-1 {
			lines[i] = "&#32;"
		}
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}
