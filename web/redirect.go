package web

import (
	"net/http"

	"github.com/bylinenews/byline"
)

// redirectOldOrNotFound sends an address an imported article or page had
// on the old site (its WordPress permalink, /?p=123, /?page_id=7, a Hugo
// alias) to its address here with a 301, and answers any other address
// with the not-found page.
func (s *Server) redirectOldOrNotFound(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if path := byline.RedirectPath(r.URL.String()); path != "" {
			a, err := s.Articles.FindRedirect(r.Context(), path)
			if err == nil {
				http.Redirect(w, r, a.URL(), http.StatusMovedPermanently)
				return
			}
			if byline.ErrorKind(err) != byline.NotFound {
				s.serveError(w, r, err)
				return
			}
			if s.Pages != nil {
				p, err := s.Pages.FindRedirect(r.Context(), path)
				if err == nil {
					http.Redirect(w, r, p.URL(), http.StatusMovedPermanently)
					return
				}
				if byline.ErrorKind(err) != byline.NotFound {
					s.serveError(w, r, err)
					return
				}
			}
		}
	}
	s.notFound(w, r)
}

// redirectToSlash sends /yyyy/mm/slug to /yyyy/mm/slug/, the permalink.
func (s *Server) redirectToSlash(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Path + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}
