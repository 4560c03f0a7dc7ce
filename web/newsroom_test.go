package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

const pw = "correct horse battery"

// newsroomSite is a real server with the newsroomSite on a real SQLite file, and a
// user of each role.
type newsroomSite struct {
	*httptest.Server
	db                    *sqlite.DB
	articles              *sqlite.ArticleService
	desk                  *sqlite.DeskService
	autosaves             *sqlite.AutosaveService
	sections              *sqlite.SectionService
	pages                 *sqlite.PageService
	menus                 *sqlite.MenuService
	messages              *sqlite.MessageService
	uploadDir             string
	admin, editor, author *byline.User
	mu                    sync.Mutex
	now                   time.Time
}

// newNewsroom starts the newsroom; configure, if given, changes the server
// before it serves.
func newNewsroom(t *testing.T, configure ...func(*web.Server)) *newsroomSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	n := &newsroomSite{db: db, articles: sqlite.NewArticleService(db), desk: sqlite.NewDeskService(db), sections: sqlite.NewSectionService(db), pages: sqlite.NewPageService(db),
		menus:     sqlite.NewMenuService(db),
		autosaves: sqlite.NewAutosaveService(db),
		messages:  sqlite.NewMessageService(db), uploadDir: filepath.Join(t.TempDir(), "uploads"), now: time.Now().UTC()}
	db.Now = func() time.Time { n.mu.Lock(); defer n.mu.Unlock(); return n.now }
	users := sqlite.NewUserService(db)
	for _, u := range []**byline.User{&n.admin, &n.editor, &n.author} {
		*u = &byline.User{}
	}
	for u, role := range map[*byline.User]byline.Role{n.admin: byline.RoleAdmin, n.editor: byline.RoleEditor, n.author: byline.RoleAuthor} {
		u.Email, u.Name, u.Role = string(role)+"@example.com", "The "+string(role), role
		if err := users.CreateUser(t.Context(), u, pw); err != nil {
			t.Fatal(err)
		}
	}
	srv := &web.Server{
		Articles: n.articles, Authors: sqlite.NewAuthorService(db), Sections: n.sections, Pages: n.pages, Menus: n.menus, Site: web.Site{Title: "The Test Times"}, Messages: n.messages,
		Users: users, Sessions: sqlite.NewSessionService(db), Desk: n.desk, Autosaves: n.autosaves, Settings: sqlite.NewSettingsService(db),
		Uploads: sqlite.NewUploadService(db), UploadDir: n.uploadDir, Limiter: sqlite.NewRateLimiter(db),
		PublicDir: os.DirFS(filepath.Dir(n.uploadDir)), Now: db.Now,
	}
	for _, c := range configure {
		c(srv)
	}
	n.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(n.Close)
	return n
}

func (n *newsroomSite) advance(d time.Duration) { n.mu.Lock(); n.now = n.now.Add(d); n.mu.Unlock() }

// browser is a client with its own cookies that does not follow redirects.
type browser struct {
	*http.Client
	base string
}

func (n *newsroomSite) browser(t *testing.T) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &browser{Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, base: n.URL}
}

// signedIn returns a browser signed in as u.
func (n *newsroomSite) signedIn(t *testing.T, u *byline.User) *browser {
	t.Helper()
	b := n.browser(t)
	resp := b.post(t, "/newsroom/sign-in", url.Values{"email": {u.Email}, "password": {pw}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: status %d, want 303", u.Email, resp.StatusCode)
	}
	return b
}

func (b *browser) do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := b.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp
}

func (b *browser) get(t *testing.T, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	return b.do(t, req)
}

func (b *browser) post(t *testing.T, path string, form url.Values, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(t, req)
}

