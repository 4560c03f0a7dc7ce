package web

import (
	"net/http"

	"github.com/bylinenews/byline"
)

// layout is the data every page shares: the site, the page's own title and
// description, and the Recent Posts beside it.
type layout struct {
	Site        Site
	Title       string // the page's title; "" on the home page
	Description string
	Canonical   string // the page's own path
	Recent      []*byline.Article
	SearchQuery string // kept in the header search box

	// Discovery and link-preview metadata.
	BaseURL          string     // the site's absolute origin, for canonical and OpenGraph URLs
	Feeds            []feedLink // <link rel="alternate">
	PrevURL, NextURL string     // rel=prev/next on paged lists
	OGType           string     // "website" unless set
	Image            string     // absolute URL of the page's image, if any
	JSONLD           any        // schema.org data, encoded by encoding/json
}

// newLayout builds the shared page data, with Recent Posts leaving out the
// article with ID excludeID (the one being read).
func (s *Server) newLayout(r *http.Request, title string, excludeID int64) (layout, error) {
	recent, err := s.Articles.Recent(r.Context(), s.siteConfig(r.Context()).RecentCount, excludeID)
	if err != nil {
		return layout{}, err
	}
	l := s.bareLayout(r, title)
	l.Recent = recent
	return l, nil
}

// bareLayout is the layout without anything from the database, for error
// pages when the database itself is the error.
func (s *Server) bareLayout(r *http.Request, title string) layout {
	site := s.siteConfig(r.Context()).Site // the newsroom's settings over the flags
	description := site.Description
	if description == "" {
		description = site.Tagline
	}
	return layout{Site: site, Title: title, Description: description, Canonical: r.URL.Path,
		BaseURL: s.baseURL(r), Feeds: s.feedLinks(r, feedScope{})}
}
