package web

import (
	"regexp"
	"testing"
)

// permalinkPattern is what parsePermalink spells out by hand.
var permalinkPattern = regexp.MustCompile(`^/([0-9]{4})/([0-9]{2})/([^/]+)(/?)$`)

// checkPermalink fails t if parsePermalink and the pattern disagree on path.
func checkPermalink(t *testing.T, path string) {
	t.Helper()
	year, month, slug, slash, ok := parsePermalink(path)
	m := permalinkPattern.FindStringSubmatch(path)
	if ok != (m != nil) {
		t.Fatalf("parsePermalink(%q) ok = %v, the pattern matches: %v", path, ok, m != nil)
	}
	if ok && (year != m[1] || month != m[2] || slug != m[3] || slash != (m[4] == "/")) {
		t.Errorf("parsePermalink(%q) = %q %q %q %v, the pattern gives %q", path, year, month, slug, slash, m[1:])
	}
}

func TestParsePermalink(t *testing.T) {
	for _, path := range []string{
		"/2015/10/russian-us-relationship-in-syria-remains-complicated/",
		"/2015/10/no-slash",
		"/2015/10/x/",
		"/2015/10//",
		"/2015/10/",
		"/2015/10/a/b/",
		"/2015/1/slug/",
		"/20155/10/slug/",
		"/201a/10/slug/",
		"/2015/1a/slug/",
		"/2015/10/sl ug/",
		"/2015/10/\xff/",
		"/2015/10/é/",
		"2015/10/slug/",
		"/",
		"",
		"/tag/syria/",
	} {
		checkPermalink(t, path)
	}
}

func FuzzParsePermalink(f *testing.F) {
	f.Add("/2015/10/slug/")
	f.Add("/2015/10/slug")
	f.Add("/2015/10/a/b")
	f.Fuzz(checkPermalink)
}
