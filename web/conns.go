package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"
)

// This file bounds what one client can hold of the server: how long a
// response may take to be read, and how many connections it may keep open.

// Defaults for the server's connection limits.
const (
	// DefaultWriteTimeout is how long a response may take to reach the
	// client. The largest page is a full sitemap, 50,000 addresses: about
	// 10 MB, a megabyte gzipped, so 30 seconds at 32 KB/s. Larger files
	// (original images, exports) take more time for themselves
	// (allowTimeFor, allowSlowWrite).
	DefaultWriteTimeout = 30 * time.Second
	// DefaultMinReadRate is the slowest reader, in bytes per second, a file
	// under /files/ is sent to in full: a 10 MB original image gets 160
	// seconds more than the write timeout.
	DefaultMinReadRate = 64 << 10
	// DefaultMaxConnsPerClient is how many connections one client address
	// may have open at once. A browser opens 6 per site; 64 leaves room
	// for a newsroom behind one address and for honest load tests.
	DefaultMaxConnsPerClient = 64
)

func (s *Server) writeTimeout() time.Duration {
	if s.WriteTimeout <= 0 {
		return DefaultWriteTimeout
	}
	return s.WriteTimeout
}

// allowTimeFor gives a response of size bytes the time the slowest honest
// reader needs for it (MinReadRate), beyond the write timeout.
func (s *Server) allowTimeFor(w http.ResponseWriter, size int64) {
	rate := s.MinReadRate
	if rate <= 0 {
		rate = DefaultMinReadRate
	}
	s.allowSlowWrite(w, s.writeTimeout()+time.Duration(size/rate)*time.Second)
}

// allowSlowWrite lets the response take d from now to be written. Without
// ListenAndServe's write timeout (behind httptest, say) it does nothing,
// since nothing would reset the deadline for the connection's next request.
func (s *Server) allowSlowWrite(w http.ResponseWriter, d time.Duration) {
	if s.writeDeadlines {
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
	}
}

// connLimiter is a listener that counts the open connections of each
// client address (an IPv4 address, an IPv6 /64). A connection over the
// cap is still accepted, and marked, so that it is answered 429 with a
// sentence and closed (refuseOverLimit) instead of being dropped unread.
// Trusted proxies are not capped: each carries many readers.
type connLimiter struct {
	net.Listener
	max    int
	exempt func(netip.Addr) bool

	mu   sync.Mutex
	open map[netip.Prefix]int
}

func (l *connLimiter) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil || l.exempt(ap.Addr().Unmap()) {
		return c, nil
	}
	key := clientPrefix(ap.Addr().Unmap())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] >= l.max {
		return &overLimitConn{c}, nil
	}
	l.open[key]++
	return &countedConn{Conn: c, release: func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.open[key]--; l.open[key] <= 0 {
			delete(l.open, key)
		}
	}}, nil
}

// clientPrefix is the network a client address is counted under.
func clientPrefix(a netip.Addr) netip.Prefix {
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// countedConn gives its place back when it closes.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// CloseWrite lets http.Server end a "Connection: close" answer with a
// FIN and a pause before closing, as it does on a bare TCP connection, so
// that the client reads the answer rather than a reset.
func (c *countedConn) CloseWrite() error { return closeWrite(c.Conn) }

// overLimitConn is a connection from a client that had too many open.
type overLimitConn struct{ net.Conn }

func (c *overLimitConn) CloseWrite() error { return closeWrite(c.Conn) }

func closeWrite(c net.Conn) error {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

type overLimitKey struct{}

// markOverLimit is the server's ConnContext: the requests of an over-limit
// connection carry the mark.
func markOverLimit(ctx context.Context, c net.Conn) context.Context {
	if _, ok := c.(*overLimitConn); ok {
		return context.WithValue(ctx, overLimitKey{}, true)
	}
	return ctx
}

// refuseOverLimit answers a request on an over-limit connection with 429
// and closes the connection after it.
func (s *Server) refuseOverLimit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if over, _ := r.Context().Value(overLimitKey{}).(bool); !over {
			h.ServeHTTP(w, r)
			return
		}
		s.Logger.Warn("too many connections from one client", "client", s.clientKey(r), "request_id", requestID(r.Context()))
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "5")
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Too many connections from your address at once. Please close some and try again.", http.StatusTooManyRequests)
	})
}
