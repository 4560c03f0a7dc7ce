package web_test

import (
	"encoding/json"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// contactSite is a real server with the Contact Us services on a real
// SQLite file, and one clock for the database and the captcha.
type contactSite struct {
	*httptest.Server
	db         *sqlite.DB
	messages   *sqlite.MessageService
	challenges *sqlite.ChallengeStore
	sent       atomic.Int32 // MessageSent calls

	mu  sync.Mutex
	now time.Time
}

func newContactSite(t testing.TB, configure ...func(*web.Server)) *contactSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	s := &contactSite{db: db, now: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}
	db.Now = s.clock
	s.messages = sqlite.NewMessageService(db)
	s.challenges = sqlite.NewChallengeStore(db)
	cs := captcha.New(s.challenges)
	cs.Now = s.clock
	srv := &web.Server{
		Articles:    sqlite.NewArticleService(db),
		Site:        web.Site{Title: "The Test Times"},
		Messages:    s.messages,
		Captcha:     cs,
		Limiter:     sqlite.NewRateLimiter(db),
		MessageSent: func() { s.sent.Add(1) },
		Contact: web.ContactPolicy{
			PerIP:    web.Rate{Limit: 100, Window: time.Hour},
			PerEmail: web.Rate{Limit: 100, Window: time.Hour},
			Captchas: web.Rate{Limit: 1000, Window: time.Hour},
		},
	}
	for _, c := range configure {
		c(srv)
	}
	s.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(s.Close)
	return s
}

func (s *contactSite) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

func (s *contactSite) advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// do sends a request without following redirects; header is name, value pairs.
func (s *contactSite) do(t testing.TB, method, path string, body io.Reader, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func (s *contactSite) post(t testing.TB, form url.Values, header ...string) *http.Response {
	t.Helper()
	return s.do(t, "POST", "/contact", strings.NewReader(form.Encode()), header...)
}

func parse(t *testing.T, resp *http.Response) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return doc
}

// challenge opens the Contact Us page and returns its captcha's ID and,
// read from the store, its solution.
func (s *contactSite) challenge(t *testing.T) (id, solution string) {
	t.Helper()
	resp := s.do(t, "GET", "/contact", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /contact: status %d", resp.StatusCode)
	}
	id, _ = parse(t, resp).Find(`form[action="/contact"] input[name="captcha_id"]`).Attr("value")
	if id == "" {
		t.Fatal("GET /contact: the form has no captcha_id")
	}
	return id, s.solution(t, id)
}

func (s *contactSite) solution(t testing.TB, id string) string {
	t.Helper()
	c, err := s.challenges.FindChallenge(t.Context(), id)
	if err != nil {
		t.Fatalf("FindChallenge(%q): %v", id, err)
	}
	return c.Solution
}

// validForm returns a complete form for the challenge, sent once the
// minimum fill time has passed.
func (s *contactSite) validForm(t *testing.T) url.Values {
	t.Helper()
	id, solution := s.challenge(t)
	s.advance(10 * time.Second)
	return url.Values{
		"name": {"Jane Doe"}, "email": {"jane@example.org"}, "subject": {"Your Syria story"},
		"body": {"The map in paragraph 3 is wrong."}, "captcha_id": {id}, "captcha": {solution},
	}
}

