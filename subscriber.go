package byline

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SubscriberStatus is where a newsletter reader stands.
type SubscriberStatus string

// Subscriber statuses. A reader who signs up is pending until they follow
// the confirmation link; only active subscribers are mailed.
const (
	SubscriberPending      SubscriberStatus = "pending"
	SubscriberActive       SubscriberStatus = "active"
	SubscriberUnsubscribed SubscriberStatus = "unsubscribed"
	SubscriberBounced      SubscriberStatus = "bounced"
)

// Valid reports whether s is one of the known subscriber statuses.
func (s SubscriberStatus) Valid() bool {
	switch s {
	case SubscriberPending, SubscriberActive, SubscriberUnsubscribed, SubscriberBounced:
		return true
	}
	return false
}

// Subscriber is a reader on the mailing list: their address and the
// newsletters they confirmed.
type Subscriber struct {
	ID          int64
	Email       string // lower case
	Name        string // optional
	Status      SubscriberStatus
	Newsletters []int64 // the newsletters they get, by ID, ascending

	ConsentAt    time.Time // when they agreed to be mailed (a confirmation, or the importer's date)
	ConfirmedAt  time.Time // zero until confirmed
	CreatedAt    time.Time
	HardFailures int // permanent delivery failures in a row
}

// DefaultConfirmationTTL is how long a confirmation link works.
const DefaultConfirmationTTL = 48 * time.Hour

// CheckSubscriberEmail trims and lower-cases an address and checks that it is a
// bare address (name@example.com) with no control characters, display
// name or list, which could smuggle headers or extra recipients. It
// returns an error of kind Invalid otherwise.
func CheckSubscriberEmail(email string) (string, error) {
	email = NormalizeEmail(email)
	switch {
	case email == "":
		return "", Errorf(Invalid, "Please give an email address.")
	case !utf8.ValidString(email) || hasControl(email):
		return "", Errorf(Invalid, "An email address cannot contain line breaks or control characters.")
	case len(email) > MaxMessageEmailLen:
		return "", Errorf(Invalid, "This email address is too long.")
	case !plainAddress(email):
		return "", Errorf(Invalid, "%q does not look like an email address (name@example.com).", email)
	}
	return email, nil
}

// CheckSubscriberName checks a subscriber's optional name, which goes in
// the To header of every email: no line breaks or control characters.
func CheckSubscriberName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case !utf8.ValidString(name) || hasControl(name):
		return "", Errorf(Invalid, "A name cannot contain line breaks or control characters.")
	case utf8.RuneCountInString(name) > MaxMessageNameLen:
		return "", Errorf(Invalid, "The name is longer than %d characters.", MaxMessageNameLen)
	}
	return name, nil
}

// NewToken returns a fresh random token for a link and the SHA-256 of it,
// which is all the database keeps: a copy of the database does not hold a
// working link.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 24)
	rand.Read(b) // never fails (crypto/rand)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of a token, as stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Link purposes signed into a subscriber's links, so a signature for one
// cannot be used for another.
const (
	LinkPreferences = "preferences"
	LinkUnsubscribe = "unsubscribe"
)

// SignSubscriber returns the signature of a subscriber's link for purpose
// (and newsletter, 0 for all), an HMAC-SHA256 under key, in hex. Links in
// emails carry it so a reader reaches their preferences without signing
// in, and nobody can reach another's by changing the ID.
func SignSubscriber(key []byte, purpose string, subscriberID, newsletterID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + ":" + strconv.FormatInt(subscriberID, 10) + ":" + strconv.FormatInt(newsletterID, 10)))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// VerifySubscriber reports whether sig is SignSubscriber's signature of the
// same link, in constant time.
func VerifySubscriber(key []byte, purpose string, subscriberID, newsletterID int64, sig string) bool {
	want := SignSubscriber(key, purpose, subscriberID, newsletterID)
	return len(key) > 0 && hmac.Equal([]byte(want), []byte(sig))
}

