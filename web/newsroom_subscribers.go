package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
)

// maxSubscriberCSV bounds an uploaded subscriber list.
const maxSubscriberCSV = 32 << 20

// subscribersPerPage is the length of the subscriber list.
const subscribersPerPage = 50

// subscribersPage is the data of the subscriber list: search, status and
// newsletter filters, the import form and the export link.
type subscribersPage struct {
	newsroomLayout
	Subscribers []*byline.Subscriber
	Total       int
	Newsletters []*byline.Newsletter
	Names       map[int64]string
	Query       string
	Status      string
	Newsletter  int64
	Statuses    []byline.SubscriberStatus
	Page        int
	PrevURL     string
	NextURL     string
	Export      string // the export's URL, with the same filters
	Imported    string // what the last import did
}

// subscriberFilter reads the list's filters from the query.
func subscriberFilter(q url.Values) (byline.SubscriberFilter, error) {
	f := byline.SubscriberFilter{Search: strings.TrimSpace(q.Get("q"))}
	if len(f.Search) > 200 {
		f.Search = f.Search[:200]
	}
	if v := byline.SubscriberStatus(q.Get("status")); v != "" {
		if !v.Valid() {
			return f, byline.Errorf(byline.Invalid, "Unknown status %q.", v)
		}
		f.Status = &v
	}
	f.NewsletterID, _ = strconv.ParseInt(q.Get("newsletter"), 10, 64)
	return f, nil
}

// showSubscribers lists the subscribers.
func (s *Server) showSubscribers(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	s.renderSubscribers(w, r, u, http.StatusOK, "")
}

func (s *Server) renderSubscribers(w http.ResponseWriter, r *http.Request, u *byline.User, status int, problem string) {
	q := r.URL.Query()
	f, err := subscriberFilter(q)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	f.Limit, f.Offset = subscribersPerPage, (page-1)*subscribersPerPage
	subs, total, err := s.Subscribers.Find(r.Context(), f)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	list, err := s.Newsletters.List(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	names := map[int64]string{}
	for _, n := range list {
		names[n.ID] = n.Name
	}
	l := s.newNewsroomLayout(r, u, "Subscribers", "newsletters")
	l.Error = problem
	data := subscribersPage{newsroomLayout: l, Subscribers: subs, Total: total, Newsletters: list, Names: names,
		Query: f.Search, Newsletter: f.NewsletterID, Page: page,
		Statuses: []byline.SubscriberStatus{byline.SubscriberPending, byline.SubscriberActive, byline.SubscriberUnsubscribed, byline.SubscriberBounced}}
	if f.Status != nil {
		data.Status = string(*f.Status)
	}
	filters := url.Values{}
	for _, k := range []string{"q", "status", "newsletter"} {
		if v := q.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	data.Export = "/newsroom/subscribers/export.csv?" + filters.Encode()
	if page > 1 {
		filters.Set("page", strconv.Itoa(page-1))
		data.PrevURL = "/newsroom/subscribers?" + filters.Encode()
	}
	if page*subscribersPerPage < total {
		filters.Set("page", strconv.Itoa(page+1))
		data.NextURL = "/newsroom/subscribers?" + filters.Encode()
	}
	if c, err := strconv.Atoi(q.Get("created")); err == nil {
		up, _ := strconv.Atoi(q.Get("updated"))
		data.Imported = fmt.Sprintf("Imported: %d new subscribers, %d already on the list.", c, up)
	}
	s.renderNewsroom(w, r, status, "subscribers", data)
}

// importSubscribers reads an uploaded CSV and imports it in one
// transaction: every bad row is listed by line, and then nothing is
// imported.
func (s *Server) importSubscribers(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSubscriberCSV+64<<10)
	file, _, err := r.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		msg := "Choose a CSV file to import."
		status := http.StatusBadRequest
		if errors.As(err, &tooBig) {
			msg, status = fmt.Sprintf("The file is larger than %d MB: split it.", maxSubscriberCSV>>20), http.StatusRequestEntityTooLarge
		}
		s.renderSubscribers(w, r, u, status, msg)
		return
	}
	defer file.Close()
	list, err := s.Newsletters.List(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	slugs := map[string]int64{}
	for _, n := range list {
		slugs[n.Slug] = n.ID
	}
	var defaults []int64
	if id, err := strconv.ParseInt(r.FormValue("newsletter"), 10, 64); err == nil && id > 0 {
		defaults = []int64{id}
	}
	subs, err := importer.ReadSubscribersCSV(file, slugs, defaults)
	if err == nil {
		var created, updated int
		if created, updated, err = s.Subscribers.Import(r.Context(), subs); err == nil {
			s.Logger.Info("subscribers imported", "created", created, "updated", updated, "by", u.ID)
			http.Redirect(w, r, fmt.Sprintf("/newsroom/subscribers?created=%d&updated=%d", created, updated), http.StatusSeeOther)
			return
		}
	}
	if byline.ErrorKind(err) == byline.Invalid {
		s.renderSubscribers(w, r, u, http.StatusUnprocessableEntity, "Nothing was imported. "+byline.ErrorMessage(err))
		return
	}
	s.newsroomError(w, r, u, err)
}

// exportSubscribers writes the subscribers matching the list's filters as
// CSV, in the layout the import reads.
func (s *Server) exportSubscribers(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	f, err := subscriberFilter(r.URL.Query())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	subs, _, err := s.Subscribers.Find(r.Context(), f)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	list, err := s.Newsletters.List(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	slugs := map[int64]string{}
	for _, n := range list {
		slugs[n.ID] = n.Slug
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="subscribers-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	s.Logger.Info("subscribers exported", "count", len(subs), "by", u.ID)
	importer.WriteSubscribersCSV(w, subs, slugs)
}

// confirmDeleteSubscriber asks before removing a subscriber.
func (s *Server) confirmDeleteSubscriber(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	id, err := pathID(r, "id")
	var sub *byline.Subscriber
	if err == nil {
		sub, err = s.Subscribers.FindByID(r.Context(), id)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.confirmDelete(w, r, u, "Delete subscriber", "newsletters", "/newsroom/subscribers/"+strconv.FormatInt(sub.ID, 10), confirmPage{
		Question: "Delete " + sub.Email + "?",
		Detail:   "Their address, name, subscriptions and any emails waiting for them are removed for good. To stop mailing them but keep the record, they can unsubscribe instead.",
		Button:   "Delete subscriber",
	})
}

// deleteSubscriber removes a subscriber and their personal data.
func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.newslettersReady(w, r, u) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Subscribers.Delete(r.Context(), id)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("subscriber deleted", "subscriber_id", id, "by", u.ID)
	redirectDone(w, r, "/newsroom/subscribers", "deleted")
}