func doc(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func wantStatus(t *testing.T, what string, resp *http.Response, want int) {
	t.Helper()
	if resp.StatusCode != want {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: status %d, want %d\n%.600s", what, resp.StatusCode, want, body)
	}
}

func TestNewsroom_SignedOutIsSentToSignIn(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.browser(t)
	for _, tt := range []struct{ method, path string }{
		{"GET", "/newsroom/"}, {"GET", "/newsroom/inbox"}, {"GET", "/newsroom/settings"},
		{"GET", "/newsroom/articles/new"}, {"POST", "/newsroom/articles"}, {"POST", "/newsroom/preview"},
	} {
		var resp *http.Response
		if tt.method == "GET" {
			resp = b.get(t, tt.path)
		} else {
			resp = b.post(t, tt.path, url.Values{"headline": {"x"}})
		}
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/newsroom/sign-in?next=") {
			t.Errorf("signed out, %s %s: %d to %q, want 303 to the sign-in page", tt.method, tt.path, resp.StatusCode, loc)
		}
	}
	resp := b.get(t, "/newsroom/inbox?status=spam")
	if loc := resp.Header.Get("Location"); loc != "/newsroom/sign-in?next="+url.QueryEscape("/newsroom/inbox?status=spam") {
		t.Errorf("sign-in redirect = %q, want one coming back to the inbox's spam view", loc)
	}
}

func TestNewsroom_SignIn(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)

	t.Run("a wrong password is refused with a message", func(t *testing.T) {
		resp := n.browser(t).post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {"wrong password"}})
		wantStatus(t, "wrong password", resp, http.StatusUnauthorized)
		if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, "not right") {
			t.Errorf("error shown = %q", msg)
		}
	})

	t.Run("the session cookie is HttpOnly, SameSite=Lax and only for the newsroom", func(t *testing.T) {
		resp := n.browser(t).post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}, "next": {"/newsroom/inbox"}})
		wantStatus(t, "sign in", resp, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/newsroom/inbox" {
			t.Errorf("after sign-in: to %q, want the page asked for", loc)
		}
		var c *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "byline_session" {
				c = ck
			}
		}
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/newsroom/" || c.Secure {
			t.Errorf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/newsroom/, not Secure over plain HTTP", c)
		}
	})

	t.Run("a redirect after sign-in stays in the newsroom", func(t *testing.T) {
		resp := n.browser(t).post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}, "next": {"//evil.example/"}})
		if loc := resp.Header.Get("Location"); loc != "/newsroom/" {
			t.Errorf("next=//evil.example/: to %q, want /newsroom/", loc)
		}
	})

	t.Run("sign-in rotates the session", func(t *testing.T) {
		b := n.signedIn(t, n.editor)
		u, _ := url.Parse(n.URL + "/newsroom/")
		old := b.Jar.Cookies(u)[0].Value
		resp := b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}})
		wantStatus(t, "second sign-in", resp, http.StatusSeeOther)
		if now := b.Jar.Cookies(u)[0].Value; now == old {
			t.Fatal("the session token did not change at sign-in")
		}
		stale := n.browser(t)
		stale.Jar.SetCookies(u, []*http.Cookie{{Name: "byline_session", Value: old, Path: "/newsroom/"}})
		if resp := stale.get(t, "/newsroom/"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the token from before the sign-in: status %d, want a redirect to sign in", resp.StatusCode)
		}
	})

	t.Run("sign-out ends the session", func(t *testing.T) {
		b := n.signedIn(t, n.editor)
		u, _ := url.Parse(n.URL + "/newsroom/")
		token := b.Jar.Cookies(u)[0].Value
		wantStatus(t, "sign out", b.post(t, "/newsroom/sign-out", nil), http.StatusSeeOther)
		replay := n.browser(t)
		replay.Jar.SetCookies(u, []*http.Cookie{{Name: "byline_session", Value: token, Path: "/newsroom/"}})
		if resp := replay.get(t, "/newsroom/"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("the token after sign-out: status %d, want a redirect to sign in", resp.StatusCode)
		}
	})

	t.Run("a password change ends the other sessions and keeps this one", func(t *testing.T) {
		other := n.signedIn(t, n.author)
		b := n.signedIn(t, n.author)
		resp := b.post(t, "/newsroom/account", url.Values{"current": {pw}, "new": {pw + "!"}, "confirm": {pw + "!"}})
		wantStatus(t, "change password", resp, http.StatusSeeOther)
		wantStatus(t, "this browser after the change", b.get(t, "/newsroom/"), http.StatusOK)
		wantStatus(t, "another browser after the change", other.get(t, "/newsroom/"), http.StatusSeeOther)
		// Put it back for the other tests.
		wantStatus(t, "change back", b.post(t, "/newsroom/account", url.Values{"current": {pw + "!"}, "new": {pw}, "confirm": {pw}}), http.StatusSeeOther)
	})

	t.Run("an idle session expires", func(t *testing.T) {
		b := n.signedIn(t, n.admin)
		n.advance(byline.SessionIdleExpiry + time.Minute)
		if resp := b.get(t, "/newsroom/"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("after a week idle: status %d, want a redirect to sign in", resp.StatusCode)
		}
	})
}

