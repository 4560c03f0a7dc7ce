// Package markdown renders an article's Markdown source to sanitized HTML and
// plain text. It is pure: no I/O, safe for concurrent use.
//
// Rendering happens once, when an article is saved; pages serve the stored
// HTML. The sanitizer runs after rendering, so raw HTML in the source (allowed,
// because imported WordPress posts are HTML) can never carry script.
package markdown

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// PullQuoteClass is the class every block quote gets: on a news page a
// quotation set apart from the paragraphs is a pull quote.
const PullQuoteClass = "pull-quote"

// Renderer turns Markdown into sanitized HTML. The zero value is not usable;
// call New.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer with GitHub-flavoured Markdown, typographic quotes
// and the article sanitizing policy.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM, extension.Typographer, extension.Footnote),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(pullQuotes{}, 100), util.Prioritized(figures{}, 200), util.Prioritized(embeds{}, 150))),
		// Raw HTML is passed through to the sanitizer, which decides what stays.
		goldmark.WithRendererOptions(gmhtml.WithUnsafe(),
			renderer.WithNodeRenderers(util.Prioritized(figureRenderer{}, 500), util.Prioritized(embedRenderer{}, 500))),
	)
	return &Renderer{md: md, policy: articlePolicy()}
}

// articlePolicy allows what an article body needs: text formatting, links,
// images, figures, tables, and the pull-quote class; nothing that runs.
func articlePolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowElements("figure", "figcaption", "mark", "section")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^` + PullQuoteClass + `$`)).OnElements("blockquote")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(footnotes|footnote-ref|footnote-backref)$`)).OnElements("div", "section", "sup", "ol")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(footnotes|footnote-ref|footnote-backref|embed-play)$`)).OnElements("a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(` + EmbedClass + ` ` + EmbedClass + `-(youtube|vimeo)|` + GalleryClass + `)$`)).OnElements("figure")
	p.AllowAttrs("data-embed").Matching(playerURLPattern).OnElements("a")
	p.AllowAttrs("id").Matching(regexp.MustCompile(`^fn(ref)?:?[0-9]+$`)).OnElements("li", "sup", "a")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(` + CreditClass + `|embed-label)$`)).OnElements("span")
	p.AllowAttrs("loading").Matching(regexp.MustCompile(`^lazy$`)).OnElements("img")
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	return p
}

// Rendered is the output of Render.
type Rendered struct {
	HTML string // sanitized, safe to put in a page as is
	Text string // plain text, paragraphs separated by blank lines
}

// Render converts src to sanitized HTML and plain text.
func (r *Renderer) Render(src string) (Rendered, error) {
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	var buf bytes.Buffer
	if err := r.md.Renderer().Render(&buf, source, doc); err != nil {
		return Rendered{}, fmt.Errorf("render markdown: %w", err)
	}
	clean := r.policy.SanitizeBytes(buf.Bytes())
	return Rendered{HTML: string(clean), Text: plainText(clean)}, nil
}

// Sanitize cleans HTML from outside (an imported post's body) with the same
// policy as rendered Markdown.
func (r *Renderer) Sanitize(s string) string { return r.policy.Sanitize(s) }

var (
	blockEnd = regexp.MustCompile(`(?i)</(p|h[1-6]|li|blockquote|figure|figcaption|pre|tr|table|ul|ol)>|<br\s*/?>`)
	anyTag   = regexp.MustCompile(`<[^>]*>`)
	blankRun = regexp.MustCompile(`\n{3,}`)
	spaceRun = regexp.MustCompile(`[ \t]+`)
)

// plainText turns sanitized HTML into text. The input is our own sanitizer's
// output, well-formed, so dropping tags after marking block ends is enough.
func plainText(sanitized []byte) string {
	s := blockEnd.ReplaceAllString(string(sanitized), "\n\n")
	s = anyTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = spaceRun.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	s = blankRun.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s)
}

// Excerpt returns the start of text, cut at a word boundary to at most
// maxRunes runes, with an ellipsis when cut. It uses the first paragraph
// only when that paragraph is long enough to stand alone.
func Excerpt(text string, maxRunes int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= maxRunes {
		return text
	}
	runes := []rune(text)
	cut := string(runes[:maxRunes])
	if i := strings.LastIndexByte(cut, ' '); i > maxRunes/2 {
		cut = cut[:i]
	}
	cut = strings.TrimRight(cut, " ,;:—–-")
	if strings.HasSuffix(cut, ".") || strings.HasSuffix(cut, "!") || strings.HasSuffix(cut, "?") {
		return cut // a whole sentence needs no ellipsis
	}
	return cut + "…"
}

// pullQuotes marks every block quote as a pull quote.
type pullQuotes struct{}

func (pullQuotes) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && n.Kind() == ast.KindBlockquote {
			n.SetAttributeString("class", []byte(PullQuoteClass))
		}
		return ast.WalkContinue, nil
	})
}
