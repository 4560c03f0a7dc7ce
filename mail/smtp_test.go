package mail_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
)

// parsedMail is a received email with its headers decoded.
type parsedMail struct {
	Header netmail.Header
	Body   string
}

func parseMail(t testing.TB, m smtptest.Mail) parsedMail {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		t.Fatalf("received email does not parse: %v\n%s", err, m.Data)
	}
	var r io.Reader = msg.Body
	switch strings.ToLower(msg.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decoding body: %v", err)
	}
	return parsedMail{Header: msg.Header, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
}

func decodeHeader(t testing.TB, v string) string {
	t.Helper()
	s, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		t.Fatalf("decoding header %q: %v", v, err)
	}
	return s
}

func testMessage() *byline.Message {
	return &byline.Message{
		ID:        42,
		Name:      "Jane Doe",
		Email:     "jane@example.org",
		Subject:   "Your Syria story",
		Body:      "Hello,\nthe map in paragraph 3 is wrong.\n.\nA line with a dot above.",
		CreatedAt: time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC),
	}
}

func plainSender(srv *smtptest.Server) *mail.Sender {
	return &mail.Sender{
		Host:          "127.0.0.1",
		Port:          srv.Port(),
		Security:      mail.Plain,
		From:          "Byline <newsroom@example.com>",
		To:            []string{"editors@example.com", "chief@example.com"},
		SubjectPrefix: "[Contact] ",
		Timeout:       5 * time.Second,
	}
}

