package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html/charset"

	"github.com/bylinenews/byline"
)

// WXR reads a WordPress export file (Tools → Export; WXR 1.0 to 1.2).
//
// Posts become articles: title, slug, content, excerpt, author (display
// name, with the login as the author's slug), categories (sections, the
// primary first: Yoast's primary category, else the first) and tags, the
// publication date in GMT, and the status (publish →
// published, future → scheduled, draft and pending → draft, private →
// draft, noted). The old permalink is the article's source URL and, with
// /?p=ID, an old address that redirects to it; the guid is its import key.
// The content is HTML: block comments (<!-- wp:... -->) are stripped,
// [caption] becomes a figure, other shortcodes stay as text and are
// counted. A post's feature image (_thumbnail_id) comes from its
// attachment item. The channel's categories become the site's sections,
// with their nesting, slugs and descriptions, and page items its static
// pages, with their parents, old addresses and order. Attachments, pages, menus, comments and other post types
// are skipped and counted.
//
// A file Byline exported carries each article's exact record in the
// _byline_article field, used when the post was not edited since.
type WXR struct {
	// attachments maps a file's name and an attachment's post ID to the
	// attachment; filled as attachments are read, so a second Read of a
	// file finds the images of posts listed before their attachments.
	attachments map[string]map[int64]wxrAttachment
}

// wxrAttachment is a media item of the file: an image's address, its alt
// text and caption, and the post it is attached to.
type wxrAttachment struct {
	galleryImage
	Parent int64
}

// gallery returns the lookup of a post's [gallery] images in a file: the
// attachments with the given IDs, or with none, those attached to the
// post, in ID order (WordPress's menu_order is rarely set).
func (w *WXR) gallery(name string, post int64) galleryLookup {
	return func(ids []int64) []galleryImage {
		all := w.attachments[name]
		var out []galleryImage
		if len(ids) == 0 {
			for id, a := range all {
				if a.Parent == post && post > 0 && isImageURL(a.URL) {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
		}
		for _, id := range ids {
			if a, ok := all[id]; ok {
				out = append(out, a.galleryImage)
			}
		}
		return out
	}
}

// isImageURL reports whether an attachment's address names an image file.
func isImageURL(u string) bool {
	switch strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0])) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp":
		return true
	}
	return false
}

// Name implements Format.
func (*WXR) Name() string { return "wxr" }

// Detect implements Format: an XML file from WordPress's exporter.
func (*WXR) Detect(name string, head []byte) bool {
	ext := strings.ToLower(filepath.Ext(name))
	if ext != ".xml" && ext != ".wxr" && ext != "" {
		return false
	}
	return bytes.Contains(head, []byte("<rss")) && bytes.Contains(head, []byte("wordpress.org/export/"))
}

// wxrItem is an <item> of the file, with the fields Byline reads.
type wxrItem struct {
	Title           string        `xml:"title"`
	Link            string        `xml:"link"`
	PubDate         string        `xml:"pubDate"`
	Creator         string        `xml:"creator"`
	GUID            string        `xml:"guid"`
	Encoded         []wxrText     `xml:"encoded"` // content:encoded and excerpt:encoded
	PostID          string        `xml:"post_id"`
	PostDate        string        `xml:"post_date"`
	PostDateGMT     string        `xml:"post_date_gmt"`
	PostModifiedGMT string        `xml:"post_modified_gmt"`
	PostName        string        `xml:"post_name"`
	Status          string        `xml:"status"`
	PostType        string        `xml:"post_type"`
	PostParent      string        `xml:"post_parent"`
	MenuOrder       string        `xml:"menu_order"`
	AttachmentURL   string        `xml:"attachment_url"`
	Categories      []wxrCategory `xml:"category"`
	Meta            []wxrMeta     `xml:"postmeta"`
	Comments        []struct{}    `xml:"comment"`
}

// excerpt is the item's excerpt:encoded (an attachment's caption).
func (it *wxrItem) excerpt() string {
	for _, e := range it.Encoded {
		if strings.Contains(e.XMLName.Space, "excerpt") {
			return e.Text
		}
	}
	return ""
}

type wxrText struct {
	XMLName xml.Name
	Text    string `xml:",chardata"`
}

