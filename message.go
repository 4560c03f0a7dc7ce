package byline

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on a reader's message, in characters. The web form enforces the
// same numbers (and a byte limit on the whole request) before these run.
const (
	MaxMessageNameLen    = 100
	MaxMessageEmailLen   = 254 // RFC 5321's limit on a forward path
	MaxMessageSubjectLen = 200
	MaxMessageBodyLen    = 5000
)

// InboxStatus is where a message stands in the editors' inbox.
type InboxStatus string

// Inbox statuses. Every message arrives unread.
const (
	Unread   InboxStatus = "unread"
	Read     InboxStatus = "read"
	Archived InboxStatus = "archived"
	Spam     InboxStatus = "spam"
)

// Valid reports whether s is one of the known inbox statuses.
func (s InboxStatus) Valid() bool {
	switch s {
	case Unread, Read, Archived, Spam:
		return true
	}
	return false
}

// DeliveryStatus is where a message stands in the outbox that emails it to
// the editors.
type DeliveryStatus string

// Delivery statuses. A message starts pending. After an attempt it is sent,
// or failed with the error of that attempt; a failed message with a
// NextAttemptAt is tried again then, one without has been given up.
const (
	DeliveryPending DeliveryStatus = "pending"
	DeliverySent    DeliveryStatus = "sent"
	DeliveryFailed  DeliveryStatus = "failed"
)

// Valid reports whether s is one of the known delivery statuses.
func (s DeliveryStatus) Valid() bool {
	switch s {
	case DeliveryPending, DeliverySent, DeliveryFailed:
		return true
	}
	return false
}

// Message is what a reader sent through the Contact Us form. It is kept in
// the database whether or not it could be emailed.
type Message struct {
	ID      int64
	Name    string
	Email   string
	Subject string // optional
	Body    string

	CreatedAt time.Time
	Status    InboxStatus

	Delivery      DeliveryStatus
	Attempts      int       // delivery attempts started so far
	LastError     string    // the error of the last failed attempt, "" if none
	NextAttemptAt time.Time // when the outbox tries next; zero once sent or given up
	SentAt        time.Time // zero until sent
}

// Normalize trims the fields and turns CRLF and CR line ends in the body into
// LF, so that what is stored is what is validated.
func (m *Message) Normalize() {
	m.Name = strings.TrimSpace(m.Name)
	m.Email = strings.TrimSpace(m.Email)
	m.Subject = strings.TrimSpace(m.Subject)
	m.Body = strings.ReplaceAll(m.Body, "\r\n", "\n")
	m.Body = strings.ReplaceAll(m.Body, "\r", "\n")
	m.Body = strings.TrimSpace(m.Body)
}

// Problems returns, for each field that is not acceptable, a message for
// the reader, keyed by the field's name: "name", "email", "subject" or
// "body". It returns nil if the message is acceptable. Call Normalize first.
//
// Name, email and subject end up in the header of the email sent to the
// editors, so a line break or any other control character in them is
// refused rather than cleaned: it is how header injection is attempted.
func (m *Message) Problems() map[string]string {
	p := map[string]string{}
	switch {
	case m.Name == "":
		p["name"] = "Please tell us your name."
	case !utf8.ValidString(m.Name) || hasControl(m.Name):
		p["name"] = "Your name cannot contain line breaks or control characters."
	case utf8.RuneCountInString(m.Name) > MaxMessageNameLen:
		p["name"] = fmt.Sprintf("Your name is too long (at most %d characters).", MaxMessageNameLen)
	}
	switch {
	case m.Email == "":
		p["email"] = "Please give an email address so we can answer."
	case !utf8.ValidString(m.Email) || hasControl(m.Email):
		p["email"] = "An email address cannot contain line breaks or control characters."
	case len(m.Email) > MaxMessageEmailLen:
		p["email"] = "This email address is too long."
	case !plainAddress(m.Email):
		p["email"] = "This does not look like an email address (name@example.com)."
	}
	switch {
	case !utf8.ValidString(m.Subject) || hasControl(m.Subject):
		p["subject"] = "The subject cannot contain line breaks or control characters."
	case utf8.RuneCountInString(m.Subject) > MaxMessageSubjectLen:
		p["subject"] = fmt.Sprintf("The subject is too long (at most %d characters).", MaxMessageSubjectLen)
	}
	switch {
	case m.Body == "":
		p["body"] = "Please write a message."
	case !utf8.ValidString(m.Body) || hasControlExceptLayout(m.Body):
		p["body"] = "The message contains characters we cannot accept."
	case utf8.RuneCountInString(m.Body) > MaxMessageBodyLen:
		p["body"] = fmt.Sprintf("The message is too long (at most %d characters).", MaxMessageBodyLen)
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// Validate returns an error of kind Invalid naming the first problem found
// (in the order name, email, subject, body), or nil.
func (m *Message) Validate() error {
	p := m.Problems()
	for _, field := range []string{"name", "email", "subject", "body"} {
		if msg, ok := p[field]; ok {
			return Errorf(Invalid, "%s", msg)
		}
	}
	return nil
}

// plainAddress reports whether s is a bare address (local@domain) with no
// display name, comments, angle brackets or list.
func plainAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " <>,;\"()")
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, isControl) >= 0
}

