package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/shareddata"
	"github.com/bylinenews/byline/internal/testenv"
	"github.com/bylinenews/byline/sqlite"
)

// TestMain says, in one line that go test shows, which suites did not run
// here and how to run them.
func TestMain(m *testing.M) { testenv.Main(m) }

func runByline(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	seedArticle := shareddata.Path(t, "seed-article.txt")

	code, out, errOut := runByline(t, "", "import", "--data", data, seedArticle)
	if code != 0 || !strings.Contains(out, "1 created, 0 updated") {
		t.Fatalf("import seed: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if !strings.Contains(out, "/russian-us-relationship-in-syria-remains-complicated/") {
		t.Errorf("import report lacks the permalink: %q", out)
	}
	code, out, _ = runByline(t, "", "import", "--data", data, seedArticle)
	if code != 0 || !strings.Contains(out, "0 created, 1 updated") {
		t.Errorf("re-import: exit %d, %q; want an update in place", code, out)
	}

	t.Run("a bad file names its line, exits 1 and imports nothing", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "a-good.txt"), []byte("A good headline\nA paragraph.\n"), 0o600)
		os.WriteFile(filepath.Join(dir, "b-bad.txt"), []byte("Headline\nfine\n\xff\xfe broken\n"), 0o600)
		code, out, errOut := runByline(t, "", "import", "--data", data, dir)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		if !strings.Contains(errOut, "b-bad.txt:3") || !strings.Contains(errOut, "Nothing was imported") {
			t.Errorf("stderr = %q, want the file and line and that nothing was imported", errOut)
		}
		if out != "" {
			t.Errorf("stdout = %q, want nothing", out)
		}
		code, out, _ = runByline(t, "", "import", "--data", data, "--dry-run", seedArticle)
		if code != 0 || !strings.Contains(out, "dry run") {
			t.Errorf("dry run: %d %q", code, out)
		}
	})
	t.Run("an empty file of any format exits 1 with its name", func(t *testing.T) {
		dir := t.TempDir()
		for _, name := range []string{"wire.jsonl", "news.csv", "wordpress.xml", "post.md", "page.html", "page.txt"} {
			path := filepath.Join(dir, name)
			os.WriteFile(path, nil, 0o600)
			code, _, errOut := runByline(t, "", "import", "--data", data, path)
			if want := path + ": The file is empty: there is nothing to import."; code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("import %s: exit %d, stderr %q; want 1 and %q", name, code, errOut, want)
			}
		}
	})
	t.Run("standard input", func(t *testing.T) {
		code, out, errOut := runByline(t, "From stdin\nBody line.\n", "import", "--data", data, "--format", "text", "-")
		if code != 0 || !strings.Contains(out, "1 created") {
			t.Errorf("import -: %d %q %q", code, out, errOut)
		}
	})
	t.Run("the search index is left in one piece", func(t *testing.T) {
		// Three imports wrote three transactions, each a piece of the index.
		db, err := sqlite.Open(t.Context(), filepath.Join(data, "byline.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if n, err := db.SearchSegments(t.Context()); err != nil || n != 1 {
			t.Errorf("after the imports the search index is in %d pieces (%v), want 1", n, err)
		}
	})
	t.Run("usage errors exit 2", func(t *testing.T) {
		if code, _, _ := runByline(t, "", "import", "--data", data); code != 2 {
			t.Errorf("import with no files: exit %d, want 2", code)
		}
		if code, _, _ := runByline(t, "", "frobnicate"); code != 2 {
			t.Errorf("unknown command: exit %d, want 2", code)
		}
		if code, _, errOut := runByline(t, "", "serve", "--log-format", "xml"); code != 2 || !strings.Contains(errOut, "--log-format") {
			t.Errorf("bad flag value: exit %d, %q", code, errOut)
		}
		if code, _, errOut := runByline(t, "", "serve", "--sign-in-rate", "30"); code != 2 || !strings.Contains(errOut, "--sign-in-rate") {
			t.Errorf("bad --sign-in-rate: exit %d, %q", code, errOut)
		}
	})
}

func TestHelp(t *testing.T) {
	t.Parallel()
	code, out, _ := runByline(t, "", "help", "serve")
	if code != 0 {
		t.Fatalf("help serve: exit %d", code)
	}
	for _, want := range []string{"--addr", "BYLINE_ADDR", "--data", "BYLINE_DATA", "--db", "BYLINE_DB"} {
		if !strings.Contains(out, want) {
			t.Errorf("help serve lacks %q", want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// The README's promise: serve starts a site on SQLite with migrations run,
// serves what was imported, and shuts down cleanly when told to.
func TestServeCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if code, _, errOut := runByline(t, "", "import", "--data", data, shareddata.Path(t, "seed-article.txt")); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--addr", addr}, nil, io.Discard, io.Discard)
	}()
	var resp *http.Response
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if resp, err = http.Get("http://" + addr + "/"); err == nil {
			break
		}
	}
	if resp == nil {
		t.Fatal("server did not start")
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Russian, US Relationship In Syria Remains Complicated") {
		t.Errorf("GET /: %d, body lacks the imported headline", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exit %d after shutdown, want 0", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down")
	}
}