type wxrCategory struct {
	Domain   string `xml:"domain,attr"`
	Nicename string `xml:"nicename,attr"`
	Name     string `xml:",chardata"`
}

type wxrMeta struct {
	Key   string `xml:"meta_key"`
	Value string `xml:"meta_value"`
}

// wxrTerm is a <wp:category> of the channel: a category with its parent.
type wxrTerm struct {
	TermID      string `xml:"term_id"`
	Nicename    string `xml:"category_nicename"`
	Parent      string `xml:"category_parent"` // the parent's nicename
	Name        string `xml:"cat_name"`
	Description string `xml:"category_description"`
}

type wxrAuthor struct {
	Login       string `xml:"author_login"`
	DisplayName string `xml:"author_display_name"`
	FirstName   string `xml:"author_first_name"`
	LastName    string `xml:"author_last_name"`
	// Description is the user's biographical info, which WordPress's own
	// export leaves out and some plugins add.
	Description string `xml:"author_description"`
	// Profile is the rest of a Byline author's profile, as JSON, in a file
	// Byline wrote; WordPress's importer passes it over.
	Profile string `xml:"author_byline_profile"`
}

// wxrProfile is what wp:author_byline_profile holds.
type wxrProfile struct {
	JobTitle string           `json:"job_title,omitempty"`
	PhotoURL string           `json:"photo_url,omitempty"`
	Website  string           `json:"website,omitempty"`
	Links    []jsonAuthorLink `json:"links,omitempty"`
}

// author returns the author a wp:author describes: the display name, else
// the first and last names, else the login, with the login as the slug
// (as the posts' dc:creator names it) and the description as the bio.
func (a *wxrAuthor) author() *byline.Author {
	login := strings.TrimSpace(a.Login)
	name := plainLine(a.DisplayName)
	if name == "" {
		name = plainLine(a.FirstName + " " + a.LastName)
	}
	if name == "" {
		name = login
	}
	au := &byline.Author{Slug: byline.Slugify(login), Name: name, Bio: plainParagraphs(a.Description, byline.MaxBioRunes)}
	var p wxrProfile
	if strings.TrimSpace(a.Profile) != "" && json.Unmarshal([]byte(a.Profile), &p) == nil {
		au.JobTitle, au.PhotoURL, au.Website = p.JobTitle, p.PhotoURL, p.Website
		for _, l := range p.Links {
			au.Links = append(au.Links, byline.AuthorLink{Label: l.Label, URL: l.URL})
		}
	}
	return au
}

// wxrChannel is what the file says before its items.
type wxrChannel struct {
	version   string
	baseURL   string
	generator string
	authors   map[string]string // login → display name
	terms     map[string]string // a category's term ID → its slug
}

// Meta keys of files Byline writes.
const (
	metaArticle  = "_byline_article"  // the article's JSON-lines record
	metaPage     = "_byline_page"     // a page's JSON-lines record
	metaChecksum = "_byline_checksum" // of the fields WordPress shows, when exported
	bylineGen    = "Byline"
)

// isWP reports whether an XML namespace is one of WordPress's export
// namespaces (1.0, 1.1, 1.2).
func isWP(space string) bool {
	return strings.HasPrefix(space, "http://wordpress.org/export/") && !strings.Contains(space, "excerpt")
}

