package web

import (
	"net/http"

	"github.com/bylinenews/byline"
)

// showTag serves the archive of one tag.
func (s *Server) showTag(w http.ResponseWriter, r *http.Request) {
	s.showArchive(w, r, "tag")
}

// showAuthor serves the archive of one author.
func (s *Server) showAuthor(w http.ResponseWriter, r *http.Request) {
	s.showArchive(w, r, "author")
}

// showArchive serves a page of the articles of the tag or author the path
// names, as showList lays out the home page.
func (s *Server) showArchive(w http.ResponseWriter, r *http.Request, kind string) {
	scope, err := s.archiveScope(r, kind)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	heading := "Articles by " + scope.title
	if kind == "tag" {
		heading = "Articles tagged “" + scope.title + "”"
	}
	s.showList(w, r, scope, heading)
}

// archiveScope looks up the tag, author or section (kind) the path's slug names, for
// its archive page and its feeds; kind "" is the whole site.
func (s *Server) archiveScope(r *http.Request, kind string) (feedScope, error) {
	slug := r.PathValue("slug")
	switch kind {
	case "tag":
		tag, err := s.Articles.FindTag(r.Context(), slug)
		if err != nil {
			return feedScope{}, err
		}
		return feedScope{path: "/tag/" + tag.Slug, title: tag.Name, filter: byline.ArticleFilter{Tag: &tag.Slug}}, nil
	case "author":
		find := s.Articles.FindAuthor
		if s.Authors != nil {
			find = s.Authors.FindBySlug // with the profile
		}
		au, err := find(r.Context(), slug)
		if err != nil {
			return feedScope{}, err
		}
		return feedScope{path: "/author/" + au.Slug, title: au.Name, author: au, filter: byline.ArticleFilter{Author: &au.Slug}}, nil
	case "section":
		sec, err := s.Sections.FindBySlug(r.Context(), slug)
		if err != nil {
			return feedScope{}, err
		}
		return feedScope{path: "/section/" + sec.Slug, title: sec.Name, section: sec,
			filter: byline.ArticleFilter{Section: &sec.Slug}}, nil
	}
	return feedScope{}, nil
}
