package importer

import (
	"bytes"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/bylinenews/byline"
)

// HTML reads a news page saved from a site, one article per file. The
// article is found with go-readability (a port of Firefox's Reader View):
// headline, byline and publication date come from the page's metadata
// (Open Graph, JSON-LD, <meta>) and text; navigation, sidebars, widgets and
// footers are dropped. The page's canonical URL is the source URL.
type HTML struct{}

// Name implements Format.
func (HTML) Name() string { return "html" }

// Detect implements Format: an .html file, or one starting like HTML.
func (HTML) Detect(name string, head []byte) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return true
	case "":
		h := bytes.ToLower(bytes.TrimLeft(head, " \t\r\n\ufeff"))
		return bytes.HasPrefix(h, []byte("<!doctype html")) || bytes.HasPrefix(h, []byte("<html"))
	}
	return false
}

// ReadItems implements Format.
func (HTML) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	src, err := io.ReadAll(io.LimitReader(r, maxItemBytes+1))
	if err != nil {
		return &ParseError{File: name, Err: err}
	}
	it := &Item{Line: 1, Label: filepath.Base(name)}
	if len(src) > maxItemBytes {
		it.Err = byline.Errorf(byline.Invalid, "The page is larger than %d MB.", maxItemBytes>>20)
		return emit(it)
	}
	rec, notes, err := htmlArticle(src)
	it.Record, it.Notes, it.Err = rec, notes, err
	if rec != nil {
		it.Label = rec.Article.Headline
	}
	return emit(it)
}

// htmlArticle extracts the article of a page.
func htmlArticle(src []byte) (*byline.ArticleRecord, []string, error) {
	// Pages come in many charsets; the page's own <meta charset> decides.
	enc, _, _ := charset.DetermineEncoding(src, "text/html")
	utf8Src, err := enc.NewDecoder().Bytes(src)
	if err != nil || !utf8.Valid(utf8Src) {
		utf8Src = bytes.ToValidUTF8(src, []byte("\uFFFD"))
	}
	doc, err := xhtml.Parse(bytes.NewReader(utf8Src))
	if err != nil {
		return nil, nil, byline.Errorf(byline.Invalid, "The page cannot be read as HTML: %v.", err)
	}
	meta := readPageMeta(doc)
	var pageURL *url.URL
	if u, err := url.Parse(meta.url); err == nil && u.IsAbs() {
		pageURL = u
	}
	art, err := readability.FromDocument(doc, pageURL)
	if err != nil || art.Node == nil {
		return nil, nil, byline.Errorf(byline.Invalid, "No article text found in this page.")
	}
	a := &byline.Article{Status: byline.Published, SourceURL: meta.url, Dek: meta.description}
	a.Headline = plainLine(art.Title())
	if a.Headline == "" {
		a.Headline = meta.h1
	}
	if a.Headline == "" {
		return nil, nil, byline.Errorf(byline.Invalid, "The page has no headline (no <title>, og:title or <h1>).")
	}
	author := art.Byline()
	if author == "" {
		author = meta.author
	}
	a.Authors = splitAuthors(author)
	if t, err := art.PublishedTime(); err == nil {
		a.PublishedAt = t.UTC()
	} else if meta.published != "" {
		if t, err := parseDate(meta.published); err == nil {
			a.PublishedAt = t
		}
	}
	var notes []string
	if a.PublishedAt.IsZero() {
		notes = append(notes, "page without a publication date: published at the import's time")
	}
	if t, err := art.ModifiedTime(); err == nil {
		a.UpdatedAt = t.UTC()
	}
	a.CreatedAt = a.PublishedAt
	a.FeatureImageURL = art.ImageURL()
	if len(a.FeatureImageURL) > byline.MaxURLBytes {
		a.FeatureImageURL = ""
	}
	a.Tags = splitTags(strings.Join(meta.tags, ","))

	var buf bytes.Buffer
	for _, n := range unwrap(art.Node) {
		xhtml.Render(&buf, n)
	}
	body, bodyNotes := htmlBody(buf.String())
	a.Body = dropChromeBlocks(body)
	notes = append(notes, bodyNotes...)
	if err := a.Validate(); err != nil {
		return nil, notes, err
	}
	return &byline.ArticleRecord{Article: a}, notes, nil
}

// unwrap returns the children of the wrappers readability puts around an
// article (a div in a div), so that the paragraphs become blocks of their
// own.
func unwrap(n *xhtml.Node) []*xhtml.Node {
	for {
		var only *xhtml.Node
		count := 0
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.TextNode && strings.TrimSpace(c.Data) == "" {
				continue
			}
			only = c
			count++
		}
		if count != 1 || only.Type != xhtml.ElementNode {
			break
		}
		switch only.DataAtom {
		case atom.Div, atom.Article, atom.Section, atom.Main:
			n = only
			continue
		}
		break
	}
	var out []*xhtml.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, c)
	}
	return out
}

// dropChromeBlocks drops the source site's widgets ("Recent Posts",
// "Contact Us", ...) at the end of a body, if extraction left them in.
func dropChromeBlocks(body string) string {
	blocks := strings.Split(body, "\n\n")
	start := chromeStart(len(blocks), func(i int) string { return plainLine(blocks[i]) })
	return strings.Join(blocks[:start], "\n\n")
}

// pageMeta is what a page's head says about its article.
type pageMeta struct {
	url, description, author, published, h1 string
	tags                                    []string
}

// readPageMeta reads the canonical URL, description, author, date and tags
// from the page's <link> and <meta> elements, and its first <h1>.
func readPageMeta(doc *xhtml.Node) pageMeta {
	var m pageMeta
	var ogURL, canonical string
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.ElementNode {
			attrs := map[string]string{}
			for _, a := range n.Attr {
				attrs[strings.ToLower(a.Key)] = strings.TrimSpace(a.Val)
			}
			switch n.DataAtom {
			case atom.Link:
				if strings.EqualFold(attrs["rel"], "canonical") {
					canonical = attrs["href"]
				}
			case atom.Meta:
				key := strings.ToLower(attrs["property"])
				if key == "" {
					key = strings.ToLower(attrs["name"])
				}
				v := attrs["content"]
				switch key {
				case "og:url":
					ogURL = v
				case "description", "og:description":
					if m.description == "" {
						m.description = plainLine(v)
					}
				case "author", "article:author", "byl", "dc.creator":
					if m.author == "" && !strings.Contains(v, "://") {
						m.author = v
					}
				case "article:published_time", "date", "pubdate", "dc.date", "dc.date.issued", "publish-date":
					if m.published == "" {
						m.published = v
					}
				case "article:tag":
					m.tags = append(m.tags, v)
				}
			case atom.Time:
				if m.published == "" && attrs["datetime"] != "" {
					m.published = attrs["datetime"]
				}
			case atom.H1:
				if m.h1 == "" {
					m.h1 = plainLine(textOf(n))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, u := range []string{canonical, ogURL} {
		if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") {
			m.url = u
			break
		}
	}
	if len(m.url) > byline.MaxURLBytes {
		m.url = ""
	}
	if m.description != "" && utf8.RuneCountInString(m.description) > byline.MaxDekRunes {
		m.description = ""
	}
	return m
}

// textOf returns the text inside n.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		if n.Type == xhtml.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
