package web_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/smtptest"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/web"
)

// newsletterSite is a real server on a real SQLite file, with the list's
// outbox delivering to a real SMTP listener.
type newsletterSite struct {
	*contactSite
	services byline.Services
	smtp     *smtptest.Server
	worker   *mail.ListWorker
	lists    []*byline.Newsletter
}

func newNewsletterSite(t *testing.T, configure ...func(*web.Server)) *newsletterSite {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	ns := &newsletterSite{smtp: smtptest.Start(t, &smtptest.Server{}), services: sqlite.NewServices(db),
		contactSite: &contactSite{db: db, now: time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)}}
	db.Now = ns.clock
	srv := &web.Server{
		Articles: ns.services.Articles, Site: web.Site{Title: "The Test Times"},
		Limiter:     ns.services.Limiter,
		Newsletters: ns.services.Newsletters, Subscribers: ns.services.Subscribers,
	}
	for _, c := range configure {
		c(srv)
	}
	ns.Server = httptest.NewServer(srv.Handler())
	t.Cleanup(ns.Close)
	ns.worker = &mail.ListWorker{
		Outbox: ns.services.NewsletterOutbox, Newsletters: ns.services.Newsletters,
		Articles: ns.services.Articles, Subscribers: ns.services.Subscribers,
		Configure: func(context.Context) (*mail.Sender, error) {
			return &mail.Sender{Host: "127.0.0.1", Port: ns.smtp.Port(), Security: mail.Plain, From: "news@example.com"}, nil
		},
		Site: func(context.Context) (mail.Site, error) {
			return mail.Site{Title: "The Test Times", BaseURL: ns.URL}, nil
		},
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		Now:    ns.clock,
	}
	for _, name := range []string{"Daily Briefing", "Politics"} {
		n := &byline.Newsletter{Name: name}
		if err := ns.services.Newsletters.Create(t.Context(), n); err != nil {
			t.Fatal(err)
		}
		ns.lists = append(ns.lists, n)
	}
	return ns
}

// deliver runs the list's outbox until nothing is due.
func (ns *newsletterSite) deliver(t *testing.T) {
	t.Helper()
	if _, err := ns.worker.Deliver(t.Context()); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
}

// email is one received email, its parts decoded.
type email struct {
	Header     netmail.Header
	Text, HTML string
}

// mailsTo returns the emails the SMTP listener accepted for address.
func (ns *newsletterSite) mailsTo(t *testing.T, address string) []email {
	t.Helper()
	var out []email
	for _, m := range ns.smtp.Mails() {
		if !slices.Contains(m.To, address) {
			continue
		}
		out = append(out, decodeEmail(t, m.Data))
	}
	return out
}

func decodeEmail(t *testing.T, data string) email {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("read email: %v\n%s", err, data)
	}
	e := email{Header: msg.Header}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("read part: %v", err)
		}
		var r io.Reader = p
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			e.Text = string(b)
		case "text/html":
			e.HTML = string(b)
		}
	}
	if e.Text == "" || e.HTML == "" {
		t.Fatalf("email without a text and an HTML part:\n%s", data)
	}
	return e
}

func (ns *newsletterSite) subscriber(t *testing.T, address string) *byline.Subscriber {
	t.Helper()
	subs, _, err := ns.services.Subscribers.Find(t.Context(), byline.SubscriberFilter{Search: address})
	if err != nil || len(subs) != 1 {
		t.Fatalf("Find(%q) = %d subscribers, %v; want 1", address, len(subs), err)
	}
	return subs[0]
}