// ReadItems implements Format.
func (w *WXR) ReadItems(name string, r io.Reader, emit func(*Item) error) error {
	if w.attachments == nil {
		w.attachments = map[string]map[int64]wxrAttachment{}
	}
	if w.attachments[name] == nil {
		w.attachments[name] = map[int64]wxrAttachment{}
	}
	lim := &itemLimiter{r: r}
	d := xml.NewDecoder(lim)
	d.Entity = xml.HTMLEntity // WordPress writes &nbsp; and friends
	d.CharsetReader = charset.NewReaderLabel
	ch := &wxrChannel{authors: map[string]string{}, terms: map[string]string{}}
	var (
		depth  int
		sawRSS bool
		n      int // items read
	)
	fail := func(err error, item string) error {
		line, _ := d.InputPos()
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			line = se.Line
			err = byline.Errorf(byline.Invalid, "The XML is broken: %s.", se.Msg)
		}
		if errors.Is(err, errItemTooLarge) {
			err = errItemTooLarge
		}
		return &ParseError{File: name, Line: line, Item: item, Err: err}
	}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err, "")
		}
		switch t := tok.(type) {
		case xml.EndElement:
			depth--
		case xml.StartElement:
			depth++
			switch {
			case depth == 1:
				if t.Name.Local != "rss" {
					return &ParseError{File: name, Err: byline.Errorf(byline.Invalid, "This is not a WordPress export: it starts with <%s>, not <rss>.", t.Name.Local)}
				}
				sawRSS = true
			case depth == 2 && t.Name.Local == "channel":
			case depth == 3 && t.Name.Local == "item":
				n++
				line, _ := d.InputPos()
				lim.reset()
				var it wxrItem
				if err := d.DecodeElement(&it, &t); err != nil {
					return fail(err, fmt.Sprintf("item %d", n))
				}
				depth--
				if ch.version == "" {
					return &ParseError{File: name, Line: line, Err: byline.Errorf(byline.Invalid, "This RSS file is not a WordPress export: it has no wp:wxr_version.")}
				}
				for _, item := range w.items(name, &it, n, line, ch) {
					if err := emit(item); err != nil {
						return err
					}
				}
			case depth == 3 && isWP(t.Name.Space) && t.Name.Local == "category":
				line, _ := d.InputPos()
				var term wxrTerm
				if err := d.DecodeElement(&term, &t); err != nil {
					return fail(err, "")
				}
				depth--
				if item := ch.section(&term, line); item != nil {
					if err := emit(item); err != nil {
						return err
					}
				}
			case depth == 3 && isWP(t.Name.Space) && t.Name.Local == "author":
				var a wxrAuthor
				if err := d.DecodeElement(&a, &t); err != nil {
					return fail(err, "")
				}
				depth--
				line, _ := d.InputPos()
				au := a.author()
				ch.authors[strings.TrimSpace(a.Login)] = au.Name
				if au.Slug != "" {
					if err := emit(&Item{Line: line, Label: "author “" + au.Name + "”", Author: au}); err != nil {
						return err
					}
				}
			case depth == 3 && (isWP(t.Name.Space) && (t.Name.Local == "wxr_version" || t.Name.Local == "base_site_url") || t.Name.Local == "generator"):
				var s string
				if err := d.DecodeElement(&s, &t); err != nil {
					return fail(err, "")
				}
				depth--
				s = strings.TrimSpace(s)
				switch t.Name.Local {
				case "wxr_version":
					ch.version = s
				case "base_site_url":
					ch.baseURL = s
				case "generator":
					ch.generator = s
				}
			case depth >= 3:
				if err := d.Skip(); err != nil {
					return fail(err, "")
				}
				depth--
			}
		}
	}
	if !sawRSS {
		return &ParseError{File: name, Err: byline.Errorf(byline.Invalid, "This is not a WordPress export: there is no <rss> element.")}
	}
	return nil
}

// section turns a channel's category into a section, or nil for
// WordPress's "Uncategorized", which is no section.
func (ch *wxrChannel) section(term *wxrTerm, line int) *Item {
	sec := &byline.Section{Slug: termSlug(term.Nicename, term.Name), Name: plainLine(term.Name),
		Description: plainLine(term.Description), ParentSlug: termSlug(term.Parent, "")}
	if sec.Slug == "" || sec.Slug == "uncategorized" {
		return nil
	}
	if sec.Name == "" {
		sec.Name = sec.Slug
	}
	if id := strings.TrimSpace(term.TermID); id != "" {
		ch.terms[id] = sec.Slug
	}
	return &Item{Line: line, Label: "category “" + sec.Name + "”", Section: sec}
}

// termSlug is the slug of a WordPress term from its nicename (which may be
// percent-encoded), else from its name.
func termSlug(nicename, name string) string {
	if nice, err := url.PathUnescape(strings.TrimSpace(nicename)); err == nil {
		if slug := byline.Slugify(nice); slug != "" {
			return slug
		}
	}
	return byline.Slugify(name)
}