// SubscriberService keeps the mailing list. Implementations are safe for
// concurrent use.
type SubscriberService interface {
	// Subscribe records a request to send the newsletters (by ID) to email:
	// a pending subscriber when the address is new, a confirmation that
	// expires after ttl (its token stored only hashed), and its email
	// queued in the outbox, all in one transaction. An address already on
	// the list gets a confirmation too, and nothing changes until it is
	// followed, so nobody can change another's subscriptions. It returns
	// Invalid for a bad address or name, no newsletter or an unknown one.
	Subscribe(ctx context.Context, email, name string, newsletterIDs []int64, ttl time.Duration) error

	// Confirm follows a confirmation link: the subscriber becomes active
	// with the newsletters it named, and the token is used up. It returns
	// NotFound for a token unknown, used or expired.
	Confirm(ctx context.Context, token string) (*Subscriber, error)

	// FindByID returns a subscriber, or NotFound.
	FindByID(ctx context.Context, id int64) (*Subscriber, error)

	// Find returns the subscribers matching f, by address, and how many
	// match in all, ignoring f.Limit and f.Offset.
	Find(ctx context.Context, f SubscriberFilter) ([]*Subscriber, int, error)

	// SetNewsletters replaces what an active subscriber gets (the
	// preferences page); an empty list unsubscribes them. A subscriber
	// who had unsubscribed and picks newsletters again is active again.
	// It returns NotFound for an unknown ID and Invalid for an unknown
	// newsletter or a subscriber who never confirmed or bounced.
	SetNewsletters(ctx context.Context, id int64, newsletterIDs []int64) error

	// Unsubscribe takes the subscriber off one newsletter, or off every
	// one when newsletterID is 0 (then they are unsubscribed). Undelivered
	// emails to them of that newsletter are cancelled. Unsubscribing twice
	// is not an error; an unknown ID is NotFound.
	Unsubscribe(ctx context.Context, id, newsletterID int64) error

	// Delete removes the subscriber and everything that holds their
	// address: subscriptions, confirmations and their outbox entries.
	// It returns NotFound for an unknown ID.
	Delete(ctx context.Context, id int64) error

	// Import adds or updates the subscribers in one transaction: all or
	// nothing. An address already on the list keeps what it has and gains
	// the newsletters; Confirmed ones become active, others are pending
	// and not mailed until they confirm. It returns Invalid naming the
	// first bad entry (by its Line) and then stores nothing.
	Import(ctx context.Context, subs []SubscriberImport) (created, updated int, err error)

	// SigningKey returns the key the links in emails are signed with,
	// making it on first use. It lives in the database, so every instance
	// signs and checks with the same one.
	SigningKey(ctx context.Context) ([]byte, error)
}

// SubscriberFilter selects subscribers. Zero fields do not filter; a Limit
// of 0 means no limit.
type SubscriberFilter struct {
	Search       string // part of the address or name
	Status       *SubscriberStatus
	NewsletterID int64
	Limit        int
	Offset       int
}

// SubscriberImport is one subscriber from an import, such as a CSV row.
type SubscriberImport struct {
	Line        int // where it came from, for errors
	Email       string
	Name        string
	Newsletters []int64
	ConsentAt   time.Time // required: when they agreed to be mailed
	Confirmed   bool      // the importer vouches that they confirmed
}

// Check normalizes the entry and returns an Invalid error naming its line
// when it is not acceptable.
func (s *SubscriberImport) Check() error {
	var err error
	if s.Email, err = CheckSubscriberEmail(s.Email); err != nil {
		return Errorf(Invalid, "Line %d: %s", s.Line, ErrorMessage(err))
	}
	if s.Name, err = CheckSubscriberName(s.Name); err != nil {
		return Errorf(Invalid, "Line %d: %s", s.Line, ErrorMessage(err))
	}
	if s.ConsentAt.IsZero() {
		return Errorf(Invalid, "Line %d: the consent date is missing: a subscriber must have agreed to be mailed.", s.Line)
	}
	if len(s.Newsletters) == 0 {
		return Errorf(Invalid, "Line %d: no newsletter named.", s.Line)
	}
	return nil
}

// MaxImportErrors is how many bad entries an import lists before it stops.
const MaxImportErrors = 20

// CheckImport checks (and normalizes) every entry, and returns an Invalid
// error listing the bad ones by line, or nil. An address twice in the same
// import is an error too: it says the file is not what its author thinks.
func CheckImport(subs []SubscriberImport) error {
	var bad []string
	seen := map[string]int{}
	for i := range subs {
		if err := subs[i].Check(); err != nil {
			bad = append(bad, ErrorMessage(err))
		} else if first, ok := seen[subs[i].Email]; ok {
			bad = append(bad, fmt.Sprintf("Line %d: %s is already on line %d.", subs[i].Line, subs[i].Email, first))
		} else {
			seen[subs[i].Email] = subs[i].Line
		}
		if len(bad) == MaxImportErrors {
			bad = append(bad, "…")
			break
		}
	}
	if len(bad) > 0 {
		return Errorf(Invalid, "%d bad line(s), nothing imported:\n%s", len(bad), strings.Join(bad, "\n"))
	}
	return nil
}