func TestSender_Send(t *testing.T) {
	t.Parallel()

	t.Run("the email carries the reader's message", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		s := plainSender(srv)
		if err := s.Check(); err != nil {
			t.Fatalf("Check() = %v", err)
		}
		if err := s.Send(t.Context(), testMessage()); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		mails := srv.Mails()
		if len(mails) != 1 {
			t.Fatalf("server received %d emails, want 1", len(mails))
		}
		got := mails[0]
		if got.From != "newsroom@example.com" {
			t.Errorf("envelope from = %q, want newsroom@example.com", got.From)
		}
		if strings.Join(got.To, ",") != "editors@example.com,chief@example.com" {
			t.Errorf("envelope recipients = %q, want editors@ and chief@", got.To)
		}
		p := parseMail(t, got)
		h := p.Header
		wantHeaders := map[string]string{
			"Subject":             "[Contact] Your Syria story",
			"Auto-Submitted":      "auto-generated",
			"X-Byline-Message-ID": "42",
		}
		for k, want := range wantHeaders {
			if v := decodeHeader(t, h.Get(k)); v != want {
				t.Errorf("header %s = %q, want %q", k, v, want)
			}
		}
		from, err := h.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "Jane Doe via Contact Us" || from[0].Address != "newsroom@example.com" {
			t.Errorf("From = %v (%v), want \"Jane Doe via Contact Us\" <newsroom@example.com>", from, err)
		}
		replyTo, err := h.AddressList("Reply-To")
		if err != nil || len(replyTo) != 1 || replyTo[0].Name != "Jane Doe" || replyTo[0].Address != "jane@example.org" {
			t.Errorf("Reply-To = %v (%v), want \"Jane Doe\" <jane@example.org>", replyTo, err)
		}
		to, err := h.AddressList("To")
		if err != nil || len(to) != 2 {
			t.Errorf("To = %v (%v), want the two editors", to, err)
		}
		if date, err := h.Date(); err != nil || !date.Equal(testMessage().CreatedAt) {
			t.Errorf("Date = %v (%v), want %v", date, err, testMessage().CreatedAt)
		}
		if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<contact-42.") || !strings.HasSuffix(id, "@example.com>") {
			t.Errorf("Message-ID = %q, want <contact-42.…@example.com>", id)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || !strings.Contains(strings.ToLower(ct), "utf-8") {
			t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", ct)
		}
		for _, want := range []string{
			"From:    Jane Doe <jane@example.org>",
			"Subject: Your Syria story",
			"Sent:    2026-11-26 09:30:00 UTC",
			"Message: #42",
			testMessage().Body, // including the line with a lone dot
		} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("body does not contain %q; body:\n%s", want, p.Body)
			}
		}
	})

	t.Run("a message sent twice keeps its Message-ID", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		s := plainSender(srv)
		for range 2 {
			if err := s.Send(t.Context(), testMessage()); err != nil {
				t.Fatalf("Send() = %v", err)
			}
		}
		mails := srv.Mails()
		a, b := parseMail(t, mails[0]).Header.Get("Message-Id"), parseMail(t, mails[1]).Header.Get("Message-Id")
		if a == "" || a != b {
			t.Errorf("Message-IDs = %q and %q, want the same", a, b)
		}
	})

	t.Run("non-ASCII names and subjects are encoded", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		m := testMessage()
		m.Name = "Zoë Ñandú"
		m.Subject = "Вопрос о статье"
		m.Body = "Здравствуйте! ☕"
		if err := plainSender(srv).Send(t.Context(), m); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		p := parseMail(t, srv.Mails()[0])
		for _, line := range strings.Split(srv.Mails()[0].Data, "\n") {
			if line == "" {
				break // end of header
			}
			for _, r := range line {
				if r > 127 {
					t.Fatalf("raw header line has non-ASCII: %q", line)
				}
			}
		}
		if got := decodeHeader(t, p.Header.Get("Subject")); got != "[Contact] Вопрос о статье" {
			t.Errorf("Subject = %q", got)
		}
		replyTo, err := p.Header.AddressList("Reply-To")
		if err != nil || replyTo[0].Name != "Zoë Ñandú" {
			t.Errorf("Reply-To = %v (%v), want name Zoë Ñandú", replyTo, err)
		}
		if !strings.Contains(p.Body, "Здравствуйте! ☕") {
			t.Errorf("body lost the text: %q", p.Body)
		}
	})

	t.Run("no subject gives one naming the reader", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		m := testMessage()
		m.Subject = ""
		if err := plainSender(srv).Send(t.Context(), m); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		if got := decodeHeader(t, parseMail(t, srv.Mails()[0]).Header.Get("Subject")); got != "[Contact] Message from Jane Doe" {
			t.Errorf("Subject = %q, want [Contact] Message from Jane Doe", got)
		}
	})

	t.Run("a line break in a header field is refused", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		for _, m := range []*byline.Message{
			{ID: 1, Name: "Eve\r\nBcc: victim@example.net", Email: "eve@example.org", Body: "x"},
			{ID: 2, Name: "Eve", Email: "eve@example.org", Subject: "hi\nBcc: victim@example.net", Body: "x"},
		} {
			if err := plainSender(srv).Send(t.Context(), m); err == nil {
				t.Errorf("Send(%q, %q) = nil, want an error", m.Name, m.Subject)
			}
		}
		if n := len(srv.Mails()); n != 0 {
			t.Errorf("server received %d emails, want 0", n)
		}
	})

	t.Run("STARTTLS and AUTH PLAIN", func(t *testing.T) {
		t.Parallel()
		serverTLS, clientTLS := smtptest.SelfSignedTLS(t)
		srv := smtptest.Start(t, &smtptest.Server{TLS: serverTLS, Username: "byline", Password: "s3cret"})
		s := plainSender(srv)
		s.Security = mail.StartTLS
		s.TLSConfig = clientTLS
		s.Username, s.Password = "byline", "s3cret"
		if err := s.Send(t.Context(), testMessage()); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		got := srv.Mails()[0]
		if !got.TLS || got.Auth != "byline" {
			t.Errorf("transaction TLS=%v auth=%q, want TLS and user byline", got.TLS, got.Auth)
		}
	})

	t.Run("implicit TLS and AUTH PLAIN", func(t *testing.T) {
		t.Parallel()
		serverTLS, clientTLS := smtptest.SelfSignedTLS(t)
		srv := smtptest.Start(t, &smtptest.Server{TLS: serverTLS, Implicit: true, Username: "byline", Password: "s3cret"})
		s := plainSender(srv)
		s.Security = mail.ImplicitTLS
		s.TLSConfig = clientTLS
		s.Username, s.Password = "byline", "s3cret"
		if err := s.Send(t.Context(), testMessage()); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		got := srv.Mails()[0]
		if !got.TLS || got.Auth != "byline" {
			t.Errorf("transaction TLS=%v auth=%q, want TLS and user byline", got.TLS, got.Auth)
		}
	})

	t.Run("a wrong password is an error", func(t *testing.T) {
		t.Parallel()
		serverTLS, clientTLS := smtptest.SelfSignedTLS(t)
		srv := smtptest.Start(t, &smtptest.Server{TLS: serverTLS, Username: "byline", Password: "s3cret"})
		s := plainSender(srv)
		s.Security, s.TLSConfig = mail.StartTLS, clientTLS
		s.Username, s.Password = "byline", "wrong"
		if err := s.Send(t.Context(), testMessage()); err == nil {
			t.Fatal("Send() = nil, want an authentication error")
		}
		if n := len(srv.Mails()); n != 0 {
			t.Errorf("server received %d emails, want 0", n)
		}
	})

	t.Run("STARTTLS required but not offered is an error", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		s := plainSender(srv)
		s.Security = mail.StartTLS
		if err := s.Send(t.Context(), testMessage()); err == nil {
			t.Fatal("Send() = nil, want an error: the server offers no STARTTLS")
		}
		if n := srv.Transactions(); n != 0 {
			t.Errorf("server saw %d transactions in plain text, want 0", n)
		}
	})

	t.Run("a refusal is an error with the server's reply", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{Reject: func(int) string { return "451 4.3.0 Mailbox busy, try later" }})
		err := plainSender(srv).Send(t.Context(), testMessage())
		if err == nil || !strings.Contains(err.Error(), "Mailbox busy") {
			t.Fatalf("Send() = %v, want an error quoting the server's 451 reply", err)
		}
	})

	t.Run("no server listening is an error", func(t *testing.T) {
		t.Parallel()
		srv := smtptest.Start(t, &smtptest.Server{})
		s := plainSender(srv)
		srv.Close()
		if err := s.Send(t.Context(), testMessage()); err == nil {
			t.Fatal("Send() = nil, want a connection error")
		}
	})
}

