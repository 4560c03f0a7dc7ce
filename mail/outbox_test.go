package mail_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/sqlite"
)

// clock is a settable clock shared by the database and the worker.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)} }

func newWorker(t testing.TB, outbox byline.Outbox, srv *smtptest.Server, c *clock) *mail.Worker {
	return &mail.Worker{
		Outbox:    outbox,
		Sender:    plainSender(srv),
		Logger:    testLogger(t),
		BaseDelay: time.Minute,
		MaxDelay:  time.Hour,
		Lease:     5 * time.Minute,
		Now:       c.Now,
	}
}

func flush(t testing.TB, w *mail.Worker) int {
	t.Helper()
	n, err := w.Flush(t.Context())
	if err != nil {
		t.Fatalf("Flush: %v", err)
	}
	return n
}

func TestWorker(t *testing.T) {
	t.Parallel()

	t.Run("a server that fails first and accepts later gets the message", func(t *testing.T) {
		t.Parallel()
		c := newClock()
		db := dbtest.OpenSQLite(t)
		db.Now = c.Now
		messages := sqlite.NewMessageService(db)
		srv := smtptest.Start(t, &smtptest.Server{Reject: func(n int) string {
			if n <= 2 {
				return "451 4.3.0 Temporary local problem, try later"
			}
			return ""
		}})
		w := newWorker(t, messages, srv, c)
		m := &byline.Message{Name: "Jane Doe", Email: "jane@example.org", Subject: "Syria", Body: "The map is wrong."}
		if err := messages.Create(t.Context(), m); err != nil {
			t.Fatal(err)
		}

		// Attempt 1 fails: retried after BaseDelay.
		if n := flush(t, w); n != 1 {
			t.Fatalf("first Flush claimed %d, want 1", n)
		}
		got, _ := messages.FindByID(t.Context(), m.ID)
		if got.Delivery != byline.DeliveryFailed || got.Attempts != 1 || !strings.Contains(got.LastError, "451") ||
			!got.NextAttemptAt.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("after attempt 1: delivery %s, attempts %d, error %q, next %v; want failed, 1, a 451, now+1m",
				got.Delivery, got.Attempts, got.LastError, got.NextAttemptAt)
		}
		if n := flush(t, w); n != 0 {
			t.Fatalf("Flush before the retry time claimed %d, want 0", n)
		}

		// Attempt 2 fails: retried after twice as long.
		c.Advance(time.Minute)
		flush(t, w)
		got, _ = messages.FindByID(t.Context(), m.ID)
		if got.Attempts != 2 || !got.NextAttemptAt.Equal(c.Now().Add(2*time.Minute)) {
			t.Fatalf("after attempt 2: attempts %d, next %v; want 2, now+2m", got.Attempts, got.NextAttemptAt)
		}

		// Attempt 3 is accepted.
		c.Advance(2 * time.Minute)
		flush(t, w)
		got, _ = messages.FindByID(t.Context(), m.ID)
		if got.Delivery != byline.DeliverySent || got.Attempts != 3 || !got.SentAt.Equal(c.Now()) || got.LastError != "" {
			t.Fatalf("after attempt 3: %+v; want sent at attempt 3", got)
		}
		if srv.Transactions() != 3 {
			t.Errorf("server saw %d transactions, want 3", srv.Transactions())
		}
		mails := srv.Mails()
		if len(mails) != 1 {
			t.Fatalf("server accepted %d emails, want 1", len(mails))
		}
		p := parseMail(t, mails[0])
		if s := decodeHeader(t, p.Header.Get("Subject")); s != "[Contact] Syria" {
			t.Errorf("Subject = %q", s)
		}
		if rt := p.Header.Get("Reply-To"); !strings.Contains(rt, "jane@example.org") {
			t.Errorf("Reply-To = %q, want the reader", rt)
		}
		if !strings.Contains(p.Body, "The map is wrong.") {
			t.Errorf("body lost the message: %q", p.Body)
		}
		c.Advance(24 * time.Hour)
		if n := flush(t, w); n != 0 {
			t.Errorf("Flush after sending claimed %d, want 0", n)
		}
	})

	t.Run("delivery state survives a restart", func(t *testing.T) {
		t.Parallel()
		c := newClock()
		path := filepath.Join(t.TempDir(), "byline.db")
		down := smtptest.Start(t, &smtptest.Server{Reject: func(int) string { return "421 4.3.2 Shutting down" }})
		up := smtptest.Start(t, &smtptest.Server{})

		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = c.Now
		messages := sqlite.NewMessageService(db)
		for i := 1; i <= 3; i++ {
			if err := messages.Create(t.Context(), &byline.Message{Name: "R", Email: "r@example.org", Body: fmt.Sprint("message ", i)}); err != nil {
				t.Fatal(err)
			}
		}
		flush(t, newWorker(t, messages, down, c))
		db.Close() // the process stops

		db, err = sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.Now = c.Now
		messages = sqlite.NewMessageService(db)
		w := newWorker(t, messages, up, c)
		if n := flush(t, w); n != 0 {
			t.Fatalf("after restart, Flush before the retry time claimed %d, want 0", n)
		}
		c.Advance(time.Minute)
		if n := flush(t, w); n != 3 {
			t.Fatalf("after restart, Flush claimed %d, want 3", n)
		}
		if got := len(up.Mails()); got != 3 {
			t.Errorf("server received %d emails after the restart, want 3", got)
		}
		sent := byline.DeliverySent
		if _, n, _ := messages.Find(t.Context(), byline.MessageFilter{Delivery: &sent}); n != 3 {
			t.Errorf("%d messages marked sent, want 3", n)
		}
	})

	t.Run("delivery is given up after MaxAttempts", func(t *testing.T) {
		t.Parallel()
		c := newClock()
		db := dbtest.OpenSQLite(t)
		db.Now = c.Now
		messages := sqlite.NewMessageService(db)
		srv := smtptest.Start(t, &smtptest.Server{Reject: func(int) string { return "554 5.7.1 Rejected" }})
		w := newWorker(t, messages, srv, c)
		w.MaxAttempts = 3
		messages.Create(t.Context(), &byline.Message{Name: "R", Email: "r@example.org", Body: "x"})
		for range 5 {
			flush(t, w)
			c.Advance(time.Hour)
		}
		got, _ := messages.FindByID(t.Context(), 1)
		if got.Delivery != byline.DeliveryFailed || got.Attempts != 3 || !got.NextAttemptAt.IsZero() || !strings.Contains(got.LastError, "554") {
			t.Errorf("after 5 rounds: %+v; want failed after 3 attempts, no next attempt, the 554 kept", got)
		}
		if srv.Transactions() != 3 {
			t.Errorf("server saw %d transactions, want 3", srv.Transactions())
		}
	})

	t.Run("Run sends on Wake and stops with its context", func(t *testing.T) {
		t.Parallel()
		db := dbtest.OpenSQLite(t)
		messages := sqlite.NewMessageService(db)
		srv := smtptest.Start(t, &smtptest.Server{})
		w := &mail.Worker{Outbox: messages, Sender: plainSender(srv), Logger: testLogger(t), PollInterval: time.Hour}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- w.Run(ctx) }()

		messages.Create(t.Context(), &byline.Message{Name: "R", Email: "r@example.org", Body: "wake up"})
		w.Wake()
		deadline := time.Now().Add(5 * time.Second)
		for len(srv.Mails()) == 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if len(srv.Mails()) != 1 {
			t.Fatalf("server received %d emails within 5s of Wake, want 1", len(srv.Mails()))
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Run did not return within 5s of cancel")
		}
	})
}

