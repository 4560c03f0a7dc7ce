package importer

import (
	"bufio"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// Writer writes a site's articles in an export format.
type Writer interface {
	// WriteSections adds the site's sections, before any article.
	WriteSections(sections []*byline.Section) error
	// WriteAuthors adds the profiles of the site's authors that have one,
	// before any article.
	WriteAuthors(authors []*byline.Author) error
	// WritePage adds a static page, parents before the pages under them.
	WritePage(rec *byline.PageRecord) error
	// Write adds one article.
	Write(rec *byline.ArticleRecord) error
	// Close finishes the file. It does not close the underlying writer.
	Close() error
}

// Site is what an export says about the site itself.
type Site struct {
	Title       string
	Description string
	BaseURL     string    // e.g. https://news.example.com, no slash at the end
	Now         time.Time // the export's time; time.Now when zero
}

// Source is what ExportSite reads: a site's services. Sections and Pages
// may be nil.
type Source struct {
	Articles byline.ArticleService
	Sections byline.SectionService
	Pages    byline.PageService
	Authors  byline.AuthorService
}

// ExportSite writes the whole site to w, its structure first (sections,
// authors' profiles, then pages), then every article, and returns how many articles it wrote. It does not
// close w.
func ExportSite(ctx context.Context, src Source, w Writer) (int, error) {
	if src.Sections != nil {
		sections, err := src.Sections.List(ctx)
		if err != nil {
			return 0, err
		}
		if err := w.WriteSections(sections); err != nil {
			return 0, err
		}
	}
	if src.Authors != nil {
		var profiles []*byline.Author
		for offset := 0; ; offset += 500 {
			list, _, err := src.Authors.Find(ctx, byline.AuthorFilter{Limit: 500, Offset: offset})
			if err != nil {
				return 0, err
			}
			for _, au := range list {
				if au.HasProfile() {
					profiles = append(profiles, au)
				}
			}
			if len(list) < 500 {
				break
			}
		}
		if err := w.WriteAuthors(profiles); err != nil {
			return 0, err
		}
	}
	if src.Pages != nil {
		if err := src.Pages.Export(ctx, w.WritePage); err != nil {
			return 0, err
		}
	}
	n := 0
	err := src.Articles.Export(ctx, func(rec *byline.ArticleRecord) error {
		n++
		return w.Write(rec)
	})
	return n, err
}

// ExportFormats are the formats NewWriter writes.
var ExportFormats = []string{"jsonl", "wxr"}

// NewWriter returns a writer of the named format to w.
func NewWriter(format string, w io.Writer, site Site) (Writer, error) {
	switch format {
	case "jsonl":
		return NewJSONLWriter(w), nil
	case "wxr":
		return NewWXRWriter(w, site)
	}
	return nil, byline.Errorf(byline.Invalid, "Unknown export format %q: use jsonl or wxr.", format)
}

// WXRWriter writes a WordPress export file (WXR 1.2) that WordPress's
// importer reads: the authors and tags first, then a post per article, with
// an attachment item for its feature image. Each post also carries the
// article's exact JSON-lines record, so that Byline can import the file
// back without loss.
//
// WordPress wants the authors before the posts, so the posts are written to
// a temporary file until Close.
type WXRWriter struct {
	out     io.Writer
	site    Site
	tmp     *os.File
	buf     *bufio.Writer
	authors []byline.Author // by first appearance
	tags    []byline.Tag
	seen    map[string]bool
	// sections are the site's, written as the channel's categories; an
	// article's section that is not among them is added.
	sections []*byline.Section
	// profiles are the authors' profiles, by slug, written with the
	// channel's authors.
	profiles map[string]*byline.Author
}

// attachmentIDs puts attachment posts in an ID range of their own.
const attachmentIDs = 1_000_000_000

// NewWXRWriter returns a writer to w. Call Close to write the file.
func NewWXRWriter(w io.Writer, site Site) (*WXRWriter, error) {
	tmp, err := os.CreateTemp("", "byline-export-*.xml")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if site.Now.IsZero() {
		site.Now = time.Now()
	}
	site.BaseURL = strings.TrimRight(site.BaseURL, "/")
	return &WXRWriter{out: w, site: site, tmp: tmp, buf: bufio.NewWriterSize(tmp, 64<<10), seen: map[string]bool{}}, nil
}

// WriteSections keeps the sections for the channel's categories, parents
// before their subsections, as WordPress's importer wants them.
func (x *WXRWriter) WriteSections(sections []*byline.Section) error {
	ordered, _ := byline.SectionTree(sections)
	for _, sec := range ordered {
		if !x.seen["s:"+sec.Slug] {
			x.seen["s:"+sec.Slug] = true
			x.sections = append(x.sections, sec)
		}
	}
	return nil
}

// WriteAuthors keeps the authors' profiles for the channel's wp:author
// elements: the bio as wp:author_description, the rest as Byline's own
// wp:author_byline_profile. Every author with a profile is written, with
// articles or not.
func (x *WXRWriter) WriteAuthors(authors []*byline.Author) error {
	if x.profiles == nil {
		x.profiles = map[string]*byline.Author{}
	}
	for _, au := range authors {
		x.profiles[au.Slug] = au
		if !x.seen["a:"+au.Slug] {
			x.seen["a:"+au.Slug] = true
			x.authors = append(x.authors, byline.Author{Slug: au.Slug, Name: au.Name})
		}
	}
	return nil
}

// pageIDs puts page posts in an ID range of their own.
const pageIDs = 2_000_000_000

// WritePage adds a page item, with its exact JSON-lines record for Byline.
func (x *WXRWriter) WritePage(rec *byline.PageRecord) error {
	p := rec.Page
	saved, err := json.Marshal(toJSONPage(rec))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	status := "draft"
	if p.Status == byline.Published {
		status = "publish"
	}
	title, content := xmlSafe(p.Title), xmlSafe(p.BodyHTML)
	guid := strings.TrimPrefix(rec.ImportKey, "wxr:")
	if guid == rec.ImportKey {
		guid = x.site.BaseURL + "/?page_id=" + strconv.FormatInt(pageIDs+p.ID, 10)
	}
	parent := "0"
	if p.ParentID != 0 {
		parent = strconv.FormatInt(pageIDs+p.ParentID, 10)
	}
	b := x.buf
	b.WriteString("\t<item>\n")
	element(b, "title", title)
	element(b, "link", x.site.BaseURL+p.URL())
	element(b, "pubDate", p.CreatedAt.UTC().Format(time.RFC1123Z))
	cdata(b, "dc:creator", "")
	b.WriteString("\t\t<guid isPermaLink=\"false\">")
	xml.EscapeText(b, []byte(xmlSafe(guid)))
	b.WriteString("</guid>\n")
	element(b, "description", "")
	cdata(b, "content:encoded", content)
	cdata(b, "excerpt:encoded", "")
	element(b, "wp:post_id", strconv.FormatInt(pageIDs+p.ID, 10))
	cdata(b, "wp:post_date", wxrTime(p.CreatedAt))
	cdata(b, "wp:post_date_gmt", wxrTime(p.CreatedAt))
	cdata(b, "wp:post_modified", wxrTime(p.UpdatedAt))
	cdata(b, "wp:post_modified_gmt", wxrTime(p.UpdatedAt))
	cdata(b, "wp:comment_status", "closed")
	cdata(b, "wp:ping_status", "closed")
	cdata(b, "wp:post_name", p.Slug)
	cdata(b, "wp:status", status)
	element(b, "wp:post_parent", parent)
	element(b, "wp:menu_order", strconv.Itoa(p.Position))
	cdata(b, "wp:post_type", "page")
	cdata(b, "wp:post_password", "")
	element(b, "wp:is_sticky", "0")
	postmeta(b, metaPage, string(saved))
	postmeta(b, metaChecksum, wxrChecksum(title, content, "", status, "", p.Slug))
	b.WriteString("\t</item>\n")
	return nil
}

// Write adds a post for rec, and an attachment for its feature image.
func (x *WXRWriter) Write(rec *byline.ArticleRecord) error {
	a := rec.Article
	for _, sec := range a.Sections {
		if !x.seen["s:"+sec.Slug] {
			x.seen["s:"+sec.Slug] = true
			x.sections = append(x.sections, &byline.Section{Slug: sec.Slug, Name: sec.Name})
		}
	}
	for _, au := range a.Authors {
		if !x.seen["a:"+au.Slug] {
			x.seen["a:"+au.Slug] = true
			x.authors = append(x.authors, au)
		}
	}
	for _, t := range a.Tags {
		if !x.seen["t:"+t.Slug] {
			x.seen["t:"+t.Slug] = true
			x.tags = append(x.tags, t)
		}
	}
	status := "draft"
	switch a.Status {
	case byline.Published:
		status = "publish"
	case byline.Scheduled:
		status = "future"
	}
	date := a.PublishedAt
	if date.IsZero() {
		date = a.CreatedAt
	}
	gmt := wxrTime(a.PublishedAt)
	title, content, excerpt := xmlSafe(a.Headline), xmlSafe(a.BodyHTML), xmlSafe(a.Dek)
	guid := strings.TrimPrefix(rec.ImportKey, "wxr:")
	if guid == rec.ImportKey {
		guid = x.site.BaseURL + a.URL()
	}
	saved, err := json.Marshal(toJSONArticle(rec))
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	creator := ""
	if len(a.Authors) > 0 {
		creator = a.Authors[0].Slug
	}

	b := x.buf
	b.WriteString("\t<item>\n")
	element(b, "title", title)
	element(b, "link", x.site.BaseURL+a.URL())
	element(b, "pubDate", date.UTC().Format(time.RFC1123Z))
	cdata(b, "dc:creator", creator)
	b.WriteString("\t\t<guid isPermaLink=\"false\">")
	xml.EscapeText(b, []byte(xmlSafe(guid)))
	b.WriteString("</guid>\n")
	element(b, "description", "")
	cdata(b, "content:encoded", content)
	cdata(b, "excerpt:encoded", excerpt)
	element(b, "wp:post_id", strconv.FormatInt(a.ID, 10))
	cdata(b, "wp:post_date", wxrTime(date))
	cdata(b, "wp:post_date_gmt", gmt)
	cdata(b, "wp:post_modified", wxrTime(a.UpdatedAt))
	cdata(b, "wp:post_modified_gmt", wxrTime(a.UpdatedAt))
	cdata(b, "wp:comment_status", "closed")
	cdata(b, "wp:ping_status", "closed")
	cdata(b, "wp:post_name", a.Slug)
	cdata(b, "wp:status", status)
	element(b, "wp:post_parent", "0")
	element(b, "wp:menu_order", "0")
	cdata(b, "wp:post_type", "post")
	cdata(b, "wp:post_password", "")
	element(b, "wp:is_sticky", "0")
	for _, sec := range a.Sections {
		fmt.Fprintf(b, "\t\t<category domain=\"category\" nicename=\"%s\">", attr(sec.Slug))
		writeCDATA(b, xmlSafe(sec.Name))
		b.WriteString("</category>\n")
	}
	for _, t := range a.Tags {
		fmt.Fprintf(b, "\t\t<category domain=\"post_tag\" nicename=\"%s\">", attr(t.Slug))
		writeCDATA(b, xmlSafe(t.Name))
		b.WriteString("</category>\n")
	}
	if a.FeatureImageURL != "" {
		postmeta(b, "_thumbnail_id", strconv.FormatInt(attachmentIDs+a.ID, 10))
	}
	postmeta(b, metaArticle, string(saved))
	postmeta(b, metaChecksum, wxrChecksum(title, content, excerpt, status, gmt, a.Slug))
	b.WriteString("\t</item>\n")

	if a.FeatureImageURL != "" {
		u := xmlSafe(a.FeatureImageURL)
		b.WriteString("\t<item>\n")
		element(b, "title", attachmentTitle(u))
		element(b, "link", x.site.BaseURL+a.URL())
		element(b, "pubDate", date.UTC().Format(time.RFC1123Z))
		cdata(b, "dc:creator", creator)
		b.WriteString("\t\t<guid isPermaLink=\"false\">")
		xml.EscapeText(b, []byte(u))
		b.WriteString("</guid>\n")
		element(b, "description", "")
		cdata(b, "content:encoded", "")
		cdata(b, "excerpt:encoded", "")
		element(b, "wp:post_id", strconv.FormatInt(attachmentIDs+a.ID, 10))
		cdata(b, "wp:post_date", wxrTime(date))
		cdata(b, "wp:post_date_gmt", wxrTime(date))
		cdata(b, "wp:comment_status", "closed")
		cdata(b, "wp:ping_status", "closed")
		cdata(b, "wp:post_name", byline.Slugify(attachmentTitle(u)))
		cdata(b, "wp:status", "inherit")
		element(b, "wp:post_parent", strconv.FormatInt(a.ID, 10))
		element(b, "wp:menu_order", "0")
		cdata(b, "wp:post_type", "attachment")
		cdata(b, "wp:post_password", "")
		element(b, "wp:is_sticky", "0")
		cdata(b, "wp:attachment_url", u)
		b.WriteString("\t</item>\n")
	}
	return nil
}

// Close writes the channel's head, the items and the end to the writer,
// and removes the temporary file.
func (x *WXRWriter) Close() error {
	defer os.Remove(x.tmp.Name())
	defer x.tmp.Close()
	if err := x.buf.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := x.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	b := bufio.NewWriterSize(x.out, 64<<10)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<!-- A WordPress eXtended RSS (WXR 1.2) file written by Byline: import it with WordPress's Tools → Import → WordPress, or into Byline with byline import. -->
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:wfw="http://wellformedweb.org/CommentAPI/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
`)
	element(b, "title", xmlSafe(x.site.Title))
	element(b, "link", x.site.BaseURL)
	element(b, "description", xmlSafe(x.site.Description))
	element(b, "pubDate", x.site.Now.UTC().Format(time.RFC1123Z))
	element(b, "language", "en")
	element(b, "wp:wxr_version", "1.2")
	element(b, "wp:base_site_url", x.site.BaseURL)
	element(b, "wp:base_blog_url", x.site.BaseURL)
	for i, au := range x.authors {
		b.WriteString("\t<wp:author>")
		fmt.Fprintf(b, "<wp:author_id>%d</wp:author_id>", i+1)
		inlineCDATA(b, "wp:author_login", au.Slug)
		inlineCDATA(b, "wp:author_email", "")
		inlineCDATA(b, "wp:author_display_name", xmlSafe(au.Name))
		inlineCDATA(b, "wp:author_first_name", "")
		inlineCDATA(b, "wp:author_last_name", "")
		if p := x.profiles[au.Slug]; p != nil {
			inlineCDATA(b, "wp:author_description", xmlSafe(p.Bio))
			j := toJSONAuthor(p)
			prof, _ := json.Marshal(wxrProfile{JobTitle: j.JobTitle, PhotoURL: j.PhotoURL, Website: j.Website, Links: j.Links})
			inlineCDATA(b, "wp:author_byline_profile", xmlSafe(string(prof)))
		}
		b.WriteString("</wp:author>\n")
	}
	for i, sec := range x.sections {
		b.WriteString("\t<wp:category>")
		fmt.Fprintf(b, "<wp:term_id>%d</wp:term_id>", i+1)
		inlineCDATA(b, "wp:category_nicename", sec.Slug)
		inlineCDATA(b, "wp:category_parent", sec.ParentSlug)
		inlineCDATA(b, "wp:cat_name", xmlSafe(sec.Name))
		if sec.Description != "" {
			inlineCDATA(b, "wp:category_description", xmlSafe(sec.Description))
		}
		b.WriteString("</wp:category>\n")
	}
	for i, t := range x.tags {
		b.WriteString("\t<wp:tag>")
		fmt.Fprintf(b, "<wp:term_id>%d</wp:term_id>", i+1)
		inlineCDATA(b, "wp:tag_slug", t.Slug)
		inlineCDATA(b, "wp:tag_name", xmlSafe(t.Name))
		b.WriteString("</wp:tag>\n")
	}
	element(b, "generator", bylineGen)
	if _, err := io.Copy(b, x.tmp); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	b.WriteString("</channel>\n</rss>\n")
	if err := b.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// attachmentTitle is the file name at the end of an image URL.
func attachmentTitle(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if i := strings.LastIndexByte(u, '/'); i >= 0 && i < len(u)-1 {
		return u[i+1:]
	}
	return "feature image"
}

// element writes <name>text</name>, escaped, on a line of its own.
func element(b *bufio.Writer, name, text string) {
	fmt.Fprintf(b, "\t\t<%s>", name)
	xml.EscapeText(b, []byte(text))
	fmt.Fprintf(b, "</%s>\n", name)
}

// cdata writes <name><![CDATA[text]]></name> on a line of its own.
func cdata(b *bufio.Writer, name, text string) {
	fmt.Fprintf(b, "\t\t<%s>", name)
	writeCDATA(b, text)
	fmt.Fprintf(b, "</%s>\n", name)
}

func inlineCDATA(b *bufio.Writer, name, text string) {
	fmt.Fprintf(b, "<%s>", name)
	writeCDATA(b, text)
	fmt.Fprintf(b, "</%s>", name)
}

func postmeta(b *bufio.Writer, key, value string) {
	b.WriteString("\t\t<wp:postmeta>\n\t")
	cdata(b, "wp:meta_key", key)
	b.WriteString("\t")
	cdata(b, "wp:meta_value", xmlSafe(value))
	b.WriteString("\t\t</wp:postmeta>\n")
}

// writeCDATA writes text as a CDATA section; "]]>" inside it is split
// across two sections, the way WordPress's exporter does it.
func writeCDATA(b *bufio.Writer, text string) {
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(text, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
}

// attr escapes text for an attribute value in double quotes.
func attr(s string) string {
	var sb strings.Builder
	xml.EscapeText(&sb, []byte(xmlSafe(s)))
	return sb.String()
}

// xmlSafe drops what XML 1.0 cannot hold even escaped: control characters
// other than tab and newlines, and invalid UTF-8.
func xmlSafe(s string) string {
	clean := true
	for _, r := range s {
		if !xmlChar(r) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if !xmlChar(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
