package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// demoServer runs serve --demo with args until the test ends, and returns
// the first n lines it printed on standard output once it listens, and a
// function that stops it and returns its exit code.
func demoServer(t *testing.T, n int, args ...string) (lines []string, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out, w := io.Pipe()
	done := make(chan int, 1)
	args = append([]string{"serve", "--demo", "--addr", freeAddr(t)}, args...)
	go func() {
		done <- run(ctx, args, nil, w, io.Discard)
		w.Close()
	}()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve --demo did not shut down")
			return -1
		}
	}
	sc := bufio.NewScanner(out)
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go io.Copy(io.Discard, out)
	if len(lines) < n {
		t.Fatalf("serve --demo printed %q, then exit %d", lines, stop())
	}
	return lines, stop
}

func getPage(t *testing.T, url string) *goquery.Document {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, want 200", url, resp.Status)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

var demoLines = regexp.MustCompile(`^The demo site is at (http://\S+/) \(its data in (\S+), removed when serve stops\)$`)
var demoSignIn = regexp.MustCompile(`^Its newsroom: sign in at (http://\S+) as (demo@example.com) with the password (\S+)$`)

// serve --demo starts a whole site at once, articles with their pictures
// and a newsroom to sign in to, in a temporary data directory that it
// removes when it stops.
func TestServe_Demo(t *testing.T) {
	t.Parallel()
	lines, stop := demoServer(t, 2)
	m := demoLines.FindStringSubmatch(lines[0])
	if m == nil {
		t.Fatalf("serve --demo said %q, want where the site and its data are", lines[0])
	}
	site, data := m[1], m[2]
	home := getPage(t, site)
	headlines := home.Find(".summary__headline a")
	if headlines.Length() < 8 {
		t.Errorf("the demo's home page lists %d articles, want at least 8", headlines.Length())
	}
	href, _ := headlines.First().Attr("href")
	article := getPage(t, site+strings.TrimPrefix(href, "/"))
	src, ok := article.Find(".article__image img").Attr("src")
	if !ok || !strings.HasPrefix(src, "/files/demo/") {
		t.Fatalf("the article at %s shows the picture %q, want one of the demo's", href, src)
	}
	resp, err := http.Get(site + strings.TrimPrefix(src, "/"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("GET %s: %s %q, want 200 image/jpeg", src, resp.Status, resp.Header.Get("Content-Type"))
	}

	// Its sections and pages: a section front with its stories, a page
	// and a page under it, all linked from the sitemap.
	front := getPage(t, site+"section/news/")
	if got := front.Find("main h1").First().Text(); got != "News" {
		t.Errorf("/section/news/: h1 %q, want News", got)
	}
	if n := front.Find(".summary__headline a").Length(); n < 3 {
		t.Errorf("/section/news/ lists %d articles, want at least 3 (its subsections' too)", n)
	}
	for path, title := range map[string]string{"about/": "About us", "about/masthead/": "Masthead", "privacy/": "Privacy", "corrections/": "Corrections"} {
		if got := getPage(t, site+path).Find("main h1").First().Text(); got != title {
			t.Errorf("/%s: h1 %q, want %q", path, got, title)
		}
	}

	m = demoSignIn.FindStringSubmatch(lines[1])
	if m == nil {
		t.Fatalf("serve --demo said %q, want how to sign in to the newsroom", lines[1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = client.PostForm(m[1], url.Values{"email": {m[2]}, "password": {m[3]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/newsroom/" {
		t.Errorf("signing in as the demo's user: %s to %q, want 303 to /newsroom/", resp.Status, resp.Header.Get("Location"))
	}

	if _, err := os.Stat(filepath.Join(data, "byline.db")); err != nil {
		t.Errorf("while serving, the demo's database: %v", err)
	}
	if code := stop(); code != 0 {
		t.Errorf("serve --demo: exit %d after shutdown, want 0", code)
	}
	if _, err := os.Stat(data); !os.IsNotExist(err) {
		t.Errorf("after serve --demo stopped, its data directory %s: %v, want it removed", data, err)
	}
}

// serve --demo --data DIR fills DIR and leaves it; a second start updates
// the articles in place and adds no second user.
func TestServe_DemoIntoData(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	for _, start := range []string{"first", "second"} {
		want := 2 // the site, and how to sign in
		if start == "second" {
			want = 1 // a user is there already
		}
		lines, stop := demoServer(t, want, "--data", data)
		if want := "(its data in " + data + ")"; !strings.HasSuffix(lines[0], want) {
			t.Errorf("%s start of serve --demo --data said %q, want it to end with %q", start, lines[0], want)
		}
		if code := stop(); code != 0 {
			t.Fatalf("%s start: exit %d", start, code)
		}
	}
	code, out, _ := runByline(t, "", "user", "list", "--data", data)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "demo@example.com") {
		t.Errorf("user list after serve --demo --data: exit %d, %q; want the demo's one user", code, out)
	}
	if _, err := os.Stat(filepath.Join(data, "public", "demo", "harbour-dusk.jpg")); err != nil {
		t.Errorf("the demo's pictures in --data: %v", err)
	}
}
