package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/sqlite"
)

// queueNewsletter fills services with a newsletter of n confirmed
// subscribers and queues an article to them.
func queueNewsletter(t *testing.T, services byline.Services, n int) *byline.Send {
	t.Helper()
	ctx := t.Context()
	nl := &byline.Newsletter{Name: "Daily Briefing"}
	if err := services.Newsletters.Create(ctx, nl); err != nil {
		t.Fatal(err)
	}
	imports := make([]byline.SubscriberImport, n)
	for i := range imports {
		imports[i] = byline.SubscriberImport{Line: i + 2, Email: fmt.Sprintf("reader%05d@example.org", i),
			Newsletters: []int64{nl.ID}, ConsentAt: time.Now(), Confirmed: true}
	}
	if _, _, err := services.Subscribers.Import(ctx, imports); err != nil {
		t.Fatal(err)
	}
	a := &byline.Article{Headline: "Council passes the budget", Body: "The council **voted** at dawn.",
		Status: byline.Published, PublishedAt: time.Now().Add(-time.Hour)}
	if err := services.Articles.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	send := &byline.Send{NewsletterID: nl.ID, ArticleID: a.ID}
	if err := services.Newsletters.Queue(ctx, send); err != nil {
		t.Fatal(err)
	}
	if send.Progress.Queued != n {
		t.Fatalf("queued %d, want %d", send.Progress.Queued, n)
	}
	return send
}

func newsletterFlags(smtp *smtptest.Server, extra ...string) []string {
	return append([]string{"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-security", "none",
		"--smtp-from", "news@example.com", "--smtp-to", "editors@example.com", "--newsletter-lease", "2s"}, extra...)
}

// waitFor polls cond every 100ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkExactlyOnce checks that each of the n subscribers got one email, and
// that any who got none are those the database marks handed over with no
// answer recorded: the one state in which a crash can leave an email, and
// which is never sent again.
func checkExactlyOnce(t *testing.T, smtp *smtptest.Server, services byline.Services, send *byline.Send, n int) {
	t.Helper()
	got := map[string]int{}
	for _, m := range smtp.Mails() {
		if strings.Contains(m.Data, "Council passes the budget") {
			for _, to := range m.To {
				got[to]++
			}
		}
	}
	var twice, lost []string
	for i := range n {
		addr := fmt.Sprintf("reader%05d@example.org", i)
		switch got[addr] {
		case 1:
		case 0:
			lost = append(lost, addr)
		default:
			twice = append(twice, fmt.Sprintf("%s ×%d", addr, got[addr]))
		}
	}
	p, err := services.Newsletters.FindSend(t.Context(), send.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(twice) > 0 {
		t.Errorf("%d subscribers were mailed more than once: %v", len(twice), twice[:min(len(twice), 10)])
	}
	if len(lost) > p.Progress.Sending {
		t.Errorf("%d subscribers got nothing (%v), but only %d emails are marked handed over without an answer",
			len(lost), lost[:min(len(lost), 10)], p.Progress.Sending)
	}
	if p.Progress.Pending != 0 || p.Progress.Failed != 0 || p.Progress.Sent+p.Progress.Sending != n {
		t.Errorf("progress at the end = %+v, want all %d sent (or handed over)", p.Progress, n)
	}
	t.Logf("%d subscribers: %d mailed once, %d twice, %d not at all; progress %+v", n, len(got)-len(twice), len(twice), len(lost), p.Progress)
}

// A send to 10,000 subscribers survives kill -9 in the middle: after a
// restart, nobody has been mailed twice and nobody skipped. (Under the race
// detector, 2,000.)
func TestNewsletterCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	n, killAfter := 10000, 3000
	if raceEnabled {
		n, killAfter = 2000, 600
	}
	data := t.TempDir()
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "byline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	services := sqlite.NewServices(db)
	send := queueNewsletter(t, services, n)

	smtp := smtptest.Start(t, &smtptest.Server{})
	flags := newsletterFlags(smtp, "--data", data, "--newsletter-rate", "1000", "--newsletter-concurrency", "8")
	srv := startServe(t, flags...)
	waitFor(t, 3*time.Minute, fmt.Sprintf("%d emails before the kill", killAfter), func() bool { return smtp.Accepted() >= killAfter })
	srv.kill()
	<-srv.done
	atKill := smtp.Accepted()
	if atKill >= n {
		t.Fatalf("all %d emails were sent before the kill: the test proves nothing", atKill)
	}

	startServe(t, flags...)
	waitFor(t, 5*time.Minute, "the send to finish after the restart", func() bool {
		p, err := services.Newsletters.FindSend(context.Background(), send.ID)
		return err == nil && p.Progress.Pending == 0
	})
	time.Sleep(500 * time.Millisecond) // the last answers are recorded in batches
	t.Logf("killed with %d of %d emails accepted by the server", atKill, n)
	checkExactlyOnce(t, smtp, services, send, n)
}

// Two instances on one PostgreSQL database send one newsletter of 2,000
// between them (500 under the race detector), each email exactly once.
func TestNewsletter_TwoInstancesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	pgURL := dbtest.PostgresURL(t)
	db, err := postgres.Open(t.Context(), pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	services := postgres.NewServices(db)
	n := 2000
	if raceEnabled {
		n = 500
	}
	send := queueNewsletter(t, services, n)

	smtp := smtptest.Start(t, &smtptest.Server{})
	flags := newsletterFlags(smtp, "--db", pgURL, "--newsletter-rate", "400", "--newsletter-concurrency", "3")
	startServe(t, append([]string{"--data", t.TempDir()}, flags...)...)
	startServe(t, append([]string{"--data", t.TempDir()}, flags...)...)
	waitFor(t, 5*time.Minute, "the send to finish", func() bool {
		p, err := services.Newsletters.FindSend(context.Background(), send.ID)
		return err == nil && p.Progress.Pending == 0 && p.Progress.Sending == 0
	})
	checkExactlyOnce(t, smtp, services, send, n)
}