func (s *contactSite) messageCount(t testing.TB) int {
	t.Helper()
	_, n, err := s.messages.Find(t.Context(), byline.MessageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantRefused checks a refused submission: the status, the form back
// with the reader's text, a fresh captcha, and the error on field.
func wantRefused(t *testing.T, resp *http.Response, status int, form url.Values, field string) *goquery.Document {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("POST /contact: status %d, want %d", resp.StatusCode, status)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	doc := parse(t, resp)
	f := doc.Find("form.contact-form--page")
	if f.Length() != 1 {
		t.Fatal("the response has no contact form")
	}
	if got, _ := f.Find(`input[name="name"]`).Attr("value"); got != form.Get("name") {
		t.Errorf("name kept as %q, want %q", got, form.Get("name"))
	}
	if got := f.Find(`textarea[name="body"]`).Text(); got != form.Get("body") {
		t.Errorf("message kept as %q, want %q", got, form.Get("body"))
	}
	if id, _ := f.Find(`input[name="captcha_id"]`).Attr("value"); id == "" || id == form.Get("captcha_id") {
		t.Errorf("captcha_id = %q, want a fresh challenge", id)
	}
	if field != "" {
		sel := ".field--error"
		if field == "form" {
			sel = ".contact-form__errors"
		}
		if doc.Find(sel).Length() == 0 || strings.TrimSpace(doc.Find(".contact-form__errors").Text()) == "" {
			t.Errorf("no error shown for %s", field)
		}
		if field != "form" {
			if f.Find(`[name="`+field+`"][aria-invalid="true"]`).Length() != 1 {
				t.Errorf("field %s is not marked aria-invalid", field)
			}
		}
	}
	return doc
}

func TestContactWidget(t *testing.T) {
	t.Parallel()
	s := newContactSite(t)

	t.Run("every page has the widget with the line and a form", func(t *testing.T) {
		for _, path := range []string{"/", "/no-such-page"} {
			resp := s.do(t, "GET", path, nil)
			doc := parse(t, resp)
			w := doc.Find("aside .contact-widget")
			if w.Length() != 1 {
				t.Fatalf("GET %s: %d contact widgets, want 1", path, w.Length())
			}
			if got := strings.TrimSpace(w.Find("p").First().Text()); got != "Drop us a note and we will get in touch soon!" {
				t.Errorf("GET %s: widget line = %q", path, got)
			}
			form := w.Find(`form[method="post"][action="/contact"]`)
			for _, name := range []string{"name", "email", "body", "captcha", "captcha_id", "homepage"} {
				if form.Find(`[name="`+name+`"]`).Length() != 1 {
					t.Errorf("GET %s: widget form lacks field %q", path, name)
				}
			}
			if got := strings.TrimSpace(form.Find("[data-captcha-change]").Text()); got != "Not readable? Change text." {
				t.Errorf("GET %s: change link = %q", path, got)
			}
			if href, _ := form.Find("[data-captcha-audio]").Attr("href"); href != "/captcha/widget.wav" {
				t.Errorf("GET %s: audio link = %q", path, href)
			}
			if !strings.Contains(form.Find("noscript").Text(), `src="/captcha/widget.png"`) {
				t.Errorf("GET %s: no <noscript> captcha image", path)
			}
		}
	})

	t.Run("showing a page issues no challenge: the widget is the same for every reader", func(t *testing.T) {
		a := s.do(t, "GET", "/", nil)
		b := s.do(t, "GET", "/", nil)
		ha, _ := parse(t, a).Find(".contact-widget").Html()
		hb, _ := parse(t, b).Find(".contact-widget").Html()
		if ha != hb {
			t.Error("the widget's HTML differs between two views")
		}
		if v, _ := parse(t, s.do(t, "GET", "/", nil)).Find(`.contact-widget input[name="captcha_id"]`).Attr("value"); v != "" {
			t.Errorf("the widget carries a challenge ID %q", v)
		}
		if c := a.Header.Values("Set-Cookie"); len(c) != 0 {
			t.Errorf("the home page sets cookies: %q", c)
		}
	})

	t.Run("the Contact Us page has no widget but its own form", func(t *testing.T) {
		doc := parse(t, s.do(t, "GET", "/contact", nil))
		if n := doc.Find(".contact-widget").Length(); n != 0 {
			t.Errorf("/contact has %d widgets, want 0", n)
		}
		if n := doc.Find(`form.contact-form--page input[name="subject"]`).Length(); n != 1 {
			t.Error("/contact's form has no subject")
		}
		if src, _ := doc.Find(".captcha__image img").Attr("src"); !strings.HasPrefix(src, "/captcha/") || !strings.HasSuffix(src, ".png") {
			t.Errorf("/contact captcha image = %q", src)
		}
	})
}

func TestSubmitContact(t *testing.T) {
	t.Parallel()

	t.Run("a valid message is committed, then the reader is thanked", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		resp := s.post(t, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contact?sent=1" {
			t.Fatalf("POST /contact: %d to %q, want 303 to /contact?sent=1", resp.StatusCode, resp.Header.Get("Location"))
		}
		msgs, n, _ := s.messages.Find(t.Context(), byline.MessageFilter{})
		if n != 1 {
			t.Fatalf("%d messages stored, want 1", n)
		}
		m := msgs[0]
		if m.Name != "Jane Doe" || m.Email != "jane@example.org" || m.Subject != "Your Syria story" ||
			m.Body != "The map in paragraph 3 is wrong." || m.Status != byline.Unread || m.Delivery != byline.DeliveryPending {
			t.Errorf("stored %+v", m)
		}
		if s.sent.Load() != 1 {
			t.Errorf("MessageSent called %d times, want 1", s.sent.Load())
		}
		doc := parse(t, s.do(t, "GET", "/contact?sent=1", nil))
		if got := doc.Find(".contact-page h1").Text(); got != "Thank you" {
			t.Errorf("thank-you page heading = %q", got)
		}
	})

	t.Run("answers ignore case and spaces", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		sol := form.Get("captcha")
		form.Set("captcha", " "+sol[:3]+" "+sol[3:]+" ")
		if resp := s.post(t, form); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST with a spaced answer: %d, want 303", resp.StatusCode)
		}
	})

	captchaCases := []struct {
		name   string
		change func(t *testing.T, s *contactSite, form url.Values)
	}{
		{"a missing captcha is refused", func(t *testing.T, s *contactSite, form url.Values) {
			form.Del("captcha")
			form.Del("captcha_id")
		}},
		{"an empty captcha ID is refused", func(t *testing.T, s *contactSite, form url.Values) {
			form.Set("captcha_id", "")
		}},
		{"an unknown captcha ID is refused", func(t *testing.T, s *contactSite, form url.Values) {
			form.Set("captcha_id", "AAAAAAAAAAAAAAAAAAAAAAAAAA")
		}},
		{"a wrong answer is refused", func(t *testing.T, s *contactSite, form url.Values) {
			form.Set("captcha", "00000000x")
		}},
		{"an expired captcha is refused", func(t *testing.T, s *contactSite, form url.Values) {
			s.advance(11 * time.Minute)
		}},
		{"another challenge's answer is refused", func(t *testing.T, s *contactSite, form url.Values) {
			_, other := s.challenge(t)
			form.Set("captcha", other)
		}},
	}
	for _, tt := range captchaCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newContactSite(t)
			form := s.validForm(t)
			tt.change(t, s, form)
			wantRefused(t, s.post(t, form), http.StatusUnprocessableEntity, form, "captcha")
			if n := s.messageCount(t); n != 0 {
				t.Errorf("%d messages stored, want 0", n)
			}
		})
	}

	t.Run("a wrong answer burns the challenge", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		right := form.Get("captcha")
		form.Set("captcha", "1")
		s.post(t, form)
		form.Set("captcha", right)
		wantRefused(t, s.post(t, form), http.StatusUnprocessableEntity, form, "captcha")
		if n := s.messageCount(t); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
	})

	t.Run("a replayed POST is refused", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		if resp := s.post(t, form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first POST: %d, want 303", resp.StatusCode)
		}
		wantRefused(t, s.post(t, form), http.StatusUnprocessableEntity, form, "captcha")
		if n := s.messageCount(t); n != 1 {
			t.Errorf("%d messages stored, want 1", n)
		}
	})

	t.Run("the honeypot thanks a robot and keeps nothing", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		form.Set("homepage", "https://spam.example")
		resp := s.post(t, form)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/contact?sent=1" {
			t.Errorf("POST with the honeypot filled: %d to %q, want the usual 303", resp.StatusCode, resp.Header.Get("Location"))
		}
		if n := s.messageCount(t); n != 0 || s.sent.Load() != 0 {
			t.Errorf("%d messages stored, %d sent; want none", n, s.sent.Load())
		}
	})

	t.Run("a form sent faster than a person can is refused", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		id, sol := s.challenge(t)
		s.advance(2 * time.Second) // under the default 3s
		form.Set("captcha_id", id)
		form.Set("captcha", sol)
		doc := wantRefused(t, s.post(t, form), http.StatusUnprocessableEntity, form, "form")
		if !strings.Contains(doc.Find(".contact-form__errors").Text(), "quick") {
			t.Errorf("error summary = %q, want it to say it was quick", doc.Find(".contact-form__errors").Text())
		}
		if n := s.messageCount(t); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
	})

	fieldCases := []struct {
		name, field, value string
	}{
		{"a name over 100 characters is refused", "name", strings.Repeat("n", 101)},
		{"a subject over 200 characters is refused", "subject", strings.Repeat("s", 201)},
		{"a message over 5000 characters is refused", "body", strings.Repeat("b", 5001)},
		{"a missing name is refused", "name", ""},
		{"a bad email is refused", "email", "jane"},
		{"CRLF in the name is refused", "name", "Jane\r\nBcc: victim@example.net"},
		{"CRLF in the email is refused", "email", "jane@example.org\r\nBcc: victim@example.net"},
		{"LF in the subject is refused", "subject", "Hi\nBcc: victim@example.net"},
		{"two addresses in the email are refused", "email", "jane@example.org,victim@example.net"},
	}
	for _, tt := range fieldCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newContactSite(t)
			form := s.validForm(t)
			form.Set(tt.field, tt.value)
			resp := s.post(t, form)
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST: %d, want 422", resp.StatusCode)
			}
			doc := parse(t, resp)
			if doc.Find(`form.contact-form--page [name="`+tt.field+`"][aria-invalid="true"]`).Length() != 1 {
				t.Errorf("field %s not marked invalid", tt.field)
			}
			if doc.Find(".field__error").Length() == 0 {
				t.Error("no error message next to the field")
			}
			if got := doc.Find(`textarea[name="body"]`).Text(); tt.field != "body" && got != form.Get("body") {
				t.Errorf("message kept as %q", got)
			}
			if n := s.messageCount(t); n != 0 {
				t.Errorf("%d messages stored, want 0", n)
			}
		})
	}

	t.Run("an oversized request is refused with 413", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) { srv.Contact.MaxBody = 8 << 10 })
		form := s.validForm(t)
		form.Set("body", strings.Repeat("x", 9<<10))
		if resp := s.post(t, form); resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("POST of 9 KiB with an 8 KiB limit: %d, want 413", resp.StatusCode)
		}
		if n := s.messageCount(t); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
	})

	t.Run("a cross-origin POST is refused", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		for _, h := range [][]string{
			{"Sec-Fetch-Site", "cross-site"},
			{"Origin", "https://evil.example"},
		} {
			if resp := s.post(t, form, h...); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST with %s: %s: %d, want 403", h[0], h[1], resp.StatusCode)
			}
		}
		if n := s.messageCount(t); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
		// The refused POSTs did not touch the challenge: the same form
		// from our own origin goes through.
		if resp := s.post(t, form, "Sec-Fetch-Site", "same-origin"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("same-origin POST: %d, want 303", resp.StatusCode)
		}
	})

	t.Run("the database failing keeps the reader's text", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		s.db.Close()
		resp := s.post(t, form)
		if resp.StatusCode < 500 {
			t.Fatalf("POST with the database closed: %d, want 5xx", resp.StatusCode)
		}
		if got := parse(t, resp).Find(`textarea[name="body"]`).Text(); got != form.Get("body") {
			t.Errorf("message kept as %q, want %q", got, form.Get("body"))
		}
	})
}

