package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// TestSiteIdentity sets the site's identity in the newsroom and reads it
// back on the public pages: the language, the logo with the title as its
// text, the footer line, the accent colour's stylesheet, and dates written
// in the site's language and zone.
func TestSiteIdentity(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signedIn(t, n.admin)
	resp := admin.post(t, "/newsroom/settings", url.Values{
		"logo_url": {"/files/uploads/logo.png"}, "accent_color": {"#0B5D1E"}, "footer_text": {"Independent since 1999."},
		"language": {"fr"}, "time_zone": {"America/New_York"},
	})
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusOK {
		wantStatus(t, "save the identity", resp, http.StatusSeeOther)
	}
	// 02:30 UTC on March 8 is the evening of March 7 in New York.
	a := &byline.Article{Headline: "Le budget", Body: "Texte.", Status: byline.Published,
		PublishedAt: time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC)}
	if err := n.articles.Create(t.Context(), a); err != nil {
		t.Fatal(err)
	}

	page := doc(t, n.browser(t).get(t, "/"))
	if lang, _ := page.Find("html").Attr("lang"); lang != "fr" {
		t.Errorf(`<html lang> = %q, want "fr"`, lang)
	}
	logo := page.Find(".site-title a img.site-logo")
	if src, _ := logo.Attr("src"); src != "/files/uploads/logo.png" {
		t.Errorf("masthead logo src = %q", src)
	}
	if alt, _ := logo.Attr("alt"); alt != "The Test Times" {
		t.Errorf("masthead logo alt = %q, want the site's title", alt)
	}
	if got := page.Find(".site-footer__text").Text(); got != "Independent since 1999." {
		t.Errorf("footer text = %q", got)
	}
	sheet, ok := page.Find(`link[rel="stylesheet"][href^="/theme/"]`).Attr("href")
	if !ok || sheet != "/theme/accent-0b5d1e.css" {
		t.Errorf("accent stylesheet = %q, want /theme/accent-0b5d1e.css", sheet)
	}
	if got := page.Find(".recent-posts time, .sidebar time").First().Text(); got != "7 mars 2026" {
		t.Errorf("Recent Posts date = %q, want 7 mars 2026 (French, New York time)", got)
	}
	if dt, _ := page.Find(".sidebar time").First().Attr("datetime"); dt != "2026-03-08T02:30:00Z" {
		t.Errorf("machine-readable time = %q, want it in UTC", dt)
	}

	css := n.browser(t).get(t, sheet)
	body, _ := io.ReadAll(css.Body)
	if css.StatusCode != http.StatusOK || !strings.Contains(css.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(string(body), "--accent: #0b5d1e;") || !strings.Contains(string(body), "prefers-color-scheme: dark") {
		t.Errorf("GET %s = %d %q\n%s", sheet, css.StatusCode, css.Header.Get("Content-Type"), body)
	}
	for _, bad := range []string{"/theme/accent-zzzzzz.css", "/theme/accent-0b5d1e.js", "/theme/site.css", "/theme/accent-0b5d1e0.css"} {
		if resp := n.browser(t).get(t, bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, resp.StatusCode)
		}
	}
}

// TestNewsroom_scheduleInSiteZone schedules articles in the site's zone,
// across New York's daylight-saving changes of 2027: the times are taken
// as New York's wall clock and stored in UTC; the hour the clocks skip is
// refused with a sentence; the hour they repeat is its first pass.
func TestNewsroom_scheduleInSiteZone(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	admin := n.signedIn(t, n.admin)
	resp := admin.post(t, "/newsroom/settings", url.Values{"time_zone": {"America/New_York"}})
	if resp.StatusCode >= 400 {
		wantStatus(t, "set the zone", resp, http.StatusSeeOther)
	}
	editor := n.signedIn(t, n.editor)
	schedule := func(headline, at string) *http.Response {
		return editor.post(t, "/newsroom/articles", url.Values{"headline": {headline}, "body": {"Text."},
			"action": {"schedule"}, "publish_at": {at}})
	}
	for _, tc := range []struct {
		headline, at string
		want         time.Time
	}{
		{"Winter", "2027-01-15T09:00", time.Date(2027, 1, 15, 14, 0, 0, 0, time.UTC)},               // EST, UTC-5
		{"After spring forward", "2027-03-14T03:30", time.Date(2027, 3, 14, 7, 30, 0, 0, time.UTC)}, // EDT, UTC-4
		{"Fall back", "2027-11-07T01:30", time.Date(2027, 11, 7, 5, 30, 0, 0, time.UTC)},            // first 01:30, EDT
	} {
		resp := schedule(tc.headline, tc.at)
		wantStatus(t, "schedule "+tc.headline, resp, http.StatusSeeOther)
		list, _, err := n.articles.Find(t.Context(), byline.ArticleFilter{IncludeHidden: true})
		if err != nil {
			t.Fatal(err)
		}
		var got *byline.Article
		for _, a := range list {
			if a.Headline == tc.headline {
				got = a
			}
		}
		if got == nil || !got.PublishedAt.Equal(tc.want) {
			t.Errorf("%s at %s New York time: stored %v, want %v", tc.headline, tc.at, got, tc.want)
			continue
		}
		// The editor shows it back as it was typed, in the site's zone.
		page := doc(t, editor.get(t, strings.TrimPrefix(resp.Header.Get("Location"), n.URL)))
		if v, _ := page.Find("#publish_at").Attr("value"); v != tc.at {
			t.Errorf("%s: the editor shows %q, want %q", tc.headline, v, tc.at)
		}
		if label := page.Find(`label[for="publish_at"]`).Text(); !strings.Contains(label, "America/New_York") {
			t.Errorf("the date's label %q does not name the zone", label)
		}
	}
	resp = schedule("In the gap", "2027-03-14T02:30")
	wantStatus(t, "schedule in the skipped hour", resp, http.StatusBadRequest)
	if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, "02:30") {
		t.Errorf("the skipped hour's error = %q, want it to say the time does not exist", msg)
	}
}
