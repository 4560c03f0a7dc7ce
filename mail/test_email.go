package mail

import (
	"context"
	"errors"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/bylinenews/byline"
)

// SendTest emails a short test message from the Sender's From address to
// its recipients, for an admin checking the settings, and returns the SMTP
// server's reply to it ("250 2.0.0 OK queued as …"). On failure the error
// carries the server's reply, or why it could not be reached.
func (s *Sender) SendTest(ctx context.Context, site string, now time.Time) (string, error) {
	if err := s.Check(); err != nil {
		return "", err
	}
	msg, err := s.newMsg(site)
	if err != nil {
		return "", err
	}
	msg.Subject(s.SubjectPrefix + "Test email from " + site)
	msg.SetDateWithValue(now)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, "This is a test email from "+site+"'s newsroom, sent "+now.UTC().Format("Jan 2, 2006 15:04 UTC")+
		".\n\nReaders' messages from the Contact Us form will reach this address the same way.\n")
	if err := s.deliver(ctx, msg); err != nil {
		return "", err
	}
	return msg.ServerResponse(), nil
}

// Current finds the SMTP server to send with now, as [Worker.Configure]
// does: nil when none is set. Its methods answer the newsroom's email
// status banner and its test button.
type Current func(ctx context.Context) (*Sender, error)

// Configured reports whether an SMTP server is set.
func (c Current) Configured(ctx context.Context) (bool, error) {
	s, err := c(ctx)
	return s != nil, err
}

// SendTest sends a test email through the current server and returns its
// reply; with none set it returns an error saying so.
func (c Current) SendTest(ctx context.Context, site string, now time.Time) (string, error) {
	s, err := c(ctx)
	if err != nil {
		return "", err
	}
	if s == nil {
		return "", errNoServer
	}
	return s.SendTest(ctx, site, now)
}

var errNoServer = errors.New("no SMTP server is set")

// FromSettings returns the Sender the newsroom's settings name, or nil if
// they name no SMTP host. It does not check them; call [Sender.Check].
func FromSettings(st *byline.Settings, subjectPrefix string) *Sender {
	if st.SMTP.Host == "" {
		return nil
	}
	return &Sender{
		Host: st.SMTP.Host, Port: st.SMTP.Port, Security: st.SMTP.Security,
		Username: st.SMTP.Username, Password: st.SMTP.Password, From: st.SMTP.From,
		To: st.ContactRecipients, SubjectPrefix: subjectPrefix,
	}
}
