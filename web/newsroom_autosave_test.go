package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
)

// autosaveForm is what the editor's script sends: the form without a button.
func autosaveForm(headline, body string, version int) url.Values {
	return url.Values{"headline": {headline}, "slug": {""}, "body": {body}, "authors": {"Jane Doe"}, "tags": {"Syria, Diplomacy"},
		"version": {strconv.Itoa(version)}}
}

// TestNewsroom_Autosave: what the editor sends while typing is kept apart
// from the article (no save, no revision), offered back with what it
// changes, restored into the form at the version it was typed over, and
// thrown away on request or by saving.
func TestNewsroom_Autosave(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	author := n.signedIn(t, n.author)
	id := newDraft(t, author, "Talks resume", "Saved text.")
	path := "/newsroom/articles/" + strconv.FormatInt(id, 10)

	n.advance(time.Minute)
	resp := author.post(t, path+"/autosave", autosaveForm("Talks resume", "Saved text, and a paragraph typed since.", 1), "Accept", "application/json")
	wantStatus(t, "autosave", resp, http.StatusOK)
	var answer struct {
		SavedAt string `json:"saved_at"`
		Time    string `json:"time"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatalf("autosave answer: %v", err)
	}
	savedAt, err := time.Parse(time.RFC3339, answer.SavedAt)
	if err != nil || answer.Time != savedAt.Format("15:04 MST") {
		t.Errorf("autosave answered %+v, want its time as RFC 3339 and HH:MM", answer)
	}

	a, _ := n.articles.FindByID(t.Context(), id)
	if revs, _ := n.desk.Revisions(t.Context(), id); a.Version != 1 || a.Body != "Saved text." || len(revs) != 1 {
		t.Errorf("after an autosave: version %d, body %q, %d revisions; want the article untouched", a.Version, a.Body, len(revs))
	}

	t.Run("the editor offers it back, with what it changes", func(t *testing.T) {
		d := doc(t, author.get(t, path))
		offer := d.Find("#autosave")
		if offer.Length() != 1 || !strings.Contains(offer.Find("h2").Text(), "Restore the autosaved version from "+answer.Time) {
			t.Fatalf("offer = %q, want one naming %s", offer.Find("h2").Text(), answer.Time)
		}
		if got := offer.Find(`dt[data-field]`).Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-field", "") }); len(got) != 1 || got[0] != "body" {
			t.Errorf("fields the offer shows changed = %q, want [body]", got)
		}
		if ins := offer.Find("ins").Text(); !strings.Contains(ins, "paragraph typed since") {
			t.Errorf("added words = %q, want the typed paragraph", ins)
		}
		if d.Find("#body").Text() != "Saved text." {
			t.Errorf("form body before restoring = %q, want the saved text", d.Find("#body").Text())
		}
		if got := d.Find("#editor").AttrOr("data-autosave", ""); got != path+"/autosave" {
			t.Errorf("form's data-autosave = %q, want %q", got, path+"/autosave")
		}
	})
	t.Run("another user sees none of it", func(t *testing.T) {
		d := doc(t, n.signedIn(t, n.editor).get(t, path))
		if d.Find("#autosave").Length() != 0 {
			t.Error("the editor is offered the author's autosave")
		}
	})
	t.Run("restoring puts it in the form at its version", func(t *testing.T) {
		href := doc(t, author.get(t, path)).Find("#autosave-restore").AttrOr("href", "")
		d := doc(t, author.get(t, href))
		if d.Find("#body").Text() != "Saved text, and a paragraph typed since." || d.Find(`input[name="version"]`).AttrOr("value", "") != "1" {
			t.Errorf("restored form: body %q, version %q; want the autosaved text at version 1",
				d.Find("#body").Text(), d.Find(`input[name="version"]`).AttrOr("value", ""))
		}
		if !strings.Contains(d.Find("#autosave h2").Text(), "is in the form") {
			t.Errorf("after restoring the panel says %q", d.Find("#autosave h2").Text())
		}
	})
	t.Run("discarding throws it away, and only one's own", func(t *testing.T) {
		editor := n.signedIn(t, n.editor)
		wantStatus(t, "editor's autosave", editor.post(t, path+"/autosave", autosaveForm("The editor's headline", "x", 1)), http.StatusOK)
		wantStatus(t, "discard", author.post(t, path+"/autosave/discard", nil), http.StatusSeeOther)
		if doc(t, author.get(t, path)).Find("#autosave").Length() != 0 {
			t.Error("the offer is still there after discarding")
		}
		if doc(t, editor.get(t, path)).Find("#autosave").Length() != 1 {
			t.Error("the author's discard removed the editor's autosave")
		}
	})
	t.Run("saving the article ends the autosave", func(t *testing.T) {
		wantStatus(t, "autosave", author.post(t, path+"/autosave", autosaveForm("Talks resume", "Typed again.", 1)), http.StatusOK)
		wantStatus(t, "save", write(t, author, path, "Talks resume", "Typed again.", "save", "version", "1"), http.StatusSeeOther)
		if doc(t, author.get(t, path)).Find("#autosave").Length() != 0 {
			t.Error("the offer is still there after saving")
		}
	})
	t.Run("restored over a version someone else saved since, the save is a conflict", func(t *testing.T) {
		// The author typed over version 2; the editor saves version 3.
		wantStatus(t, "autosave", author.post(t, path+"/autosave", autosaveForm("Talks resume", "The author's lost text.", 2)), http.StatusOK)
		editor := n.signedIn(t, n.editor)
		wantStatus(t, "editor's save", write(t, editor, path, "Talks resume", "The editor's text.", "save", "version", "2"), http.StatusSeeOther)
		d := doc(t, author.get(t, path))
		if !strings.Contains(d.Find("#autosave").Text(), "saved after you typed it over version 2") {
			t.Errorf("offer = %q, want it to say the article was saved since", d.Find("#autosave").Text())
		}
		d = doc(t, author.get(t, path+"?autosave=restore"))
		version := d.Find(`input[name="version"]`).AttrOr("value", "")
		resp := write(t, author, path, "Talks resume", d.Find("#body").Text(), "save", "version", version)
		wantStatus(t, "saving the restored text", resp, http.StatusConflict)
		if a, _ := n.articles.FindByID(t.Context(), id); a.Body != "The editor's text." {
			t.Errorf("after the conflict the body is %q, want the editor's", a.Body)
		}
	})
}

// TestNewsroom_AutosaveNewArticle: a new article never saved is autosaved
// too, offered on the next new article, and gone once it is created.
func TestNewsroom_AutosaveNewArticle(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.editor)
	if got := doc(t, b.get(t, "/newsroom/articles/new")).Find("#editor").AttrOr("data-autosave", ""); got != "/newsroom/articles/new/autosave" {
		t.Errorf("new article's data-autosave = %q", got)
	}
	wantStatus(t, "autosave", b.post(t, "/newsroom/articles/new/autosave", autosaveForm("Never saved once", "Typed and lost.", 0)), http.StatusOK)
	d := doc(t, b.get(t, "/newsroom/articles/new"))
	if d.Find("#autosave").Length() != 1 || d.Find("#headline").AttrOr("value", "") != "" {
		t.Fatalf("new article: offer %d, headline %q; want the offer and an empty form", d.Find("#autosave").Length(), d.Find("#headline").AttrOr("value", ""))
	}
	d = doc(t, b.get(t, d.Find("#autosave-restore").AttrOr("href", "")))
	if d.Find("#headline").AttrOr("value", "") != "Never saved once" || d.Find("#body").Text() != "Typed and lost." {
		t.Errorf("restored new article: headline %q, body %q", d.Find("#headline").AttrOr("value", ""), d.Find("#body").Text())
	}
	wantStatus(t, "create", write(t, b, "/newsroom/articles", "Never saved once", "Typed and lost.", "save"), http.StatusSeeOther)
	if doc(t, b.get(t, "/newsroom/articles/new")).Find("#autosave").Length() != 0 {
		t.Error("the new article's autosave is still offered after creating it")
	}
}

// TestNewsroom_AutosaveRoles: only who may change an article may autosave
// it, cross-site posts are refused, and a signed-out script is told so.
func TestNewsroom_AutosaveRoles(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	author, editor := n.signedIn(t, n.author), n.signedIn(t, n.editor)
	theirs := newDraft(t, editor, "The editor's draft", "Text.")
	mine := newDraft(t, author, "The author's draft", "Text.")
	published := newDraft(t, author, "Published", "Text.")
	wantStatus(t, "publish", write(t, editor, "/newsroom/articles/"+strconv.FormatInt(published, 10), "Published", "Text.", "publish", "version", "1"), http.StatusSeeOther)

	tests := []struct {
		name   string
		b      *browser
		id     int64
		header []string
		want   int
	}{
		{"the author on another's draft", author, theirs, nil, http.StatusForbidden},
		{"the author on a published article", author, published, nil, http.StatusForbidden},
		{"an article that does not exist", editor, mine + 1000, nil, http.StatusNotFound},
		{"a cross-site post", author, mine, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"signed out", n.browser(t), mine, nil, http.StatusSeeOther},
		{"the author on their draft", author, mine, nil, http.StatusOK},
		{"an editor on the author's draft", editor, mine, nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := tt.b.post(t, "/newsroom/articles/"+strconv.FormatInt(tt.id, 10)+"/autosave", autosaveForm("Forged", "Forged text.", 1), tt.header...)
			wantStatus(t, "autosave", resp, tt.want)
		})
	}
	if _, err := n.autosaves.Find(t.Context(), n.author.ID, theirs); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("a refused autosave was stored: %v", err)
	}
	resp := author.post(t, "/newsroom/articles/new/autosave", autosaveForm("x", "y", 0), "Origin", "https://evil.example")
	wantStatus(t, "cross-origin autosave of a new article", resp, http.StatusForbidden)
	resp = author.post(t, "/newsroom/articles/new/autosave", url.Values{"body": {"a\x00b"}})
	wantStatus(t, "a NUL in the text", resp, http.StatusBadRequest)
}