// items turns one <item> into what it gives: an article, or skips, and one
// skip per comment.
func (w *WXR) items(name string, it *wxrItem, n, line int, ch *wxrChannel) []*Item {
	var out []*Item
	for range it.Comments {
		out = append(out, &Item{Skip: "comment"})
	}
	postType := strings.TrimSpace(it.PostType)
	id, _ := strconv.ParseInt(strings.TrimSpace(it.PostID), 10, 64)
	skip := func(reason string) []*Item { return append(out, &Item{Skip: reason, Line: line}) }
	switch postType {
	case "post", "":
	case "attachment":
		if u := strings.TrimSpace(it.AttachmentURL); u != "" && id > 0 {
			a := wxrAttachment{galleryImage: galleryImage{URL: u, Caption: plainLine(it.excerpt())}}
			a.Parent, _ = strconv.ParseInt(strings.TrimSpace(it.PostParent), 10, 64)
			for _, m := range it.Meta {
				if strings.TrimSpace(m.Key) == "_wp_attachment_image_alt" {
					a.Alt = plainLine(m.Value)
				}
			}
			w.attachments[name][id] = a
		}
		return skip("attachment")
	case "page":
		return append(out, w.page(name, it, id, n, line, ch))
	case "nav_menu_item":
		return skip("menu item")
	case "revision":
		return skip("revision")
	default:
		return skip("post of type " + postType)
	}
	var status byline.Status
	var notes []string
	switch s := strings.TrimSpace(it.Status); s {
	case "publish":
		status = byline.Published
	case "future":
		status = byline.Scheduled
	case "draft", "pending":
		status = byline.Draft
	case "private":
		status = byline.Draft
		notes = append(notes, "private post imported as a draft")
	case "trash":
		return skip("post in the trash")
	case "auto-draft", "inherit":
		return skip("auto-draft")
	default:
		label := plainLine(it.Title)
		if label == "" {
			label = fmt.Sprintf("item %d", n)
		}
		return append(out, &Item{Line: line, Label: label, Err: byline.Errorf(byline.Invalid, "Unknown post status %q.", s)})
	}
	item := &Item{Line: line, Label: fmt.Sprintf("item %d", n)}
	rec, err := w.article(name, it, id, status, ch, &notes)
	if rec != nil && rec.Article.Headline != "" {
		item.Label = fmt.Sprintf("item %d “%s”", n, rec.Article.Headline)
	} else if t := plainLine(it.Title); t != "" {
		item.Label = fmt.Sprintf("item %d “%s”", n, t)
	}
	item.Record, item.Err, item.Notes = rec, err, notes
	if err != nil {
		item.Record = nil
	}
	return append(out, item)
}

// page makes the static page of a page item: its title, slug, content,
// status (publish → published, else a draft), order and parent, its link
// and /?page_id=ID as old addresses, and its guid as its import key.
func (w *WXR) page(name string, it *wxrItem, id int64, n, line int, ch *wxrChannel) *Item {
	title := plainLine(it.Title)
	item := &Item{Line: line, Label: fmt.Sprintf("page %d “%s”", n, title)}
	var status byline.Status
	switch s := strings.TrimSpace(it.Status); s {
	case "publish":
		status = byline.Published
	case "draft", "pending", "private", "future":
		status = byline.Draft
	case "trash", "auto-draft", "inherit":
		return &Item{Skip: "page in the trash or an auto-draft", Line: line}
	default:
		item.Err = byline.Errorf(byline.Invalid, "Unknown page status %q.", s)
		return item
	}
	for _, s := range []string{it.Title, it.PostName, it.Link, it.GUID} {
		if !utf8.ValidString(s) {
			item.Err = byline.Errorf(byline.Invalid, "The page is not valid UTF-8 text.")
			return item
		}
	}
	var content string
	meta := map[string]string{}
	for _, m := range it.Meta {
		meta[strings.TrimSpace(m.Key)] = m.Value
	}
	for _, e := range it.Encoded {
		if !strings.Contains(e.XMLName.Space, "excerpt") {
			content = e.Text
		}
	}
	p := &byline.Page{Title: title, Status: status}
	p.Body, item.Notes = htmlBody(content)
	if slug, err := url.PathUnescape(strings.TrimSpace(it.PostName)); err == nil {
		p.Slug = byline.Slugify(slug)
	}
	p.Position, _ = strconv.Atoi(strings.TrimSpace(it.MenuOrder))
	if p.Title == "" {
		item.Err = byline.Errorf(byline.Invalid, "The page has no title.")
		return item
	}
	rec := &byline.PageRecord{Page: p}
	if guid := strings.TrimSpace(it.GUID); guid != "" {
		rec.ImportKey = "wxr:" + guid
	}
	if ch.generator != bylineGen {
		if old := byline.RedirectPath(strings.TrimSpace(it.Link)); old != "" {
			rec.OldPaths = append(rec.OldPaths, old)
		}
		if id > 0 {
			rec.OldPaths = append(rec.OldPaths, "/?page_id="+strconv.FormatInt(id, 10))
		}
	}
	page := &PageItem{Record: rec}
	if id > 0 {
		page.Ref = name + ":" + strconv.FormatInt(id, 10)
	}
	if parent, err := strconv.ParseInt(strings.TrimSpace(it.PostParent), 10, 64); err == nil && parent > 0 {
		page.ParentRef = name + ":" + strconv.FormatInt(parent, 10)
	}
	if saved, ok := meta[metaPage]; ok && meta[metaChecksum] == wxrChecksum(it.Title, content, "", it.Status, "", it.PostName) {
		// A page Byline exported, not edited since: its exact record.
		exact, err := decodeJSONPage([]byte(saved))
		if err != nil {
			item.Err = byline.Errorf(byline.Invalid, "The %s field is damaged: %s", metaPage, byline.ErrorMessage(err))
			return item
		}
		page.Record, page.ParentRef = exact, ""
	}
	item.Page = page
	return item
}

