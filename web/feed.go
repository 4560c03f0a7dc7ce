package web

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// FeedLength is how many articles a feed carries.
const FeedLength = 20

// feedFormat is one of the three feed formats, at its WordPress-style path.
type feedFormat struct {
	suffix      string // appended to the scope's path
	contentType string
	title       string
}

var (
	rssFormat  = feedFormat{"/feed/", "application/rss+xml; charset=utf-8", "RSS"}
	atomFormat = feedFormat{"/feed/atom/", "application/atom+xml; charset=utf-8", "Atom"}
	jsonFormat = feedFormat{"/feed.json", "application/feed+json; charset=utf-8", "JSON Feed"}
)

// feedScope is what a feed covers: the whole site, a tag, an author or a
// section.
type feedScope struct {
	path    string // "" for the site, "/tag/{slug}", "/author/{slug}" or "/section/{slug}"
	title   string // the scope's own title, "" for the site
	filter  byline.ArticleFilter
	section *byline.Section // the section, for a section's scope
	author  *byline.Author  // the author with their profile, for an author's scope
}

// feedLink is a <link rel="alternate"> in a page's head.
type feedLink struct {
	Type, Title, URL string
}

// feedLinks returns the discovery links for a scope's feeds.
func (s *Server) feedLinks(r *http.Request, site Site, scope feedScope) []feedLink {
	title := site.Title
	if scope.title != "" {
		title += " — " + scope.title
	}
	var links []feedLink
	for _, f := range []feedFormat{rssFormat, atomFormat, jsonFormat} {
		ct, _, _ := mimeType(f.contentType)
		links = append(links, feedLink{Type: ct, Title: title + " (" + f.title + ")", URL: s.absURL(r, scope.path+f.suffix)})
	}
	return links
}

func mimeType(contentType string) (string, string, bool) {
	for i := range len(contentType) {
		if contentType[i] == ';' {
			return contentType[:i], contentType[i:], true
		}
	}
	return contentType, "", false
}

// feedHandler serves one format of the feed of the scope the request names.
func (s *Server) feedHandler(format feedFormat, kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		scope, err := s.archiveScope(r, kind)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		f := scope.filter
		f.Limit = FeedLength
		articles, _, err := s.Articles.Find(r.Context(), f)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		updated, err := s.lastModified(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		site := s.siteConfig(r.Context()).Site
		var body []byte
		switch format {
		case rssFormat:
			body, err = s.rss(r, site, scope, articles, updated)
		case atomFormat:
			body, err = s.atom(r, site, scope, articles, updated)
		default:
			body, err = s.jsonFeed(r, site, scope, articles)
		}
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", format.contentType)
		w.Write(body)
	}
}

// articleGUID is an article's feed ID: a tag URI (RFC 4151) from the site's
// host, the day the article was created and its database ID, none of which
// an edit changes, so readers never see an edited article as new.
func (s *Server) articleGUID(r *http.Request, a *byline.Article) string {
	host := r.Host
	if u, err := url.Parse(s.baseURL(r)); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	return fmt.Sprintf("tag:%s,%s:article:%d", host, a.CreatedAt.UTC().Format("2006-01-02"), a.ID)
}

func feedTitle(site Site, scope feedScope) string {
	if scope.title == "" {
		return site.Title
	}
	return site.Title + " — " + scope.title
}

// feedDescription describes what a scope's feed and archive page carry.
func feedDescription(site Site, scope feedScope) string {
	switch {
	case scope.section != nil && scope.section.Description != "":
		return scope.section.Description
	case scope.author != nil && scope.author.Bio != "":
		return scope.author.ShortBio()
	case scope.title != "":
		return "The latest articles of " + site.Title + " on " + scope.title + "."
	case site.Description != "":
		return site.Description
	case site.Tagline != "":
		return site.Tagline
	}
	return "The latest articles of " + site.Title + "."
}

// RSS 2.0, with the content, Dublin Core and Atom modules.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Language      string    `xml:"language"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Self          atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	GUID        rssGUID  `xml:"guid"`
	PubDate     string   `xml:"pubDate"`
	Creators    []string `xml:"dc:creator"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
	Content     *cdata   `xml:"content:encoded,omitempty"`
}

type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

func (s *Server) rss(r *http.Request, site Site, scope feedScope, articles []*byline.Article, updated time.Time) ([]byte, error) {
	doc := rssDoc{
		Version: "2.0", NSContent: "http://purl.org/rss/1.0/modules/content/",
		NSDC: "http://purl.org/dc/elements/1.1/", NSAtom: "http://www.w3.org/2005/Atom",
		Channel: rssChannel{
			Title:         feedTitle(site, scope),
			Link:          s.absURL(r, scope.path+"/"),
			Description:   feedDescription(site, scope),
			Language:      "en",
			LastBuildDate: updated.UTC().Format(time.RFC1123Z),
			Generator:     "Byline",
			Self:          atomLink{Href: s.absURL(r, scope.path+rssFormat.suffix), Rel: "self", Type: "application/rss+xml"},
		},
	}
	for _, a := range articles {
		item := rssItem{
			Title:       a.Headline,
			Link:        s.absURL(r, a.URL()),
			GUID:        rssGUID{IsPermaLink: "false", Value: s.articleGUID(r, a)},
			PubDate:     a.PublishedAt.UTC().Format(time.RFC1123Z),
			Description: excerpt(a),
		}
		for _, au := range a.Authors {
			item.Creators = append(item.Creators, au.Name)
		}
		for _, t := range a.Tags {
			item.Categories = append(item.Categories, t.Name)
		}
		if s.FeedFullContent {
			item.Content = &cdata{s.absoluteLinks(r, a.BodyHTML)}
		}
		doc.Channel.Items = append(doc.Channel.Items, item)
	}
	return marshalXML(doc)
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName  xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle,omitempty"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   *atomPerson `xml:"author,omitempty"`
	Entries  []atomEntry `xml:"entry"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Links      []atomLink     `xml:"link"`
	Published  string         `xml:"published"`
	Updated    string         `xml:"updated"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    *atomText      `xml:"content,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomText struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

