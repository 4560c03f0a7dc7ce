package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

var accessLogLine = regexp.MustCompile(`msg=request method=GET path=/healthz client=(\S+) `)

// The client the access log names is the connection's peer unless that
// peer is a trusted proxy; then the forwarded hops are read from the
// right, past the trusted ones, and the first other address is the client.
// Only the header the proxies are said to write is read.
func TestClientAddress(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name    string
		proxies []netip.Prefix
		header  string // web.Server.ProxyHeader
		send    []string
		want    string
	}{
		{"no proxy: the peer", nil, "", nil, "127.0.0.1"},
		{"an untrusted peer's X-Forwarded-For is ignored", nil, "", []string{"X-Forwarded-For", "203.0.113.7"}, "127.0.0.1"},
		{"an untrusted peer's Forwarded is ignored", nil, web.Forwarded, []string{"Forwarded", "for=203.0.113.7"}, "127.0.0.1"},
		{"a trusted proxy's X-Forwarded-For", loopback, "", []string{"X-Forwarded-For", "203.0.113.7"}, "203.0.113.7"},
		{"the rightmost untrusted hop, not what the client wrote left of it", loopback, "",
			[]string{"X-Forwarded-For", "198.51.100.9, 203.0.113.7, 10.1.2.3"}, "203.0.113.7"},
		{"hops over several header lines", loopback, "",
			[]string{"X-Forwarded-For", "198.51.100.9", "X-Forwarded-For", "203.0.113.7,10.1.2.3"}, "203.0.113.7"},
		{"a hop with a port", loopback, "", []string{"X-Forwarded-For", "203.0.113.7:41234"}, "203.0.113.7"},
		{"garbage on the right stops at the last proxy", loopback, "", []string{"X-Forwarded-For", "203.0.113.7, not-an-address"}, "127.0.0.1"},
		{"only trusted hops: the farthest", loopback, "", []string{"X-Forwarded-For", "10.9.9.9, 10.1.2.3"}, "10.9.9.9"},
		{"Forwarded ignored where proxies write X-Forwarded-For", loopback, "", []string{"Forwarded", "for=203.0.113.7"}, "127.0.0.1"},
		{"Forwarded, RFC 7239", loopback, web.Forwarded,
			[]string{"Forwarded", `for=198.51.100.9;proto=https, for="[2001:db8:cafe::17]:4711";by=10.1.2.3`}, "2001:db8:cafe::17"},
		{"Forwarded, quoted IPv4 with a port, past a trusted hop", loopback, web.Forwarded,
			[]string{"Forwarded", `for="203.0.113.7:80", For=10.1.2.3`}, "203.0.113.7"},
		{"Forwarded over two lines, with a quoted comma", loopback, web.Forwarded,
			[]string{"Forwarded", `for=198.51.100.9;host="a,b"`, "Forwarded", "for=203.0.113.8"}, "203.0.113.8"},
		{"Forwarded: an obfuscated hop stops at the last proxy", loopback, web.Forwarded,
			[]string{"Forwarded", "for=203.0.113.7, for=_hidden"}, "127.0.0.1"},
		{"X-Forwarded-For ignored where proxies write Forwarded", loopback, web.Forwarded, []string{"X-Forwarded-For", "203.0.113.7"}, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var log syncBuffer
			db := dbtest.OpenSQLite(t)
			srv := &web.Server{Articles: sqlite.NewArticleService(db), TrustedProxies: tt.proxies, ProxyHeader: tt.header}
			logTo(&log)(srv)
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			req, _ := http.NewRequest("GET", ts.URL+"/healthz", nil)
			for i := 0; i+1 < len(tt.send); i += 2 {
				req.Header.Add(tt.send[i], tt.send[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			m := accessLogLine.FindStringSubmatch(log.String())
			if m == nil {
				t.Fatalf("no access-log line naming the client:\n%s", log.String())
			}
			if m[1] != tt.want {
				t.Errorf("sent %q: the access log names client %s, want %s", tt.send, m[1], tt.want)
			}
		})
	}
}

// Behind a trusted proxy every reader has a sign-in limit of their own;
// without one, the forwarded address is not believed, so it cannot be used
// to dodge the limit.
func TestSignInLimitBehindProxy(t *testing.T) {
	t.Parallel()
	attempt := func(t *testing.T, n *newsroomSite, forwardedFor string, i int) int {
		t.Helper()
		resp := n.browser(t).post(t, "/newsroom/sign-in", url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"x"}},
			"X-Forwarded-For", forwardedFor)
		return resp.StatusCode
	}
	limit := func(s *web.Server) { s.SignIn.PerIP = web.Rate{Limit: 2, Window: time.Hour} }

	t.Run("trusted", func(t *testing.T) {
		t.Parallel()
		n := newNewsroom(t, limit, func(s *web.Server) { s.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
		for i := range 2 {
			if got := attempt(t, n, "203.0.113.7", i); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d from 203.0.113.7: %d, want 401", i+1, got)
			}
		}
		if got := attempt(t, n, "203.0.113.7", 2); got != http.StatusTooManyRequests {
			t.Errorf("attempt 3 from 203.0.113.7: %d, want 429", got)
		}
		if got := attempt(t, n, "198.51.100.7, 203.0.113.7", 3); got != http.StatusTooManyRequests {
			t.Errorf("attempt from 203.0.113.7 claiming a hop before it: %d, want 429", got)
		}
		if got := attempt(t, n, "203.0.113.8", 4); got != http.StatusUnauthorized {
			t.Errorf("first attempt from 203.0.113.8: %d, want 401", got)
		}
	})

	t.Run("untrusted", func(t *testing.T) {
		t.Parallel()
		n := newNewsroom(t, limit)
		for i, addr := range []string{"203.0.113.7", "203.0.113.8"} {
			if got := attempt(t, n, addr, i); got != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d, want 401", i+1, got)
			}
		}
		if got := attempt(t, n, "203.0.113.9", 2); got != http.StatusTooManyRequests {
			t.Errorf("attempt 3 claiming a new address: %d, want 429", got)
		}
	})
}
