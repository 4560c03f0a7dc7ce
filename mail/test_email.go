package mail

import (
	"context"
	"time"

	gomail "github.com/wneessen/go-mail"
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
