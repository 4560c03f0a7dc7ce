package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/web"
)

// withEmail gives the server the newsroom's SMTP settings as the outbox
// reads them, unencrypted, for the in-test SMTP server.
func withEmail(s *web.Server) {
	s.Email = mail.Current(func(ctx context.Context) (*mail.Sender, error) {
		st, err := s.Settings.Settings(ctx)
		if err != nil {
			return nil, err
		}
		return mail.FromSettings(st, ""), nil
	})
}

func setSMTP(t *testing.T, b *browser, srv *smtptest.Server) {
	t.Helper()
	resp := b.post(t, "/newsroom/settings", url.Values{"smtp_host": {"127.0.0.1"}, "smtp_port": {strconv.Itoa(srv.Port())},
		"smtp_security": {"none"}, "smtp_from": {"newsroom@example.com"}, "contact_recipients": {"editors@example.com"}})
	wantStatus(t, "save SMTP settings", resp, http.StatusSeeOther)
}

// TestNewsroom_EmailBanner: while no SMTP server is set, those who read
// the inbox are told their readers' messages are emailed to no one.
func TestNewsroom_EmailBanner(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withEmail)
	admin, editor, author := n.signedIn(t, n.admin), n.signedIn(t, n.editor), n.signedIn(t, n.author)

	page := doc(t, admin.get(t, "/newsroom/"))
	if got := page.Find("#email-banner").Text(); !strings.Contains(got, "Email is not set up") {
		t.Errorf("admin's banner = %q, want one saying email is not set up", got)
	}
	if href, _ := page.Find("#email-banner a").Attr("href"); href != "/newsroom/settings#smtp" {
		t.Errorf("admin's banner links to %q, want the SMTP settings", href)
	}
	page = doc(t, editor.get(t, "/newsroom/inbox"))
	if got := page.Find("#email-banner").Text(); !strings.Contains(got, "An admin can set it up") || page.Find("#email-banner a").Length() != 0 {
		t.Errorf("editor's banner = %q, want it without the settings link", got)
	}
	if page := doc(t, author.get(t, "/newsroom/")); page.Find("#email-banner").Length() != 0 {
		t.Error("an author, who reads no inbox, is shown the email banner")
	}

	srv := smtptest.Start(t, &smtptest.Server{})
	setSMTP(t, admin, srv)
	if page := doc(t, editor.get(t, "/newsroom/")); page.Find("#email-banner").Length() != 0 {
		t.Errorf("with SMTP set, the banner still says %q", page.Find("#email-banner").Text())
	}
}

// TestNewsroom_TestEmail: an admin sends a test email through the saved
// settings and sees the server's answer, accepted or refused.
func TestNewsroom_TestEmail(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t, withEmail)
	admin, editor := n.signedIn(t, n.admin), n.signedIn(t, n.editor)

	resp := admin.post(t, "/newsroom/settings/test-email", nil)
	wantStatus(t, "test email with no server", resp, http.StatusBadGateway)
	if msg := doc(t, resp).Find("main > .nr-error").Text(); !strings.Contains(msg, "no SMTP server is set") {
		t.Errorf("message = %q", msg)
	}

	srv := smtptest.Start(t, &smtptest.Server{Reject: func(n int) string {
		if n == 2 {
			return "550 5.7.1 Relaying denied"
		}
		return ""
	}})
	setSMTP(t, admin, srv)
	resp = admin.post(t, "/newsroom/settings/test-email", nil)
	wantStatus(t, "test email", resp, http.StatusOK)
	if msg := doc(t, resp).Find(".nr-notice").Text(); !strings.Contains(msg, "The server's answer: 2.0.0 OK queued") {
		t.Errorf("notice = %q, want the server's 250 reply", msg)
	}
	if m := srv.Mails(); len(m) != 1 || m[0].To[0] != "editors@example.com" {
		t.Errorf("server got %d mails, want the test email to the recipients", len(m))
	}

	resp = admin.post(t, "/newsroom/settings/test-email", nil)
	wantStatus(t, "refused test email", resp, http.StatusBadGateway)
	if msg := doc(t, resp).Find("main > .nr-error").Text(); !strings.Contains(msg, "550") || !strings.Contains(msg, "Relaying denied") {
		t.Errorf("error = %q, want the server's refusal", msg)
	}

	wantStatus(t, "editor sends a test email", editor.post(t, "/newsroom/settings/test-email", nil), http.StatusForbidden)
	wantStatus(t, "cross-site test email", admin.post(t, "/newsroom/settings/test-email", nil, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
	if got := len(srv.Mails()); got != 1 {
		t.Errorf("server got %d mails, want only the accepted test", got)
	}
}
