package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// submitContact receives the form, from the page or from the widget on
// every other page. Each refusal shows the form again with what the reader
// typed and a fresh captcha; success is committed before the 303 to the
// thanks.
func (s *Server) submitContact(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	c := contactSubmission{client: s.clientKey(r), logger: s.Logger.With("request_id", requestID(r.Context()))}
	form, no := s.readContactForm(w, r, c)
	page := contactPage{Form: form, Errors: map[string]string{}}
	if no != nil {
		s.refuseContact(w, r, page, no)
		return
	}
	// "Not readable? Change text." without JavaScript: the same form back
	// with new characters.
	if r.PostForm.Get("change") != "" {
		page.Notice = "Here are new characters to type."
		s.renderContact(w, r, http.StatusOK, page)
		return
	}
	if no := s.limitContact(w, r, c, "contact:ip:"+c.client, s.Contact.perIP(), "contact rate limited"); no != nil {
		s.refuseContact(w, r, page, no)
		return
	}
	// The honeypot is a field people never see; robots fill it. They are
	// thanked like anyone, so they learn nothing, and nothing is kept.
	if r.PostForm.Get("homepage") != "" {
		c.logger.Warn("contact honeypot filled", "client", c.client)
		http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
		return
	}
	if no := s.checkContactCaptcha(w, r, c); no != nil {
		s.refuseContact(w, r, page, no)
		return
	}
	m, no := newContactMessage(form)
	if no == nil {
		no = s.limitContact(w, r, c, "contact:email:"+strings.ToLower(m.Email), s.Contact.perEmail(), "contact rate limited by email")
	}
	if no == nil {
		no = s.storeContactMessage(r, c, m)
	}
	if no != nil {
		s.refuseContact(w, r, page, no)
		return
	}
	http.Redirect(w, r, "/contact?sent=1", http.StatusSeeOther)
}

// contactSubmission is who sent the form: the client's key, for the rate
// limits and the log, and a logger with the request's ID.
type contactSubmission struct {
	client string
	logger *slog.Logger
}

// contactRefusal is why a step turned the form down: the status, and the
// messages by field ("form" for the whole).
type contactRefusal struct {
	status int
	errors map[string]string
}

func refusal(status int, field, message string) *contactRefusal {
	return &contactRefusal{status: status, errors: map[string]string{field: message}}
}

// refuseContact shows the form again, as the reader sent it, with why it
// was refused.
func (s *Server) refuseContact(w http.ResponseWriter, r *http.Request, page contactPage, no *contactRefusal) {
	for field, message := range no.errors {
		page.Errors[field] = message
	}
	s.renderContact(w, r, no.status, page)
}

// readContactForm reads the form, at most Contact.MaxBody bytes of it.
func (s *Server) readContactForm(w http.ResponseWriter, r *http.Request, c contactSubmission) (contactForm, *contactRefusal) {
	r.Body = http.MaxBytesReader(w, r.Body, s.Contact.maxBody())
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.logger.Warn("contact form too large", "client", c.client, "limit", tooBig.Limit)
			return contactForm{}, refusal(http.StatusRequestEntityTooLarge, "form",
				fmt.Sprintf("What you sent was too large for us to receive (over %d KB). Please shorten your message.", s.Contact.maxBody()>>10))
		}
		return contactForm{}, refusal(http.StatusBadRequest, "form", "We could not read the form. Please try again.")
	}
	f := r.PostForm
	return contactForm{Name: f.Get("name"), Email: f.Get("email"), Subject: f.Get("subject"), Body: f.Get("body")}, nil
}

// limitContact counts the submission against rate for key; event is the
// log line when it is refused.
func (s *Server) limitContact(w http.ResponseWriter, r *http.Request, c contactSubmission, key string, rate Rate, event string) *contactRefusal {
	ok, retry := s.allow(w, r, key, rate)
	if ok {
		return nil
	}
	c.logger.Warn(event, "client", c.client, "retry_after", retry.String())
	return refusal(http.StatusTooManyRequests, "form",
		"You have sent several messages in a short time. Please try again in "+inWords(retry)+"; your text is kept below.")
}

// checkContactCaptcha checks the answer to the form's captcha: the form's
// own challenge (the page, or the widget with JavaScript), else the one the
// widget's image set in a cookie. Right or wrong, the challenge is used up.
// A form sent sooner after its challenge than Contact.MinFill is a robot's.
func (s *Server) checkContactCaptcha(w http.ResponseWriter, r *http.Request, c contactSubmission) *contactRefusal {
	ctx := r.Context()
	id := r.PostForm.Get("captcha_id")
	if id == "" {
		if ck, err := r.Cookie(captchaCookie); err == nil {
			id = ck.Value
		}
	}
	answer := r.PostForm.Get("captcha")
	if len(answer) > maxCaptchaAnswer {
		answer = answer[:maxCaptchaAnswer]
	}
	var issued time.Time
	if id != "" {
		if ch, err := s.Captcha.Store.FindChallenge(ctx, id); err == nil {
			issued = ch.CreatedAt
		}
	}
	solved, err := s.Captcha.Verify(ctx, id, answer)
	if err != nil {
		c.logger.Error("captcha check failed", slog.Any("error", err))
		return refusal(http.StatusServiceUnavailable, "form", "We could not check the characters just now. Please try again in a moment.")
	}
	clearCaptchaCookie(w, r)
	switch {
	case strings.TrimSpace(answer) == "":
		return refusal(http.StatusUnprocessableEntity, "captcha", "Please type the characters shown in the image.")
	case !solved || issued.IsZero():
		return refusal(http.StatusUnprocessableEntity, "captcha", "The characters did not match, or they had expired. Please type the new ones.")
	case s.Contact.minFill() > 0 && s.captchaNow().Sub(issued) < s.Contact.minFill():
		c.logger.Warn("contact form sent too quickly", "client", c.client)
		return refusal(http.StatusUnprocessableEntity, "form", "That was very quick. Please check your message and send it again.")
	}
	return nil
}

// newContactMessage makes the message of the form, refused with a message
// per field at fault.
func newContactMessage(f contactForm) (*byline.Message, *contactRefusal) {
	m := &byline.Message{Name: f.Name, Email: f.Email, Subject: f.Subject, Body: f.Body}
	m.Normalize()
	if p := m.Problems(); p != nil {
		return nil, &contactRefusal{status: http.StatusUnprocessableEntity, errors: p}
	}
	return m, nil
}

// storeContactMessage commits the message and wakes the outbox. If it
// cannot, the reader is told so, with their text kept, so nothing is lost.
func (s *Server) storeContactMessage(r *http.Request, c contactSubmission, m *byline.Message) *contactRefusal {
	if err := s.Messages.Create(r.Context(), m); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			return refusal(http.StatusUnprocessableEntity, "form", byline.ErrorMessage(err))
		}
		c.logger.Error("contact message not saved", slog.Any("error", err))
		return refusal(http.StatusServiceUnavailable, "form",
			"We could not save your message just now. Please try again in a moment; your text is kept below.")
	}
	c.logger.Info("contact message received", "message_id", m.ID)
	if s.MessageSent != nil {
		s.MessageSent()
	}
	return nil
}
