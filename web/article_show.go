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
	if s.Search != nil {
		// Related articles are further reading: without them the article
		// is still worth serving.
		if page.Related, err = s.Search.Related(r.Context(), a, relatedCount); err != nil && r.Context().Err() == nil {
			s.Logger.Warn("related articles failed", "error", err, "article_id", a.ID, "request_id", requestID(r.Context()))
		}
	}
	s.render(w, r, http.StatusOK, "article", page)
}
