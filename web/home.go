package web

import (
	"net/http"
	"strconv"

	"github.com/bylinenews/byline"
)

// listPage is the data of the home page and the tag and author archives.
type listPage struct {
	layout
	Heading  string
	Articles []*byline.Article
	Total    int
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	FirstRun bool // the site has no articles at all yet
}

// showHome serves the latest articles, a page at a time.
func (s *Server) showHome(w http.ResponseWriter, r *http.Request) {
	s.showList(w, r, byline.ArticleFilter{}, "", "")
}

// showTag serves the archive of one tag.
func (s *Server) showTag(w http.ResponseWriter, r *http.Request) {
	tag, err := s.Articles.FindTag(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.showList(w, r, byline.ArticleFilter{Tag: &tag.Slug}, tag.Name, "Articles tagged “"+tag.Name+"”")
}

// showAuthor serves the archive of one author.
func (s *Server) showAuthor(w http.ResponseWriter, r *http.Request) {
	au, err := s.Articles.FindAuthor(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.showList(w, r, byline.ArticleFilter{Author: &au.Slug}, au.Name, "Articles by "+au.Name)
}

func (s *Server) showList(w http.ResponseWriter, r *http.Request, f byline.ArticleFilter, title, heading string) {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %q.", v))
			return
		}
		page = n
	}
	f.Limit, f.Offset = s.PostsPerPage, (page-1)*s.PostsPerPage
	articles, total, err := s.Articles.Find(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pages := max((total+s.PostsPerPage-1)/s.PostsPerPage, 1)
	if page > pages {
		s.serveError(w, r, byline.Errorf(byline.NotFound, "There is no page %d; the last is %d.", page, pages))
		return
	}
	l, err := s.newLayout(r, title, 0)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	data := listPage{layout: l, Heading: heading, Articles: articles, Total: total, Page: page, Pages: pages,
		FirstRun: total == 0 && f.Tag == nil && f.Author == nil}
	if page > 1 {
		data.PrevURL = pageURL(r.URL.Path, page-1)
		data.Title = title + " — page " + strconv.Itoa(page)
	}
	if page < pages {
		data.NextURL = pageURL(r.URL.Path, page+1)
	}
	data.Canonical = pageURL(r.URL.Path, page)
	s.render(w, r, http.StatusOK, "list", data)
}

func pageURL(path string, page int) string {
	if page <= 1 {
		return path
	}
	return path + "?page=" + strconv.Itoa(page)
}
