package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// authorsPerPage is the length of the newsroom's list of authors.
const authorsPerPage = 100

// authorsPage is the newsroom's list of authors, searchable by name.
type authorsPage struct {
	newsroomLayout
	Authors          []*byline.Author
	Query            string
	Total            int
	PrevURL, NextURL string
}

// authorPage is the form of one author's profile.
type authorPage struct {
	newsroomLayout
	Form *byline.Author
	// Links are the link rows of the form: the author's, then blank ones
	// up to a few more, within byline.MaxAuthorLinks.
	Links []byline.AuthorLink
}

// showAuthors lists the authors: every one for editors and admins; for an
// author, their own profile only.
func (s *Server) showAuthors(w http.ResponseWriter, r *http.Request, u *byline.User) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	l := s.newNewsroomLayout(r, u, "Authors", "authors")
	data := authorsPage{newsroomLayout: l, Query: q}
	if u.Role.AtLeast(byline.RoleEditor) {
		list, total, err := s.Authors.Find(r.Context(), byline.AuthorFilter{Query: q, Limit: authorsPerPage, Offset: (page - 1) * authorsPerPage})
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		data.Authors, data.Total = list, total
		link := func(p int) string {
			v := url.Values{}
			if q != "" {
				v.Set("q", q)
			}
			v.Set("page", strconv.Itoa(p))
			return "/newsroom/authors?" + v.Encode()
		}
		if page > 1 {
			data.PrevURL = link(page - 1)
		}
		if page*authorsPerPage < total {
			data.NextURL = link(page + 1)
		}
	} else {
		own, err := s.Authors.FindBySlug(r.Context(), byline.SlugOrUntitled(strings.TrimSpace(u.Name)))
		if err != nil && byline.ErrorKind(err) != byline.NotFound {
			s.newsroomError(w, r, u, err)
			return
		}
		if own != nil && u.CanEditAuthor(own) {
			data.Authors, data.Total = []*byline.Author{own}, 1
		}
	}
	s.renderNewsroom(w, r, http.StatusOK, "authors", data)
}

// pathAuthor loads the author named by the path's ID, if u may edit them.
func (s *Server) pathAuthor(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.Author, bool) {
	id, err := pathID(r, "id")
	var au *byline.Author
	if err == nil {
		au, err = s.Authors.FindByID(r.Context(), id)
	}
	if err == nil && !u.CanEditAuthor(au) {
		err = forbidden("edit this author's profile")
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return nil, false
	}
	return au, true
}

// editAuthor serves an author's profile form.
func (s *Server) editAuthor(w http.ResponseWriter, r *http.Request, u *byline.User) {
	au, ok := s.pathAuthor(w, r, u)
	if !ok {
		return
	}
	s.renderAuthor(w, r, u, http.StatusOK, au, "")
}

func (s *Server) renderAuthor(w http.ResponseWriter, r *http.Request, u *byline.User, status int, au *byline.Author, problem string) {
	l := s.newNewsroomLayout(r, u, "Author: "+au.Name, "authors")
	l.Error = problem
	links := append([]byline.AuthorLink(nil), au.Links...)
	for len(links) < min(len(au.Links)+3, byline.MaxAuthorLinks) {
		links = append(links, byline.AuthorLink{})
	}
	s.renderNewsroom(w, r, status, "author", authorPage{newsroomLayout: l, Form: au, Links: links})
}

// readAuthorForm reads a profile form: name, job title, bio, photo,
// website and the numbered link rows (link_label_N, link_url_N).
func readAuthorForm(r *http.Request) byline.Author {
	f := r.PostForm
	au := byline.Author{Name: f.Get("name"), JobTitle: f.Get("job_title"), Bio: f.Get("bio"),
		PhotoURL: f.Get("photo_url"), Website: f.Get("website")}
	for i := range byline.MaxAuthorLinks + 1 { // one past the bound, so too many is refused, not dropped
		n := strconv.Itoa(i)
		if l := (byline.AuthorLink{Label: f.Get("link_label_" + n), URL: f.Get("link_url_" + n)}); l.Label != "" || l.URL != "" {
			au.Links = append(au.Links, l)
		}
	}
	return au
}

// saveAuthor saves an author's profile form. The site's version moves,
// so cached pages with the author's byline are made again.
func (s *Server) saveAuthor(w http.ResponseWriter, r *http.Request, u *byline.User) {
	current, ok := s.pathAuthor(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	au := readAuthorForm(r)
	au.ID = current.ID
	if err := s.Authors.Update(r.Context(), &au); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid {
			au.Slug = current.Slug
			s.renderAuthor(w, r, u, statusOf(k), &au, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("author saved", "author_id", au.ID, "slug", au.Slug, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/authors/"+strconv.FormatInt(au.ID, 10), "author-saved")
}
