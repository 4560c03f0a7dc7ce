package web

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// middleware wraps the routes once. Outermost first: the access log, which
// gives the request its ID; the refusal of a client over its connection
// cap (conns.go), logged there; recover, so a panic's 500 is logged
// with that ID and counted in the access log; security headers;
// cross-origin protection; compression. The lines below build it from the
// inside out.
func (s *Server) middleware(h http.Handler) http.Handler {
	h = gzipResponses(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.refuseOverLimit(h)
	h = s.accessLog(h)
	return h
}

type requestIDKey struct{}

// requestID returns the ID the access log gave the request.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// requestIDBase makes this process's request IDs differ from another
// instance's; the counter makes them differ from each other. (One read of
// crypto/rand per request cost more than the rest of the access log.)
var (
	requestIDBase    = randomUint64()
	requestIDCounter atomic.Uint64
)

func randomUint64() uint64 {
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// newRequestID returns 16 hex digits, unique within the process.
func newRequestID() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], requestIDBase+requestIDCounter.Add(1))
	var out [16]byte
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// accessLog gives each request an ID and logs one line when it ends.
func (s *Server) accessLog(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := newRequestID()
		w.Header()["X-Request-Id"] = []string{id}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
		if !s.Logger.Enabled(r.Context(), slog.LevelInfo) {
			return // the attributes below cost more than the check
		}
		msg, status := "request", rec.status
		// A client that hung up (its request's context ended, or writing
		// to it failed) is not the server failing: logged as the client's
		// doing, at the same level as any request, so that 5xx counts and
		// error lines mean what they say.
		if r.Context().Err() != nil || rec.writeErr != nil {
			msg, status = "client closed the request", statusClientClosed
		}
		s.Logger.LogAttrs(r.Context(), slog.LevelInfo, msg,
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("client", clientName(s.clientAddr(r))),
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("duration", time.Since(start)),
			slog.String("request_id", id))
	})
}

// clientName is a client's address for the log.
func clientName(a netip.Addr) string {
	if !a.IsValid() {
		return "unknown"
	}
	return a.String()
}

// recoverPanics turns a panic in a handler into a 500 and one log line.
func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// contentSecurityPolicy allows only our own origin: no inline script, no
// third-party fonts, styles, scripts or images (an import copies an old
// site's images in). The one exception is a video's player, which
// embed.js loads into a frame from the provider's privacy-preserving host
// only when the reader clicks the video.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; media-src 'self'; " +
	"frame-src https://www.youtube-nocookie.com https://player.vimeo.com; " +
	"style-src 'self'; script-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeader are the headers every response carries, in canonical
// form, with values shared by all responses: Header.Set would canonicalize
// each key and allocate each value on every request. A shared value has
// length and capacity 1, so a later Add copies it rather than writing into
// it, and Set replaces it.
var securityHeader = []struct {
	key   string
	value []string
}{
	{"Content-Security-Policy", []string{contentSecurityPolicy}},
	{"X-Content-Type-Options", []string{"nosniff"}},
	{"Referrer-Policy", []string{"strict-origin-when-cross-origin"}},
	{"X-Frame-Options", []string{"DENY"}},
	{"Permissions-Policy", []string{"camera=(), microphone=(), geolocation=(), interest-cohort=()"}},
	{"Cross-Origin-Opener-Policy", []string{"same-origin"}},
}

var strictTransportSecurity = []string{"max-age=31536000"}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		for _, sh := range securityHeader {
			hdr[sh.key] = sh.value
		}
		if r.TLS != nil {
			hdr["Strict-Transport-Security"] = strictTransportSecurity
		}
		h.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	writeErr    error // the first failed write: the client is gone or too slow
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.status, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	if err != nil && r.writeErr == nil {
		r.writeErr = err
	}
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// gzipResponses compresses text responses for clients that accept gzip.
// A handler that has compressed already (the page cache keeps gzipped
// copies) sets Content-Encoding itself and is passed through.
func gzipResponses(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hdr := w.Header(); hdr["Vary"] == nil {
			hdr["Vary"] = varyAcceptEncoding // shared, as securityHeader's
		} else {
			hdr.Add("Vary", "Accept-Encoding")
		}
		if !acceptsGzip(r) || r.Method == http.MethodHead {
			h.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		h.ServeHTTP(gw, r)
	})
}

var varyAcceptEncoding = []string{"Accept-Encoding"}

func acceptsGzip(r *http.Request) bool {
	rest := r.Header.Get("Accept-Encoding")
	for rest != "" {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}

// gzipWriter decides at the first write whether to compress: only text, only
// when nobody encoded the body already, only for bodies that have one.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func (g *gzipWriter) WriteHeader(code int) {
	g.decide(code)
	g.ResponseWriter.WriteHeader(code)
}

func (g *gzipWriter) decide(code int) {
	if g.decided {
		return
	}
	g.decided = true
	hdr := g.Header()
	ct := hdr.Get("Content-Type")
	compressible := strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript")
	if hdr.Get("Content-Encoding") != "" || !compressible || code == http.StatusNoContent || code == http.StatusNotModified || code < 200 {
		return
	}
	hdr.Set("Content-Encoding", "gzip")
	hdr.Del("Content-Length")
	if etag := hdr.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		hdr.Set("ETag", "W/"+etag) // the bytes differ from the identity encoding's
	}
	g.gz = gzipPool.Get().(*gzip.Writer)
	g.gz.Reset(g.ResponseWriter)
}

func (g *gzipWriter) Write(p []byte) (int, error) {
	if !g.decided {
		if g.Header().Get("Content-Type") == "" {
			g.Header().Set("Content-Type", http.DetectContentType(p))
		}
		g.WriteHeader(http.StatusOK)
	}
	if g.gz == nil {
		return g.ResponseWriter.Write(p)
	}
	return g.gz.Write(p)
}

func (g *gzipWriter) Flush() {
	if g.gz != nil {
		g.gz.Flush()
	}
	if f, ok := g.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (g *gzipWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if hj, ok := g.ResponseWriter.(http.Hijacker); ok {
		return hj.Hijack()
	}
	return nil, nil, errors.New("hijack not supported")
}

func (g *gzipWriter) Unwrap() http.ResponseWriter { return g.ResponseWriter }

func (g *gzipWriter) close() {
	if g.gz != nil {
		g.gz.Close()
		g.gz.Reset(io.Discard)
		gzipPool.Put(g.gz)
		g.gz = nil
	}
}
