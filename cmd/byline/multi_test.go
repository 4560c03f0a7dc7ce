package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/postgres"
)

// Two instances on one PostgreSQL database behave as one site: what one
// issues or accepts the other knows at once, what one publishes the other
// shows within a second, and the email of a message goes out once.
func TestServe_TwoInstancesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	pgURL := dbtest.PostgresURL(t)
	ctx := t.Context()

	// Migrate first, as an operator's deploy would; the instances then
	// find the schema current (their own migration runs under the lock).
	db, err := postgres.Open(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	users := postgres.NewUserService(db)
	if err := users.CreateUser(ctx, &byline.User{Email: "ed@example.com", Name: "Ed Itor", Role: byline.RoleEditor}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}

	smtp := smtptest.Start(t, &smtptest.Server{})
	args := append([]string{"--db", pgURL, "--contact-min-fill", "0",
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(smtp.Port()), "--smtp-security", "none",
		"--smtp-from", "newsroom@example.com", "--smtp-to", "editors@example.com"}, burstFlags...)
	a := startServe(t, append([]string{"--data", t.TempDir()}, args...)...)
	b := startServe(t, append([]string{"--data", t.TempDir()}, args...)...)

	t.Run("a captcha issued by one is solved through the other, once", func(t *testing.T) {
		id, solution := issueChallenge(t, a.URL, postgres.NewChallengeStore(db))
		if status, err := postMessage(b.URL, 1, id, solution); err != nil || status != http.StatusSeeOther {
			t.Fatalf("POST B/contact with A's challenge: %d, %v; want 303", status, err)
		}
		if status, _ := postMessage(a.URL, 2, id, solution); status == http.StatusSeeOther {
			t.Errorf("the same challenge was accepted a second time, through A")
		}
	})

	t.Run("the message is emailed exactly once", func(t *testing.T) {
		messages := postgres.NewMessageService(db)
		deadline := time.Now().Add(20 * time.Second)
		for len(smtp.Mails()) == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		// Both instances run an outbox worker; give the other time to
		// send it again, were it going to.
		time.Sleep(2 * time.Second)
		if n := len(smtp.Mails()); n != 1 {
			t.Fatalf("the SMTP server got %d emails, want exactly 1", n)
		}
		if got := smtp.Mails()[0].Data; !strings.Contains(got, "Reader 1") {
			t.Errorf("the email does not carry the message: %q", got)
		}
		list, _, err := messages.Find(ctx, byline.MessageFilter{})
		if err != nil || len(list) != 1 || list[0].Delivery != byline.DeliverySent {
			t.Errorf("messages = %+v, %v; want one, sent", list, err)
		}
	})

	t.Run("a session signed in on one is valid on the other", func(t *testing.T) {
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := client.PostForm(a.URL+"/newsroom/sign-in", url.Values{"email": {"ed@example.com"}, "password": {"correct horse battery"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in on A: %d, want 303", resp.StatusCode)
		}
		// The cookie jar keys cookies by host, and both listen on 127.0.0.1.
		resp, err = client.Get(b.URL + "/newsroom/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Ed Itor") {
			t.Errorf("B's newsroom with A's session: %d; want 200 with the editor's name", resp.StatusCode)
		}

		t.Run("an article published on one shows at once on it and within a second on the other", func(t *testing.T) {
			home := func(base string) string {
				resp, err := http.Get(base + "/")
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				doc, err := goquery.NewDocumentFromReader(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return doc.Find("main").Text()
			}
			home(a.URL) // both cache their home pages
			home(b.URL)
			resp, err := client.PostForm(a.URL+"/newsroom/articles", url.Values{
				"headline": {"Published on A"}, "body": {"Read it on B."}, "action": {"publish"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish on A: %d, want 303", resp.StatusCode)
			}
			published := time.Now()
			if !strings.Contains(home(a.URL), "Published on A") {
				t.Error("A's home page right after A published does not show the article: its cache is stale")
			}
			// B keeps its site version in memory and learns of A's write
			// from PostgreSQL's notification.
			for !strings.Contains(home(b.URL), "Published on A") {
				if time.Since(published) > time.Second {
					t.Fatal("B's home page does not show the article A published a second ago: its cache is stale")
				}
				time.Sleep(10 * time.Millisecond)
			}
			t.Logf("B showed it %v after A's 303", time.Since(published))
		})
	})
}
