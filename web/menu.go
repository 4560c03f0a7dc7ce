package web

import (
	"context"
	"sync"
	"time"

	"github.com/bylinenews/byline"
)

// maxFallbackSections bounds the header's list of sections on a site with
// no header menu, so that it stays a line or two.
const maxFallbackSections = 12

// menuMemo keeps the menus readers see for the site version they were read
// at: every page shows them, and every write to a menu, or to a section,
// page or tag one leads to, moves the version.
type menuMemo struct {
	mu             sync.Mutex
	version        time.Time
	read           bool
	header, footer []*byline.MenuItem // shared by the requests: read only
}

// siteMenus returns the header's and the footer's menus as readers see
// them: the visible items, in order. With no header menu (or no Menus
// service), the header lists the top-level sections instead, so a site
// has a navigation before anyone makes a menu.
func (s *Server) siteMenus(ctx context.Context) (header, footer []*byline.MenuItem, err error) {
	if s.Menus == nil && s.Sections == nil {
		return nil, nil, nil
	}
	version, err := s.lastModified(ctx)
	if err != nil {
		return nil, nil, err
	}
	m := &s.menus
	m.mu.Lock()
	if m.read && m.version.Equal(version) {
		header, footer = m.header, m.footer
		m.mu.Unlock()
		return header, footer, nil
	}
	m.mu.Unlock()

	var all []*byline.MenuItem
	if s.Menus != nil {
		if all, err = s.Menus.Get(ctx, byline.HeaderMenu); err != nil {
			return nil, nil, err
		}
		header = byline.VisibleMenu(all)
		f, err := s.Menus.Get(ctx, byline.FooterMenu)
		if err != nil {
			return nil, nil, err
		}
		footer = byline.VisibleMenu(f)
	}
	if all == nil && s.Sections != nil {
		if header, err = s.sectionMenu(ctx); err != nil {
			return nil, nil, err
		}
	}
	m.mu.Lock()
	m.header, m.footer, m.version, m.read = header, footer, version, true
	m.mu.Unlock()
	return header, footer, nil
}

// sectionMenu is the header's menu on a site without one: the top-level
// sections in their order.
func (s *Server) sectionMenu(ctx context.Context) ([]*byline.MenuItem, error) {
	all, err := s.Sections.List(ctx)
	if err != nil {
		return nil, err
	}
	ordered, depth := byline.SectionTree(all)
	var items []*byline.MenuItem
	for _, sec := range ordered {
		if depth[sec.ID] != 0 || len(items) == maxFallbackSections {
			continue
		}
		it := &byline.MenuItem{Kind: byline.MenuSection, Target: sec.Slug, Name: sec.Name}
		it.Resolve(true, true)
		items = append(items, it)
	}
	return items, nil
}