func TestSubmitContact_RateLimit(t *testing.T) {
	t.Parallel()
	proxy := netip.MustParsePrefix("127.0.0.0/8")

	t.Run("a client over its limit gets 429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) {
			srv.Contact.PerIP = web.Rate{Limit: 2, Window: 10 * time.Minute}
			srv.TrustedProxies = []netip.Prefix{proxy}
		})
		for i := range 2 {
			form := s.validForm(t)
			form.Set("email", "reader"+strconv.Itoa(i)+"@example.org")
			if resp := s.post(t, form, "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("POST #%d: %d, want 303", i+1, resp.StatusCode)
			}
		}
		form := s.validForm(t)
		resp := s.post(t, form, "X-Forwarded-For", "203.0.113.7")
		wantRefused(t, resp, http.StatusTooManyRequests, form, "form")
		retry, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || retry < 500 || retry > 600 {
			t.Errorf("Retry-After = %q, want about 600 seconds", resp.Header.Get("Retry-After"))
		}
		// Another client is not affected; a forged left-most hop does not
		// make the limited client someone else.
		form = s.validForm(t)
		if resp := s.post(t, form, "X-Forwarded-For", "198.51.100.1"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST from another client: %d, want 303", resp.StatusCode)
		}
		form = s.validForm(t)
		if resp := s.post(t, form, "X-Forwarded-For", "198.51.100.9, 203.0.113.7"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("POST with a forged hop before the limited client: %d, want 429", resp.StatusCode)
		}
		s.advance(10 * time.Minute)
		form = s.validForm(t)
		if resp := s.post(t, form, "X-Forwarded-For", "203.0.113.7"); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("POST after the window: %d, want 303", resp.StatusCode)
		}
	})

	t.Run("one email address over its limit gets 429 from any client", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) {
			srv.Contact.PerEmail = web.Rate{Limit: 1, Window: time.Hour}
			srv.TrustedProxies = []netip.Prefix{proxy}
		})
		form := s.validForm(t)
		if resp := s.post(t, form, "X-Forwarded-For", "203.0.113.1"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("first POST: %d", resp.StatusCode)
		}
		form = s.validForm(t)
		form.Set("email", "JANE@example.org")
		resp := s.post(t, form, "X-Forwarded-For", "203.0.113.2")
		wantRefused(t, resp, http.StatusTooManyRequests, form, "form")
		if resp.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		if n := s.messageCount(t); n != 1 {
			t.Errorf("%d messages stored, want 1", n)
		}
	})

	t.Run("IPv6 clients are counted by their /64", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) {
			srv.Contact.PerIP = web.Rate{Limit: 1, Window: time.Hour}
			srv.TrustedProxies = []netip.Prefix{proxy}
		})
		s.post(t, s.validForm(t), "X-Forwarded-For", "2001:db8:1:2::1")
		form := s.validForm(t)
		form.Set("email", "other@example.org")
		if resp := s.post(t, form, "X-Forwarded-For", "2001:db8:1:2:ffff::9"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("POST from the same /64: %d, want 429", resp.StatusCode)
		}
	})

	t.Run("X-Forwarded-For is ignored from an untrusted peer", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) { srv.Contact.PerIP = web.Rate{Limit: 1, Window: time.Hour} })
		s.post(t, s.validForm(t), "X-Forwarded-For", "203.0.113.1")
		form := s.validForm(t)
		form.Set("email", "other@example.org")
		if resp := s.post(t, form, "X-Forwarded-For", "203.0.113.2"); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("POST claiming another address: %d, want 429", resp.StatusCode)
		}
	})
}