func TestNewsroom_SignInThrottle(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.browser(t)
	for i := range web.DefaultSignInPerAccount.Limit {
		resp := b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {"wrong " + fmt.Sprint(i)}})
		wantStatus(t, fmt.Sprintf("wrong password %d", i+1), resp, http.StatusUnauthorized)
	}
	resp := b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}})
	wantStatus(t, "the right password after too many tries", resp, http.StatusTooManyRequests)
	if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, "for this account") || !strings.Contains(msg, "minutes") {
		t.Errorf("throttled message = %q; want it to name the account and the wait", msg)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After header")
	}
	// The same network trying other accounts runs into the per-client limit.
	var last *http.Response
	for i := range web.DefaultSignInPerIP.Limit {
		last = b.post(t, "/newsroom/sign-in", url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"x"}})
	}
	wantStatus(t, "many accounts from one network", last, http.StatusTooManyRequests)
	if msg := doc(t, last).Find(".nr-error").Text(); !strings.Contains(msg, "from your network") {
		t.Errorf("throttled message = %q; want it to name the network", msg)
	}
	n.advance(web.DefaultSignInPerIP.Window + time.Second)
	wantStatus(t, "after the window", b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}}), http.StatusSeeOther)
}

// One address trying many accounts, each once, is stopped at the 31st
// attempt by default, whatever the per-account limit lets through; the
// limit is the operator's to set.
func TestNewsroom_SignInThrottlePerAddress(t *testing.T) {
	t.Parallel()
	spray := func(t *testing.T, b *browser, attempts int) *http.Response {
		t.Helper()
		var last *http.Response
		for i := range attempts {
			last = b.post(t, "/newsroom/sign-in", url.Values{"email": {fmt.Sprintf("guess%d@example.com", i)}, "password": {"x"}})
			if i < attempts-1 {
				wantStatus(t, fmt.Sprintf("attempt %d on its own account", i+1), last, http.StatusUnauthorized)
			}
		}
		return last
	}

	t.Run("30 attempts by default", func(t *testing.T) {
		t.Parallel()
		n := newNewsroom(t)
		b := n.browser(t)
		wantStatus(t, "attempt 30", spray(t, b, 30), http.StatusUnauthorized)
		resp := b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}})
		wantStatus(t, "attempt 31, with the right password", resp, http.StatusTooManyRequests)
		if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, "from your network") {
			t.Errorf("throttled message = %q; want it to name the network", msg)
		}
	})

	t.Run("as configured", func(t *testing.T) {
		t.Parallel()
		n := newNewsroom(t, func(s *web.Server) {
			s.SignIn = web.SignInPolicy{PerIP: web.Rate{Limit: 3, Window: time.Hour}}
		})
		b := n.browser(t)
		wantStatus(t, "attempt 4", spray(t, b, 4), http.StatusTooManyRequests)
		n.advance(time.Hour + time.Second)
		wantStatus(t, "after the hour", b.post(t, "/newsroom/sign-in", url.Values{"email": {n.editor.Email}, "password": {pw}}), http.StatusSeeOther)
	})
}

func TestNewsroom_CrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.editor)
	form := url.Values{"headline": {"Forged"}, "body": {"x"}, "action": {"publish"}}
	resp := b.post(t, "/newsroom/articles", form, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site POST", resp, http.StatusForbidden)
	resp = b.post(t, "/newsroom/articles", form, "Origin", "https://evil.example")
	wantStatus(t, "POST from another origin", resp, http.StatusForbidden)
	if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{}); total != 0 {
		t.Errorf("after refused POSTs: %d articles, want none", total)
	}
	resp = b.post(t, "/newsroom/sign-out", nil, "Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site sign-out", resp, http.StatusForbidden)
}

