package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// newDraft writes a draft through the newsroom and returns its ID.
func newDraft(t *testing.T, b *browser, headline, body string) int64 {
	t.Helper()
	resp := write(t, b, "/newsroom/articles", headline, body, "save")
	wantStatus(t, "save "+headline, resp, http.StatusSeeOther)
	return idFromPath(t, strings.SplitN(resp.Header.Get("Location"), "?", 2)[0])
}

func bulkForm(action, tag string, confirm bool, ids ...int64) url.Values {
	f := url.Values{"bulk_action": {action}, "bulk_tag": {tag}}
	if confirm {
		f.Set("confirm", "1")
	}
	for _, id := range ids {
		f.Add("id", strconv.FormatInt(id, 10))
	}
	return f
}

// TestNewsroom_BulkActions: ticked articles are published, tagged,
// unpublished and deleted together, each after a confirmation page, and
// each article is checked against the user's role on its own.
func TestNewsroom_BulkActions(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	editor, author := n.signedIn(t, n.editor), n.signedIn(t, n.author)
	a := newDraft(t, editor, "Talks open", "Text.")
	b := newDraft(t, editor, "Talks close", "Text.")
	c := newDraft(t, editor, "Undescribed", "![](/files/uploads/0123456789abcdef0123456789abcdef-40.png)")
	mine := newDraft(t, author, "The author's draft", "Text.")

	// The list offers them with a checkbox each.
	page := doc(t, editor.get(t, "/newsroom/"))
	if got := page.Find(`#bulk input[type="checkbox"][name="id"]`).Length(); got != 4 {
		t.Errorf("%d checkboxes in the list, want 4", got)
	}

	resp := editor.post(t, "/newsroom/articles/bulk", bulkForm("publish", "", false, a, b, c))
	wantStatus(t, "ask to publish three", resp, http.StatusOK)
	page = doc(t, resp)
	if got := page.Find("#bulk-articles li").Length(); got != 3 {
		t.Errorf("confirmation lists %d articles, want 3", got)
	}
	if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{Status: ptrTo(byline.Published)}); total != 0 {
		t.Fatalf("the confirmation page published %d articles", total)
	}
	resp = editor.post(t, "/newsroom/articles/bulk", bulkForm("publish", "", true, a, b, c))
	wantStatus(t, "publish three", resp, http.StatusOK)
	page = doc(t, resp)
	if got := page.Find("h1").Text(); got != "Publish: 2 of 3 done" {
		t.Errorf("result = %q", got)
	}
	if got := page.Find("#bulk-results li").Last().Text(); !strings.Contains(got, "Not done") || !strings.Contains(got, "Describe the image") {
		t.Errorf("the undescribed article's result = %q", got)
	}
	for id, want := range map[int64]byline.Status{a: byline.Published, b: byline.Published, c: byline.Draft} {
		if got, _ := n.articles.FindByID(t.Context(), id); got.Status != want {
			t.Errorf("article %d is %s, want %s", id, got.Status, want)
		}
	}

	wantStatus(t, "tag two", editor.post(t, "/newsroom/articles/bulk", bulkForm("tag", "Vienna talks", true, a, c)), http.StatusOK)
	for _, id := range []int64{a, c} {
		got, _ := n.articles.FindByID(t.Context(), id)
		if len(got.Tags) != 3 || got.Tags[2].Name != "Vienna talks" {
			t.Errorf("article %d tags = %v, want the two it had and Vienna talks", id, got.Tags)
		}
	}
	wantStatus(t, "a tag with no name", editor.post(t, "/newsroom/articles/bulk", bulkForm("tag", " ! ", true, a)), http.StatusBadRequest)

	wantStatus(t, "unpublish", editor.post(t, "/newsroom/articles/bulk", bulkForm("unpublish", "", true, a)), http.StatusOK)
	if got, _ := n.articles.FindByID(t.Context(), a); got.Status != byline.Draft {
		t.Errorf("after unpublishing: %s", got.Status)
	}

	t.Run("an author may not publish, nor touch others' articles", func(t *testing.T) {
		wantStatus(t, "author publishes", author.post(t, "/newsroom/articles/bulk", bulkForm("publish", "", true, mine)), http.StatusForbidden)
		wantStatus(t, "author deletes an editor's", author.post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true, mine, a)), http.StatusForbidden)
		if _, err := n.articles.FindByID(t.Context(), mine); err != nil {
			t.Errorf("the author's draft went with the refused request: %v", err)
		}
		wantStatus(t, "author deletes their own", author.post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true, mine)), http.StatusOK)
		if _, err := n.articles.FindByID(t.Context(), mine); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("the author's draft after deleting: %v", err)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		wantStatus(t, "nothing ticked", editor.post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true)), http.StatusBadRequest)
		wantStatus(t, "unknown action", editor.post(t, "/newsroom/articles/bulk", bulkForm("archive", "", true, a)), http.StatusBadRequest)
		wantStatus(t, "cross-site", editor.post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true, a), "Sec-Fetch-Site", "cross-site"), http.StatusForbidden)
		wantStatus(t, "signed out", n.browser(t).post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true, a)), http.StatusSeeOther)
		if _, err := n.articles.FindByID(t.Context(), a); err != nil {
			t.Errorf("article after refused deletes: %v", err)
		}
	})

	wantStatus(t, "delete two", editor.post(t, "/newsroom/articles/bulk", bulkForm("delete", "", true, a, b)), http.StatusOK)
	if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{}); total != 1 {
		t.Errorf("%d articles left, want the undescribed one", total)
	}
}
