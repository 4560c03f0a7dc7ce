package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/shareddata"
)

// TestImportSameStoryFromTwoSources imports the news sample's stories from
// its CSV and again from the old site's WordPress export, whose items have
// other addresses, headlines with other quotes and case, and other times
// of the same day: the WXR updates the CSV's articles instead of making
// "-2" copies, and the summary counts them; --allow-duplicates makes the
// copies.
func TestImportSameStoryFromTwoSources(t *testing.T) {
	t.Parallel()
	sample := shareddata.Path(t, "news_sample.csv")
	wxr, n := sampleAsWXR(t, sample)
	imp := func(data string, args ...string) string {
		t.Helper()
		code, out, errOut := runByline(t, "", append([]string{"import", "--data", data, "--fetch-media=false"}, args...)...)
		if code != 0 {
			t.Fatalf("import %q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
		return out
	}
	wantLines := func(out string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			if !strings.Contains(out, l) {
				t.Errorf("summary lacks %q:\n%s", l, out)
			}
		}
	}

	t.Run("two imports", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		wantLines(imp(data, sample), "250 created, 0 updated")
		slugs := exportedSlugs(t, data)

		wantLines(imp(data, "--dry-run", wxr), fmt.Sprintf("0 created, %d updated", n),
			fmt.Sprintf("would match existing articles: %d by headline and date", n))
		wantLines(imp(data, wxr), fmt.Sprintf("0 created, %d updated", n),
			fmt.Sprintf("matched existing articles: %d by headline and date (the same story from another source)\n", n))
		if got := exportedSlugs(t, data); !slices.Equal(got, slugs) {
			t.Errorf("after the WXR the site has %d articles, want the CSV's %d with their slugs; new: %q", len(got), len(slugs), added(slugs, got))
		}

		// Each source again: the CSV finds the articles the WXR took over
		// by the story, the others by their URLs; the WXR by its keys.
		wantLines(imp(data, sample), "0 created, 250 updated",
			fmt.Sprintf("matched existing articles: %d by source URL, %d by headline and date", 250-n, n))
		wantLines(imp(data, wxr), fmt.Sprintf("0 created, %d updated", n),
			fmt.Sprintf("matched existing articles: %d by import key\n", n))
		if got := exportedSlugs(t, data); !slices.Equal(got, slugs) {
			t.Errorf("after both again the site has %d articles, want %d; new: %q", len(got), len(slugs), added(slugs, got))
		}
	})

	t.Run("one import of both files", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		wantLines(imp(data, sample, wxr), fmt.Sprintf("250 created, %d updated", n),
			fmt.Sprintf("matched existing articles: %d by headline and date", n))
		if got := exportedSlugs(t, data); len(got) != 250 {
			t.Errorf("the site has %d articles, want 250; new beside the CSV's: %q", len(got), got[250:])
		}
	})

	t.Run("--allow-duplicates copies", func(t *testing.T) {
		t.Parallel()
		data := t.TempDir()
		imp(data, sample)
		slugs := exportedSlugs(t, data)
		out := imp(data, "--allow-duplicates", wxr)
		wantLines(out, fmt.Sprintf("%d created, 0 updated", n))
		if strings.Contains(out, "matched") {
			t.Errorf("summary counts matches: %s", out)
		}
		copies := added(slugs, exportedSlugs(t, data))
		if len(copies) != n || !strings.HasSuffix(copies[0], "-2") {
			t.Errorf("copies = %q, want %d slugs ending in -2", copies, n)
		}
	})
}

// sampleAsWXR writes the first 20 stories of the CSV at path, and every
// one under a headline the CSV gives twice the same day, as the old site's
// WordPress export, and returns its path and number of posts.
func sampleAsWXR(t *testing.T, path string) (string, int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	rows = rows[1:]
	twice := map[string]int{}
	for _, r := range rows {
		twice[r[col["title"]]]++
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>The old site</title>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://old-site.example</wp:base_site_url>
`)
	n := 0
	cdata := func(s string) string { return "<![CDATA[" + strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>") + "]]>" }
	for i, r := range rows {
		title := r[col["title"]]
		if i >= 20 && twice[title] < 2 {
			continue
		}
		n++
		// The old site's own typing of the headline, and its own time of
		// the same day.
		title = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`).Replace(title)
		if n%3 == 0 {
			title = strings.ToUpper(title)
		}
		scraped, err := time.Parse("2006-01-02 15:04:05.999999", r[col["scraped_at"]])
		if err != nil {
			t.Fatal(err)
		}
		published := scraped.Truncate(24 * time.Hour).Add(time.Duration(n) * time.Minute)
		var body strings.Builder
		for _, p := range strings.Split(r[col["content"]], "\n\n") {
			body.WriteString("<p>" + html.EscapeString(p) + "</p>\n")
		}
		fmt.Fprintf(&b, `	<item>
		<title>%s</title>
		<link>https://old-site.example/archives/%d/</link>
		<dc:creator>%s</dc:creator>
		<guid isPermaLink="false">https://old-site.example/?p=%d</guid>
		<content:encoded>%s</content:encoded>
		<excerpt:encoded>%s</excerpt:encoded>
		<wp:post_id>%d</wp:post_id>
		<wp:post_date_gmt>%s</wp:post_date_gmt>
		<wp:status>publish</wp:status>
		<wp:post_type>post</wp:post_type>
	</item>
`, cdata(title), n, cdata("editor"), n, cdata(body.String()), cdata(""), n, published.Format(time.DateTime))
	}
	b.WriteString("</channel>\n</rss>\n")
	out := filepath.Join(t.TempDir(), "old-site.xml")
	if err := os.WriteFile(out, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return out, n
}

// exportedSlugs are the slugs of the site's articles by ID, as byline
// export writes them.
func exportedSlugs(t *testing.T, data string) []string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "site.jsonl")
	if code, _, errOut := runByline(t, "", "export", "--data", data, "--out", out); code != 0 {
		t.Fatalf("export: exit %d, %q", code, errOut)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var slugs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var rec struct{ Type, Slug string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		if rec.Type == "" { // an article, not a section
			slugs = append(slugs, rec.Slug)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return slugs
}

// added are the slugs of after that before lacks.
func added(before, after []string) []string {
	var out []string
	for _, s := range after {
		if !slices.Contains(before, s) {
			out = append(out, s)
		}
	}
	return out
}