// Settings changed in the newsroom reach the worker at its next batch: no
// server, and messages wait; a server, and they go.
func TestWorker_Configure(t *testing.T) {
	t.Parallel()
	c := newClock()
	db := dbtest.OpenSQLite(t)
	db.Now = c.Now
	messages := sqlite.NewMessageService(db)
	srv := smtptest.Start(t, &smtptest.Server{})
	var configured *mail.Sender
	w := newWorker(t, messages, srv, c)
	w.Sender = nil
	w.Configure = func(context.Context) (*mail.Sender, error) { return configured, nil }
	m := &byline.Message{Name: "Jane Doe", Email: "jane@example.org", Body: "Hello."}
	if err := messages.Create(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if n := flush(t, w); n != 0 || len(srv.Mails()) != 0 {
		t.Fatalf("without a server: claimed %d, sent %d; want nothing", n, len(srv.Mails()))
	}
	if got, _ := messages.FindByID(t.Context(), m.ID); got.Delivery != byline.DeliveryPending || got.Attempts != 0 {
		t.Errorf("without a server the message is %+v; want pending, untried", got)
	}
	configured = plainSender(srv)
	if n := flush(t, w); n != 1 || len(srv.Mails()) != 1 {
		t.Fatalf("with a server: claimed %d, sent %d; want 1 and 1", n, len(srv.Mails()))
	}
}
