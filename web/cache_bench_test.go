package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// BenchmarkCachedPage serves cached pages through the whole handler (all
// middleware, the page cache, a change feed watching, as serve runs it) and,
// beside it, the same bytes from a bare handler, as bench/plain sends them:
// the difference is what Byline's cached path costs.
//
//	go test -run '^$' -bench CachedPage -cpuprofile /tmp/cached.prof ./web/
func BenchmarkCachedPage(b *testing.B) {
	db := dbtest.OpenSQLite(b)
	articles := sqlite.NewArticleService(db)
	var article string
	for k := range 20 {
		a := renderBenchArticle(k, t0.Add(-time.Duration(20-k)*time.Hour))
		if err := articles.Create(b.Context(), a); err != nil {
			b.Fatal(err)
		}
		if k == 10 {
			article = a.URL()
		}
	}
	srv := &web.Server{Articles: articles, Search: sqlite.NewSearchService(db), Site: web.Site{Title: "The Bench Times"},
		Logger: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	h := srv.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watching := make(chan struct{}, 1)
	go db.WatchChanges(ctx, func(w bool) {
		srv.ContentChanged(w)
		if w {
			select {
			case watching <- struct{}{}:
			default:
			}
		}
	})
	<-watching

	for _, page := range []struct{ name, path string }{{"home", "/"}, {"article", article}} {
		for _, enc := range []string{"identity", "gzip"} {
			// What Byline sends, kept for the bare handler.
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, page.path, nil)
			req.Header.Set("Accept-Encoding", enc)
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", page.path, rec.Code)
			}
			body, contentType, encoding := rec.Body.Bytes(), rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding")
			plain := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hdr := w.Header()
				hdr.Set("Content-Type", contentType)
				if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
					hdr.Set("Content-Encoding", encoding)
				}
				hdr.Set("Content-Length", strconv.Itoa(len(body)))
				w.Write(body)
			})
			for _, target := range []struct {
				name string
				h    http.Handler
			}{{"byline", h}, {"plain", plain}} {
				b.Run(target.name+"/"+page.name+"/"+enc, func(b *testing.B) {
					req := httptest.NewRequest(http.MethodGet, page.path, nil)
					req.Header.Set("Accept-Encoding", enc)
					b.ReportAllocs()
					start := processCPU(b)
					for b.Loop() {
						w := &discardResponse{header: http.Header{}}
						target.h.ServeHTTP(w, req)
						if w.status != http.StatusOK || w.n != len(body) {
							b.Fatalf("GET %s: %d, %d bytes; want 200, %d", page.path, w.status, w.n, len(body))
						}
					}
					// CPU time, garbage collection included, is the figure a
					// busy machine disturbs least: ns/op is wall time.
					b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
				})
			}
		}
	}
}

// processCPU returns the CPU time the process has used, user and system.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discardResponse is a ResponseWriter that keeps only the status and the
// size, with a fresh header map per request as net/http's has.
type discardResponse struct {
	header http.Header
	status int
	n      int
}

func (d *discardResponse) Header() http.Header { return d.header }
func (d *discardResponse) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discardResponse) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(p)
	return len(p), nil
}
