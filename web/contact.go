package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
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

	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client. Without them the client is the connection's address.
	TrustedProxies []netip.Prefix
}

// Rate is a number of events per window, e.g. 5 per 10 minutes.
type Rate struct {
	Limit  int
	Window time.Duration
}

// String formats r as ParseRate reads it, e.g. "5/10m0s".
func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Limit, r.Window) }

// ParseRate reads a rate written as LIMIT/WINDOW, e.g. "5/10m" or "100/1h".
func ParseRate(s string) (Rate, error) {
	n, w, ok := strings.Cut(s, "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want LIMIT/WINDOW with a positive limit, e.g. 5/10m", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil || window <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want LIMIT/WINDOW with a positive window, e.g. 5/10m", s)
	}
	return Rate{Limit: limit, Window: window}, nil
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

func rateOr(r, def Rate) Rate {
	if r.Limit <= 0 || r.Window <= 0 {
		return def
	}
	return r
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

// submitContact receives the form, from the page or from the widget on
// every other page. Each refusal shows the form again with what the reader
// typed and a fresh captcha; success is committed before the 303 to the
// thanks.
func (s *Server) submitContact(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	ctx := r.Context()
	client := s.Contact.clientKey(r)
	logger := s.Logger.With("request_id", requestID(ctx))

	r.Body = http.MaxBytesReader(w, r.Body, s.Contact.maxBody())
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			logger.Warn("contact form too large", "client", client, "limit", tooBig.Limit)
			s.renderContact(w, r, http.StatusRequestEntityTooLarge, contactPage{Errors: map[string]string{
				"form": fmt.Sprintf("What you sent was too large for us to receive (over %d KB). Please shorten your message.", s.Contact.maxBody()>>10),
			}})
			return
		}
		s.renderContact(w, r, http.StatusBadRequest, contactPage{Errors: map[string]string{"form": "We could not read the form. Please try again."}})
		return
	}
	form := contactForm{
		Name:    r.PostForm.Get("name"),
		Email:   r.PostForm.Get("email"),
		Subject: r.PostForm.Get("subject"),
		Body:    r.PostForm.Get("body"),
	}
	page := contactPage{Form: form, Errors: map[string]string{}}

	// "Not readable? Change text." without JavaScript: the same form back
	// with new characters.
	if r.PostForm.Get("change") != "" {
		page.Notice = "Here are new characters to type."
		s.renderContact(w, r, http.StatusOK, page)
		return
	}

	if ok, retry := s.allow(w, r, "contact:ip:"+client, s.Contact.perIP()); !ok {
		logger.Warn("contact rate limited", "client", client, "retry_after", retry.String())
		page.Errors["form"] = tooMany(retry)
		s.renderContact(w, r, http.StatusTooManyRequests, page)
		return
	}

	// The honeypot is a field people never see; robots fill it. They are
	// thanked like anyone, so they learn nothing, and nothing is kept.
	if r.PostForm.Get("homepage") != "" {
		logger.Warn("contact honeypot filled", "client", client)
		http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
		return
	}

	// The captcha: the form's own challenge (the page, or the widget with
	// JavaScript), else the one the widget's image set in a cookie.
	id := r.PostForm.Get("captcha_id")
	if id == "" {
		if c, err := r.Cookie(captchaCookie); err == nil {
			id = c.Value
		}
	}
	answer := r.PostForm.Get("captcha")
	if len(answer) > maxCaptchaAnswer {
		answer = answer[:maxCaptchaAnswer]
	}
	var issued time.Time
	if id != "" {
		if c, err := s.Captcha.Store.FindChallenge(ctx, id); err == nil {
			issued = c.CreatedAt
		}
	}
	solved, err := s.Captcha.Verify(ctx, id, answer) // burns the challenge, right or wrong
	if err != nil {
		logger.Error("captcha check failed", slog.Any("error", err))
		page.Errors["form"] = "We could not check the characters just now. Please try again in a moment."
		s.renderContact(w, r, http.StatusServiceUnavailable, page)
		return
	}
	clearCaptchaCookie(w, r)
	switch {
	case strings.TrimSpace(answer) == "":
		page.Errors["captcha"] = "Please type the characters shown in the image."
	case !solved || issued.IsZero():
		page.Errors["captcha"] = "The characters did not match, or they had expired. Please type the new ones."
	case s.Contact.minFill() > 0 && s.captchaNow().Sub(issued) < s.Contact.minFill():
		logger.Warn("contact form sent too quickly", "client", client)
		page.Errors["form"] = "That was very quick. Please check your message and send it again."
	}
	if len(page.Errors) > 0 {
		s.renderContact(w, r, http.StatusUnprocessableEntity, page)
		return
	}

	m := &byline.Message{Name: form.Name, Email: form.Email, Subject: form.Subject, Body: form.Body}
	m.Normalize()
	if p := m.Problems(); p != nil {
		page.Errors = p
		s.renderContact(w, r, http.StatusUnprocessableEntity, page)
		return
	}
	if ok, retry := s.allow(w, r, "contact:email:"+strings.ToLower(m.Email), s.Contact.perEmail()); !ok {
		logger.Warn("contact rate limited by email", "client", client, "retry_after", retry.String())
		page.Errors["form"] = tooMany(retry)
		s.renderContact(w, r, http.StatusTooManyRequests, page)
		return
	}
	if err := s.Messages.Create(ctx, m); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			page.Errors["form"] = byline.ErrorMessage(err)
			s.renderContact(w, r, http.StatusUnprocessableEntity, page)
			return
		}
		// Not committed: say so and keep the text, so nothing is lost.
		logger.Error("contact message not saved", slog.Any("error", err))
		page.Errors["form"] = "We could not save your message just now. Please try again in a moment; your text is kept below."
		s.renderContact(w, r, http.StatusServiceUnavailable, page)
		return
	}
	logger.Info("contact message received", "message_id", m.ID)
	if s.MessageSent != nil {
		s.MessageSent()
	}
	http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
}

