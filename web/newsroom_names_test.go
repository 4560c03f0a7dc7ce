package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// TestNewsroom_NoSilentNewAuthor: typing into the pre-filled authors field
// ("Eda EditorEda Editor") no longer publishes a byline nobody chose and
// makes an author of it; a new author or tag needs its box ticked.
func TestNewsroom_NoSilentNewAuthor(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.editor)
	form := url.Values{"headline": {"Talks resume"}, "body": {"Text."}, "authors": {"Eda Editor"}, "tags": {""}, "action": {"save"}}

	resp := b.post(t, "/newsroom/articles", form)
	wantStatus(t, "a new author not chosen", resp, http.StatusBadRequest)
	d := doc(t, resp)
	if msg := d.Find(".nr-error").Text(); !strings.Contains(msg, "There is no author “Eda Editor” yet") {
		t.Errorf("error = %q, want it to name the new author", msg)
	}
	box := d.Find(`#new-authors input[name="create_author"]`)
	if box.Length() != 1 || box.AttrOr("value", "") != "Eda Editor" || box.Is("[checked]") {
		t.Errorf("new-author boxes = %d (value %q, checked %v), want one, unticked, for Eda Editor", box.Length(), box.AttrOr("value", ""), box.Is("[checked]"))
	}
	if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{}); total != 0 {
		t.Errorf("the refused save stored %d articles", total)
	}

	form.Set("create_author", "Eda Editor")
	resp = b.post(t, "/newsroom/articles", form)
	wantStatus(t, "the new author ticked", resp, http.StatusSeeOther)
	path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	id := idFromPath(t, path)

	// The pre-filled field typed into: an author nobody chose.
	form.Del("create_author")
	form.Set("authors", "Eda EditorEda Editor")
	form.Set("version", "1")
	resp = b.post(t, path, form)
	wantStatus(t, "typed into the pre-filled field", resp, http.StatusBadRequest)
	if _, err := n.articles.FindAuthor(t.Context(), "eda-editoreda-editor"); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("FindAuthor(eda-editoreda-editor) = %v, want NotFound: no author made silently", err)
	}
	if a, _ := n.articles.FindByID(t.Context(), id); a.Byline() != "Eda Editor" || a.Version != 1 {
		t.Errorf("after the refused save: byline %q version %d, want Eda Editor at version 1", a.Byline(), a.Version)
	}

	// Existing names need no box, in the order given; tags alike.
	form.Set("authors", "Eda Editor")
	form.Set("tags", "Syria")
	resp = b.post(t, path, form)
	wantStatus(t, "a new tag not chosen", resp, http.StatusBadRequest)
	if doc(t, resp).Find(`#new-tags input[value="Syria"]`).Length() != 1 {
		t.Error("no box to create the tag Syria")
	}
	form.Set("create_tag", "Syria")
	form.Set("authors", "Jane Doe, Eda Editor")
	form.Set("create_author", "Jane Doe")
	wantStatus(t, "two authors, one new and ticked", b.post(t, path, form), http.StatusSeeOther)
	if a, _ := n.articles.FindByID(t.Context(), id); a.Byline() != "Jane Doe and Eda Editor" || len(a.Tags) != 1 {
		t.Errorf("saved byline %q, tags %+v; want Jane Doe and Eda Editor, tagged Syria", a.Byline(), a.Tags)
	}
}

// TestNewsroom_NewArticleOffersOwnByline: a user's first article credits
// them, with the box to create their author ticked where they can see it.
func TestNewsroom_NewArticleOffersOwnByline(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.author)
	d := doc(t, b.get(t, "/newsroom/articles/new"))
	box := d.Find(`#new-authors input[name="create_author"]`)
	if d.Find("#authors").AttrOr("value", "") != n.author.Name || box.AttrOr("value", "") != n.author.Name || !box.Is("[checked]") {
		t.Errorf("new article: authors %q, box %q checked %v; want the user's name, ticked to create",
			d.Find("#authors").AttrOr("value", ""), box.AttrOr("value", ""), box.Is("[checked]"))
	}
	wantStatus(t, "first article", write(t, b, "/newsroom/articles", "First", "Text.", "save", "authors", n.author.Name, "create_author", n.author.Name),
		http.StatusSeeOther)
	if doc(t, b.get(t, "/newsroom/articles/new")).Find("#new-authors").Length() != 0 {
		t.Error("the box to create the author is offered again, though the author exists")
	}
}

// TestNewsroom_NameSuggestions: the pickers' JSON, for signed-in users
// only.
func TestNewsroom_NameSuggestions(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.author)
	newDraft(t, b, "First", "Text.") // credits Jane Doe, tags Syria and Diplomacy
	for _, tt := range []struct{ path, want string }{
		{"/newsroom/suggest/authors?q=ja", "Jane Doe"},
		{"/newsroom/suggest/authors?q=DOE", "Jane Doe"},
		{"/newsroom/suggest/tags?q=dip", "Diplomacy"},
	} {
		resp := b.get(t, tt.path)
		wantStatus(t, tt.path, resp, http.StatusOK)
		var got struct {
			Items []struct{ Name, Slug string } `json:"items"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
			t.Fatalf("%s: %v", tt.path, err)
		}
		if len(got.Items) != 1 || got.Items[0].Name != tt.want || got.Items[0].Slug == "" {
			t.Errorf("%s = %+v, want %s with its slug", tt.path, got.Items, tt.want)
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", tt.path, cc)
		}
	}
	wantStatus(t, "signed out", n.browser(t).get(t, "/newsroom/suggest/authors?q=ja"), http.StatusSeeOther)
	wantStatus(t, "too long", b.get(t, "/newsroom/suggest/tags?q="+strings.Repeat("x", 1000)), http.StatusBadRequest)
}