func form(kv ...string) io.Reader {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

var confirmLink = regexp.MustCompile(`http://\S+/subscribe/confirm\?token=[A-Za-z0-9_-]+`)

func TestSubscribe_ConfirmationFlow(t *testing.T) {
	t.Parallel()
	ns := newNewsletterSite(t)
	const reader = "reader@example.org"

	home := parse(t, ns.do(t, "GET", "/", nil))
	if home.Find(`.subscribe-widget form[action="/subscribe"][method="post"] input[name="email"]`).Length() != 1 {
		t.Fatal("the home page has no sign-up form")
	}
	// The short form with several newsletters asks which, keeping the address.
	resp := ns.do(t, "POST", "/subscribe", form("email", reader, "short", "1"))
	doc := parse(t, resp)
	if resp.StatusCode != http.StatusOK || doc.Find(`input[name="newsletter"]`).Length() != 2 {
		t.Fatalf("short form: status %d, %d newsletter boxes; want 200 and 2", resp.StatusCode, doc.Find(`input[name="newsletter"]`).Length())
	}
	if v, _ := doc.Find("#subscribe-email").Attr("value"); v != reader {
		t.Errorf("the address was not kept: %q", v)
	}
	if _, total, _ := ns.services.Subscribers.Find(t.Context(), byline.SubscriberFilter{}); total != 0 {
		t.Errorf("choosing stored %d subscribers, want 0", total)
	}

	resp = ns.do(t, "POST", "/subscribe", form("email", reader, "newsletter", fmtID(ns.lists[0].ID), "newsletter", fmtID(ns.lists[1].ID)))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/subscribe?sent=1" {
		t.Fatalf("POST /subscribe = %d to %q, want 303 to /subscribe?sent=1", resp.StatusCode, resp.Header.Get("Location"))
	}
	if sub := ns.subscriber(t, reader); sub.Status != byline.SubscriberPending {
		t.Errorf("after sign-up, status %s, want pending", sub.Status)
	}
	ns.deliver(t)
	mails := ns.mailsTo(t, reader)
	if len(mails) != 1 {
		t.Fatalf("%d emails to the reader, want 1 confirmation", len(mails))
	}
	link := confirmLink.FindString(mails[0].Text)
	if link == "" || !strings.Contains(mails[0].HTML, `href="`+strings.ReplaceAll(link, "&", "&amp;")+`"`) {
		t.Fatalf("no confirmation link in both parts:\n%s\n%s", mails[0].Text, mails[0].HTML)
	}
	u, _ := url.Parse(link)

	// Opening the link (as a mail scanner would) changes nothing.
	page := parse(t, ns.do(t, "GET", u.RequestURI(), nil))
	token, _ := page.Find(`form[action="/subscribe/confirm"] input[name="token"]`).Attr("value")
	if token != u.Query().Get("token") {
		t.Fatalf("the confirmation page's button carries %q, want the link's token", token)
	}
	if sub := ns.subscriber(t, reader); sub.Status != byline.SubscriberPending {
		t.Errorf("opening the link made the subscriber %s; only the button confirms", sub.Status)
	}
	resp = ns.do(t, "POST", "/subscribe/confirm", form("token", token))
	if resp.StatusCode != http.StatusOK || !strings.Contains(parse(t, resp).Find("h1").Text(), "subscribed") {
		t.Fatalf("POST /subscribe/confirm = %d, want 200 and the subscribed page", resp.StatusCode)
	}
	sub := ns.subscriber(t, reader)
	if sub.Status != byline.SubscriberActive || len(sub.Newsletters) != 2 {
		t.Errorf("after confirming, subscriber %+v; want active on both newsletters", sub)
	}
	if resp := ns.do(t, "POST", "/subscribe/confirm", form("token", token)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the same link a second time = %d, want 404", resp.StatusCode)
	}
}

func fmtID(id int64) string { return strconv.FormatInt(id, 10) }

