package web

import (
	"net/http"

	"github.com/bylinenews/byline"
)

// articlePage is the data of an article page.
type articlePage struct {
	layout
	Article *byline.Article
	// Related are further reading under the article (filled by search).
	Related []*byline.Article
	// Profiles are the article's authors with their profiles, for the
	// boxes at its foot: those with something beyond a name to show.
	Profiles []*byline.Author
}

// relatedCount is the length of the Related articles list.
const relatedCount = 5

// showArticle serves an article with the Recent Posts beside it. A permalink
// with the wrong year or month is redirected to the right one.
func (s *Server) showArticle(w http.ResponseWriter, r *http.Request) {
	a, err := s.Articles.FindBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if want := a.URL(); r.URL.Path != want {
		http.Redirect(w, r, want, http.StatusMovedPermanently)
		return
	}
	l, err := s.newLayout(r, a.Headline, a.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	l.Description = excerpt(a)
	l.OGType = "article"
	l.Image = s.absImage(r, a.FeatureImageURL)
	l.JSONLD = s.articleJSONLD(r, l.Site, a)
	page := articlePage{layout: l, Article: a}
	if page.Profiles, err = s.authorProfiles(r, a); err != nil {
		s.serveError(w, r, err)
		return
	}
	if s.Search != nil {
		// Related articles are further reading: without them the article
		// is still worth serving.
		if page.Related, err = s.Search.Related(r.Context(), a, relatedCount); err != nil && r.Context().Err() == nil {
			s.Logger.Warn("related articles failed", "error", err, "article_id", a.ID, "request_id", requestID(r.Context()))
		}
	}
	s.render(w, r, http.StatusOK, "article", page)
}

// authorProfiles returns the profiles of a's authors that have one, in
// byline order. An author the store no longer has is left out.
func (s *Server) authorProfiles(r *http.Request, a *byline.Article) ([]*byline.Author, error) {
	if s.Authors == nil {
		return nil, nil
	}
	var out []*byline.Author
	for _, au := range a.Authors {
		p, err := s.Authors.FindBySlug(r.Context(), au.Slug)
		if byline.ErrorKind(err) == byline.NotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		if p.HasProfile() {
			out = append(out, p)
		}
	}
	return out, nil
}
