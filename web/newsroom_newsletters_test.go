package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// newsletterNewsroom is the newsroom with the newsletter services.
func newsletterNewsroom(t *testing.T) (*newsroomSite, byline.Services) {
	t.Helper()
	var srv *web.Server
	n := newNewsroom(t, func(s *web.Server) { srv = s })
	// Set before the first request: the handlers read these fields only
	// when they serve, and the database is made by newNewsroom.
	services := sqlite.NewServices(n.db)
	srv.Newsletters, srv.Subscribers = services.Newsletters, services.Subscribers
	return n, services
}

func TestNewsroom_Newsletters(t *testing.T) {
	t.Parallel()
	n, services := newsletterNewsroom(t)
	editor := n.signedIn(t, n.editor)
	resp := editor.post(t, "/newsroom/newsletters", url.Values{"name": {"Morning Briefing"}, "description": {"The day's news at 7."}}, "Origin", n.URL)
	wantStatus(t, "add a newsletter", resp, http.StatusSeeOther)
	list, err := services.Newsletters.List(t.Context())
	if err != nil || len(list) != 1 || list[0].Slug != "morning-briefing" {
		t.Fatalf("after adding, List = %+v, %v; want morning-briefing", list, err)
	}
	page := doc(t, editor.get(t, "/newsroom/newsletters?done=newsletter-added"))
	if got := strings.TrimSpace(page.Find("#newsletters tbody th").First().Contents().First().Text()); got != "Morning Briefing" {
		t.Errorf("the list shows %q, want Morning Briefing", got)
	}
	resp = editor.post(t, "/newsroom/newsletters", url.Values{"name": {"Morning Briefing"}}, "Origin", n.URL)
	wantStatus(t, "add the same newsletter again", resp, http.StatusConflict)
	resp = editor.post(t, "/newsroom/newsletters", url.Values{"name": {"Bad\nname"}}, "Origin", n.URL)
	wantStatus(t, "add a newsletter with a line break in its name", resp, http.StatusBadRequest)

	author := n.signedIn(t, n.author)
	wantStatus(t, "an author opens the newsletters", author.get(t, "/newsroom/newsletters"), http.StatusForbidden)
	resp = author.post(t, "/newsroom/newsletters", url.Values{"name": {"Author's own"}}, "Origin", n.URL)
	wantStatus(t, "an author adds a newsletter", resp, http.StatusForbidden)
	if list, _ := services.Newsletters.List(t.Context()); len(list) != 1 {
		t.Errorf("%d newsletters after refused adds, want 1", len(list))
	}
}

func TestNewsroom_SendArticle(t *testing.T) {
	t.Parallel()
	n, services := newsletterNewsroom(t)
	ctx := t.Context()
	nl := &byline.Newsletter{Name: "Daily Briefing"}
	if err := services.Newsletters.Create(ctx, nl); err != nil {
		t.Fatal(err)
	}
	var imports []byline.SubscriberImport
	for i, addr := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		imports = append(imports, byline.SubscriberImport{Line: i + 2, Email: addr, Newsletters: []int64{nl.ID},
			ConsentAt: time.Now(), Confirmed: i < 2})
	}
	if _, _, err := services.Subscribers.Import(ctx, imports); err != nil {
		t.Fatal(err)
	}
	draft := &byline.Article{Headline: "Not yet", Body: "Soon.", Status: byline.Draft}
	live := &byline.Article{Headline: "Council passes the budget", Body: "It passed.", Status: byline.Published, PublishedAt: time.Now().Add(-time.Hour)}
	for _, a := range []*byline.Article{draft, live} {
		if err := n.articles.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	editor := n.signedIn(t, n.editor)
	path := "/newsroom/articles/" + fmtID(live.ID) + "/newsletter"
	if doc(t, editor.get(t, "/newsroom/articles/"+fmtID(live.ID))).Find("#send-as-newsletter").Length() != 1 {
		t.Error("the editor page has no Send as newsletter link")
	}
	page := doc(t, editor.get(t, path))
	if page.Find("#send-test").Length() != 1 || page.Find("#send-all").Length() != 1 {
		t.Fatal("the send page lacks its test or send button")
	}

	// A test to oneself first.
	resp := editor.post(t, path, url.Values{"newsletter": {fmtID(nl.ID)}, "action": {"test"}}, "Origin", n.URL)
	wantStatus(t, "test send", resp, http.StatusSeeOther)
	sends, _ := services.Newsletters.Sends(ctx, 10)
	if len(sends) != 1 || sends[0].TestTo != n.editor.Email || sends[0].Progress.Queued != 1 {
		t.Fatalf("after the test, sends = %+v; want one test to the editor", sends)
	}
	progress := doc(t, editor.get(t, resp.Header.Get("Location")))
	if got := strings.TrimSpace(progress.Find("#progress td").First().Text()); got != "1" {
		t.Errorf("the progress page shows %q queued, want 1", got)
	}

	// To subscribers: only once confirmed, only when published.
	resp = editor.post(t, path, url.Values{"newsletter": {fmtID(nl.ID)}, "action": {"send"}}, "Origin", n.URL)
	wantStatus(t, "send without the confirmation box", resp, http.StatusUnprocessableEntity)
	resp = editor.post(t, "/newsroom/articles/"+fmtID(draft.ID)+"/newsletter", url.Values{"newsletter": {fmtID(nl.ID)}, "action": {"send"}, "confirm": {"yes"}}, "Origin", n.URL)
	wantStatus(t, "send a draft", resp, http.StatusConflict)
	resp = editor.post(t, path, url.Values{"newsletter": {fmtID(nl.ID)}, "action": {"send"}, "confirm": {"yes"}}, "Origin", n.URL)
	wantStatus(t, "send", resp, http.StatusSeeOther)
	sends, _ = services.Newsletters.Sends(ctx, 10)
	if len(sends) != 2 || sends[0].TestTo != "" || sends[0].Progress.Queued != 2 {
		t.Errorf("after the send, latest = %+v; want 2 queued (the unconfirmed subscriber is not mailed)", sends[0])
	}

	author := n.signedIn(t, n.author)
	resp = author.post(t, path, url.Values{"newsletter": {fmtID(nl.ID)}, "action": {"test"}}, "Origin", n.URL)
	wantStatus(t, "an author sends", resp, http.StatusForbidden)
}

