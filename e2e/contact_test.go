package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
	"github.com/bylinenews/byline/e2e"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// contactSite is the seeded site with Contact Us plugged in, and the stores
// the test reads: the messages, and the challenges whose solutions it
// types (read from the database, never from the site).
type contactSite struct {
	*e2e.Site
	messages   *sqlite.MessageService
	challenges *sqlite.ChallengeStore
}

func startContactSite(t *testing.T) *contactSite {
	t.Helper()
	c := &contactSite{}
	c.Site = e2e.StartSite(t, e2e.WithServer(func(s *web.Server, db *sqlite.DB) {
		c.messages = sqlite.NewMessageService(db)
		c.challenges = sqlite.NewChallengeStore(db)
		s.Messages = c.messages
		s.Captcha = captcha.New(c.challenges)
		s.Limiter = sqlite.NewRateLimiter(db)
		// A browser driven by a test types faster than the form's
		// minimum fill time; the HTTP tests check that rule.
		s.Contact.MinFill = -1
	}))
	return c
}

func (c *contactSite) solution(t *testing.T, id string) string {
	t.Helper()
	ch, err := c.challenges.FindChallenge(t.Context(), id)
	if err != nil {
		t.Fatalf("challenge %q: %v", id, err)
	}
	return ch.Solution
}

// contactWait polls a JavaScript condition until it holds, for 15 seconds.
func contactWait(t *testing.T, ctx context.Context, cond, what string) {
	t.Helper()
	var lastErr error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		lastErr = err
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("waiting for %s: gave up after 15s at %s (last error: %v)", what, loc, lastErr)
}

func contactEval(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// loadedImage is true once the captcha image in form has loaded.
const loadedImage = `(() => { const i = document.querySelector(%q); return !!i && i.complete && i.naturalWidth > 0; })()`

func imageLoaded(sel string) string {
	return strings.Replace(loadedImage, "%q", "'"+sel+"'", 1)
}

// TestContactWidget is a reader writing to the newsroom from an article:
// they fill the widget, find the characters hard to read and change them
// (the image changes without the page reloading), type them, send, and see
// the thanks; the message is in the database. axe-core checks the widget
// and the thank-you page in both colour schemes.
func TestContactWidget(t *testing.T) {
	e2e.RequireAxe(t)
	site := startContactSite(t)
	browser := e2e.NewBrowser(t)
	article := site.ArticleByHeadline(t, e2e.SeedHeadline)
	for i, scheme := range schemes {
		t.Run(scheme, func(t *testing.T) {
			ctx := e2e.NewTab(t, browser)
			rec := e2e.Record(t, ctx)
			if err := chromedp.Do(ctx, e2e.ColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			if resp := site.Visit(t, ctx, article.URL()); resp.Status != http.StatusOK {
				t.Fatalf("GET %s: status %d", article.URL(), resp.Status)
			}
			openContactWidget(t, ctx)
			e2e.CheckVisible(t, ctx, "#contact-widget-title", "#cw-name", "#cw-email", "#cw-body", "#cw-captcha", ".contact-widget [data-captcha-change]")
			if got := e2e.Texts(t, ctx, ".contact-widget__lede"); len(got) != 1 || got[0] != "Drop us a note and we will get in touch soon!" {
				t.Errorf("widget line = %q", got)
			}
			if n := contactEval(t, ctx, `document.querySelector('.contact-widget [data-captcha-id]').value`); n != "" {
				t.Fatalf("the widget came with challenge %q; pages must carry none", n)
			}

			// Start writing: the characters appear.
			name := "Reader " + scheme
			err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("cw-name"), name),
				chromedp.SendKeys(chromedp.ID("cw-email"), "reader@example.org"),
				chromedp.SendKeys(chromedp.ID("cw-body"), "The map in the Syria story is out of date."),
			)
			if err != nil {
				t.Fatalf("fill the widget: %v", err)
			}
			contactWait(t, ctx, imageLoaded(".contact-widget .captcha__image img"), "the captcha image")
			id := contactEval(t, ctx, `document.querySelector('.contact-widget [data-captcha-id]').value`)
			before := contactEval(t, ctx, `document.querySelector('.contact-widget .captcha__image img').src`)
			if id == "" || !strings.Contains(before, "/captcha/"+id+".png") {
				t.Fatalf("challenge %q with image %q", id, before)
			}
			e2e.CheckAxe(t, ctx)

			// Not readable: change the text, in place.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument = true`)); err != nil {
				t.Fatal(err)
			}
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".contact-widget [data-captcha-change]"))); err != nil {
				t.Fatalf("click Not readable? Change text.: %v", err)
			}
			contactWait(t, ctx, `document.querySelector('.contact-widget .captcha__image img').src !== `+jsQuote(before), "a new image")
			contactWait(t, ctx, imageLoaded(".contact-widget .captcha__image img"), "the new image to load")
			if contactEval(t, ctx, `String(window.__sameDocument)`) != "true" {
				t.Error("changing the text reloaded the page")
			}
			if now := contactEval(t, ctx, `document.querySelector('.contact-widget [data-captcha-id]').value`); now != id {
				t.Errorf("changing the text changed the challenge ID from %q to %q", id, now)
			}
			if got := e2e.Texts(t, ctx, ".contact-widget [data-captcha-status]"); len(got) != 1 || got[0] != "New characters are shown." {
				t.Errorf("status after the change = %q", got)
			}

			// Type what the image now shows (read from the database) and send.
			if err := chromedp.Do(ctx,
				chromedp.SendKeys(chromedp.ID("cw-captcha"), site.solution(t, id)),
				chromedp.Click(chromedp.CSS(`.contact-widget button[type=submit]:not([name])`)),
			); err != nil {
				t.Fatalf("send: %v", err)
			}
			contactWait(t, ctx, `location.pathname === '/contact' && !!document.querySelector('.contact-page__thanks')`, "the thank-you page")
			if got := e2e.Texts(t, ctx, ".contact-page h1"); len(got) != 1 || got[0] != "Thank you" {
				t.Errorf("thank-you heading = %q", got)
			}
			e2e.CheckAxe(t, ctx)

			msgs, n, err := site.messages.Find(t.Context(), byline.MessageFilter{})
			if err != nil || n != i+1 {
				t.Fatalf("%d messages in the database (%v), want %d", n, err, i+1)
			}
			if m := msgs[0]; m.Name != name || m.Email != "reader@example.org" || m.Body != "The map in the Syria story is out of date." {
				t.Errorf("stored %+v", m)
			}
			rec.CheckSameOrigin(t, site.URL)
			rec.CheckNoErrors(t)
		})
	}
}