// write posts the editor's form and returns the response.
func write(t *testing.T, b *browser, path, headline, body, action string, extra ...string) *http.Response {
	t.Helper()
	// The writer chose to create the author and the tags, should they be new.
	form := url.Values{"headline": {headline}, "body": {body}, "authors": {"Jane Doe"}, "tags": {"Syria, Diplomacy"}, "action": {action},
		"create_author": {"Jane Doe"}, "create_tag": {"Syria", "Diplomacy"}}
	for i := 0; i+1 < len(extra); i += 2 {
		form.Set(extra[i], extra[i+1])
	}
	return b.post(t, path, form)
}

func TestNewsroom_Roles(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	author, editor, admin := n.signedIn(t, n.author), n.signedIn(t, n.editor), n.signedIn(t, n.admin)

	t.Run("an author cannot publish", func(t *testing.T) {
		resp := write(t, author, "/newsroom/articles", "Author's scoop", "Body.", "publish")
		wantStatus(t, "author publishes", resp, http.StatusForbidden)
		if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{}); total != 0 {
			t.Errorf("refused publish stored %d articles", total)
		}
	})

	resp := write(t, author, "/newsroom/articles", "Author's draft", "Body.", "submit")
	wantStatus(t, "author saves and submits", resp, http.StatusSeeOther)
	path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]
	list, _, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{})
	d := list[0]
	if d.OwnerID != n.author.ID || !d.Submitted() || d.Status != byline.Draft {
		t.Fatalf("author's article: owner %d, submitted %v, status %s; want the author's submitted draft", d.OwnerID, d.Submitted(), d.Status)
	}

	t.Run("an author cannot publish an existing draft either", func(t *testing.T) {
		resp := write(t, author, path, "Author's draft", "Body.", "publish", "version", "1")
		wantStatus(t, "author publishes own draft", resp, http.StatusForbidden)
	})
	t.Run("an author cannot read the inbox", func(t *testing.T) {
		wantStatus(t, "author opens the inbox", author.get(t, "/newsroom/inbox"), http.StatusForbidden)
		wantStatus(t, "author exports the inbox", author.get(t, "/newsroom/inbox/export.csv"), http.StatusForbidden)
		if doc(t, author.get(t, "/newsroom/")).Find(`a[href="/newsroom/inbox"]`).Length() != 0 {
			t.Error("the author's navigation links to the inbox")
		}
	})
	t.Run("an author cannot open another writer's article", func(t *testing.T) {
		other := &byline.Article{Headline: "Editor's piece", Body: "x"}
		if err := n.desk.CreateArticle(t.Context(), other, n.editor.ID); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, "author opens editor's article", author.get(t, fmt.Sprintf("/newsroom/articles/%d", other.ID)), http.StatusForbidden)
	})
	t.Run("an editor publishes the author's draft", func(t *testing.T) {
		resp := write(t, editor, path, "Author's draft, edited", "Body, edited.", "publish", "version", "1")
		wantStatus(t, "editor publishes", resp, http.StatusSeeOther)
		a, _ := n.articles.FindByID(t.Context(), d.ID)
		if a.Status != byline.Published || a.Headline != "Author's draft, edited" {
			t.Errorf("after publishing: %s %q", a.Status, a.Headline)
		}
	})
	t.Run("an author cannot change their article once published", func(t *testing.T) {
		resp := write(t, author, path, "Sneaky change", "x", "save", "version", "2")
		wantStatus(t, "author edits published article", resp, http.StatusForbidden)
	})
	t.Run("only admins manage users and settings", func(t *testing.T) {
		wantStatus(t, "editor opens users", editor.get(t, "/newsroom/users"), http.StatusForbidden)
		wantStatus(t, "editor opens settings", editor.get(t, "/newsroom/settings"), http.StatusForbidden)
		wantStatus(t, "editor adds a user", editor.post(t, "/newsroom/users", url.Values{"email": {"x@example.com"}, "name": {"X"}, "role": {"admin"}, "password": {pw}}), http.StatusForbidden)
		wantStatus(t, "author saves settings", author.post(t, "/newsroom/settings", url.Values{"title": {"Pwned"}}), http.StatusForbidden)
		wantStatus(t, "admin opens users", admin.get(t, "/newsroom/users"), http.StatusOK)
		wantStatus(t, "admin opens settings", admin.get(t, "/newsroom/settings"), http.StatusOK)
	})
	t.Run("an admin adds a user who can then sign in", func(t *testing.T) {
		resp := admin.post(t, "/newsroom/users", url.Values{"email": {"New@Example.com"}, "name": {"New Writer"}, "role": {"author"}, "password": {pw}})
		wantStatus(t, "add user", resp, http.StatusSeeOther)
		n.signedIn(t, &byline.User{Email: "new@example.com"})
	})
}

