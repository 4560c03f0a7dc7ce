package mail_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/smtptest"
)

func TestSender_SendTest(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 19, 30, 0, 0, time.UTC)

	t.Run("the server's acceptance comes back", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		reply, err := plainSender(srv).SendTest(t.Context(), "The Test Times", now)
		if err != nil {
			t.Fatalf("SendTest: %v", err)
		}
		if !strings.Contains(reply, "2.0.0 OK queued") {
			t.Errorf("reply = %q, want the server's 250 reply", reply)
		}
		mails := srv.Mails()
		if len(mails) != 1 || len(mails[0].To) != 2 {
			t.Fatalf("server got %d mails, want one to both recipients", len(mails))
		}
		p := parseMail(t, mails[0])
		if subj := decodeHeader(t, p.Header.Get("Subject")); subj != "[Contact] Test email from The Test Times" {
			t.Errorf("subject = %q", subj)
		}
		if !strings.Contains(p.Body, "Dec 2, 2026 19:30 UTC") {
			t.Errorf("body = %q, want the time it was sent", p.Body)
		}
	})
	t.Run("a refusal comes back with the server's words", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{Reject: func(int) string { return "550 5.7.1 Relaying denied" }})
		_, err := plainSender(srv).SendTest(t.Context(), "The Test Times", now)
		if err == nil || !strings.Contains(err.Error(), "Relaying denied") {
			t.Errorf("SendTest to a refusing server = %v, want its 550 reply", err)
		}
	})
	t.Run("bad settings are named before dialling", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		s := plainSender(srv)
		s.To = nil
		if _, err := s.SendTest(t.Context(), "The Test Times", now); err == nil || !strings.Contains(err.Error(), "SMTP recipients") {
			t.Errorf("SendTest without recipients = %v", err)
		}
		if srv.Transactions() != 0 {
			t.Error("the server was reached")
		}
	})
}