func TestCaptchaEndpoints(t *testing.T) {
	t.Parallel()

	t.Run("without JavaScript, change text brings the form back with new characters", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		form := s.validForm(t)
		form.Set("change", "1")
		form.Del("captcha")
		resp := s.post(t, form)
		doc := wantRefused(t, resp, http.StatusOK, form, "")
		if doc.Find(".field--error").Length() != 0 {
			t.Error("changing the text shows an error")
		}
		if n := s.messageCount(t); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
	})

	t.Run("without JavaScript, the widget's image sets a cookie the POST uses", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		resp := s.do(t, "GET", "/captcha/widget.png", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("GET /captcha/widget.png: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
		}
		if _, err := png.Decode(resp.Body); err != nil {
			t.Errorf("widget image is not a PNG: %v", err)
		}
		var cookie *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "byline_captcha" {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.MaxAge <= 0 || cookie.MaxAge > 600 {
			t.Fatalf("cookie = %+v, want byline_captcha, HttpOnly, SameSite=Strict, short-lived", cookie)
		}
		audio := s.do(t, "GET", "/captcha/widget.wav", nil, "Cookie", cookie.Name+"="+cookie.Value)
		if audio.StatusCode != http.StatusOK || audio.Header.Get("Content-Type") != "audio/wav" {
			t.Errorf("GET /captcha/widget.wav: %d %q", audio.StatusCode, audio.Header.Get("Content-Type"))
		}
		s.advance(10 * time.Second)
		form := url.Values{"name": {"Jane"}, "email": {"jane@example.org"}, "body": {"Hello"}, "captcha_id": {""},
			"captcha": {s.solution(t, cookie.Value)}}
		post := s.post(t, form, "Cookie", cookie.Name+"="+cookie.Value)
		if post.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST with the cookie's challenge: %d, want 303", post.StatusCode)
		}
		if sc := post.Header.Get("Set-Cookie"); !strings.Contains(sc, "byline_captcha=;") {
			t.Errorf("Set-Cookie = %q, want the cookie cleared", sc)
		}
		if n := s.messageCount(t); n != 1 {
			t.Errorf("%d messages stored, want 1", n)
		}
	})

	t.Run("with JavaScript, a challenge is issued and changed in place", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		resp := s.do(t, "POST", "/captcha", nil, "Sec-Fetch-Site", "same-origin")
		var c struct{ ID, Image, Audio string }
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /captcha: %d, %v", resp.StatusCode, err)
		}
		if c.ID == "" || c.Image != "/captcha/"+c.ID+".png" || c.Audio != "/captcha/"+c.ID+".wav" {
			t.Fatalf("POST /captcha = %+v", c)
		}
		img := s.do(t, "GET", c.Image, nil)
		if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET %s: %d %q", c.Image, img.StatusCode, img.Header.Get("Content-Type"))
		}
		before := s.solution(t, c.ID)
		changed := false
		for range 5 { // a new random solution may, rarely, equal the old
			resp := s.do(t, "POST", "/captcha/"+c.ID+"/refresh", nil)
			var r struct{ ID, Image string }
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || resp.StatusCode != http.StatusOK || r.ID != c.ID || r.Image == c.Image {
				t.Fatalf("refresh: %d %+v %v; want the same ID with a new image URL", resp.StatusCode, r, err)
			}
			if s.solution(t, c.ID) != before {
				changed = true
				break
			}
		}
		if !changed {
			t.Error("refresh did not change the solution")
		}
		if resp := s.do(t, "POST", "/captcha/nope/refresh", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("refresh of an unknown challenge: %d, want 404", resp.StatusCode)
		}
		if resp := s.do(t, "GET", "/captcha/nope.png", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("image of an unknown challenge: %d, want 404", resp.StatusCode)
		}
		if resp := s.do(t, "GET", "/captcha/"+c.ID+".gif", nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("image of an unknown type: %d, want 404", resp.StatusCode)
		}
	})

	t.Run("a cross-origin request for a challenge is refused", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t)
		if resp := s.do(t, "POST", "/captcha", nil, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site POST /captcha: %d, want 403", resp.StatusCode)
		}
	})

	t.Run("too many challenges from one client get 429", func(t *testing.T) {
		t.Parallel()
		s := newContactSite(t, func(srv *web.Server) { srv.Contact.Captchas = web.Rate{Limit: 3, Window: time.Minute} })
		for range 3 {
			if resp := s.do(t, "POST", "/captcha", nil); resp.StatusCode != http.StatusOK {
				t.Fatalf("POST /captcha: %d", resp.StatusCode)
			}
		}
		resp := s.do(t, "POST", "/captcha", nil)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Errorf("4th POST /captcha: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if resp := s.do(t, "GET", "/contact", nil); resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("GET /contact over the limit: %d, want 429", resp.StatusCode)
		}
	})
}

