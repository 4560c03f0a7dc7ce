package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/web"
)

// syncBuffer is a log the server writes while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logTo makes the server log everything, debug included, as text to buf.
func logTo(buf *syncBuffer) func(*web.Server) {
	return func(s *web.Server) {
		s.Logger = slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
}

// holdWriter starts an import that keeps SQLite's one write connection
// until the test ends, as a long import does, so that any request that
// writes waits for it.
func holdWriter(t *testing.T, n *newsroomSite) {
	t.Helper()
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		records := func(yield func(*byline.ArticleRecord, error) bool) {
			close(started)
			<-release
		}
		done <- n.articles.Import(context.Background(), records, byline.ImportOptions{}, func(byline.ImportResult) error { return nil })
	}()
	t.Cleanup(func() { close(release); <-done })
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("the import ended before it began: %v", err)
	}
}

// A reader who gives up waiting is not the server failing: the access log
// says 499 at info level, and nothing is logged as an error.
func TestAccessLog_ClientHangsUp(t *testing.T) {
	t.Parallel()
	var log syncBuffer
	n := newNewsroom(t, logTo(&log))
	holdWriter(t, n) // the sign-in's rate-limit count waits for it

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	form := url.Values{"email": {n.editor.Email}, "password": {pw}}
	req, _ := http.NewRequestWithContext(ctx, "POST", n.URL+"/newsroom/sign-in", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("POST /newsroom/sign-in answered %d while the writer was held; want the client to give up first", resp.StatusCode)
	}

	var line string
	for deadline := time.Now().Add(10 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		for l := range strings.Lines(log.String()) {
			if strings.Contains(l, "path=/newsroom/sign-in") && strings.Contains(l, "method=POST") && strings.Contains(l, "duration=") {
				line = l
			}
		}
	}
	if line == "" {
		t.Fatalf("no access-log line for the abandoned sign-in; the log:\n%s", log.String())
	}
	for _, want := range []string{"level=INFO", `msg="client closed the request"`, "status=499"} {
		if !strings.Contains(line, want) {
			t.Errorf("access-log line lacks %s:\n%s", want, line)
		}
	}
	for l := range strings.Lines(log.String()) {
		if strings.Contains(l, "level=ERROR") || strings.Contains(l, "status=500") {
			t.Errorf("the client's hanging up is logged as the server's failure:\n%s", l)
		}
	}
}
