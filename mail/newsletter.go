package mail

import (
	"bytes"
	"fmt"
	"html/template"
	netmail "net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/bylinenews/byline"
)

// Site is what a newsletter email says about the site it comes from.
type Site struct {
	Title   string
	BaseURL string // the public origin, e.g. https://news.example.com; links in emails are absolute
}

// Issue is one send's article, read once and rendered for each recipient.
type Issue struct {
	Send       *byline.Send
	Newsletter *byline.Newsletter
	Article    *byline.Article
	bodyHTML   template.HTML // the article's HTML with absolute links and inline styles
}

// NewIssue prepares the article's HTML for email: links and images made
// absolute (an email has no base URL), srcset dropped (mail clients do
// not fetch it), and the styles inlined (many clients strip <style>).
func NewIssue(site Site, send *byline.Send, n *byline.Newsletter, a *byline.Article) *Issue {
	body := a.BodyHTML
	body = srcsetAttr.ReplaceAllString(body, "")
	body = siteRelative.ReplaceAllStringFunc(body, func(attr string) string {
		eq := strings.IndexByte(attr, '=')
		return attr[:eq] + `="` + site.BaseURL + attr[eq+2:]
	})
	body = styledTag.ReplaceAllStringFunc(body, func(tag string) string {
		name := strings.TrimLeft(strings.TrimRight(tag, " >"), "<")
		return tag[:len(tag)-1] + ` style="` + inlineStyles[name] + `"` + tag[len(tag)-1:]
	})
	// The article's HTML was sanitized by the store when it was saved
	// (markdown's bluemonday policy); what is changed here is our own
	// attributes, so it stays safe.
	return &Issue{Send: send, Newsletter: n, Article: a, bodyHTML: template.HTML(body)}
}

var (
	srcsetAttr   = regexp.MustCompile(`\s(?:srcset|sizes)="[^"]*"`)
	siteRelative = regexp.MustCompile(`\b(?:src|href)="/(?:[^/]|$)`)
	styledTag    = regexp.MustCompile(`<(?:p|h2|h3|h4|blockquote|figure|figcaption|img|a|ul|ol|li)[ >]`)
	inlineStyles = map[string]string{
		"p":          "margin:0 0 16px;font-size:17px;line-height:1.6;color:#1a1a1a",
		"h2":         "margin:24px 0 12px;font-size:22px;line-height:1.3;color:#111",
		"h3":         "margin:20px 0 10px;font-size:19px;line-height:1.3;color:#111",
		"h4":         "margin:16px 0 8px;font-size:17px;color:#111",
		"blockquote": "margin:20px 0;padding:0 0 0 16px;border-left:4px solid #a4161a;font-size:20px;font-style:italic;color:#333",
		"figure":     "margin:20px 0",
		"figcaption": "font-size:14px;color:#555;margin-top:6px",
		"img":        "display:block;max-width:100%;height:auto;border:0",
		"a":          "color:#a4161a",
		"ul":         "margin:0 0 16px;padding-left:24px",
		"ol":         "margin:0 0 16px;padding-left:24px",
		"li":         "margin:0 0 6px;font-size:17px;line-height:1.6",
	}
)

// ListMail composes the mailing list's emails.
type ListMail struct {
	From string // the address they come from; a display name in it is replaced by the site's title
	Site Site
	Key  []byte // signs the preferences and unsubscribe links (byline.SignSubscriber)
}

// links are the signed addresses of one subscriber's pages.
type links struct {
	Unsubscribe string // the one-click address (POST) and its page (GET)
	Preferences string
}

func (m *ListMail) links(d *byline.Delivery) links {
	sid, nid := strconv.FormatInt(d.SubscriberID, 10), strconv.FormatInt(d.NewsletterID, 10)
	unsub := url.Values{"s": {sid}, "n": {nid}, "sig": {byline.SignSubscriber(m.Key, byline.LinkUnsubscribe, d.SubscriberID, d.NewsletterID)}}
	prefs := url.Values{"s": {sid}, "sig": {byline.SignSubscriber(m.Key, byline.LinkPreferences, d.SubscriberID, 0)}}
	return links{
		Unsubscribe: m.Site.BaseURL + "/subscribe/unsubscribe?" + unsub.Encode(),
		Preferences: m.Site.BaseURL + "/subscribe/preferences?" + prefs.Encode(),
	}
}

