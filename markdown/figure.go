package markdown

import (
	"bytes"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// CreditSeparator parts an image's caption from its credit in the Markdown
// title: ![Alt text](/files/uploads/x.jpg "Caption | Photo: Credit").
const CreditSeparator = " | "

// CreditClass is the class of the credit inside a figure's caption.
const CreditClass = "credit"

// ImageMarkdown returns the Markdown of an image standing alone, with its
// caption and credit in the title, as the figure extension reads it.
// Neither may hold a double quote or a line break; they become typographic
// quotes and spaces.
func ImageMarkdown(url, alt, caption, credit string) string {
	clean := func(s string) string {
		s = strings.Join(strings.Fields(s), " ")
		return strings.NewReplacer(`"`, "”", "|", "/", "[", "(", "]", ")").Replace(s)
	}
	alt, caption, credit = clean(alt), clean(caption), clean(credit)
	title := caption
	if credit != "" {
		title += CreditSeparator + credit
	}
	if title == "" {
		return "![" + alt + "](" + url + ")"
	}
	return "![" + alt + "](" + url + ` "` + title + `")`
}

// KindFigure is the kind of a figure node.
var KindFigure = ast.NewNodeKind("Figure")

// figure is an image alone in its paragraph with a title: rendered as a
// <figure> whose <figcaption> holds the title's caption and credit.
type figure struct {
	ast.BaseBlock
	caption, credit []byte
}

func (n *figure) Kind() ast.NodeKind { return KindFigure }

func (n *figure) Dump(source []byte, level int) {
	ast.DumpHelper(n, source, level, map[string]string{"Caption": string(n.caption), "Credit": string(n.credit)}, nil)
}

// figures turns a paragraph holding nothing but an image with a title into
// a figure.
type figures struct{}

func (figures) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var paras []*ast.Paragraph
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if p, ok := n.(*ast.Paragraph); ok && entering {
			if img, ok := p.FirstChild().(*ast.Image); ok && p.ChildCount() == 1 && len(img.Title) > 0 {
				paras = append(paras, p)
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, p := range paras {
		img := p.FirstChild().(*ast.Image)
		f := &figure{caption: img.Title}
		if i := bytes.LastIndex(img.Title, []byte(CreditSeparator)); i >= 0 {
			f.caption, f.credit = img.Title[:i], img.Title[i+len(CreditSeparator):]
		}
		img.Title = nil
		p.RemoveChild(p, img)
		f.AppendChild(f, img)
		p.Parent().ReplaceChild(p.Parent(), p, f)
	}
}

// figureRenderer writes figure nodes.
type figureRenderer struct{}

func (figureRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindFigure, func(w util.BufWriter, _ []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
		f := node.(*figure)
		if entering {
			w.WriteString("<figure>\n")
			return ast.WalkContinue, nil
		}
		w.WriteString("\n<figcaption>")
		w.Write(util.EscapeHTML(bytes.TrimSpace(f.caption)))
		if credit := bytes.TrimSpace(f.credit); len(credit) > 0 {
			if len(bytes.TrimSpace(f.caption)) > 0 {
				w.WriteString(" ")
			}
			w.WriteString(`<span class="` + CreditClass + `">`)
			w.Write(util.EscapeHTML(credit))
			w.WriteString("</span>")
		}
		w.WriteString("</figcaption>\n</figure>\n")
		return ast.WalkContinue, nil
	})
}

var _ renderer.NodeRenderer = figureRenderer{}

// placeholderAlt is the alt text the Images page used to suggest: left as
// it was, it describes nothing.
const placeholderAlt = "Describe the image"

// ImagesWithoutAlt returns the addresses of the images in src whose alt
// text is empty (or still the placeholder), in order: an article needs a
// description of every image before it is published.
// Raw HTML images are not looked at: they come from imports, not the desk.
func (r *Renderer) ImagesWithoutAlt(src string) []string {
	source := []byte(src)
	doc := r.md.Parser().Parse(text.NewReader(source))
	var missing []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		img, ok := n.(*ast.Image)
		if !ok || !entering {
			return ast.WalkContinue, nil
		}
		alt := strings.TrimSpace(string(nodeText(img, source)))
		if alt == "" || strings.EqualFold(alt, placeholderAlt) {
			missing = append(missing, string(img.Destination))
		}
		return ast.WalkSkipChildren, nil
	})
	return missing
}

// nodeText is the plain text under n.
func nodeText(n ast.Node, source []byte) []byte {
	var b bytes.Buffer
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch t := c.(type) {
			case *ast.Text:
				b.Write(t.Segment.Value(source))
			case *ast.String:
				b.Write(t.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.Bytes()
}
