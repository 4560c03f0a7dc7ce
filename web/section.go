package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/bylinenews/byline"
)

// showSection serves a section's front: its lead story, then its other
// articles (its subsections' too), a page at a time, with its feeds.
func (s *Server) showSection(w http.ResponseWriter, r *http.Request) {
	scope, err := s.archiveScope(r, "section")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.showList(w, r, scope, scope.section.Name)
}

// sectionFront is what a section's front shows above its list: where it
// sits and what is under it.
type sectionFront struct {
	Section     *byline.Section
	Parent      *byline.Section
	Subsections []*byline.Section
}

// sectionFrontOf finds the parent and subsections of sec.
func (s *Server) sectionFrontOf(ctx context.Context, sec *byline.Section) (*sectionFront, error) {
	all, err := s.Sections.List(ctx)
	if err != nil {
		return nil, err
	}
	front := &sectionFront{Section: sec}
	for _, c := range all {
		switch {
		case c.ID == sec.ParentID:
			front.Parent = c
		case c.ParentID == sec.ID:
			front.Subsections = append(front.Subsections, c)
		}
	}
	return front, nil
}

// redirectCategory answers a WordPress category address,
// /category/{parent}/{slug}/ and its feed /category/{slug}/feed/, with a
// 301 to the section with that slug and its feed. Anything else is
// treated as any unknown address (an imported article's old one, or 404).
func (s *Server) redirectCategory(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.PathValue("path"), "/"), "/")
	suffix := ""
	if n := len(parts); n > 1 && parts[n-1] == "feed" {
		parts, suffix = parts[:n-1], "feed/"
	} else if n > 2 && parts[n-2] == "feed" && (parts[n-1] == "atom" || parts[n-1] == "rss2") {
		suffix = "feed/"
		if parts[n-1] == "atom" {
			suffix = "feed/atom/"
		}
		parts = parts[:n-2]
	}
	slug := byline.Slugify(parts[len(parts)-1])
	if slug == "" {
		s.redirectOldOrNotFound(w, r)
		return
	}
	sec, err := s.Sections.FindBySlug(r.Context(), slug)
	if byline.ErrorKind(err) == byline.NotFound {
		s.redirectOldOrNotFound(w, r)
		return
	} else if err != nil {
		s.serveError(w, r, err)
		return
	}
	http.Redirect(w, r, sec.URL()+suffix, http.StatusMovedPermanently)
}

// sectionBlock is one section's block on the front page: its name and its
// latest stories.
type sectionBlock struct {
	Section  *byline.Section
	Articles []*byline.Article
}

// Front page blocks: how many sections get one, and how many stories each.
const (
	maxSectionBlocks  = 12
	sectionBlockItems = 4
)

// sectionBlocks returns a block for each of the sections, in order, with
// its latest stories, leaving out those the front page already shows
// (shown, which it extends); a section with nothing new has no block.
func (s *Server) sectionBlocks(ctx context.Context, sections []*byline.Section, shown map[int64]bool) ([]sectionBlock, error) {
	var blocks []sectionBlock
	for _, sec := range sections {
		if len(blocks) == maxSectionBlocks {
			break
		}
		slug := sec.Slug
		list, _, err := s.Articles.Find(ctx, byline.ArticleFilter{Section: &slug, Limit: sectionBlockItems + len(shown)})
		if err != nil {
			return nil, err
		}
		b := sectionBlock{Section: sec}
		for _, a := range list {
			if len(b.Articles) < sectionBlockItems && !shown[a.ID] {
				b.Articles = append(b.Articles, a)
			}
		}
		for _, a := range b.Articles {
			shown[a.ID] = true
		}
		if len(b.Articles) > 0 {
			blocks = append(blocks, b)
		}
	}
	return blocks, nil
}

// frontSections are the sections that get a block on the front page, in
// order: the top-level sections in the newsroom's order.
func (s *Server) frontSections(ctx context.Context) ([]*byline.Section, error) {
	all, err := s.Sections.List(ctx)
	if err != nil {
		return nil, err
	}
	ordered, depth := byline.SectionTree(all)
	var top []*byline.Section
	for _, sec := range ordered {
		if depth[sec.ID] == 0 {
			top = append(top, sec)
		}
	}
	return top, nil
}
