package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
)

// serveArgsEnv carries the arguments of `byline serve` to the copy of this
// test binary that TestServeSubprocess turns into the real server.
const serveArgsEnv = "BYLINE_TEST_SERVE_ARGS"

// TestServeSubprocess is not a test: started by startServe with
// BYLINE_TEST_SERVE_ARGS set, it runs `byline serve` as a process of its
// own, which the crash test can kill -9.
func TestServeSubprocess(t *testing.T) {
	args := os.Getenv(serveArgsEnv)
	if args == "" {
		t.Skip("runs only as the server process of TestContactCrash")
	}
	os.Exit(run(context.Background(), strings.Split(args, "\x1f"), nil, os.Stdout, os.Stderr))
}

var servingURL = regexp.MustCompile(`msg=serving url=(http://\S+)`)

// serveProcess is `byline serve` running in a process of its own.
type serveProcess struct {
	cmd  *exec.Cmd
	URL  string
	done chan struct{}
}

// startServe starts `byline serve` with args in a subprocess and waits
// until it listens.
func startServe(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeSubprocess$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveArgsEnv+"="+strings.Join(append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), "\x1f"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan struct{})}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingURL.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.kill(); <-p.done })
	select {
	case p.URL = <-urls:
	case <-p.done:
		t.Fatal("server exited before listening")
	case <-time.After(30 * time.Second):
		t.Fatal("server did not listen within 30s")
	}
	return p
}

// kill stops the server as a crash would: SIGKILL, no shutdown.
func (p *serveProcess) kill() { p.cmd.Process.Kill() }

// crashClient does not follow redirects: a 303 is the success answer.
var crashClient = &http.Client{
	Timeout:       20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// issueChallenge asks the server for a challenge as contact.js does and
// reads its solution from the database, not from the server.
func issueChallenge(t *testing.T, base string, store byline.ChallengeStore) (id, solution string) {
	t.Helper()
	resp, err := crashClient.Post(base+"/captcha", "", nil)
	if err != nil {
		t.Fatalf("POST /captcha: %v", err)
	}
	defer resp.Body.Close()
	var c struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /captcha: %d, %v", resp.StatusCode, err)
	}
	ch, err := store.FindChallenge(t.Context(), c.ID)
	if err != nil {
		t.Fatalf("challenge %s not in the database: %v", c.ID, err)
	}
	return c.ID, ch.Solution
}