func TestSender_Check(t *testing.T) {
	good := func() *mail.Sender {
		return &mail.Sender{Host: "smtp.example.com", From: "newsroom@example.com", To: []string{"editors@example.com"}}
	}
	if err := good().Check(); err != nil {
		t.Fatalf("Check() on a good config = %v", err)
	}
	tests := []struct {
		name   string
		change func(*mail.Sender)
		want   string
	}{
		{"no host", func(s *mail.Sender) { s.Host = "" }, "SMTP host"},
		{"bad port", func(s *mail.Sender) { s.Port = 70000 }, "SMTP port"},
		{"unknown security", func(s *mail.Sender) { s.Security = "ssl3" }, "SMTP security"},
		{"bad from", func(s *mail.Sender) { s.From = "not an address" }, "SMTP from"},
		{"no recipients", func(s *mail.Sender) { s.To = nil }, "SMTP recipients"},
		{"bad recipient", func(s *mail.Sender) { s.To = []string{"editors"} }, "SMTP recipient"},
		{"password without user", func(s *mail.Sender) { s.Password = "x" }, "SMTP password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good()
			tt.change(s)
			err := s.Check()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Check() = %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, time.Minute}, {1, time.Minute}, {2, 2 * time.Minute}, {3, 4 * time.Minute},
		{6, 32 * time.Minute}, {7, time.Hour}, {8, time.Hour}, {1000, time.Hour},
	}
	for _, tt := range tests {
		if got := mail.Backoff(tt.attempt, time.Minute, time.Hour); got != tt.want {
			t.Errorf("Backoff(%d, 1m, 1h) = %v, want %v", tt.attempt, got, tt.want)
		}
	}
}
