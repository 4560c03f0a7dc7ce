package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// changedFields lists the data-field of each changed field on the page.
func changedFields(d *goquery.Document) []string {
	var out []string
	d.Find("#diffs dt").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-field", "")) })
	return out
}

// TestNewsroom_RevisionDifference: a revision's page shows, word by word,
// what its save changed from the version before, and what restoring it
// would change in the current one, naming the fields that changed.
func TestNewsroom_RevisionDifference(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.editor)
	resp := write(t, b, "/newsroom/articles", "Talks open in Vienna", "The talks opened on Monday.\n\nMore later.", "save")
	path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	wantStatus(t, "second save", write(t, b, path, "Talks open in Vienna", "The talks opened on Tuesday.\n\nMore later.", "save",
		"version", "1", "tags", "Diplomacy"), http.StatusSeeOther)
	wantStatus(t, "third save", write(t, b, path, "Talks resume in Vienna", "The talks opened on Tuesday.\n\nMore later.", "save",
		"version", "2", "tags", "Diplomacy"), http.StatusSeeOther)

	revs := doc(t, b.get(t, path)).Find(".nr-revisions li a")
	second := revs.Eq(1).AttrOr("href", "") // newest first: version 2
	page := doc(t, b.get(t, second))
	if got := strings.Join(changedFields(page), ","); got != "tags,body" {
		t.Errorf("fields version 2 changed = %s, want tags,body", got)
	}
	if del, ins := page.Find("#diffs dd del").Text(), page.Find("#diffs dd ins").Text(); !strings.Contains(del, "Monday") || !strings.Contains(ins, "Tuesday") ||
		strings.Contains(del, "talks") {
		t.Errorf("body difference: removed %q, added %q; want only Monday → Tuesday", del, ins)
	}

	page = doc(t, b.get(t, second+"?with=current"))
	if got := strings.Join(changedFields(page), ","); got != "headline" {
		t.Errorf("fields restoring version 2 would change = %s, want headline", got)
	}
	if del, ins := page.Find("#diffs dd del").Text(), page.Find("#diffs dd ins").Text(); !strings.Contains(del, "resume") || !strings.Contains(ins, "open") {
		t.Errorf("headline difference: removed %q, added %q", del, ins)
	}

	first := revs.Last().AttrOr("href", "")
	if page := doc(t, b.get(t, first)); !strings.Contains(page.Find("#changes-title").Text(), "first saved") {
		t.Errorf("the first version's page says %q", page.Find("#changes-title").Text())
	}

	// Someone else's revisions are as closed as their article.
	author := n.signedIn(t, n.author)
	wantStatus(t, "an author reads an editor's revision", author.get(t, second), http.StatusForbidden)
}

// TestNewsroom_ConflictTakeField: after an edit conflict the page shows
// what differs field by field; taking the saved value of one field keeps
// the rest as typed, and the merged text saves.
func TestNewsroom_ConflictTakeField(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	alice, bob := n.signedIn(t, n.editor), n.signedIn(t, n.admin)
	resp := write(t, alice, "/newsroom/articles", "Shared story", "First text.", "save")
	path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	wantStatus(t, "Alice saves", write(t, alice, path, "Alice's headline", "First text.", "save", "version", "1"), http.StatusSeeOther)

	resp = write(t, bob, path, "Shared story", "First text, with Bob's line.", "save", "version", "1")
	wantStatus(t, "Bob saves from version 1", resp, http.StatusConflict)
	page := doc(t, resp)
	if got := strings.Join(changedFields(page), ","); got != "headline,body" {
		t.Fatalf("fields that differ = %s, want headline,body", got)
	}

	// Bob takes Alice's headline, keeping his body.
	form := url.Values{"headline": {"Shared story"}, "body": {"First text, with Bob's line."}, "authors": {"Jane Doe"},
		"tags": {"Syria, Diplomacy"}, "version": {page.Find(`input[name="version"]`).AttrOr("value", "")}, "take": {"headline"}}
	resp = bob.post(t, path, form)
	wantStatus(t, "take the saved headline", resp, http.StatusOK)
	page = doc(t, resp)
	if got := page.Find("#headline").AttrOr("value", ""); got != "Alice's headline" {
		t.Errorf("headline after taking = %q, want Alice's", got)
	}
	if got := page.Find("#body").Text(); got != "First text, with Bob's line." {
		t.Errorf("body after taking the headline = %q, want Bob's", got)
	}
	if got := strings.Join(changedFields(page), ","); got != "body" {
		t.Errorf("fields still differing = %s, want body", got)
	}
	a, _ := n.articles.FindByID(t.Context(), idFromPath(t, path))
	if a.Version != 2 {
		t.Errorf("taking a field saved the article (version %d)", a.Version)
	}

	form.Set("headline", "Alice's headline")
	form.Set("version", page.Find(`input[name="version"]`).AttrOr("value", ""))
	form.Del("take")
	form.Set("action", "save")
	wantStatus(t, "save the merge", bob.post(t, path, form), http.StatusSeeOther)
	a, _ = n.articles.FindByID(t.Context(), idFromPath(t, path))
	if a.Headline != "Alice's headline" || a.Body != "First text, with Bob's line." || a.Version != 3 {
		t.Errorf("merged: %q / %q at version %d", a.Headline, a.Body, a.Version)
	}

	form.Set("take", "status")
	wantStatus(t, "take an unknown field", bob.post(t, path, form), http.StatusBadRequest)
}
