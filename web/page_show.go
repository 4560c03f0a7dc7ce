package web

import (
	"html/template"
	"net/http"
	"regexp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// pageView is the data of a static page.
type pageView struct {
	layout
	Page     *byline.Page
	Subpages []*byline.Page // the published pages under it
}

// pagePath matches what may be a page's address: one or two segments with
// a slash at the end (article permalinks have three).
var pagePath = regexp.MustCompile(`^/[^/]+/(?:[^/]+/)?$`)

// showPage serves the published page at the request's path; an address
// that is no page may be an old one (redirect.go), or not found.
func (s *Server) showPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.Pages.FindByPath(r.Context(), r.URL.Path)
	if byline.ErrorKind(err) == byline.NotFound {
		s.redirectOldOrNotFound(w, r)
		return
	} else if err != nil {
		s.serveError(w, r, err)
		return
	}
	l, err := s.newLayout(r, p.Title, 0)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if d := markdown.Excerpt(p.BodyText, 160); d != "" {
		l.Description = d
	}
	view := pageView{layout: l, Page: p}
	if p.ParentID == 0 {
		all, err := s.Pages.List(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		for _, c := range all {
			if c.ParentID == p.ID && c.IsVisible() {
				view.Subpages = append(view.Subpages, c)
			}
		}
	}
	s.render(w, r, http.StatusOK, "page", view)
}

// pageBody marks a page's stored HTML as safe: the store sanitized it with
// the markdown package's policy when it was saved, as an article's.
func pageBody(p *byline.Page) template.HTML { return template.HTML(p.BodyHTML) }