func TestSubscribe_OneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	ns := newNewsletterSite(t)
	ctx := t.Context()
	const reader = "one-click@example.org"
	if _, _, err := ns.services.Subscribers.Import(ctx, []byline.SubscriberImport{{Line: 1, Email: reader, Name: "Reader",
		Newsletters: []int64{ns.lists[0].ID, ns.lists[1].ID}, ConsentAt: ns.clock(), Confirmed: true}}); err != nil {
		t.Fatal(err)
	}
	a := &byline.Article{Headline: "Council passes the budget", Dek: "After a long night.", Status: byline.Published,
		Body:        "The council **voted** at dawn.\n\n![The council chamber](/files/uploads/chamber.jpg)\n\n[More](/2026/12/other/)",
		PublishedAt: ns.clock().Add(-time.Hour), Authors: []byline.Author{{Name: "Ann Lee"}}}
	if err := ns.services.Articles.Create(ctx, a); err != nil {
		t.Fatal(err)
	}
	send := &byline.Send{NewsletterID: ns.lists[0].ID, ArticleID: a.ID}
	if err := ns.services.Newsletters.Queue(ctx, send); err != nil {
		t.Fatal(err)
	}
	ns.deliver(t)
	mails := ns.mailsTo(t, reader)
	if len(mails) != 1 {
		t.Fatalf("%d emails, want 1", len(mails))
	}
	m := mails[0]
	if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q", got)
	}
	if got := m.Header.Get("List-Id"); got != "Daily Briefing <daily-briefing.example.com>" {
		t.Errorf("List-Id = %q", got)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<issue-") || !strings.HasSuffix(id, "@example.com>") {
		t.Errorf("Message-ID = %q, want its own, at the sender's domain", id)
	}
	if m.Header.Get("Subject") != a.Headline {
		t.Errorf("Subject = %q", m.Header.Get("Subject"))
	}
	lu := strings.Trim(m.Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(lu, ns.URL+"/subscribe/unsubscribe?") {
		t.Fatalf("List-Unsubscribe = %q, want an https/http URL on the site", lu)
	}
	html := m.HTML
	for _, want := range []string{
		`href="` + strings.ReplaceAll(lu, "&", "&amp;") + `"`, // the visible unsubscribe link
		`src="` + ns.URL + `/files/uploads/chamber.jpg"`, `alt="The council chamber"`,
		`href="` + ns.URL + `/2026/12/other/"`, // links made absolute, not rewritten
		`style="`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %s", want)
		}
	}
	if imgs := regexp.MustCompile(`<img [^>]*src="([^"]+)"`).FindAllStringSubmatch(html, -1); len(imgs) == 0 {
		t.Error("no image in the HTML")
	} else {
		for _, img := range imgs {
			if !strings.HasPrefix(img[1], ns.URL+"/") {
				t.Errorf("image from elsewhere than the site (a tracker?): %s", img[1])
			}
		}
	}
	if !strings.Contains(m.Text, "The council voted at dawn.") || !strings.Contains(m.Text, lu) {
		t.Errorf("the text part lacks the article or the unsubscribe link:\n%s", m.Text)
	}

	u, _ := url.Parse(lu)
	tampered := u.Query()
	tampered.Set("n", fmtID(ns.lists[1].ID))
	if resp := ns.do(t, "POST", "/subscribe/unsubscribe?"+tampered.Encode(), form("List-Unsubscribe", "One-Click")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("one-click POST with a link changed to another newsletter = %d, want 404", resp.StatusCode)
	}
	// The visible link shows a button; opening it unsubscribes nobody.
	if doc := parse(t, ns.do(t, "GET", u.RequestURI(), nil)); doc.Find(`.subscribe-page form[method="post"] button`).Length() != 1 {
		t.Error("the unsubscribe page has no button")
	}
	if sub := ns.subscriber(t, reader); len(sub.Newsletters) != 2 {
		t.Fatalf("before the POST, subscriber gets %v, want both", sub.Newsletters)
	}
	// As a mail provider's server sends it: no Origin, no cookie.
	resp := ns.do(t, "POST", u.RequestURI(), form("List-Unsubscribe", "One-Click"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST = %d, want 200", resp.StatusCode)
	}
	sub := ns.subscriber(t, reader)
	if !slices.Equal(sub.Newsletters, []int64{ns.lists[1].ID}) || sub.Status != byline.SubscriberActive {
		t.Errorf("after one-click on Daily Briefing, subscriber %+v; want Politics only, still active", sub)
	}

	// The preferences page, from the same email, without signing in.
	prefs := regexp.MustCompile(`http://\S+/subscribe/preferences\?s=\d+&sig=[0-9a-f]+`).FindString(m.Text)
	pu, _ := url.Parse(prefs)
	doc := parse(t, ns.do(t, "GET", pu.RequestURI(), nil))
	if doc.Find(`input[name="newsletter"]`).Length() != 2 || doc.Find(`input[name="newsletter"][checked]`).Length() != 1 {
		t.Fatalf("preferences page: %d boxes, %d ticked; want 2 and 1", doc.Find(`input[name="newsletter"]`).Length(), doc.Find(`input[name="newsletter"][checked]`).Length())
	}
	if resp := ns.do(t, "GET", "/subscribe/preferences?s="+fmtID(sub.ID)+"&sig=00", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("preferences with a bad signature = %d, want 404", resp.StatusCode)
	}
	resp = ns.do(t, "POST", pu.RequestURI(), form("all", "off"), "Origin", ns.URL)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unsubscribe from all = %d, want 303", resp.StatusCode)
	}
	if sub := ns.subscriber(t, reader); sub.Status != byline.SubscriberUnsubscribed {
		t.Errorf("after unsubscribing from all, status %s", sub.Status)
	}
}