// TestContactPage checks the full page: a wrong answer brings the form back
// with the text kept and a message next to the captcha, which axe-core
// checks with the errors showing; the right one sends.
func TestContactPage(t *testing.T) {
	e2e.RequireAxe(t)
	site := startContactSite(t)
	ctx := e2e.NewBrowser(t)
	rec := e2e.Record(t, ctx)
	if resp := site.Visit(t, ctx, "/contact"); resp.Status != http.StatusOK {
		t.Fatalf("GET /contact: status %d", resp.Status)
	}
	contactWait(t, ctx, imageLoaded(".contact-page .captcha__image img"), "the captcha image")
	e2e.CheckAxe(t, ctx)

	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("contact-name"), "Jane Doe"),
		chromedp.SendKeys(chromedp.ID("contact-email"), "jane@example.org"),
		chromedp.SendKeys(chromedp.ID("contact-subject"), "A correction"),
		chromedp.SendKeys(chromedp.ID("contact-body"), "Paragraph 3 has the wrong date."),
		chromedp.SendKeys(chromedp.ID("contact-captcha"), "0"),
		chromedp.Click(chromedp.CSS(`.contact-page button[type=submit]:not([name])`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	contactWait(t, ctx, `!!document.querySelector('.contact-form__errors')`, "the form back with its errors")
	if got := contactEval(t, ctx, `document.getElementById('contact-body').value`); got != "Paragraph 3 has the wrong date." {
		t.Errorf("message kept as %q", got)
	}
	if got := contactEval(t, ctx, `document.getElementById('contact-captcha').getAttribute('aria-invalid') || ''`); got != "true" {
		t.Errorf("captcha input aria-invalid = %q", got)
	}
	contactWait(t, ctx, imageLoaded(".contact-page .captcha__image img"), "the new captcha image")
	e2e.CheckAxe(t, ctx)

	id := contactEval(t, ctx, `document.querySelector('.contact-page [data-captcha-id]').value`)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("contact-captcha"), site.solution(t, id)),
		chromedp.Click(chromedp.CSS(`.contact-page button[type=submit]:not([name])`)),
	); err != nil {
		t.Fatal(err)
	}
	contactWait(t, ctx, `!!document.querySelector('.contact-page__thanks')`, "the thank-you page")
	if _, n, _ := site.messages.Find(t.Context(), byline.MessageFilter{}); n != 1 {
		t.Errorf("%d messages stored, want 1", n)
	}
	rec.CheckSameOrigin(t, site.URL)
}

