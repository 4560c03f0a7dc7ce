package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// pngBytes draws a w×h picture.
func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oldHost is a real HTTP server standing in for a site being moved: it
// serves an image, redirect chains, an endless body and a page.
func oldHost(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	picture := pngBytes(t, 1200, 800)
	var hits atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/wp-content/uploads/talks.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(picture)
	})
	mux.HandleFunc("/hop/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		if n == 0 {
			http.Redirect(w, r, "/wp-content/uploads/talks.png", http.StatusFound)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusMovedPermanently)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/huge.png", func(w http.ResponseWriter, r *http.Request) {
		// No Content-Length: the limit must hold while reading.
		w.Header().Set("Content-Type", "image/png")
		w.Write(picture[:64])
		chunk := bytes.Repeat([]byte{0}, 64<<10)
		for range 64 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/declared-huge.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(50<<20))
		w.Write(picture[:64])
	})
	mux.HandleFunc("/slow.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(picture[:64])
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the rest never comes
	})
	mux.HandleFunc("/page.jpg", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg") // the header lies; the bytes tell
		fmt.Fprint(w, "<!doctype html><title>Not found</title><p>Sorry.")
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestFetcher_Fetch(t *testing.T) {
	srv, _ := oldHost(t)
	dir := t.TempDir()
	f := &Fetcher{Dir: dir, AllowPrivate: true, MaxBytes: 1 << 20, MaxRedirects: 3}

	t.Run("an image is stored at its widths", func(t *testing.T) {
		up, err := f.Fetch(t.Context(), srv.URL+"/wp-content/uploads/talks.png")
		if err != nil {
			t.Fatalf("Fetch: %v", err)
		}
		if up.Width != 1200 || up.Height != 800 || up.Ext != "png" || up.Name != "talks.png" {
			t.Errorf("upload = %+v, want a 1200×800 png named talks.png", up)
		}
		if want := []int{480, 960, 1200}; fmt.Sprint(up.Widths) != fmt.Sprint(want) {
			t.Errorf("widths = %v, want %v", up.Widths, want)
		}
		for _, w := range up.Widths {
			if _, err := os.Stat(filepath.Join(dir, up.FileName(w))); err != nil {
				t.Errorf("the %d-wide copy is missing: %v", w, err)
			}
		}
	})
	t.Run("a redirect chain within the limit is followed", func(t *testing.T) {
		if _, err := f.Fetch(t.Context(), srv.URL+"/hop/2"); err != nil {
			t.Errorf("Fetch through 3 redirects (limit 3): %v", err)
		}
	})
	failures := []struct {
		name, path, reason string
	}{
		{"a redirect chain past the limit", "/hop/3", "more than 3 redirects"},
		{"a redirect to another scheme", "/to-file", "redirected to a file: address"},
		{"a body past the size limit", "/huge.png", "larger than 1.0 MB"},
		{"a declared size past the limit", "/declared-huge.png", "larger than 1.0 MB (50.0 MB)"},
		{"a page that is not an image", "/page.jpg", "not a JPEG, PNG, GIF or WebP image (it looks like text/html"},
		{"a missing file", "/nothing.png", "the host answered 404 Not Found"},
	}
	for _, tt := range failures {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			_, err := f.Fetch(t.Context(), srv.URL+tt.path)
			if err == nil || byline.ErrorKind(err) != byline.Invalid || !strings.Contains(byline.ErrorMessage(err), tt.reason) {
				t.Errorf("Fetch(%s) = %v, want an Invalid error saying %q", tt.path, err, tt.reason)
			}
		})
	}
	t.Run("a body that takes too long is given up", func(t *testing.T) {
		slow := &Fetcher{Dir: t.TempDir(), AllowPrivate: true, Timeout: 300 * time.Millisecond}
		start := time.Now()
		_, err := slow.Fetch(t.Context(), srv.URL+"/slow.png")
		if err == nil || !strings.Contains(byline.ErrorMessage(err), "within 300ms") {
			t.Errorf("Fetch(/slow.png) = %v, want given up within the timeout", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("Fetch took %v with a 300ms timeout", took)
		}
	})
	t.Run("other schemes are refused", func(t *testing.T) {
		for _, u := range []string{"file:///etc/passwd", "ftp://example.com/a.png", "data:image/png;base64,AAAA"} {
			if _, err := f.Fetch(t.Context(), u); err == nil || !strings.Contains(byline.ErrorMessage(err), "only http and https") {
				t.Errorf("Fetch(%s) = %v, want refused: only http and https", u, err)
			}
		}
	})
}

func TestFetcher_privateAddresses(t *testing.T) {
	srv, hits := oldHost(t)
	f := &Fetcher{Dir: t.TempDir()}
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	for _, u := range []string{
		srv.URL + "/wp-content/uploads/talks.png",                                      // 127.0.0.1
		fmt.Sprintf("http://localhost:%d/wp-content/uploads/talks.png", port),          // a name that resolves to loopback
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/wp-content/uploads/talks.png", port), // IPv4 in IPv6
	} {
		_, err := f.Fetch(t.Context(), u)
		if err == nil || !strings.Contains(byline.ErrorMessage(err), "loopback, private or link-local") {
			t.Errorf("Fetch(%s) without AllowPrivate = %v, want it refused", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the old host got %d requests; a refused address must not be connected to", n)
	}
	t.Run("a redirect to a private address is refused too", func(t *testing.T) {
		// The first host is allowed; the one it redirects to is not.
		outside := httptest.NewServer(http.RedirectHandler(srv.URL+"/wp-content/uploads/talks.png", http.StatusFound))
		defer outside.Close()
		allowOnlyFirst := &Fetcher{Dir: t.TempDir(), AllowPrivate: false}
		// Dial the first server through a checker that lets its port pass.
		allowOnlyFirst.allowDial = func(ap netip.AddrPort) bool { return ap.Port() == uint16(outside.Listener.Addr().(*net.TCPAddr).Port) }
		_, err := allowOnlyFirst.Fetch(t.Context(), outside.URL)
		if err == nil || !strings.Contains(byline.ErrorMessage(err), "loopback, private or link-local") {
			t.Errorf("Fetch through a redirect to loopback = %v, want it refused", err)
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the private host got %d requests after a redirect", n)
		}
	})
}

func TestAllowedAddress(t *testing.T) {
	for _, tt := range []struct {
		ip   string
		want bool
	}{
		{"93.184.216.34", true}, {"2606:2800:220:1:248:1893:25c8:1946", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fd00::1", false}, {"0.0.0.0", false}, {"::", false},
		{"100.64.0.1", false}, {"224.0.0.1", false}, {"::ffff:10.0.0.1", false}, {"64:ff9b::a00:1", false},
		{"2002:a00:1::", false}, {"198.18.0.1", false}, {"255.255.255.255", false},
	} {
		if got := AllowedAddress(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("AllowedAddress(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
}