func (s *Server) atom(r *http.Request, site Site, scope feedScope, articles []*byline.Article, updated time.Time) ([]byte, error) {
	feed := atomFeed{
		Title:    feedTitle(site, scope),
		Subtitle: feedDescription(site, scope),
		ID:       s.absURL(r, scope.path+"/"),
		Updated:  updated.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Href: s.absURL(r, scope.path+atomFormat.suffix), Rel: "self", Type: "application/atom+xml"},
			{Href: s.absURL(r, scope.path+"/"), Rel: "alternate", Type: "text/html"},
		},
		// Atom requires an author for entries that have none of their own.
		Author: &atomPerson{Name: site.Title},
	}
	for _, a := range articles {
		e := atomEntry{
			Title:     a.Headline,
			ID:        s.articleGUID(r, a),
			Links:     []atomLink{{Href: s.absURL(r, a.URL()), Rel: "alternate", Type: "text/html"}},
			Published: a.PublishedAt.UTC().Format(time.RFC3339),
			Updated:   a.UpdatedAt.UTC().Format(time.RFC3339),
			Summary:   atomText{Type: "text", Value: excerpt(a)},
		}
		for _, au := range a.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: au.Name, URI: s.absURL(r, "/author/"+au.Slug+"/")})
		}
		for _, t := range a.Tags {
			e.Categories = append(e.Categories, atomCategory{Term: t.Slug, Label: t.Name})
		}
		if s.FeedFullContent {
			e.Content = &atomText{Type: "html", Value: s.absoluteLinks(r, a.BodyHTML)}
		}
		feed.Entries = append(feed.Entries, e)
	}
	return marshalXML(feed)
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1).
type jsonFeedDoc struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url"`
	FeedURL     string         `json:"feed_url"`
	Description string         `json:"description,omitempty"`
	Language    string         `json:"language"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html,omitempty"`
	ContentText   string           `json:"content_text,omitempty"`
	Summary       string           `json:"summary"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

func (s *Server) jsonFeed(r *http.Request, site Site, scope feedScope, articles []*byline.Article) ([]byte, error) {
	doc := jsonFeedDoc{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       feedTitle(site, scope),
		HomePageURL: s.absURL(r, scope.path+"/"),
		FeedURL:     s.absURL(r, scope.path+jsonFormat.suffix),
		Description: feedDescription(site, scope),
		Language:    "en",
		Items:       []jsonFeedItem{},
	}
	for _, a := range articles {
		item := jsonFeedItem{
			ID:            s.articleGUID(r, a),
			URL:           s.absURL(r, a.URL()),
			Title:         a.Headline,
			Summary:       excerpt(a),
			Image:         s.absImage(r, a.FeatureImageURL),
			DatePublished: a.PublishedAt.UTC().Format(time.RFC3339),
			DateModified:  a.UpdatedAt.UTC().Format(time.RFC3339),
		}
		if s.FeedFullContent {
			item.ContentHTML = s.absoluteLinks(r, a.BodyHTML)
		} else {
			item.ContentText = excerpt(a)
		}
		for _, au := range a.Authors {
			item.Authors = append(item.Authors, jsonFeedAuthor{Name: au.Name, URL: s.absURL(r, "/author/"+au.Slug+"/")})
		}
		for _, t := range a.Tags {
			item.Tags = append(item.Tags, t.Name)
		}
		doc.Items = append(doc.Items, item)
	}
	return json.MarshalIndent(doc, "", "  ")
}

// absoluteLinks rewrites root-relative href and src attributes in article
// HTML to absolute URLs: feed readers have no page to resolve them against.
func (s *Server) absoluteLinks(r *http.Request, html string) string {
	base := strings.ReplaceAll(s.baseURL(r), "$", "$$")
	return rootRelative.ReplaceAllString(html, `$1="`+base+`/$2`)
}

// rootRelative matches href="/x" and src="/x" but not protocol-relative "//x".
var rootRelative = regexp.MustCompile(`\b(href|src)="/([^/"])`)

func marshalXML(v any) ([]byte, error) {
	b, err := xml.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode feed: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}
