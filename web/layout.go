package web

import (
	"context"
	"net/http"
	"sync"
	"time"

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
	Subscribe   bool   // the newsletter sign-up is served: show its form

	// Menu and FooterMenu are what readers see of the header's and the
	// footer's menus (menu.go).
	Menu, FooterMenu []*byline.MenuItem

	// Discovery and link-preview metadata.
	BaseURL          string     // the site's absolute origin, for canonical and OpenGraph URLs
	Feeds            []feedLink // <link rel="alternate">
	PrevURL, NextURL string     // rel=prev/next on paged lists
	OGType           string     // "website" unless set
	Image            string     // absolute URL of the page's image, if any
	JSONLD           any        // schema.org data, encoded by encoding/json

	// config is the site's settings as this page read them, once: handlers
	// take Site and the list lengths from here rather than read them again.
	config siteConfig
}

// newLayout builds the shared page data, reading the site's settings once
// for the whole page, with Recent Posts leaving out the article with ID
// excludeID (the one being read). If the Recent Posts cannot be read, it
// returns the error with a layout that serves without them (an error page's).
func (s *Server) newLayout(r *http.Request, title string, excludeID int64) (layout, error) {
	l := s.bareLayout(r, title)
	recent, err := s.recentPosts(r.Context(), l.config.RecentCount, excludeID)
	if err != nil {
		return l, err
	}
	l.Recent = recent
	if l.Menu, l.FooterMenu, err = s.siteMenus(r.Context()); err != nil {
		return l, err
	}
	return l, nil
}

// bareLayout is the layout without anything from the database but the
// settings, for error pages when the database itself is the error.
func (s *Server) bareLayout(r *http.Request, title string) layout {
	config := s.siteConfig(r.Context()) // the newsroom's settings over the flags
	site := config.Site
	// Every page has a description for search engines and link previews:
	// the site's, else its tagline, else one made of its title; pages of
	// their own (articles, lists, contact) set a better one.
	description := feedDescription(site, feedScope{})
	return layout{Site: site, Title: title, Description: description, Canonical: r.URL.Path,
		BaseURL: s.baseURL(r), Feeds: s.feedLinks(r, site, feedScope{}), config: config,
		Subscribe: s.Subscribers != nil && s.Newsletters != nil}
}

// recentMemo keeps the Recent Posts for the site version (LastModified)
// they were read at. Pages outside the page cache, search results above
// all, would otherwise read them again for every request; one query for
// the version is cheaper than the list with its authors and tags.
type recentMemo struct {
	mu      sync.Mutex
	version time.Time
	count   int
	list    []*byline.Article // shared by the requests: read only
}

// recentPosts returns the newest count articles but excludeID, from the
// memo when nothing is left out and the site has not changed.
func (s *Server) recentPosts(ctx context.Context, count int, excludeID int64) ([]*byline.Article, error) {
	if excludeID != 0 {
		return s.Articles.Recent(ctx, count, excludeID)
	}
	version, err := s.lastModified(ctx)
	if err != nil {
		return nil, err
	}
	m := &s.recent
	m.mu.Lock()
	if m.list != nil && m.count == count && m.version.Equal(version) {
		list := m.list
		m.mu.Unlock()
		return list, nil
	}
	m.mu.Unlock()
	list, err := s.Articles.Recent(ctx, count, 0)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	m.list, m.count, m.version = list, count, version
	m.mu.Unlock()
	return list, nil
}
