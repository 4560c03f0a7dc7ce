package e2e_test

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

const editorPassword = "correct horse battery"

// startNewsroom starts the site with the newsroom and an editor, and a
// reader's message in the inbox; opts apply after.
func startNewsroom(t *testing.T, opts ...e2e.SiteOption) (*e2e.Site, *byline.User, *byline.Message) {
	t.Helper()
	editor := &byline.User{Email: "editor@example.com", Name: "Edna Editor", Role: byline.RoleAdmin}
	msg := &byline.Message{Name: "Rita Reader", Email: "rita@example.org", Subject: "About the Syria piece",
		Body: "Thank you for the clear account of the talks.\nWill you follow up?"}
	site := e2e.StartSite(t, append([]e2e.SiteOption{e2e.WithServer(func(s *web.Server, db *sqlite.DB) {
		users := sqlite.NewUserService(db)
		if err := users.CreateUser(t.Context(), editor, editorPassword); err != nil {
			t.Fatal(err)
		}
		messages := sqlite.NewMessageService(db)
		if err := messages.Create(t.Context(), msg); err != nil {
			t.Fatal(err)
		}
		s.Users, s.Sessions, s.Desk = users, sqlite.NewSessionService(db), sqlite.NewDeskService(db)
		s.Autosaves = sqlite.NewAutosaveService(db)
		s.Settings, s.Uploads, s.Limiter = sqlite.NewSettingsService(db), sqlite.NewUploadService(db), sqlite.NewRateLimiter(db)
		s.Messages = messages
		s.UploadDir = filepath.Join(t.TempDir(), "uploads")
	})}, opts...)...)
	return site, editor, msg
}

// TestNewsroomWriteAndPublish signs in, writes an article with a pull quote,
// watches the live preview render it, publishes it and finds it on the home
// page and in Recent Posts; then reads a reader's message in the inbox.
func TestNewsroomWriteAndPublish(t *testing.T) {
	site, editor, msg := startNewsroom(t)
	ctx := e2e.NewTab(t, e2e.NewBrowser(t))
	rec := e2e.Record(t, ctx)

	site.Visit(t, ctx, "/newsroom/")
	err := chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), editor.Email),
		chromedp.SendKeys(chromedp.ID("password"), editorPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("desk-count")),
		chromedp.Click(chromedp.CSS(`a[href="/newsroom/articles/new"].nr-button`)),
		chromedp.WaitVisible(chromedp.ID("headline")),
		chromedp.SendKeys(chromedp.ID("headline"), "Ceasefire talks open in Vienna"),
		chromedp.SendKeys(chromedp.ID("dek"), "Delegations meet for the first time in a year."),
		chromedp.SendKeys(chromedp.ID("body"), "The talks opened on Monday.\n\n> We are here to stay until there is an agreement.\n\nThey continue on Tuesday."),
		// An existing tag: a new one would need its box ticked.
		chromedp.SendKeys(chromedp.ID("tags"), "Politics"),
		// The live preview: the server's renderer, so the quote is a pull quote.
		chromedp.WaitVisible(chromedp.CSS("#preview blockquote.pull-quote")),
	)
	if err != nil {
		t.Fatalf("sign in and write: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#preview blockquote.pull-quote"); len(got) != 1 || !strings.Contains(got[0], "We are here to stay") {
		t.Errorf("preview pull quote = %q", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[value="publish"]`)),
		chromedp.WaitVisible(chromedp.ID("view-on-site")),
	)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := e2e.Texts(t, ctx, ".nr-notice"); len(got) != 1 || !strings.HasPrefix(got[0], "Published") {
		t.Errorf("notice after publishing = %q", got)
	}

	site.Visit(t, ctx, "/")
	if got := e2e.Texts(t, ctx, "main article h2"); len(got) == 0 || got[0] != "Ceasefire talks open in Vienna" {
		t.Errorf("home page headlines start %q, want the new article first", first(got))
	}
	recent := e2e.Texts(t, ctx, ".sidebar li a")
	if !slices.Contains(recent, "Ceasefire talks open in Vienna") {
		t.Errorf("Recent Posts = %q, want the new article in it", recent)
	}

	site.Visit(t, ctx, "/newsroom/inbox")
	if got := e2e.Texts(t, ctx, "#unread-count"); len(got) != 1 || !strings.HasPrefix(got[0], "1") {
		t.Errorf("unread count = %q, want 1", got)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#messages tbody a")),
		chromedp.WaitVisible(chromedp.ID("message-body")),
	)
	if err != nil {
		t.Fatalf("open the message: %v", err)
	}
	if got := e2e.Texts(t, ctx, "#message-body"); len(got) != 1 || got[0] != msg.Body {
		t.Errorf("message body = %q, want %q", got, msg.Body)
	}
	rec.CheckSameOrigin(t, site.URL)
	rec.CheckNoErrors(t)
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// TestNewsroomPagesAreAccessible checks every newsroom page with axe-core,
// in the light and the dark colour scheme.
func TestNewsroomPagesAreAccessible(t *testing.T) {
	e2e.RequireAxe(t)
	site, editor, msg := startNewsroom(t)
	a := &byline.Article{Headline: "A draft in the works", Body: "Text.\n\n> A pull quote.", Status: byline.Draft}
	desk := sqlite.NewDeskService(site.DB)
	if err := desk.CreateArticle(t.Context(), a, editor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.UpdateArticle(t.Context(), a.ID, byline.ArticleUpdate{Body: ptr("Text, edited.\n\n> A pull quote.")}, 1, editor.ID); err != nil {
		t.Fatal(err)
	}
	revs, _ := desk.Revisions(t.Context(), a.ID)
	browser := e2e.NewBrowser(t)
	signIn := e2e.NewTab(t, browser)
	site.Visit(t, signIn, "/newsroom/sign-in")
	e2e.CheckAxe(t, signIn)
	err := chromedp.Do(signIn,
		chromedp.SendKeys(chromedp.ID("email"), editor.Email),
		chromedp.SendKeys(chromedp.ID("password"), editorPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("desk-count")),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	pages := []string{
		"/newsroom/", "/newsroom/?status=draft", "/newsroom/articles/new", "/newsroom/articles/" + id(a.ID),
		"/newsroom/articles/" + id(a.ID) + "/revisions/" + id(revs[1].ID), "/newsroom/articles/" + id(a.ID) + "/delete",
		"/newsroom/inbox", "/newsroom/inbox/" + id(msg.ID), "/newsroom/settings", "/newsroom/users",
		"/newsroom/users/" + id(editor.ID), "/newsroom/account", "/newsroom/uploads",
	}
	for _, scheme := range schemes {
		for _, p := range pages {
			t.Run(p+" in "+scheme, func(t *testing.T) {
				ctx := e2e.NewTab(t, signIn) // same browser: shares the session cookie
				rec := e2e.Record(t, ctx)
				if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
					t.Fatal(err)
				}
				if resp := site.Visit(t, ctx, p); resp.Status != 200 {
					t.Fatalf("GET %s: status %d", p, resp.Status)
				}
				time.Sleep(50 * time.Millisecond) // the preview's first fetch
				e2e.CheckAxe(t, ctx)
				rec.CheckSameOrigin(t, site.URL)
				rec.CheckNoErrors(t)
			})
		}
	}
}

func ptr[T any](v T) *T { return &v }