// uploadCSV posts a CSV file to the import form.
func uploadCSV(t *testing.T, n *newsroomSite, b *browser, csvText string, newsletter int64) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "subscribers.csv")
	fw.Write([]byte(csvText))
	mw.WriteField("newsletter", fmtID(newsletter))
	mw.Close()
	req, _ := http.NewRequest("POST", n.URL+"/newsroom/subscribers/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", n.URL)
	return b.do(t, req)
}

func TestNewsroom_Subscribers(t *testing.T) {
	t.Parallel()
	n, services := newsletterNewsroom(t)
	ctx := t.Context()
	nl := &byline.Newsletter{Name: "Daily Briefing"}
	if err := services.Newsletters.Create(ctx, nl); err != nil {
		t.Fatal(err)
	}
	editor := n.signedIn(t, n.editor)

	bad := "email,name,consent_at,confirmed\n" +
		"ann@example.org,Ann,2024-05-01,yes\n" +
		"not-an-address,Bob,2024-05-01,yes\n" +
		"cy@example.org,Cy,,yes\n"
	resp := uploadCSV(t, n, editor, bad, nl.ID)
	wantStatus(t, "import with bad rows", resp, http.StatusUnprocessableEntity)
	msg := doc(t, resp).Find(".nr-error, [role=alert]").Text()
	if !strings.Contains(msg, "Line 3") || !strings.Contains(msg, "Line 4") || !strings.Contains(msg, "Nothing was imported") {
		t.Errorf("the refusal says %q; want lines 3 and 4 and that nothing was imported", msg)
	}
	if _, total, _ := services.Subscribers.Find(ctx, byline.SubscriberFilter{}); total != 0 {
		t.Errorf("a refused import stored %d subscribers", total)
	}

	good := "email,name,consent_at,confirmed\n" +
		"ann@example.org,Ann,2024-05-01,yes\n" +
		"bob@example.org,Bob,2024-05-02,no\n"
	resp = uploadCSV(t, n, editor, good, nl.ID)
	wantStatus(t, "import", resp, http.StatusSeeOther)
	page := doc(t, editor.get(t, resp.Header.Get("Location")))
	if got := page.Find("#imported").Text(); !strings.Contains(got, "2 new") {
		t.Errorf("after import the page says %q", got)
	}
	if got := page.Find("#subscribers tbody tr").Length(); got != 2 {
		t.Errorf("the list has %d rows, want 2", got)
	}
	page = doc(t, editor.get(t, "/newsroom/subscribers?status=pending&q=bob"))
	if rows := page.Find("#subscribers tbody th"); rows.Length() != 1 || rows.Text() != "bob@example.org" {
		t.Errorf("search bob, pending: %q", rows.Text())
	}
	lists, _ := services.Newsletters.List(ctx)
	if lists[0].Subscribers != 1 {
		t.Errorf("the newsletter counts %d active, want 1 (Bob is not confirmed)", lists[0].Subscribers)
	}

	export := editor.get(t, "/newsroom/subscribers/export.csv")
	wantStatus(t, "export", export, http.StatusOK)
	body, _ := io.ReadAll(export.Body)
	if !strings.HasPrefix(string(body), "email,name,status,newsletters,consent_at") || !strings.Contains(string(body), "ann@example.org,Ann,active,daily-briefing,2024-05-01T00:00:00Z,yes") {
		t.Errorf("export:\n%s", body)
	}

	bob, _, _ := services.Subscribers.Find(ctx, byline.SubscriberFilter{Search: "bob@"})
	resp = editor.post(t, "/newsroom/subscribers/"+fmtID(bob[0].ID)+"/delete", nil, "Origin", n.URL)
	wantStatus(t, "delete", resp, http.StatusSeeOther)
	if _, total, _ := services.Subscribers.Find(ctx, byline.SubscriberFilter{Search: "bob"}); total != 0 {
		t.Errorf("Bob is still found after delete")
	}

	author := n.signedIn(t, n.author)
	wantStatus(t, "an author opens the subscribers", author.get(t, "/newsroom/subscribers"), http.StatusForbidden)
	wantStatus(t, "an author exports", author.get(t, "/newsroom/subscribers/export.csv"), http.StatusForbidden)
}
