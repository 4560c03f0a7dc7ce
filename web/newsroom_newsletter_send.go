package web

import (
	"net/http"
	"strconv"

	"github.com/bylinenews/byline"
)

// sendPage is the data of an article's "send as newsletter" page: which
// newsletter, a test to the editor first, then the send.
type sendPage struct {
	newsroomLayout
	Article     *byline.DeskArticle
	Live        bool
	Newsletters []*byline.Newsletter
	Chosen      int64
	Previous    []*sendView // earlier sends of this article
}

// showSendArticle serves the page that emails an article to a newsletter.
func (s *Server) showSendArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	chosen, _ := strconv.ParseInt(r.URL.Query().Get("newsletter"), 10, 64)
	s.renderSendArticle(w, r, u, http.StatusOK, d, chosen, "")
}

func (s *Server) renderSendArticle(w http.ResponseWriter, r *http.Request, u *byline.User, status int, d *byline.DeskArticle, chosen int64, problem string) {
	ctx := r.Context()
	list, err := s.Newsletters.List(ctx)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	sends, err := s.Newsletters.Sends(ctx, 200)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	names := map[int64]string{}
	for _, n := range list {
		names[n.ID] = n.Name
	}
	var previous []*sendView
	for _, send := range sends {
		if send.ArticleID == d.ID {
			previous = append(previous, &sendView{Send: send, Newsletter: names[send.NewsletterID], Headline: d.Headline})
		}
	}
	if chosen == 0 && len(list) > 0 {
		chosen = list[0].ID
	}
	l := s.newNewsroomLayout(r, u, "Send as newsletter", "newsletters")
	l.Error = problem
	s.renderNewsroom(w, r, status, "newsletter_send", sendPage{newsroomLayout: l, Article: d, Live: d.IsVisible(s.now()),
		Newsletters: list, Chosen: chosen, Previous: previous})
}

// sendArticle queues the article's emails: to the editor alone (a test),
// or to every active subscriber of the newsletter, once it is published.
// The emails are committed before the answer, and go out from the list's
// outbox.
func (s *Server) sendArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	nid, _ := strconv.ParseInt(f.Get("newsletter"), 10, 64)
	send := &byline.Send{NewsletterID: nid, ArticleID: d.ID}
	test := f.Get("action") == "test"
	if test {
		send.TestTo = u.Email
	} else if !d.IsVisible(s.now()) {
		s.renderSendArticle(w, r, u, http.StatusConflict, d, nid,
			"The article is not on the site yet: publish it first. A test to yourself works before.")
		return
	} else if f.Get("confirm") != "yes" {
		s.renderSendArticle(w, r, u, http.StatusUnprocessableEntity, d, nid,
			"Tick the box to confirm that this goes to every subscriber of the newsletter.")
		return
	}
	if err := s.Newsletters.Queue(r.Context(), send); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.NotFound {
			s.renderSendArticle(w, r, u, statusOf(k), d, nid, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("newsletter send queued", "send_id", send.ID, "newsletter_id", nid, "article_id", d.ID,
		"recipients", send.Progress.Queued, "test", test, "by", u.ID)
	if s.NewsletterQueued != nil {
		s.NewsletterQueued()
	}
	done := "newsletter-queued"
	if test {
		done = "newsletter-test"
	}
	redirectDone(w, r, "/newsroom/newsletters/sends/"+strconv.FormatInt(send.ID, 10), done)
}

// sendProgressPage is the data of one send's progress.
type sendProgressPage struct {
	newsroomLayout
	Send *sendView
}

// showSend shows how far a send has gone: queued, sent, waiting, failed,
// with the last error. It refreshes itself while emails wait.
func (s *Server) showSend(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	id, err := pathID(r, "id")
	var send *byline.Send
	if err == nil {
		send, err = s.Newsletters.FindSend(r.Context(), id)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	v := &sendView{Send: send}
	if n, err := s.Newsletters.FindByID(r.Context(), send.NewsletterID); err == nil {
		v.Newsletter = n.Name
	}
	if a, err := s.Articles.FindByID(r.Context(), send.ArticleID); err == nil {
		v.Headline = a.Headline
	}
	s.renderNewsroom(w, r, http.StatusOK, "newsletter_progress", sendProgressPage{
		newsroomLayout: s.newNewsroomLayout(r, u, "Send progress", "newsletters"), Send: v})
}