func TestContact_NotConfigured(t *testing.T) {
	t.Parallel()
	db := dbtest.OpenSQLite(t)
	srv := httptest.NewServer((&web.Server{Articles: sqlite.NewArticleService(db)}).Handler())
	defer srv.Close()
	for _, path := range []string{"/contact", "/captcha/widget.png"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s without contact services: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want web.Rate
		ok   bool
	}{
		{"5/10m", web.Rate{Limit: 5, Window: 10 * time.Minute}, true},
		{"100/1h", web.Rate{Limit: 100, Window: time.Hour}, true},
		{"0/1m", web.Rate{}, false},
		{"5", web.Rate{}, false},
		{"5/soon", web.Rate{}, false},
		{"-1/1m", web.Rate{}, false},
	}
	for _, tt := range tests {
		got, err := web.ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseRate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// BenchmarkSubmitContact is one reader's whole exchange on a real SQLite
// file: a challenge for the widget (POST /captcha), then the form (POST
// /contact) through rate limits, captcha and commit, to the 303.
func BenchmarkSubmitContact(b *testing.B) {
	s := newContactSite(b, func(srv *web.Server) {
		srv.Contact.MinFill = -1
		lots := web.Rate{Limit: 1 << 30, Window: time.Hour}
		srv.Contact.PerIP, srv.Contact.PerEmail, srv.Contact.Captchas = lots, lots, lots
		srv.Logger = slog.New(slog.DiscardHandler)
	})
	form := url.Values{"name": {"Jane Doe"}, "email": {"jane@example.org"}, "body": {"The map in paragraph 3 is wrong."}}
	for b.Loop() {
		resp := s.do(b, "POST", "/captcha", nil)
		var c struct{ ID string }
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			b.Fatal(err)
		}
		form.Set("captcha_id", c.ID)
		form.Set("captcha", s.solution(b, c.ID))
		if resp := s.post(b, form); resp.StatusCode != http.StatusSeeOther {
			b.Fatalf("POST /contact: %d", resp.StatusCode)
		}
	}
}
