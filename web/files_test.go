package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// newFilesSite serves a public folder holding a file, an uploaded image and
// a folder of pictures, as serve lays out DATA/public.
func newFilesSite(t *testing.T) *httptest.Server {
	t.Helper()
	public := t.TempDir()
	uploads := filepath.Join(public, "uploads")
	for _, dir := range []string{uploads, filepath.Join(public, "demo")} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeUpload(t, public, "0123456789abcdef0123456789abcdef", 40, 30)
	for name, body := range map[string]string{"notice.txt": "Closed on Sundays.\n", "demo/harbour.txt": "A harbour.\n"} {
		if err := os.WriteFile(filepath.Join(public, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := dbtest.OpenSQLite(t)
	srv := &web.Server{Articles: sqlite.NewArticleService(db), Site: web.Site{Title: "The Test Times"},
		PublicDir: os.DirFS(public), UploadDir: uploads}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func getRaw(t *testing.T, ts *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(ts.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestPublicFiles(t *testing.T) {
	t.Parallel()
	ts := newFilesSite(t)

	t.Run("a file is served", func(t *testing.T) {
		resp, body := getRaw(t, ts, "/files/notice.txt")
		if resp.StatusCode != http.StatusOK || body != "Closed on Sundays.\n" {
			t.Errorf("GET /files/notice.txt = %d %q, want 200 and the file", resp.StatusCode, body)
		}
		if resp, _ := getRaw(t, ts, "/files/uploads/0123456789abcdef0123456789abcdef-40.png"); resp.StatusCode != http.StatusOK {
			t.Errorf("GET an uploaded image = %d, want 200", resp.StatusCode)
		}
	})

	t.Run("no folder is listed", func(t *testing.T) {
		for _, path := range []string{"/files/", "/files/uploads/", "/files/demo/", "/files/demo", "/files/uploads", "/static/"} {
			resp, body := getRaw(t, ts, path)
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
			}
			d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			d.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
				href := a.AttrOr("href", "")
				for _, name := range []string{"notice.txt", "0123456789abcdef", "harbour.txt", "site.css", "search.js"} {
					if strings.Contains(href, name) {
						t.Errorf("GET %s links to %s: a listing", path, href)
					}
				}
			})
		}
	})

	t.Run("an impossible file name is a 400 with a sentence", func(t *testing.T) {
		for _, path := range []string{"/files/a%00", "/files/demo/%01x", "/files/a%5Cb", "/files/" + strings.Repeat("n", 300)} {
			resp, body := getRaw(t, ts, path)
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s = %d, want 400", path, resp.StatusCode)
				continue
			}
			d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if msg := strings.TrimSpace(d.Find(".error-page p").First().Text()); !strings.HasPrefix(msg, "This address cannot name a file") || !strings.HasSuffix(msg, ".") {
				t.Errorf("GET %s says %q, want a sentence on the file name", path, msg)
			}
		}
	})
}