func TestNewsroom_PublishShowsOnTheSite(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	pub := n.browser(t)
	pub.get(t, "/") // the empty home page is cached now
	b := n.signedIn(t, n.editor)
	resp := write(t, b, "/newsroom/articles", "Talks resume in Geneva", "Opening.\n\n> The quote that matters.\n\nClosing.", "publish")
	wantStatus(t, "publish", resp, http.StatusSeeOther)
	home := doc(t, pub.get(t, "/"))
	if got := home.Find(".recent-posts a, [aria-labelledby=recent-title] a").First().Text(); !strings.Contains(home.Text(), "Talks resume in Geneva") || got == "" && false {
		t.Fatalf("home page after publishing does not show the article")
	}
	a, _ := n.articles.FindBySlug(t.Context(), "talks-resume-in-geneva")
	if a == nil {
		t.Fatal("no article at the slug made from the headline")
	}
	page := doc(t, pub.get(t, a.URL()))
	if page.Find("blockquote.pull-quote").Length() != 1 {
		t.Error("the article page has no pull quote")
	}
	editorPage := doc(t, b.get(t, fmt.Sprintf("/newsroom/articles/%d", a.ID)))
	if href, _ := editorPage.Find("#view-on-site").Attr("href"); href != a.URL() {
		t.Errorf("view on site link = %q, want %q", href, a.URL())
	}
	if editorPage.Find("header").Text() == "" || strings.Contains(page.Text(), "Sign out") {
		t.Error("the public page shows newsroomSite controls")
	}
}

func TestNewsroom_Preview(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.author)
	resp := b.post(t, "/newsroom/preview", url.Values{"body": {"Hello *world*.\n\n> Pulled.\n\n<script>alert(1)</script>"}})
	wantStatus(t, "preview", resp, http.StatusOK)
	body, _ := io.ReadAll(resp.Body)
	got := string(body)
	if !strings.Contains(got, "<em>world</em>") || !strings.Contains(got, `<blockquote class="pull-quote">`) || strings.Contains(got, "<script") {
		t.Errorf("preview = %q; want Markdown rendered with a pull quote and no script", got)
	}
	// Without JavaScript, the Preview button renders the form again with it.
	resp = write(t, b, "/newsroom/articles", "Draft", "Some **bold** text.", "preview")
	wantStatus(t, "preview button", resp, http.StatusOK)
	d := doc(t, resp)
	if d.Find("#preview strong").Text() != "bold" || d.Find("#headline").AttrOr("value", "") != "Draft" {
		t.Error("the preview button does not show the rendered body and keep the form")
	}
}

