package web

import (
	"net/http"
	"time"

	"github.com/bylinenews/byline"
)

// ContactPolicy sets the Contact Us form's limits. The zero value is the
// defaults.
type ContactPolicy struct {
	PerIP    Rate // messages per client address; DefaultContactPerIP if zero
	PerEmail Rate // messages per sender's email address; DefaultContactPerEmail if zero
	Captchas Rate // captchas issued or changed per client address; DefaultCaptchaRate if zero

	// MinFill is the least time between a form's captcha being issued and
	// the form being sent; quicker is a robot. 0 is DefaultMinFill; a
	// negative value turns the check off.
	MinFill time.Duration
	// MaxBody bounds a submission's request body in bytes;
	// DefaultContactMaxBody if zero.
	MaxBody int64
}

// Defaults for ContactPolicy's zero fields.
var (
	DefaultContactPerIP    = Rate{Limit: 5, Window: 10 * time.Minute}
	DefaultContactPerEmail = Rate{Limit: 5, Window: time.Hour}
	DefaultCaptchaRate     = Rate{Limit: 60, Window: 10 * time.Minute}
)

// More defaults for ContactPolicy.
const (
	DefaultMinFill        = 3 * time.Second
	DefaultContactMaxBody = 64 << 10
	maxCaptchaAnswer      = 64
)

func (p *ContactPolicy) perIP() Rate    { return rateOr(p.PerIP, DefaultContactPerIP) }
func (p *ContactPolicy) perEmail() Rate { return rateOr(p.PerEmail, DefaultContactPerEmail) }
func (p *ContactPolicy) captchas() Rate { return rateOr(p.Captchas, DefaultCaptchaRate) }

func (p *ContactPolicy) minFill() time.Duration {
	switch {
	case p.MinFill < 0:
		return 0
	case p.MinFill == 0:
		return DefaultMinFill
	}
	return p.MinFill
}

func (p *ContactPolicy) maxBody() int64 {
	if p.MaxBody <= 0 {
		return DefaultContactMaxBody
	}
	return p.MaxBody
}

// contactForm is what the reader typed, kept when the form comes back.
type contactForm struct {
	Name, Email, Subject, Body string
}

// contactPage is the data of the Contact Us page: the form (empty, or as
// the reader sent it, with a message per field at fault), or the thanks.
type contactPage struct {
	layout
	Form    contactForm
	Errors  map[string]string // by field: name, email, subject, body, captcha; "form" for the whole
	Captcha *captchaView      // nil when none could be issued
	Notice  string            // e.g. that the characters changed
	Sent    bool
}

// ErrorFields lists the fields with errors in the form's order, for the
// error summary at the top of the form.
func (p contactPage) ErrorFields() []string {
	var out []string
	for _, f := range []string{"form", "name", "email", "subject", "body", "captcha"} {
		if p.Errors[f] != "" {
			out = append(out, f)
		}
	}
	return out
}

// contactField is one text input of the page's form.
type contactField struct {
	Name, Label, Type, Value, Error, Autocomplete string
	MaxLength                                     int
	Required                                      bool
}

// Field returns the input named name ("name", "email" or "subject") with
// what the reader typed and its error.
func (p contactPage) Field(name string) contactField {
	f := contactField{Name: name, Error: p.Errors[name], Type: "text", Required: true}
	switch name {
	case "name":
		f.Label, f.Value, f.Autocomplete, f.MaxLength = "Name", p.Form.Name, "name", byline.MaxMessageNameLen
	case "email":
		f.Label, f.Value, f.Autocomplete, f.MaxLength, f.Type = "Email", p.Form.Email, "email", byline.MaxMessageEmailLen, "email"
	case "subject":
		f.Label, f.Value, f.Autocomplete, f.MaxLength, f.Required = "Subject (optional)", p.Form.Subject, "off", byline.MaxMessageSubjectLen, false
	}
	return f
}

func (s *Server) contactReady(w http.ResponseWriter, r *http.Request) bool {
	if s.Messages == nil || s.Captcha == nil {
		s.notFound(w, r)
		return false
	}
	return true
}

// showContact serves the Contact Us page, with a captcha of its own, or,
// after a message was sent (?sent=1), the thanks. The page is not cached:
// each view issues a challenge.
func (s *Server) showContact(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	page := contactPage{Sent: r.URL.Query().Get("sent") == "1"}
	s.renderContact(w, r, http.StatusOK, page)
}

// renderContact renders the Contact Us page with status, issuing a fresh
// captcha for the form unless the page is the thanks.
func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, status int, page contactPage) {
	l, _ := s.newLayout(r, "Contact Us", 0) // without Recent Posts if they cannot be read
	l.Description = "Contact " + l.Site.Title + ". Drop us a note and we will get in touch soon!"
	l.Canonical = "/contact"
	page.layout = l
	if page.Errors == nil {
		page.Errors = map[string]string{}
	}
	if !page.Sent && page.Captcha == nil {
		if ok, retry := s.allowCaptcha(w, r); !ok {
			page.Errors["captcha"] = "Too many captchas were asked for from your network. Please try again in " + inWords(retry) + "; your text is kept."
			if status < 400 {
				status = http.StatusTooManyRequests
			}
		} else if c, err := s.Captcha.Issue(r.Context()); err != nil {
			s.logFailure(r, "captcha issue failed", err)
			page.Errors["captcha"] = "The captcha could not be shown just now. Please try again in a moment; your text is kept."
		} else {
			page.Captcha = newCaptchaView(c.ID)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "contact", page)
}
