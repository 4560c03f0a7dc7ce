package mail_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/sqlite"
)

// listSite is a real SQLite database with a newsletter, n confirmed
// subscribers and an article, and a list worker sending to srv.
type listSite struct {
	services byline.Services
	clock    *clock
	list     *byline.Newsletter
	article  *byline.Article
	worker   *mail.ListWorker
}

func newListSite(t testing.TB, srv *smtptest.Server, subscribers int) *listSite {
	t.Helper()
	ctx := t.Context()
	db := dbtest.OpenSQLite(t)
	c := newClock()
	db.Now = c.Now
	ls := &listSite{services: sqlite.NewServices(db), clock: c}
	ls.list = &byline.Newsletter{Name: "Daily Briefing"}
	if err := ls.services.Newsletters.Create(ctx, ls.list); err != nil {
		t.Fatal(err)
	}
	var imports []byline.SubscriberImport
	for i := range subscribers {
		imports = append(imports, byline.SubscriberImport{Line: i + 2, Email: fmt.Sprintf("reader%04d@example.org", i),
			Newsletters: []int64{ls.list.ID}, ConsentAt: c.Now(), Confirmed: true})
	}
	if len(imports) > 0 {
		if _, _, err := ls.services.Subscribers.Import(ctx, imports); err != nil {
			t.Fatal(err)
		}
	}
	ls.article = &byline.Article{Headline: "Council passes the budget", Body: "It passed.", Status: byline.Published, PublishedAt: c.Now()}
	if err := ls.services.Articles.Create(ctx, ls.article); err != nil {
		t.Fatal(err)
	}
	ls.worker = &mail.ListWorker{
		Outbox: ls.services.NewsletterOutbox, Newsletters: ls.services.Newsletters,
		Articles: ls.services.Articles, Subscribers: ls.services.Subscribers,
		Configure: func(context.Context) (*mail.Sender, error) { return plainSender(srv), nil },
		Site: func(context.Context) (mail.Site, error) {
			return mail.Site{Title: "The Test Times", BaseURL: "https://news.example.com"}, nil
		},
		Logger:    testLogger(t),
		BaseDelay: time.Minute, MaxDelay: time.Hour,
		Now: c.Now,
	}
	return ls
}

func (ls *listSite) queue(t testing.TB) *byline.Send {
	t.Helper()
	s := &byline.Send{NewsletterID: ls.list.ID, ArticleID: ls.article.ID}
	if err := ls.services.Newsletters.Queue(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (ls *listSite) deliver(t *testing.T) {
	t.Helper()
	if _, err := ls.worker.Deliver(t.Context()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

func (ls *listSite) progress(t *testing.T, s *byline.Send) byline.SendProgress {
	t.Helper()
	got, err := ls.services.Newsletters.FindSend(t.Context(), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.Progress
}

func TestListWorker_SendsEachOnce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, &smtptest.Server{})
	ls := newListSite(t, srv, 50)
	ls.worker.Concurrency = 3
	send := ls.queue(t)
	ls.deliver(t)
	seen := map[string]int{}
	for _, m := range srv.Mails() {
		for _, to := range m.To {
			seen[to]++
		}
		if !strings.Contains(m.Data, "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
			t.Errorf("an email without List-Unsubscribe-Post:\n%.400s", m.Data)
		}
	}
	if len(seen) != 50 || len(srv.Mails()) != 50 {
		t.Errorf("%d emails to %d recipients, want 50 to 50", len(srv.Mails()), len(seen))
	}
	if p := ls.progress(t, send); p.Sent != 50 || !p.Done() {
		t.Errorf("progress = %+v, want 50 sent", p)
	}
	ls.deliver(t)
	if n := len(srv.Mails()); n != 50 {
		t.Errorf("a second round sent again: %d emails", n)
	}
}

func TestListWorker_RetriesTemporaryFailures(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, &smtptest.Server{Reject: func(n int) string {
		if n == 1 {
			return "451 4.3.0 Try again later"
		}
		return ""
	}})
	ls := newListSite(t, srv, 1)
	send := ls.queue(t)
	ls.deliver(t)
	if p := ls.progress(t, send); p.Pending != 1 || p.LastError == "" || len(srv.Mails()) != 0 {
		t.Fatalf("after a 451, progress %+v and %d emails; want 1 pending with the error", p, len(srv.Mails()))
	}
	ls.deliver(t) // not due yet
	if srv.Transactions() != 1 {
		t.Errorf("retried before the backoff: %d transactions", srv.Transactions())
	}
	ls.clock.Advance(time.Minute)
	ls.deliver(t)
	if p := ls.progress(t, send); p.Sent != 1 || len(srv.Mails()) != 1 {
		t.Errorf("after the backoff, progress %+v and %d emails; want sent once", p, len(srv.Mails()))
	}
}

func TestListWorker_BouncesAfterPermanentFailures(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, &smtptest.Server{Reject: func(int) string {
		return "550 5.1.1 <reader0000@example.org>: Recipient address rejected"
	}})
	ls := newListSite(t, srv, 1)
	var logs bytes.Buffer
	ls.worker.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	ls.worker.BounceAfter = 2
	for round := 1; round <= 2; round++ {
		send := ls.queue(t)
		ls.deliver(t)
		ls.clock.Advance(24 * time.Hour)
		ls.deliver(t)
		if p := ls.progress(t, send); p.Failed != 1 || !strings.Contains(p.LastError, "550") {
			t.Errorf("round %d: progress %+v; want failed once with the 550, not retried", round, p)
		}
	}
	if srv.Transactions() != 2 {
		t.Errorf("%d transactions, want 2: a 5xx is not retried", srv.Transactions())
	}
	subs, _, _ := ls.services.Subscribers.Find(t.Context(), byline.SubscriberFilter{})
	if subs[0].Status != byline.SubscriberBounced {
		t.Errorf("after 2 permanent failures, status %s, want bounced", subs[0].Status)
	}
	if send := ls.queue(t); send.Progress.Queued != 0 {
		t.Errorf("a bounced subscriber was queued again")
	}
	if strings.Contains(logs.String(), "reader0000@example.org") || !strings.Contains(logs.String(), "[recipient]") {
		t.Errorf("the log holds the address, or not the redacted error:\n%s", logs.String())
	}
}

func TestListWorker_Rate(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, &smtptest.Server{})
	ls := newListSite(t, srv, 11)
	ls.worker.PerSecond = 50
	ls.worker.Concurrency = 4
	ls.queue(t)
	start := time.Now()
	ls.deliver(t)
	// 11 emails at 50 a second: the last starts 10/50 s after the first.
	if elapsed := time.Since(start); elapsed < 200*time.Millisecond {
		t.Errorf("11 emails at 50/s took %v, want at least 200ms", elapsed)
	}
	if len(srv.Mails()) != 11 {
		t.Errorf("%d emails, want 11", len(srv.Mails()))
	}
}

func TestListWorker_NoServerWaits(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, &smtptest.Server{})
	ls := newListSite(t, srv, 2)
	ls.worker.Configure = func(context.Context) (*mail.Sender, error) { return nil, nil }
	send := ls.queue(t)
	ls.deliver(t)
	if p := ls.progress(t, send); p.Pending != 2 || len(srv.Mails()) != 0 {
		t.Errorf("with no SMTP server, progress %+v; want both waiting", p)
	}
}