// domain is the part of the From address after the @, for Message-IDs
// and List-Id.
func (m *ListMail) domain() string {
	if a, err := netmail.ParseAddress(m.From); err == nil {
		if at := strings.LastIndexByte(a.Address, '@'); at >= 0 {
			return a.Address[at+1:]
		}
	}
	return "byline.invalid"
}

// newMsg starts an email to d's recipient with its own Message-ID, the same
// for every attempt at the same entry.
func (m *ListMail) newMsg(d *byline.Delivery, subject string, date time.Time) (*gomail.Msg, error) {
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("list from address %q: %w", m.From, err)
	}
	// The address and name were checked when stored; they go into headers,
	// so refuse again rather than trust it.
	if strings.ContainsAny(d.To+d.ToName+subject+m.Site.Title, "\r\n") {
		return nil, fmt.Errorf("delivery %d: line break in a header field", d.ID)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&netmail.Address{Name: m.Site.Title, Address: from.Address})
	if err := msg.EnvelopeFrom(from.Address); err != nil {
		return nil, fmt.Errorf("list envelope from %q: %w", from.Address, err)
	}
	msg.ToMailAddress(&netmail.Address{Name: d.ToName, Address: d.To})
	msg.Subject(subject)
	msg.SetDateWithValue(date)
	msg.SetMessageIDWithValue(fmt.Sprintf("%s-%d.%d@%s", d.Kind, d.ID, d.SendID, m.domain()))
	return msg, nil
}

// Confirmation composes the email with the confirmation link of a sign-up.
func (m *ListMail) Confirmation(d *byline.Delivery, now time.Time) (*gomail.Msg, error) {
	msg, err := m.newMsg(d, "Confirm your subscription to "+m.Site.Title, now)
	if err != nil {
		return nil, err
	}
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	link := m.Site.BaseURL + "/subscribe/confirm?" + url.Values{"token": {d.Token}}.Encode()
	data := struct {
		Site Site
		Link string
	}{m.Site, link}
	var text, html bytes.Buffer
	if err := confirmText.Execute(&text, data); err != nil {
		return nil, fmt.Errorf("confirmation text: %w", err)
	}
	if err := emailTemplates.ExecuteTemplate(&html, "confirm", data); err != nil {
		return nil, fmt.Errorf("confirmation html: %w", err)
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

// IssueMail composes an article's email to one recipient, with the
// mailing-list headers (RFC 2369, RFC 8058) and a visible unsubscribe link.
// It holds no tracking pixel and no rewritten link.
func (m *ListMail) IssueMail(d *byline.Delivery, issue *Issue, now time.Time) (*gomail.Msg, error) {
	subject := issue.Article.Headline
	if d.Kind == byline.DeliveryTest {
		subject = "[Test] " + subject
	}
	msg, err := m.newMsg(d, subject, now)
	if err != nil {
		return nil, err
	}
	l := m.links(d)
	msg.SetGenHeader("List-Id", fmt.Sprintf("%s <%s.%s>", issue.Newsletter.Name, issue.Newsletter.Slug, m.domain()))
	msg.SetGenHeader("List-Unsubscribe", "<"+l.Unsubscribe+">")
	msg.SetGenHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	msg.SetGenHeader("Precedence", "bulk")
	a := issue.Article
	data := issueData{
		Site: m.Site, Newsletter: issue.Newsletter, Article: a, Body: issue.bodyHTML, Links: l,
		URL:  m.Site.BaseURL + a.URL(),
		Test: d.Kind == byline.DeliveryTest,
	}
	if a.FeatureImageURL != "" {
		data.Image = a.FeatureImageURL
		if strings.HasPrefix(data.Image, "/") && !strings.HasPrefix(data.Image, "//") {
			data.Image = m.Site.BaseURL + data.Image
		}
	}
	for _, au := range a.Authors {
		data.Byline = append(data.Byline, au.Name)
	}
	var text, html bytes.Buffer
	if err := issueText.Execute(&text, data); err != nil {
		return nil, fmt.Errorf("issue text: %w", err)
	}
	if err := emailTemplates.ExecuteTemplate(&html, "issue", data); err != nil {
		return nil, fmt.Errorf("issue html: %w", err)
	}
	msg.SetBodyString(gomail.TypeTextPlain, text.String())
	msg.AddAlternativeString(gomail.TypeTextHTML, html.String())
	return msg, nil
}

type issueData struct {
	Site       Site
	Newsletter *byline.Newsletter
	Article    *byline.Article
	Body       template.HTML
	Image      string
	Byline     []string
	URL        string
	Links      links
	Test       bool
}
