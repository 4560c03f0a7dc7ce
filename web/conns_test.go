package web_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// listen runs srv with ListenAndServe, the real listener and http.Server,
// on a free loopback port, until the test ends, and returns its address.
func listen(t *testing.T, srv *web.Server) string {
	t.Helper()
	if srv.Articles == nil {
		srv.Articles = sqlite.NewArticleService(dbtest.OpenSQLite(t))
	}
	ctx, cancel := context.WithCancel(context.Background())
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, "127.0.0.1:0", func(a net.Addr) { addrc <- a.String() }) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case a := <-addrc:
		return a
	case err := <-done:
		t.Fatalf("ListenAndServe: %v", err)
	}
	return ""
}

// rawGet sends a GET for path on a new connection and returns it with a
// reader of what comes back.
func rawGet(t *testing.T, addr, path string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	return c, bufio.NewReader(c)
}

// A reader that stops reading is cut off once its response has had the
// write timeout and the time its size needs at the slowest rate allowed;
// a reader that reads gets the whole file.
func TestWriteTimeout(t *testing.T) {
	t.Parallel()
	public := t.TempDir()
	const size = 32 << 20 // more than the loopback's socket buffers hold
	big := make([]byte, size)
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(public, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	addr := listen(t, &web.Server{PublicDir: os.DirFS(public), WriteTimeout: time.Second, MinReadRate: 16 << 20})

	resp, err := http.Get("http://" + addr + "/files/big.bin")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != size {
		t.Fatalf("a reader that reads got %d of %d bytes (%v)", n, size, err)
	}

	c, r := rawGet(t, addr, "/files/big.bin")
	time.Sleep(5 * time.Second) // reads nothing, well past 1 s + 32 MB at 16 MB/s
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.Copy(io.Discard, r)
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		t.Fatalf("the server kept the stalled connection open for 15 s (read %d bytes)", got)
	}
	if got >= size {
		t.Errorf("the stalled reader got the whole response (%d bytes), want it cut off", got)
	}
}

// One client address may hold MaxConnsPerClient connections at once; one
// more is answered 429 with a sentence and closed; a closed one gives its
// place back. Trusted proxies are not capped.
func TestMaxConnsPerClient(t *testing.T) {
	t.Parallel()
	get := func(t *testing.T, c net.Conn, r *bufio.Reader, addr string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
		if err := req.Write(c); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(r, req)
		if err != nil {
			t.Fatalf("GET /healthz: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	dial := func(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}

	t.Run("capped", func(t *testing.T) {
		t.Parallel()
		addr := listen(t, &web.Server{MaxConnsPerClient: 3})
		var open []net.Conn
		for i := range 3 {
			c, r := dial(t, addr)
			if resp := get(t, c, r, addr); resp.StatusCode != http.StatusOK {
				t.Fatalf("connection %d: %d, want 200", i+1, resp.StatusCode)
			}
			open = append(open, c) // kept alive
		}
		c, r := dial(t, addr)
		req, _ := http.NewRequest("GET", "http://"+addr+"/healthz", nil)
		req.Write(c)
		resp, err := http.ReadResponse(r, req)
		if err != nil {
			t.Fatalf("connection 4: %v, want a 429", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusTooManyRequests || !strings.HasPrefix(string(body), "Too many connections from your address") || resp.Header.Get("Retry-After") == "" {
			t.Errorf("connection 4: %d %q (Retry-After %q), want 429 with a sentence and Retry-After", resp.StatusCode, body, resp.Header.Get("Retry-After"))
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := r.Read(make([]byte, 1)); err != io.EOF {
			t.Errorf("connection 4 after the 429: read %d, %v; want it closed", n, err)
		}

		open[0].Close()
		var status int
		for deadline := time.Now().Add(5 * time.Second); status != http.StatusOK && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			c, r := dial(t, addr)
			status = get(t, c, r, addr).StatusCode
			c.Close()
		}
		if status != http.StatusOK {
			t.Errorf("after one connection closed, a new one gets %d, want 200", status)
		}
	})

	t.Run("trusted proxies are not capped", func(t *testing.T) {
		t.Parallel()
		addr := listen(t, &web.Server{MaxConnsPerClient: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		for i := range 3 {
			c, r := dial(t, addr)
			if resp := get(t, c, r, addr); resp.StatusCode != http.StatusOK {
				t.Errorf("connection %d from the proxy: %d, want 200", i+1, resp.StatusCode)
			}
		}
	})
}