func hasControlExceptLayout(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && r != '\t' && isControl(r)
	}) >= 0
}

// isControl is true for C0 and C1 controls and for the Unicode line and
// paragraph separators, which some mail software treats as line breaks.
func isControl(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// MessageService keeps the messages readers send. Implementations are safe
// for concurrent use.
type MessageService interface {
	// Create validates m (after normalizing it) and stores it, unread and
	// pending delivery, due for delivery at once. It sets m.ID,
	// m.CreatedAt and the status fields. When it returns nil the message
	// is committed. It returns an error of kind Invalid if m is not
	// acceptable.
	Create(ctx context.Context, m *Message) error

	// FindByID returns the message with the given ID, or an error of kind
	// NotFound.
	FindByID(ctx context.Context, id int64) (*Message, error)

	// Find returns the messages matching f, newest first, and how many
	// match in all, ignoring f.Limit and f.Offset.
	Find(ctx context.Context, f MessageFilter) ([]*Message, int, error)

	// SetStatus moves a message in the inbox. It returns NotFound for an
	// unknown ID and Invalid for an unknown status.
	SetStatus(ctx context.Context, id int64, status InboxStatus) error

	// Delete removes a message for good. It returns NotFound for an
	// unknown ID.
	Delete(ctx context.Context, id int64) error
}

// MessageFilter selects messages. Nil fields do not filter; a Limit of 0
// means no limit.
type MessageFilter struct {
	Status   *InboxStatus
	Delivery *DeliveryStatus
	Since    *time.Time // created at or after
	Limit    int
	Offset   int
}

// Outbox is the delivery queue over the stored messages: the outbox worker
// claims the messages that are due, tries to email each, and records the
// outcome. The state lives with the messages, so a restart loses nothing
// and several workers can share one queue. Implementations are safe for
// concurrent use.
type Outbox interface {
	// ClaimDue returns up to limit messages, oldest first, that are
	// pending or failed and whose NextAttemptAt has passed. Each claimed
	// message has its Attempts incremented and its NextAttemptAt moved
	// lease into the future, in the same transaction, so that no other
	// worker claims it meanwhile and, should this worker die, it becomes
	// due again once the lease runs out.
	ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]*Message, error)

	// MarkSent records that the message was emailed. It returns NotFound
	// for an unknown ID.
	MarkSent(ctx context.Context, id int64) error

	// MarkFailed records that an attempt failed with the given error text.
	// The message is tried again at retryAt, or never if retryAt is zero.
	// It returns NotFound for an unknown ID.
	MarkFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error
}

// RateLimiter counts events per key in fixed windows, in shared storage, so
// that every instance sees the same counts. Implementations are safe for
// concurrent use.
type RateLimiter interface {
	// Allow counts one event for key and reports whether it is within
	// limit events per window. When it is not, retryAfter is how long
	// until the current window ends (at least one second). Refused events
	// are counted too, so hammering does not open the gate sooner.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (allowed bool, retryAfter time.Duration, err error)
}