func TestSubscribe_BadInput(t *testing.T) {
	t.Parallel()
	ns := newNewsletterSite(t, func(srv *web.Server) {
		srv.Subscribe.PerEmail = web.Rate{Limit: 2, Window: time.Hour}
	})
	nl := fmtID(ns.lists[0].ID)
	for _, tt := range []struct {
		name, email, who string
		status           int
	}{
		{"malformed address", "not-an-address", "", http.StatusUnprocessableEntity},
		{"two addresses", "a@example.org, b@example.org", "", http.StatusUnprocessableEntity},
		{"a display name", "Eve <eve@example.org>", "", http.StatusUnprocessableEntity},
		{"header injection in the address", "eve@example.org\r\nBcc: all@example.org", "", http.StatusUnprocessableEntity},
		{"header injection in the name", "eve@example.org", "Eve\r\nBcc: all@example.org", http.StatusUnprocessableEntity},
	} {
		resp := ns.do(t, "POST", "/subscribe", form("email", tt.email, "name", tt.who, "newsletter", nl))
		if resp.StatusCode != tt.status {
			t.Errorf("%s: POST /subscribe = %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
	if resp := ns.do(t, "POST", "/subscribe", form("email", "robot@example.org", "homepage", "http://spam.example", "newsletter", nl)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("honeypot: %d, want the usual 303", resp.StatusCode)
	}
	if resp := ns.do(t, "POST", "/subscribe", form("email", "x@example.org", "newsletter", "999999")); resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("unknown newsletter: %d, want 422", resp.StatusCode)
	}
	if _, total, _ := ns.services.Subscribers.Find(t.Context(), byline.SubscriberFilter{}); total != 0 {
		t.Errorf("bad sign-ups stored %d subscribers, want 0", total)
	}
	for i, want := range []int{http.StatusSeeOther, http.StatusSeeOther, http.StatusTooManyRequests} {
		if resp := ns.do(t, "POST", "/subscribe", form("email", "again@example.org", "newsletter", nl)); resp.StatusCode != want {
			t.Errorf("sign-up %d of the same address = %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	ns.deliver(t)
	if n := len(ns.mailsTo(t, "again@example.org")); n != 2 {
		t.Errorf("%d confirmation emails, want 2 (the third was refused)", n)
	}
	if len(ns.smtp.Mails()) != 2 {
		t.Errorf("%d emails in all, want 2: nothing to the robot or the bad addresses", len(ns.smtp.Mails()))
	}
	if resp := ns.do(t, "GET", "/subscribe/confirm?token=", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm without a token = %d, want 404", resp.StatusCode)
	}
	if resp := ns.do(t, "POST", "/subscribe/unsubscribe?s=1&n=0&sig=abc", form("List-Unsubscribe", "One-Click")); resp.StatusCode != http.StatusNotFound {
		t.Errorf("one-click with a forged signature = %d, want 404", resp.StatusCode)
	}
}

// The sign-up needs its services: without them it is not there.
func TestSubscribe_NotConfigured(t *testing.T) {
	t.Parallel()
	site := newContactSite(t)
	if resp := site.do(t, "GET", "/subscribe", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /subscribe = %d, want 404", resp.StatusCode)
	}
	if parse(t, site.do(t, "GET", "/", nil)).Find(".subscribe-widget").Length() != 0 {
		t.Error("a sign-up form is shown with no newsletter service")
	}
}
