package web

import (
	"net/http"

	"github.com/bylinenews/byline"
)

// newslettersPage is the data of the newsroom's newsletters page: each
// newsletter with its count of active subscribers, the form to add one,
// and the latest sends with their progress.
type newslettersPage struct {
	newsroomLayout
	Newsletters []*byline.Newsletter
	Sends       []*sendView
	New         byline.Newsletter // the add form, as typed
}

// sendView is a send with the names of what it sent.
type sendView struct {
	*byline.Send
	Newsletter string
	Headline   string
}

func (s *Server) newslettersReady(w http.ResponseWriter, r *http.Request, u *byline.User) bool {
	if s.Newsletters == nil || s.Subscribers == nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "Newsletters are not set up on this site."))
		return false
	}
	if !u.CanPublish() {
		s.newsroomError(w, r, u, forbidden("manage newsletters"))
		return false
	}
	return true
}

// showNewsletters lists the newsletters and the latest sends.
func (s *Server) showNewsletters(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	s.renderNewsletters(w, r, u, http.StatusOK, byline.Newsletter{}, "")
}

func (s *Server) renderNewsletters(w http.ResponseWriter, r *http.Request, u *byline.User, status int, form byline.Newsletter, problem string) {
	ctx := r.Context()
	list, err := s.Newsletters.List(ctx)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	sends, err := s.Newsletters.Sends(ctx, 20)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	names := map[int64]string{}
	for _, n := range list {
		names[n.ID] = n.Name
	}
	views := make([]*sendView, 0, len(sends))
	for _, send := range sends {
		v := &sendView{Send: send, Newsletter: names[send.NewsletterID]}
		if a, err := s.Articles.FindByID(ctx, send.ArticleID); err == nil {
			v.Headline = a.Headline
		}
		views = append(views, v)
	}
	l := s.newNewsroomLayout(r, u, "Newsletters", "newsletters")
	l.Error = problem
	s.renderNewsroom(w, r, status, "newsletters", newslettersPage{newsroomLayout: l, Newsletters: list, Sends: views, New: form})
}

// addNewsletter creates a newsletter readers can pick.
func (s *Server) addNewsletter(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	n := byline.Newsletter{Name: f.Get("name"), Slug: f.Get("slug"), Description: f.Get("description")}
	if err := s.Newsletters.Create(r.Context(), &n); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.Conflict {
			s.renderNewsletters(w, r, u, statusOf(k), n, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("newsletter added", "newsletter_id", n.ID, "by", u.ID)
	redirectDone(w, r, "/newsroom/newsletters", "newsletter-added")
}