func postMessage(base string, n int, id, solution string) (int, error) {
	form := url.Values{
		"name": {fmt.Sprintf("Reader %d", n)}, "email": {fmt.Sprintf("reader%d@example.org", n)},
		"body": {fmt.Sprintf("crash test message %d", n)}, "captcha_id": {id}, "captcha": {solution},
	}
	resp, err := crashClient.PostForm(base+"/contact", form)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// generous limits, so the burst from one address is not rate-limited.
var burstFlags = []string{"--contact-rate", "100000/1m", "--contact-email-rate", "100000/1m", "--captcha-rate", "100000/1m"}

// A reader who was thanked has a message in the database, whatever happens
// to the server after: a burst of submissions, the server killed with
// SIGKILL in the middle, a restart, and every submission that got its 303
// is there.
func TestContactCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills server processes")
	}
	t.Parallel()
	data := t.TempDir()
	srv := startServe(t, append([]string{"--data", data}, burstFlags...)...)

	db, err := sqlite.Open(t.Context(), filepath.Join(data, "byline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlite.NewChallengeStore(db)

	const total, killAfter, workers = 300, 60, 8
	type ticket struct {
		n            int
		id, solution string
	}
	tickets := make([]ticket, total)
	for i := range tickets {
		id, sol := issueChallenge(t, srv.URL, store)
		tickets[i] = ticket{i, id, sol}
	}
	time.Sleep(3100 * time.Millisecond) // the form's minimum fill time

	var (
		mu        sync.Mutex
		succeeded []int
		failed    atomic.Int32
		okCount   atomic.Int32
		killOnce  sync.Once
		next      atomic.Int32
		wg        sync.WaitGroup
		start     = time.Now()
	)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				tk := tickets[i]
				status, err := postMessage(srv.URL, tk.n, tk.id, tk.solution)
				if err == nil && status == http.StatusSeeOther {
					mu.Lock()
					succeeded = append(succeeded, tk.n)
					mu.Unlock()
					if okCount.Add(1) == killAfter {
						killOnce.Do(srv.kill)
					}
				} else {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	<-srv.done
	elapsed := time.Since(start)
	if len(succeeded) < killAfter {
		t.Fatalf("only %d submissions succeeded before the kill, want at least %d", len(succeeded), killAfter)
	}

	// Restart on the same data, as an operator would.
	srv = startServe(t, append([]string{"--data", data}, burstFlags...)...)
	if resp, err := crashClient.Get(srv.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("after restart, /healthz: %v", err)
	}

	msgs, n, err := sqlite.NewMessageService(db).Find(t.Context(), byline.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int{}
	for _, m := range msgs {
		stored[m.Body]++
	}
	for _, k := range succeeded {
		body := fmt.Sprintf("crash test message %d", k)
		if stored[body] != 1 {
			t.Errorf("submission %d got a 303 but is stored %d times", k, stored[body])
		}
	}
	t.Logf("%d submissions sent, %d thanked before SIGKILL (after %v), %d refused or cut off, %d in the database after restart",
		total, len(succeeded), elapsed.Round(time.Millisecond), failed.Load(), n)

	// The restarted server takes new messages.
	id, sol := issueChallenge(t, srv.URL, store)
	time.Sleep(3100 * time.Millisecond)
	if status, err := postMessage(srv.URL, total+1, id, sol); err != nil || status != http.StatusSeeOther {
		t.Errorf("after restart, POST /contact: %d, %v; want 303", status, err)
	}
}

// With SMTP configured, serve runs the outbox: a message sent through the
// form is tried at once, and the failure (nothing listens there) is kept
// with the message. Without SMTP, the message waits, pending.
func TestServe_Outbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	t.Parallel()
	for _, withSMTP := range []bool{true, false} {
		t.Run(fmt.Sprintf("smtp=%v", withSMTP), func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			args := append([]string{"--data", data, "--contact-min-fill", "0"}, burstFlags...)
			if withSMTP {
				args = append(args, "--smtp-host", "127.0.0.1", "--smtp-port", strings.TrimPrefix(freeAddr(t), "127.0.0.1:"),
					"--smtp-security", "none", "--smtp-from", "newsroom@example.com", "--smtp-to", "editors@example.com")
			}
			srv := startServe(t, args...)
			db, err := sqlite.Open(t.Context(), filepath.Join(data, "byline.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			id, sol := issueChallenge(t, srv.URL, sqlite.NewChallengeStore(db))
			if status, err := postMessage(srv.URL, 1, id, sol); err != nil || status != http.StatusSeeOther {
				t.Fatalf("POST /contact: %d, %v", status, err)
			}
			messages := sqlite.NewMessageService(db)
			var m *byline.Message
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if m, err = messages.FindByID(t.Context(), 1); err != nil {
					t.Fatal(err)
				}
				if !withSMTP || m.Delivery == byline.DeliveryFailed {
					break
				}
			}
			if withSMTP {
				if m.Delivery != byline.DeliveryFailed || m.Attempts != 1 || !strings.Contains(m.LastError, "refused") || m.NextAttemptAt.IsZero() {
					t.Errorf("with SMTP down, message = %+v; want failed after 1 attempt, connection refused, retry set", m)
				}
				return
			}
			time.Sleep(500 * time.Millisecond)
			if m, _ = messages.FindByID(t.Context(), 1); m.Delivery != byline.DeliveryPending || m.Attempts != 0 {
				t.Errorf("without SMTP, message = %+v; want pending, never tried", m)
			}
		})
	}
}

func TestHelp_Contact(t *testing.T) {
	t.Parallel()
	_, out, _ := runByline(t, "", "help", "serve")
	for _, want := range []string{"--smtp-host", "BYLINE_SMTP_HOST", "BYLINE_SMTP_PASSWORD_FILE", "--contact-rate",
		"BYLINE_CONTACT_RATE", "--captcha-rate", "--contact-min-fill", "--trusted-proxies"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %s", want)
		}
	}
}

func TestServe_ContactFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--contact-rate", "fast"},
		{"--trusted-proxies", "not-a-cidr"},
		{"--smtp-host", "smtp.example.com"}, // no from, no recipients
		{"--smtp-host", "smtp.example.com", "--smtp-from", "a@example.com", "--smtp-to", "b@example.com", "--smtp-security", "ssl3"},
	} {
		code, _, errOut := runByline(t, "", append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, args...)...)
		if code != 2 {
			t.Errorf("serve %q: exit %d (%s), want 2", args, code, strings.TrimSpace(errOut))
		}
	}
}