func TestNewsroom_EditConflictAndRevisions(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	alice, bob := n.signedIn(t, n.editor), n.signedIn(t, n.admin)
	resp := write(t, alice, "/newsroom/articles", "Shared story", "First text.", "save")
	path := strings.SplitN(resp.Header.Get("Location"), "?", 2)[0]

	// Both opened version 1; Alice saves first.
	wantStatus(t, "first save", write(t, alice, path, "Shared story", "Alice's text.", "save", "version", "1"), http.StatusSeeOther)
	resp = write(t, bob, path, "Shared story", "Bob's text.", "save", "version", "1")
	wantStatus(t, "second save from the same version", resp, http.StatusConflict)
	d := doc(t, resp)
	if msg := d.Find(".nr-error").Text(); !strings.Contains(msg, "Someone else saved this article") {
		t.Errorf("conflict message = %q", msg)
	}
	if d.Find("#body").Text() != "Bob's text." || !strings.Contains(d.Find(".nr-conflict del").Text(), "Alice's") {
		t.Error("the conflict page does not keep Bob's text and show Alice's")
	}
	a, _ := n.articles.FindByID(t.Context(), idFromPath(t, path))
	if a.Body != "Alice's text." {
		t.Errorf("after the conflict the body is %q, want Alice's", a.Body)
	}
	// The form now carries the current version: saving again goes through.
	version := d.Find(`input[name="version"]`).AttrOr("value", "")
	wantStatus(t, "save after merging", write(t, bob, path, "Shared story", "Alice's and Bob's text.", "save", "version", version), http.StatusSeeOther)

	editor := doc(t, alice.get(t, path))
	revs := editor.Find(".nr-revisions li a")
	if revs.Length() != 3 {
		t.Fatalf("revisions listed: %d, want 3", revs.Length())
	}
	first, _ := revs.Last().Attr("href")
	rev := doc(t, alice.get(t, first))
	if !strings.Contains(rev.Find(".article__body").Text(), "First text.") {
		t.Error("the first revision does not show the first text")
	}
	restore := rev.Find(`form[action$="/restore"]`)
	action, _ := restore.Attr("action")
	resp = alice.post(t, action, url.Values{"version": {restore.Find(`input[name="version"]`).AttrOr("value", "")}})
	wantStatus(t, "restore", resp, http.StatusSeeOther)
	a, _ = n.articles.FindByID(t.Context(), idFromPath(t, path))
	if a.Body != "First text." || a.Version != 4 {
		t.Errorf("after restoring: body %q version %d, want the first text at version 4", a.Body, a.Version)
	}
}

func idFromPath(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path, "/newsroom/articles/%d", &id); err != nil {
		t.Fatalf("no article ID in %q", path)
	}
	return id
}

func TestNewsroom_Settings(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	for i := range 4 {
		a := &byline.Article{Headline: fmt.Sprintf("Story %d", i), Body: "x", Status: byline.Published, PublishedAt: n.now.Add(-time.Duration(i+1) * time.Hour)}
		if err := n.articles.Create(t.Context(), a); err != nil {
			t.Fatal(err)
		}
	}
	pub := n.browser(t)
	before := doc(t, pub.get(t, "/"))
	if got := before.Find(".site-title").Text(); got != "The Test Times" {
		t.Fatalf("title before = %q", got)
	}
	admin := n.signedIn(t, n.admin)
	resp := admin.post(t, "/newsroom/settings", url.Values{"title": {"The Evening Star"}, "tagline": {"News at six"},
		"posts_per_page": {"2"}, "recent_count": {"1"}, "contact_recipients": {"desk@example.com, ed@example.com"},
		"smtp_host": {"smtp.example.com"}, "smtp_port": {"587"}, "smtp_password": {"s3cret"}, "smtp_from": {"site@example.com"}})
	wantStatus(t, "save settings", resp, http.StatusSeeOther)
	after := doc(t, pub.get(t, "/"))
	if got := after.Find(".site-title").Text(); got != "The Evening Star" {
		t.Errorf("title after = %q; the cached page was not rendered again", got)
	}
	if got := after.Find("article").Length(); got != 2 {
		t.Errorf("articles on the home page = %d, want the 2 per page set", got)
	}
	form := doc(t, admin.get(t, "/newsroom/settings"))
	if v, _ := form.Find("#smtp_password").Attr("value"); v != "" {
		t.Error("the settings page sends the SMTP password back")
	}
	resp = admin.post(t, "/newsroom/settings", url.Values{"title": {"The Evening Star"}, "contact_recipients": {"not an address"}})
	wantStatus(t, "bad recipient", resp, http.StatusBadRequest)
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (b *browser) upload(t *testing.T, name string, data []byte) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/newsroom/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(t, req)
}