// article makes the article of a post.
func (w *WXR) article(name string, it *wxrItem, id int64, status byline.Status, ch *wxrChannel, notes *[]string) (*byline.ArticleRecord, error) {
	for _, s := range []string{it.Title, it.PostName, it.Creator, it.Link, it.GUID} {
		if !utf8.ValidString(s) {
			return nil, byline.Errorf(byline.Invalid, "The post is not valid UTF-8 text.")
		}
	}
	var content, excerpt string
	for _, e := range it.Encoded {
		if strings.Contains(e.XMLName.Space, "excerpt") {
			excerpt = e.Text
		} else {
			content = e.Text
		}
	}
	meta := map[string]string{}
	for _, m := range it.Meta {
		meta[strings.TrimSpace(m.Key)] = m.Value
	}

	a := &byline.Article{Headline: plainLine(it.Title), Dek: plainLine(excerpt), Status: status}
	var bodyNotes []string
	a.Body, bodyNotes = htmlBodyWith(content, w.gallery(name, id))
	*notes = append(*notes, bodyNotes...)
	if a.Headline == "" {
		a.Headline = headlineFromText(content)
		if a.Headline == "" {
			return nil, byline.Errorf(byline.Invalid, "The post has neither a title nor any text.")
		}
		*notes = append(*notes, "untitled post given a headline from its text")
	}
	if slug, err := url.PathUnescape(strings.TrimSpace(it.PostName)); err == nil {
		a.Slug = byline.Slugify(slug)
	}

	var err error
	if a.PublishedAt, err = parseDate(it.PostDateGMT); err != nil {
		return nil, byline.Errorf(byline.Invalid, "post_date_gmt: %s", byline.ErrorMessage(err))
	}
	local, err := parseDate(it.PostDate)
	if err != nil {
		return nil, byline.Errorf(byline.Invalid, "post_date: %s", byline.ErrorMessage(err))
	}
	if a.PublishedAt.IsZero() && status != byline.Draft && !local.IsZero() {
		a.PublishedAt = local
		*notes = append(*notes, "post without post_date_gmt: its local time taken as UTC")
	}
	a.CreatedAt = a.PublishedAt
	if a.CreatedAt.IsZero() {
		a.CreatedAt = local
	}
	if a.UpdatedAt, err = parseDate(it.PostModifiedGMT); err != nil {
		return nil, byline.Errorf(byline.Invalid, "post_modified_gmt: %s", byline.ErrorMessage(err))
	}

	if login := strings.TrimSpace(it.Creator); login != "" {
		display := ch.authors[login]
		if display == "" {
			display = login
		}
		a.Authors = []byline.Author{{Name: display, Slug: byline.Slugify(login)}}
	}
	seen := map[string]bool{}
	for _, c := range it.Categories {
		switch c.Domain {
		case "category", "post_tag":
		default:
			*notes = append(*notes, fmt.Sprintf("terms of taxonomy %q left out", c.Domain))
			continue
		}
		name, slug := plainLine(c.Name), termSlug(c.Nicename, c.Name)
		if name == "" || slug == "" || seen[c.Domain+slug] {
			continue
		}
		seen[c.Domain+slug] = true
		switch {
		case c.Domain == "post_tag":
			a.Tags = append(a.Tags, byline.Tag{Name: name, Slug: slug})
		case slug == "uncategorized":
			*notes = append(*notes, "category Uncategorized left out")
		default:
			a.Sections = append(a.Sections, byline.Section{Name: name, Slug: slug})
		}
	}
	// Yoast SEO names a post's primary category by its term ID: it goes
	// first, as the article's primary section.
	if primary := ch.terms[strings.TrimSpace(meta["_yoast_wpseo_primary_category"])]; primary != "" {
		for i, sec := range a.Sections {
			if sec.Slug == primary && i > 0 {
				copy(a.Sections[1:i+1], a.Sections[:i])
				a.Sections[0] = sec
			}
		}
	}
	if thumb, err := strconv.ParseInt(strings.TrimSpace(meta["_thumbnail_id"]), 10, 64); err == nil {
		a.FeatureImageURL = w.attachments[name][thumb].URL
	}

	rec := &byline.ArticleRecord{Article: a}
	link := strings.TrimSpace(it.Link)
	if strings.HasPrefix(link, "http://") || strings.HasPrefix(link, "https://") {
		a.SourceURL = link
	}
	if ch.generator != bylineGen {
		// Byline's own exports link to Byline's permalinks, which are no
		// old addresses; WordPress's are.
		if p := byline.RedirectPath(link); p != "" {
			rec.OldPaths = append(rec.OldPaths, p)
		}
		if id > 0 {
			rec.OldPaths = append(rec.OldPaths, "/?p="+strconv.FormatInt(id, 10))
		}
	}
	if guid := strings.TrimSpace(it.GUID); guid != "" {
		rec.ImportKey = "wxr:" + guid
	} else if id > 0 {
		rec.ImportKey = "wxr:" + ch.baseURL + "/?p=" + strconv.FormatInt(id, 10)
	}
	if saved, ok := meta[metaArticle]; ok {
		if err := useSavedRecord(rec, saved, meta[metaChecksum] == wxrChecksum(it.Title, content, excerpt, it.Status, it.PostDateGMT, it.PostName)); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// useSavedRecord applies the record Byline saved with an exported post: its
// identity (import key, source URL, old paths, creation time) always, and
// the rest when the post is as exported (unchanged is true), which makes an
// export and re-import exact.
func useSavedRecord(rec *byline.ArticleRecord, saved string, unchanged bool) error {
	s, err := decodeJSONArticle([]byte(saved))
	if err != nil {
		return byline.Errorf(byline.Invalid, "The %s field is damaged: %s", metaArticle, byline.ErrorMessage(err))
	}
	image := rec.Article.FeatureImageURL
	if unchanged {
		*rec = *s
		if image != "" {
			rec.Article.FeatureImageURL = image
		}
		return nil
	}
	rec.ImportKey, rec.OldPaths = s.ImportKey, s.OldPaths
	rec.Article.SourceURL, rec.Article.CreatedAt = s.Article.SourceURL, s.Article.CreatedAt
	return nil
}

// wxrChecksum sums the fields of a post WordPress lets an editor change.
func wxrChecksum(title, content, excerpt, status, dateGMT, slug string) string {
	h := sha256.New()
	for _, s := range []string{title, content, excerpt, status, dateGMT, slug} {
		// XML turns every line end into "\n", inside CDATA too.
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		io.WriteString(h, strings.TrimSpace(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// headlineFromText makes a headline for an untitled post: its first words.
func headlineFromText(content string) string {
	words := strings.Fields(plainLine(content))
	if len(words) > 10 {
		return strings.Join(words[:10], " ") + "…"
	}
	return strings.Join(words, " ")
}

// wxrTime formats a time as WordPress does in post_date fields.
func wxrTime(t time.Time) string {
	if t.IsZero() {
		return "0000-00-00 00:00:00"
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}