// allow counts one event against rate for key. A failing limiter lets the
// event through: the captcha still guards the form, and a reader is never
// refused because a counter could not be written. When refused, it sets
// Retry-After.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, key string, rate Rate) (bool, time.Duration) {
	if s.Limiter == nil {
		return true, 0
	}
	ok, retry, err := s.Limiter.Allow(r.Context(), key, rate.Limit, rate.Window)
	if err != nil {
		s.Logger.Error("rate limiter failed", slog.Any("error", err), "request_id", requestID(r.Context()))
		return true, 0
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	}
	return ok, retry
}

// tooMany says, for a reader refused by a rate limit, when to try again.
func tooMany(retry time.Duration) string {
	return "You have sent several messages in a short time. Please try again in " + inWords(retry) + "; your text is kept below."
}

// inWords rounds d up to whole seconds or minutes, in words.
func inWords(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int((d+time.Second-1)/time.Second))
	}
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}

// captchaNow is the captcha's clock, which stamped the challenges.
func (s *Server) captchaNow() time.Time {
	if s.Captcha.Now != nil {
		return s.Captcha.Now()
	}
	return time.Now()
}

// renderContact renders the Contact Us page with status, issuing a fresh
// captcha for the form unless the page is the thanks.
func (s *Server) renderContact(w http.ResponseWriter, r *http.Request, status int, page contactPage) {
	l, err := s.newLayout(r, "Contact Us", 0)
	if err != nil {
		l = s.bareLayout(r, "Contact Us")
	}
	l.Canonical = "/contact"
	page.layout = l
	if page.Errors == nil {
		page.Errors = map[string]string{}
	}
	if !page.Sent && page.Captcha == nil {
		if ok, retry := s.allow(w, r, "captcha:ip:"+s.Contact.clientKey(r), s.Contact.captchas()); !ok {
			page.Errors["captcha"] = "Too many captchas were asked for from your network. Please try again in " + inWords(retry) + "; your text is kept."
			if status < 400 {
				status = http.StatusTooManyRequests
			}
		} else if c, err := s.Captcha.Issue(r.Context()); err != nil {
			s.Logger.Error("captcha issue failed", slog.Any("error", err), "request_id", requestID(r.Context()))
			page.Errors["captcha"] = "The captcha could not be shown just now. Please try again in a moment; your text is kept."
		} else {
			page.Captcha = newCaptchaView(c.ID)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "contact", page)
}

// clientKey returns the key the client is counted under: its IPv4
// address, or its IPv6 /64 (one subscriber's usual share), taken from
// X-Forwarded-For only behind a trusted proxy.
func (p *ContactPolicy) clientKey(r *http.Request) string {
	addr := p.clientAddr(r)
	if !addr.IsValid() {
		return "unknown"
	}
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
}

func (p *ContactPolicy) clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := ap.Addr().Unmap()
	if !p.trusted(addr) {
		return addr
	}
	// Walk X-Forwarded-For from the right, past our own proxies: the first
	// address not ours is the client, whatever it wrote further left.
	var hops []string
	for _, h := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(h, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return addr
		}
		addr = hop.Unmap()
		if !p.trusted(addr) {
			return addr
		}
	}
	return addr
}

func (p *ContactPolicy) trusted(a netip.Addr) bool {
	for _, pr := range p.TrustedProxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}