// TestContactWithoutJavaScript sends from the widget with scripts off: the
// no-script image sets a cookie the form's POST carries; "Not readable?
// Change text." reloads the form with new characters and the text kept.
func TestContactWithoutJavaScript(t *testing.T) {
	site := startContactSite(t)
	ctx := e2e.NewBrowser(t)
	if err := chromedp.Do(ctx, e2e.DisableJavaScript(true)); err != nil {
		t.Fatal(err)
	}
	site.Visit(t, ctx, "/")
	contactWait(t, ctx, imageLoaded(".contact-widget .captcha__image img"), "the no-script captcha image")
	cookie := captchaCookie(t, ctx, site.URL)
	if cookie == nil || !cookie.HTTPOnly || cookie.SameSite != network.CookieSameSiteStrict {
		t.Fatalf("captcha cookie = %+v, want HttpOnly, SameSite=Strict", cookie)
	}

	// Change the text: the form comes back on /contact, text kept.
	openContactWidget(t, ctx)
	err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("cw-name"), "No Script"),
		chromedp.SendKeys(chromedp.ID("cw-email"), "noscript@example.org"),
		chromedp.SendKeys(chromedp.ID("cw-body"), "Written without JavaScript."),
		chromedp.Click(chromedp.CSS(".contact-widget [data-captcha-change]")),
	)
	if err != nil {
		t.Fatal(err)
	}
	contactWait(t, ctx, `location.pathname === '/contact' && !!document.getElementById('contact-body')`, "the form back on /contact")
	if got := contactEval(t, ctx, `document.getElementById('contact-body').value`); got != "Written without JavaScript." {
		t.Errorf("message kept as %q", got)
	}
	contactWait(t, ctx, imageLoaded(".contact-page .captcha__image img"), "the new captcha image")
	id := contactEval(t, ctx, `document.querySelector('.contact-page [data-captcha-id]').value`)
	if id == "" || id == cookie.Value {
		t.Fatalf("the form came back with challenge %q, want a new one", id)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("contact-captcha"), site.solution(t, id)),
		chromedp.Click(chromedp.CSS(`.contact-page button[type=submit]:not([name])`)),
	); err != nil {
		t.Fatal(err)
	}
	contactWait(t, ctx, `!!document.querySelector('.contact-page__thanks')`, "the thank-you page")

	// Straight from the widget, with the cookie's challenge.
	site.Visit(t, ctx, "/")
	contactWait(t, ctx, imageLoaded(".contact-widget .captcha__image img"), "the no-script captcha image")
	cookie = captchaCookie(t, ctx, site.URL)
	openContactWidget(t, ctx)
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("cw-name"), "No Script"),
		chromedp.SendKeys(chromedp.ID("cw-email"), "noscript@example.org"),
		chromedp.SendKeys(chromedp.ID("cw-body"), "Second note."),
		chromedp.SendKeys(chromedp.ID("cw-captcha"), site.solution(t, cookie.Value)),
		chromedp.Click(chromedp.CSS(`.contact-widget button[type=submit]:not([name])`)),
	); err != nil {
		t.Fatal(err)
	}
	contactWait(t, ctx, `!!document.querySelector('.contact-page__thanks')`, "the thank-you page")
	if _, n, _ := site.messages.Find(t.Context(), byline.MessageFilter{}); n != 2 {
		t.Errorf("%d messages stored, want 2", n)
	}
}

// captchaCookie returns the browser's byline_captcha cookie for the site.
func captchaCookie(t *testing.T, ctx context.Context, siteURL string) *network.Cookie {
	t.Helper()
	var found *network.Cookie
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{siteURL}})
		if err != nil {
			return err
		}
		for _, c := range res.Cookies {
			if c.Name == "byline_captcha" {
				found = c
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("read cookies: %v", err)
	}
	if found == nil {
		t.Fatal("no byline_captcha cookie")
	}
	return found
}

func jsQuote(s string) string {
	return `'` + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + `'`
}

// openContactWidget opens the widget's form in place, as a reader does with
// its "Write to us" button, after checking that it came closed: the line
// and the button, not the whole form, on every page.
func openContactWidget(t *testing.T, ctx context.Context) {
	t.Helper()
	if open := contactEval(t, ctx, `String(document.querySelector('.contact-widget details').open)`); open != "false" {
		t.Fatalf("the widget's form came open (%s); it should take little room until asked for", open)
	}
	if h := contactEval(t, ctx, `String(document.querySelector('.contact-widget').getBoundingClientRect().height < 260)`); h != "true" {
		t.Errorf("the closed widget is %s px tall, want under 260", contactEval(t, ctx, `String(document.querySelector('.contact-widget').getBoundingClientRect().height)`))
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(".contact-widget summary"))); err != nil {
		t.Fatalf("open the widget: %v", err)
	}
	contactWait(t, ctx, `document.querySelector('.contact-widget details').open`, "the widget's form to open")
}
