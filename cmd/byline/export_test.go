package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bylinenews/byline/internal/shareddata"
)

// The migration a user runs: import the news sample, export it, import the
// export into a new site, and get the same site back, through JSON lines
// and through WXR.
func TestImportExportCommands(t *testing.T) {
	t.Parallel()
	sample := shareddata.Path(t, "news_sample.csv")
	data := t.TempDir()

	code, out, errOut := runByline(t, "", "import", "--data", data, sample)
	if code != 0 || !strings.Contains(out, "imported 1 file(s): 250 created, 0 updated, 0 skipped") {
		t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr = %q, want no progress bar when it is not a terminal", errOut)
	}
	if !strings.Contains(out, "... and 230 more") {
		t.Errorf("report lists every article: %q", out)
	}

	dir := t.TempDir()
	jsonl := filepath.Join(dir, "site.jsonl")
	if code, _, errOut := runByline(t, "", "export", "--data", data, "--out", jsonl); code != 0 || !strings.Contains(errOut, "exported 250 article(s)") {
		t.Fatalf("export: exit %d, %q", code, errOut)
	}
	exported, _ := os.ReadFile(jsonl)
	if n := strings.Count(string(exported), "\n"); n != 250 {
		t.Errorf("export has %d lines, want 250", n)
	}

	copyData := t.TempDir()
	if code, out, errOut := runByline(t, "", "import", "--data", copyData, jsonl); code != 0 || !strings.Contains(out, "250 created") {
		t.Fatalf("import the export: exit %d, %q %q", code, out, errOut)
	}
	code, again, _ := runByline(t, "", "export", "--data", copyData)
	if code != 0 || again != string(exported) {
		t.Errorf("the copy exports differently from the original (exit %d)", code)
	}

	wxr := filepath.Join(dir, "site.xml")
	if code, _, errOut := runByline(t, "", "export", "--data", data, "--format", "wxr", "--base-url", "https://news.example.com", "--out", wxr); code != 0 {
		t.Fatalf("export wxr: exit %d, %q", code, errOut)
	}
	wxrData := t.TempDir()
	if code, out, errOut := runByline(t, "", "import", "--data", wxrData, wxr); code != 0 || !strings.Contains(out, "250 created") {
		t.Fatalf("import the WXR export: exit %d, %q %q", code, out, errOut)
	}
	if code, fromWXR, _ := runByline(t, "", "export", "--data", wxrData); code != 0 || fromWXR != string(exported) {
		t.Errorf("the copy through WXR exports differently from the original (exit %d)", code)
	}

	t.Run("dry run", func(t *testing.T) {
		code, out, _ := runByline(t, "", "import", "--data", copyData, "--dry-run", sample)
		if code != 0 || !strings.Contains(out, "would import (dry run, nothing written) 1 file(s): 0 created, 250 updated") {
			t.Errorf("dry run: exit %d, %q", code, out)
		}
		if _, after, _ := runByline(t, "", "export", "--data", copyData); after != string(exported) {
			t.Errorf("a dry run changed the site")
		}
	})
	t.Run("skip bad", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "ragged.csv")
		os.WriteFile(bad, []byte("url,title,content\nhttps://a.example/1,Good,Body.\nhttps://a.example/2,Ragged\n"), 0o600)
		code, _, errOut := runByline(t, "", "import", "--data", t.TempDir(), bad)
		if code != 1 || !strings.Contains(errOut, "ragged.csv:3 (row 2): The row has 2 fields where the header has 3.") || !strings.Contains(errOut, "--skip-bad") {
			t.Errorf("without --skip-bad: exit %d, stderr %q", code, errOut)
		}
		code, out, _ := runByline(t, "", "import", "--data", t.TempDir(), "--skip-bad", bad)
		if code != 0 || !strings.Contains(out, "1 created, 0 updated, 1 skipped (1 bad, 0 passed over)") || !strings.Contains(out, "ragged.csv:3 (row 2)") {
			t.Errorf("with --skip-bad: exit %d, %q", code, out)
		}
	})
	t.Run("usage errors", func(t *testing.T) {
		if code, _, errOut := runByline(t, "", "export", "--data", data, "--format", "rss"); code != 2 || !strings.Contains(errOut, "--format") {
			t.Errorf("export --format rss: exit %d, %q", code, errOut)
		}
		if code, _, errOut := runByline(t, "", "import", "--data", data, "--format", "doc", sample); code != 1 || !strings.Contains(errOut, `Unknown format "doc"`) {
			t.Errorf("import --format doc: exit %d, %q", code, errOut)
		}
		if code, out, _ := runByline(t, "", "help", "export"); code != 0 || !strings.Contains(out, "--out") || !strings.Contains(out, "--format") {
			t.Errorf("help export: %d %q", code, out)
		}
		if code, out, _ := runByline(t, "", "help", "import"); code != 0 || !strings.Contains(out, "--skip-bad") || !strings.Contains(out, "wxr, csv, markdown, html, text") {
			t.Errorf("help import: %d %q", code, out)
		}
	})
}
