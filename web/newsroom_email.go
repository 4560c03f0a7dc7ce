package web

import (
	"context"
	"net/http"
	"time"

	"github.com/bylinenews/byline"
)

// EmailStatus is the SMTP server the outbox sends readers' messages
// through, as it stands now: for the newsroom's banner while there is none,
// and the settings page's test email. mail.Current implements it.
type EmailStatus interface {
	// Configured reports whether an SMTP server is set; an error says
	// what is wrong with the settings.
	Configured(ctx context.Context) (bool, error)
	// SendTest emails the recipients a test message and returns the
	// server's reply.
	SendTest(ctx context.Context, site string, now time.Time) (string, error)
}

// emailBanner is what the newsroom's layout says about email: "" when it
// is set up, or to those who do not read the inbox.
func (s *Server) emailBanner(ctx context.Context, u *byline.User) string {
	if s.Email == nil || !u.CanReadInbox() {
		return ""
	}
	ok, err := s.Email.Configured(ctx)
	switch {
	case err != nil && u.CanManageSettings():
		return "Email is not working: " + err.Error() + ". Readers' messages wait in the inbox."
	case err != nil:
		return "Email is not working: readers' messages wait in the inbox. An admin can fix the email settings."
	case ok:
		return ""
	case u.CanManageSettings():
		return "Email is not set up: readers' messages wait in the inbox and are emailed to no one. Set the SMTP server in Settings."
	}
	return "Email is not set up: readers' messages wait in the inbox and are emailed to no one. An admin can set it up in Settings."
}

// sendTestEmail sends a test email through the saved SMTP settings and
// shows the settings page with the server's answer.
func (s *Server) sendTestEmail(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if s.Settings == nil || s.Email == nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "This site sends no email."))
		return
	}
	if !u.CanManageSettings() {
		s.newsroomError(w, r, u, forbidden("send test emails"))
		return
	}
	st, err := s.Settings.Settings(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 45*time.Second)
	defer cancel()
	reply, err := s.Email.SendTest(ctx, s.siteConfig(r.Context()).Site.Title, s.now())
	if err != nil {
		s.Logger.Warn("test email failed", "user_id", u.ID, "error", err.Error())
		s.renderSettingsWith(w, r, u, http.StatusBadGateway, st, "", "The test email was not sent. The server's answer: "+err.Error())
		return
	}
	s.Logger.Info("test email sent", "user_id", u.ID, "reply", reply)
	s.renderSettingsWith(w, r, u, http.StatusOK, st, "The test email was sent. The server's answer: "+reply, "")
}