func TestNewsroom_Upload(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.author)

	resp := b.upload(t, "chart.png", pngBytes(t, 2000, 50))
	wantStatus(t, "upload a PNG", resp, http.StatusSeeOther)
	page := doc(t, b.get(t, resp.Header.Get("Location")))
	img := page.Find(".nr-latest img")
	src, _ := img.Attr("src")
	srcset, _ := img.Attr("srcset")
	if !strings.HasSuffix(src, "-2000.png") || strings.Count(srcset, "w,") != 3 {
		t.Fatalf("uploaded image: src %q srcset %q; want the original and 3 narrower copies", src, srcset)
	}
	for _, cand := range strings.Split(srcset, ", ") {
		u, width, _ := strings.Cut(cand, " ")
		resp := b.get(t, u)
		wantStatus(t, "GET "+u, resp, http.StatusOK)
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q, want a year-long immutable cache", u, cc)
		}
		cfg, err := png.DecodeConfig(resp.Body)
		if err != nil || fmt.Sprintf("%dw", cfg.Width) != width {
			t.Errorf("%s: %v, width %d, want %s", u, err, cfg.Width, width)
		}
	}

	t.Run("the type is sniffed, not taken from the name", func(t *testing.T) {
		resp := b.upload(t, "innocent.png", []byte("<html><script>alert(1)</script></html>"))
		wantStatus(t, "HTML named .png", resp, http.StatusUnsupportedMediaType)
		if msg := doc(t, resp).Find(".nr-error").Text(); !strings.Contains(msg, "not a JPEG, PNG, GIF or WebP") {
			t.Errorf("message = %q", msg)
		}
	})
	t.Run("a file over the limit is refused", func(t *testing.T) {
		big := append(pngBytes(t, 10, 10), make([]byte, byline.MaxUploadBytes)...)
		resp := b.upload(t, "huge.png", big)
		wantStatus(t, "11 MB upload", resp, http.StatusRequestEntityTooLarge)
	})
	t.Run("an image claiming too many pixels is refused before decoding", func(t *testing.T) {
		data := pngBytes(t, 1, 1)
		// Rewrite the IHDR width and height to 100000×100000 (the CRC is
		// not checked by DecodeConfig).
		copy(data[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
		resp := b.upload(t, "bomb.png", data)
		wantStatus(t, "decompression bomb", resp, http.StatusUnsupportedMediaType)
	})
}

func TestNewsroom_Inbox(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	m := &byline.Message{Name: "Reader One", Email: "reader@example.org", Subject: "=HYPERLINK(\"x\")", Body: "I read your story on Syria.\nThanks!"}
	if err := n.messages.Create(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	b := n.signedIn(t, n.editor)
	list := doc(t, b.get(t, "/newsroom/inbox"))
	if got := list.Find("#unread-count").Text(); !strings.HasPrefix(got, "1") {
		t.Errorf("unread count in the header = %q, want 1", got)
	}
	if list.Find("#messages tbody tr").Length() != 1 {
		t.Fatal("the unread view does not list the message")
	}
	msg := doc(t, b.get(t, fmt.Sprintf("/newsroom/inbox/%d", m.ID)))
	if got := msg.Find("#message-body").Text(); got != m.Body {
		t.Errorf("message body = %q, want %q", got, m.Body)
	}
	if href, _ := msg.Find(`a[href^="mailto:"]`).Attr("href"); !strings.HasPrefix(href, "mailto:reader@example.org?subject=Re:") {
		t.Errorf("reply link = %q", href)
	}
	if got, _ := n.messages.FindByID(t.Context(), m.ID); got.Status != byline.Read {
		t.Errorf("after opening: status %s, want read", got.Status)
	}
	csv := b.get(t, "/newsroom/inbox/export.csv")
	body, _ := io.ReadAll(csv.Body)
	if !strings.Contains(string(body), "Reader One") || !strings.Contains(string(body), `'=HYPERLINK`) {
		t.Errorf("CSV export = %q; want the message, with the formula defused", body)
	}
	wantStatus(t, "mark spam", b.post(t, fmt.Sprintf("/newsroom/inbox/%d", m.ID), url.Values{"status": {"spam"}}), http.StatusSeeOther)
	if got, _ := n.messages.FindByID(t.Context(), m.ID); got.Status != byline.Spam {
		t.Errorf("after marking spam: status %s", got.Status)
	}
	confirm := doc(t, b.get(t, fmt.Sprintf("/newsroom/inbox/%d/delete", m.ID)))
	action, _ := confirm.Find("main form").Attr("action")
	wantStatus(t, "delete", b.post(t, action, nil), http.StatusSeeOther)
	if _, err := n.messages.FindByID(t.Context(), m.ID); byline.ErrorKind(err) != byline.NotFound {
		t.Errorf("after deleting: %v, want NotFound", err)
	}
}
