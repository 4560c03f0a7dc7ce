package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// inboxPageSize is the length of a page of the inbox.
const inboxPageSize = 50

// inboxTab is one of the inbox's views, with its count.
type inboxTab struct {
	Status byline.InboxStatus
	Label  string
	Count  int
}

// inboxPage is the data of the inbox list.
type inboxPage struct {
	newsroomLayout
	Tabs     []inboxTab
	Status   byline.InboxStatus
	Messages []*byline.Message
	Total    int
	Page     int
	PrevURL  string
	NextURL  string
}

var inboxLabels = []struct {
	status byline.InboxStatus
	label  string
}{{byline.Unread, "Unread"}, {byline.Read, "Read"}, {byline.Archived, "Archived"}, {byline.Spam, "Spam"}}

// inboxReady checks that the user may read the inbox and that there is one.
func (s *Server) inboxReady(w http.ResponseWriter, r *http.Request, u *byline.User) bool {
	if !u.CanReadInbox() {
		s.newsroomError(w, r, u, forbidden("read the readers' messages"))
		return false
	}
	if s.Messages == nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "This site has no Contact Us inbox."))
		return false
	}
	return true
}

// showInbox lists the messages of one view: unread, read, archived or spam.
func (s *Server) showInbox(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.inboxReady(w, r, u) {
		return
	}
	page := inboxPage{Status: byline.InboxStatus(r.URL.Query().Get("status")), Page: 1}
	if page.Status == "" {
		page.Status = byline.Unread
	}
	if !page.Status.Valid() {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Unknown inbox view %q.", page.Status))
		return
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		page.Page = n
	}
	for _, t := range inboxLabels {
		st := t.status
		msgs, n, err := s.Messages.Find(r.Context(), byline.MessageFilter{Status: &st, Limit: inboxPageSize, Offset: (page.Page - 1) * inboxPageSize})
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		page.Tabs = append(page.Tabs, inboxTab{Status: st, Label: t.label, Count: n})
		if st == page.Status {
			page.Messages, page.Total = msgs, n
		}
	}
	link := func(p int) string {
		return "/newsroom/inbox?" + url.Values{"status": {string(page.Status)}, "page": {strconv.Itoa(p)}}.Encode()
	}
	if page.Page > 1 {
		page.PrevURL = link(page.Page - 1)
	}
	if page.Page*inboxPageSize < page.Total {
		page.NextURL = link(page.Page + 1)
	}
	page.newsroomLayout = s.newNewsroomLayout(r, u, "Inbox", "inbox")
	s.renderNewsroom(w, r, http.StatusOK, "inbox", page)
}

// messagePage is the data of one message's page.
type messagePage struct {
	newsroomLayout
	Message *byline.Message
	ReplyTo string // a mailto: URL
}

// inboxMessage loads the message named in the path, if u may read the
// inbox; otherwise it serves the error and returns false.
func (s *Server) inboxMessage(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.Message, bool) {
	if !s.inboxReady(w, r, u) {
		return nil, false
	}
	id, err := pathID(r, "id")
	if err == nil {
		var m *byline.Message
		if m, err = s.Messages.FindByID(r.Context(), id); err == nil {
			return m, true
		}
	}
	s.newsroomError(w, r, u, err)
	return nil, false
}

// showMessage shows a whole message, marking it read if it was unread.
func (s *Server) showMessage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	m, ok := s.inboxMessage(w, r, u)
	if !ok {
		return
	}
	if m.Status == byline.Unread {
		if err := s.Messages.SetStatus(r.Context(), m.ID, byline.Read); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		m.Status = byline.Read
	}
	subject := m.Subject
	if subject == "" {
		subject = "your message"
	}
	// The address passed the contact form's checks: a bare address with no
	// characters that could add headers to the mailto.
	reply := (&url.URL{Scheme: "mailto", Opaque: m.Email, RawQuery: "subject=" + url.PathEscape("Re: "+subject)}).String()
	l := s.newNewsroomLayout(r, u, messageTitle(m), "inbox")
	s.renderNewsroom(w, r, http.StatusOK, "message", messagePage{newsroomLayout: l, Message: m, ReplyTo: reply})
}

func messageTitle(m *byline.Message) string {
	if m.Subject != "" {
		return m.Subject
	}
	return "Message from " + m.Name
}

// moveMessage changes a message's inbox status, as the pressed button asks.
func (s *Server) moveMessage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	m, ok := s.inboxMessage(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	status := byline.InboxStatus(r.PostForm.Get("status"))
	if !status.Valid() {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Unknown inbox status %q.", status))
		return
	}
	if err := s.Messages.SetStatus(r.Context(), m.ID, status); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	redirectDone(w, r, "/newsroom/inbox?status="+string(status), "message")
}

// confirmDeleteMessage asks whether to delete a message.
func (s *Server) confirmDeleteMessage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	m, ok := s.inboxMessage(w, r, u)
	if !ok {
		return
	}
	s.confirmDelete(w, r, u, "Delete message", "inbox", "/newsroom/inbox/"+strconv.FormatInt(m.ID, 10), confirmPage{
		Question: "Delete the message from " + m.Name + "?",
		Detail:   "It is removed for good. To keep it out of the way instead, archive it.",
		Button:   "Delete the message",
	})
}

// deleteMessage deletes a message.
func (s *Server) deleteMessage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	m, ok := s.inboxMessage(w, r, u)
	if !ok {
		return
	}
	if err := s.Messages.Delete(r.Context(), m.ID); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("message deleted", "message_id", m.ID, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/inbox?status="+string(m.Status), "deleted")
}

// exportWriteTimeout is how long an export may take to download.
const exportWriteTimeout = 10 * time.Minute

// exportInbox sends the messages of one view, or all, as CSV.
func (s *Server) exportInbox(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.inboxReady(w, r, u) {
		return
	}
	var f byline.MessageFilter
	if v := byline.InboxStatus(r.URL.Query().Get("status")); v != "" {
		if !v.Valid() {
			s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Unknown inbox view %q.", v))
			return
		}
		f.Status = &v
	}
	msgs, _, err := s.Messages.Find(r.Context(), f)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	// Years of messages are many megabytes, read at the editor's pace.
	s.allowSlowWrite(w, exportWriteTimeout)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="messages-`+time.Now().UTC().Format("2006-01-02")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "received_at", "status", "delivery", "name", "email", "subject", "message"})
	for _, m := range msgs {
		cw.Write([]string{strconv.FormatInt(m.ID, 10), m.CreatedAt.Format(time.RFC3339), string(m.Status), string(m.Delivery),
			csvSafe(m.Name), csvSafe(m.Email), csvSafe(m.Subject), csvSafe(m.Body)})
	}
	cw.Flush()
}

// csvSafe keeps a reader's text from being taken for a formula by a
// spreadsheet that opens the export.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
