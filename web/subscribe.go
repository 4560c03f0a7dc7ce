package web

import (
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// SubscribePolicy sets the newsletter sign-up's limits. The zero value is
// the defaults.
type SubscribePolicy struct {
	PerIP    Rate // sign-ups per client address; DefaultSubscribePerIP if zero
	PerEmail Rate // confirmation emails per address; DefaultSubscribePerEmail if zero
	// ConfirmationTTL is how long a confirmation link works;
	// byline.DefaultConfirmationTTL if zero.
	ConfirmationTTL time.Duration
}

// Defaults for SubscribePolicy's zero fields.
var (
	DefaultSubscribePerIP    = Rate{Limit: 10, Window: time.Hour}
	DefaultSubscribePerEmail = Rate{Limit: 3, Window: 24 * time.Hour}
)

func (p *SubscribePolicy) perIP() Rate    { return rateOr(p.PerIP, DefaultSubscribePerIP) }
func (p *SubscribePolicy) perEmail() Rate { return rateOr(p.PerEmail, DefaultSubscribePerEmail) }

// subscribeView is which state of the /subscribe page to show.
type subscribeView string

const (
	viewSignUp       subscribeView = "sign-up"      // the form
	viewCheckInbox   subscribeView = "check-inbox"  // after a sign-up
	viewConfirm      subscribeView = "confirm"      // the confirmation link's button
	viewConfirmed    subscribeView = "confirmed"    // after confirming
	viewPreferences  subscribeView = "preferences"  // the signed preferences page
	viewUnsubscribe  subscribeView = "unsubscribe"  // the signed unsubscribe page's button
	viewUnsubscribed subscribeView = "unsubscribed" // after unsubscribing
)

// subscribePage is the data of every state of the newsletter pages.
type subscribePage struct {
	layout
	View        subscribeView
	Newsletters []*byline.Newsletter
	Chosen      map[int64]bool
	Email, Name string
	Errors      map[string]string // by field: email, newsletters; "form" for the whole
	Notice      string

	Token       string // the confirmation link's, for its button
	Subscriber  int64  // the signed pages' subscriber, with their signatures
	Signature   string
	Newsletter  *byline.Newsletter // the one an unsubscribe link names, nil for all
	PrefsURL    string
	Unsubscribe string // the signed unsubscribe form's query
}

func (s *Server) subscribeReady(w http.ResponseWriter, r *http.Request) bool {
	if s.Subscribers == nil || s.Newsletters == nil {
		s.notFound(w, r)
		return false
	}
	w.Header().Set("Cache-Control", "no-store")
	// The links carry tokens and signatures: they must not leak to other
	// sites in a Referer.
	w.Header().Set("Referrer-Policy", "no-referrer")
	return true
}

func (s *Server) renderSubscribe(w http.ResponseWriter, r *http.Request, status int, page subscribePage) {
	l, err := s.newLayout(r, "Newsletters", 0)
	if err != nil {
		s.Logger.Warn("recent posts unreadable", slog.Any("error", err))
	}
	page.layout = l
	page.Canonical = "/subscribe"
	if page.Errors == nil {
		page.Errors = map[string]string{}
	}
	if page.Newsletters == nil {
		list, err := s.Newsletters.List(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		page.Newsletters = list
	}
	s.render(w, r, status, "subscribe", page)
}

// showSubscribe serves the sign-up form, or the "check your inbox" note
// after a sign-up.
func (s *Server) showSubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	page := subscribePage{View: viewSignUp, Chosen: map[int64]bool{}}
	if r.URL.Query().Get("sent") != "" {
		page.View = viewCheckInbox
	}
	s.renderSubscribe(w, r, http.StatusOK, page)
}

// showConfirm serves the confirmation link: a button that confirms. The
// link itself changes nothing, so a mail scanner that opens every link
// does not use up the reader's token.
func (s *Server) showConfirm(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 200 {
		s.serveError(w, r, byline.Errorf(byline.NotFound, "This confirmation link is incomplete: open the link from the email again."))
		return
	}
	s.renderSubscribe(w, r, http.StatusOK, subscribePage{View: viewConfirm, Token: token})
}

// confirmSubscription follows the confirmation: the reader is subscribed.
func (s *Server) confirmSubscription(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := r.PostFormValue("token")
	if token == "" || len(token) > 200 {
		s.serveError(w, r, byline.Errorf(byline.NotFound, "This confirmation link is unknown, already used or expired."))
		return
	}
	sub, err := s.Subscribers.Confirm(r.Context(), token)
	if err != nil {
		if byline.ErrorKind(err) == byline.NotFound {
			s.renderSubscribe(w, r, http.StatusNotFound, subscribePage{View: viewSignUp, Chosen: map[int64]bool{},
				Errors: map[string]string{"form": "This confirmation link is unknown, already used or expired. Sign up again below to get a new one."}})
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.Logger.Info("subscription confirmed", "subscriber_id", sub.ID, "request_id", requestID(r.Context()))
	key, err := s.Subscribers.SigningKey(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderSubscribe(w, r, http.StatusOK, subscribePage{View: viewConfirmed, Chosen: chosen(sub.Newsletters),
		PrefsURL: preferencesURL(key, sub.ID)})
}

// preferencesURL is a subscriber's signed preferences page.
func preferencesURL(key []byte, id int64) string {
	return "/subscribe/preferences?s=" + strconv.FormatInt(id, 10) + "&sig=" + byline.SignSubscriber(key, byline.LinkPreferences, id, 0)
}

func chosen(ids []int64) map[int64]bool {
	m := map[int64]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// signedSubscriber reads and checks a signed link's subscriber (and
// newsletter, for an unsubscribe link). A bad signature is a 404, as for an
// unknown subscriber: the link tells a stranger nothing.
func (s *Server) signedSubscriber(w http.ResponseWriter, r *http.Request, purpose string) (*byline.Subscriber, int64, string, bool) {
	q := r.URL.Query()
	id, err1 := strconv.ParseInt(q.Get("s"), 10, 64)
	nid, err2 := int64(0), error(nil)
	if purpose == byline.LinkUnsubscribe {
		nid, err2 = strconv.ParseInt(q.Get("n"), 10, 64)
	}
	sig := q.Get("sig")
	notFound := byline.Errorf(byline.NotFound, "This link is not valid, or its subscriber has been removed.")
	if err1 != nil || err2 != nil || len(sig) > 100 {
		s.serveError(w, r, notFound)
		return nil, 0, "", false
	}
	key, err := s.Subscribers.SigningKey(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return nil, 0, "", false
	}
	if !byline.VerifySubscriber(key, purpose, id, nid, sig) {
		s.serveError(w, r, notFound)
		return nil, 0, "", false
	}
	sub, err := s.Subscribers.FindByID(r.Context(), id)
	if err != nil {
		if byline.ErrorKind(err) == byline.NotFound {
			err = notFound
		}
		s.serveError(w, r, err)
		return nil, 0, "", false
	}
	return sub, nid, sig, true
}

// showPreferences serves the signed preferences page reached from every
// email: which newsletters to get, and unsubscribing from all.
func (s *Server) showPreferences(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	sub, _, sig, ok := s.signedSubscriber(w, r, byline.LinkPreferences)
	if !ok {
		return
	}
	page := subscribePage{View: viewPreferences, Subscriber: sub.ID, Signature: sig, Email: sub.Email, Chosen: chosen(sub.Newsletters)}
	if r.URL.Query().Get("saved") != "" {
		page.Notice = "Your choice is saved."
	}
	s.renderSubscribe(w, r, http.StatusOK, page)
}

// savePreferences stores the preferences page's choice.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	sub, _, sig, ok := s.signedSubscriber(w, r, byline.LinkPreferences)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.serveError(w, r, byline.Errorf(byline.Invalid, "We could not read the form. Please try again."))
		return
	}
	var ids []int64
	if r.PostForm.Get("all") == "" {
		ids = formIDs(r.PostForm["newsletter"])
	}
	if err := s.Subscribers.SetNewsletters(r.Context(), sub.ID, ids); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			s.renderSubscribe(w, r, http.StatusUnprocessableEntity, subscribePage{View: viewPreferences, Subscriber: sub.ID,
				Signature: sig, Email: sub.Email, Chosen: chosen(ids), Errors: map[string]string{"form": byline.ErrorMessage(err)}})
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.Logger.Info("subscriber preferences saved", "subscriber_id", sub.ID, "newsletters", len(ids))
	http.Redirect(w, r, r.URL.Path+"?"+r.URL.RawQuery+"&saved=1", http.StatusSeeOther)
}

func formIDs(values []string) []int64 {
	var ids []int64
	for _, v := range values {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
		if len(ids) == 100 {
			break
		}
	}
	return ids
}

// showUnsubscribe serves the visible unsubscribe link of an email: a
// button, so a scanner opening the link unsubscribes nobody.
func (s *Server) showUnsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	sub, nid, _, ok := s.signedSubscriber(w, r, byline.LinkUnsubscribe)
	if !ok {
		return
	}
	page := subscribePage{View: viewUnsubscribe, Subscriber: sub.ID, Unsubscribe: r.URL.RawQuery}
	if page.Newsletter, ok = s.newsletterNamed(w, r, nid); !ok {
		return
	}
	key, err := s.Subscribers.SigningKey(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	page.PrefsURL = preferencesURL(key, sub.ID)
	s.renderSubscribe(w, r, http.StatusOK, page)
}

// newsletterNamed finds an unsubscribe link's newsletter; 0 is all, nil.
func (s *Server) newsletterNamed(w http.ResponseWriter, r *http.Request, id int64) (*byline.Newsletter, bool) {
	if id == 0 {
		return nil, true
	}
	n, err := s.Newsletters.FindByID(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return nil, false
	}
	return n, true
}

// unsubscribe is the one-click unsubscribe of RFC 8058, the POST a mail
// client sends to the List-Unsubscribe address (with the body
// List-Unsubscribe=One-Click), and the unsubscribe page's button. The
// signed link is the authority; no session or cookie is needed, and a mail
// provider's server posts without an Origin, so the cross-origin check
// lets it through.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	if !s.subscribeReady(w, r) {
		return
	}
	sub, nid, _, ok := s.signedSubscriber(w, r, byline.LinkUnsubscribe)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	r.ParseForm() // the body says One-Click or nothing; the link is what counts
	if err := s.Subscribers.Unsubscribe(r.Context(), sub.ID, nid); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.Logger.Info("subscriber unsubscribed", "subscriber_id", sub.ID, "newsletter_id", nid,
		"one_click", r.PostForm.Get("List-Unsubscribe") == "One-Click")
	page := subscribePage{View: viewUnsubscribed, Subscriber: sub.ID}
	if page.Newsletter, ok = s.newsletterNamed(w, r, nid); !ok {
		return
	}
	key, err := s.Subscribers.SigningKey(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	page.PrefsURL = preferencesURL(key, sub.ID)
	s.renderSubscribe(w, r, http.StatusOK, page)
}
