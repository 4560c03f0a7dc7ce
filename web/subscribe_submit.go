package web

import (
	"log/slog"
	"net/http"

	"github.com/bylinenews/byline"
)

// submitSubscribe receives a sign-up, from the /subscribe page or from the
// short form on every page. Limits per client and per address, and a
// honeypot, as on the contact form; success is committed (with its
// confirmation email queued) before the 303 to "check your inbox". The
// answer is the same whether or not the address was on the list already,
// so the form tells nobody who subscribes.
func (s *Server) submitSubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	logger := s.Logger.With("request_id", requestID(r.Context()))
	client := s.clientKey(r)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderSubscribe(w, r, http.StatusBadRequest, subscribePage{View: viewSignUp, Chosen: map[int64]bool{},
			Errors: map[string]string{"form": "We could not read the form. Please try again."}})
		return
	}
	f := r.PostForm
	page := subscribePage{View: viewSignUp, Email: f.Get("email"), Name: f.Get("name"), Errors: map[string]string{}}
	ids := formIDs(f["newsletter"])
	page.Chosen = chosen(ids)
	list, err := s.Newsletters.List(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	page.Newsletters = list
	if ok, retry := s.allow(w, r, "subscribe:ip:"+client, s.Subscribe.perIP()); !ok {
		logger.Warn("subscribe rate limited", "client", client, "retry_after", retry.String())
		page.Errors["form"] = "You have signed up several times in a short time. Please try again in " + inWords(retry) + "."
		s.renderSubscribe(w, r, http.StatusTooManyRequests, page)
		return
	}
	// Robots fill the field people never see: they are thanked like
	// anyone, and nothing is kept or sent.
	if f.Get("homepage") != "" {
		logger.Warn("subscribe honeypot filled", "client", client)
		http.Redirect(w, r, "/subscribe?sent=1", http.StatusSeeOther)
		return
	}
	email, err := byline.CheckSubscriberEmail(page.Email)
	if err != nil {
		page.Errors["email"] = byline.ErrorMessage(err)
	}
	if _, err := byline.CheckSubscriberName(page.Name); err != nil {
		page.Errors["name"] = byline.ErrorMessage(err)
	}
	// The short form has no choice: one newsletter is it; several are
	// for the reader to pick, on this page, with their address kept.
	if len(ids) == 0 && len(list) == 1 {
		ids = []int64{list[0].ID}
	}
	if len(ids) == 0 {
		if f.Get("short") == "" {
			page.Errors["newsletters"] = "Please choose at least one newsletter."
		} else if len(page.Errors) == 0 {
			page.Notice = "Choose your newsletters, then sign up."
			s.renderSubscribe(w, r, http.StatusOK, page)
			return
		}
	}
	if len(page.Errors) > 0 {
		s.renderSubscribe(w, r, http.StatusUnprocessableEntity, page)
		return
	}
	if ok, retry := s.allow(w, r, "subscribe:email:"+email, s.Subscribe.perEmail()); !ok {
		// Not logged with the address: addresses stay out of the logs.
		logger.Warn("subscribe rate limited by address", "client", client, "retry_after", retry.String())
		page.Errors["form"] = "We have sent several confirmation emails to this address already. Please look for them, or try again in " + inWords(retry) + "."
		s.renderSubscribe(w, r, http.StatusTooManyRequests, page)
		return
	}
	if err := s.Subscribers.Subscribe(r.Context(), email, page.Name, ids, s.Subscribe.ConfirmationTTL); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			page.Errors["form"] = byline.ErrorMessage(err)
			s.renderSubscribe(w, r, http.StatusUnprocessableEntity, page)
			return
		}
		logger.Error("sign-up not saved", slog.Any("error", err))
		page.Errors["form"] = "We could not sign you up just now. Please try again in a moment."
		s.renderSubscribe(w, r, http.StatusServiceUnavailable, page)
		return
	}
	logger.Info("newsletter sign-up received", "newsletters", len(ids))
	if s.SubscriptionRequested != nil {
		s.SubscriptionRequested()
	}
	http.Redirect(w, r, "/subscribe?sent=1", http.StatusSeeOther)
}
