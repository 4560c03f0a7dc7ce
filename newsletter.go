package byline

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Newsletter is one mailing of the site that readers choose, such as a
// daily briefing or one per section.
type Newsletter struct {
	ID          int64
	Slug        string
	Name        string
	Description string
	CreatedAt   time.Time

	Subscribers int // active subscribers, as counted by List
}

// Validate trims the fields, makes the slug from the name when empty, and
// returns an Invalid error naming the first problem.
func (n *Newsletter) Validate() error {
	n.Name = strings.TrimSpace(n.Name)
	n.Description = strings.TrimSpace(n.Description)
	if n.Slug == "" {
		n.Slug = Slugify(n.Name)
	}
	switch {
	case n.Name == "":
		return Errorf(Invalid, "A newsletter needs a name.")
	case !utf8.ValidString(n.Name) || hasControl(n.Name):
		return Errorf(Invalid, "A newsletter's name cannot contain line breaks or control characters.")
	case utf8.RuneCountInString(n.Name) > MaxSettingRunes:
		return Errorf(Invalid, "A newsletter's name is longer than %d characters.", MaxSettingRunes)
	case utf8.RuneCountInString(n.Description) > MaxDescriptionLen || !utf8.ValidString(n.Description):
		return Errorf(Invalid, "A newsletter's description is longer than %d characters.", MaxDescriptionLen)
	case n.Slug == "" || Slugify(n.Slug) != n.Slug:
		return Errorf(Invalid, "The slug %q is not a slug (lower-case words joined by hyphens).", n.Slug)
	}
	return nil
}

// Send is one article emailed to a newsletter's subscribers, or to one
// address as a test.
type Send struct {
	ID           int64
	NewsletterID int64
	ArticleID    int64
	TestTo       string // set for a test send to this one address
	CreatedAt    time.Time

	Progress SendProgress
}

// SendProgress counts a send's emails by where they stand.
type SendProgress struct {
	Queued    int // all of them
	Pending   int // waiting, or being tried again after a temporary failure
	Sending   int // handed to the SMTP server, its answer not yet recorded
	Sent      int
	Failed    int // given up: a permanent failure or too many attempts
	Cancelled int // the subscriber left before their turn
	LastError string
}

// Done reports whether no email of the send is left to try.
func (p SendProgress) Done() bool { return p.Pending == 0 && p.Sending == 0 }

// NewsletterService keeps the newsletters and their sends. Implementations
// are safe for concurrent use.
type NewsletterService interface {
	// Create validates and stores a newsletter, setting its ID. It
	// returns Conflict for a slug taken.
	Create(ctx context.Context, n *Newsletter) error

	// List returns every newsletter, by name, with its count of active
	// subscribers.
	List(ctx context.Context) ([]*Newsletter, error)

	// FindByID returns a newsletter, or NotFound.
	FindByID(ctx context.Context, id int64) (*Newsletter, error)

	// Queue stores s and, in the same transaction, one outbox entry per
	// recipient: each active subscriber of the newsletter, or s.TestTo
	// alone. It sets s.ID, s.CreatedAt and s.Progress. It returns NotFound
	// for an unknown newsletter or article and Invalid for a bad TestTo.
	Queue(ctx context.Context, s *Send) error

	// FindSend returns a send with its progress, or NotFound.
	FindSend(ctx context.Context, id int64) (*Send, error)

	// Sends returns the latest sends, newest first, with their progress.
	Sends(ctx context.Context, limit int) ([]*Send, error)
}

// DeliveryKind is what an outbox entry of the mailing list emails.
type DeliveryKind string

// Delivery kinds.
const (
	DeliveryConfirm DeliveryKind = "confirm" // the confirmation link of a sign-up
	DeliveryIssue   DeliveryKind = "issue"   // an article sent to a subscriber
	DeliveryTest    DeliveryKind = "test"    // an article sent to an editor first
)

// Delivery is one email of the mailing list's outbox, claimed for sending.
type Delivery struct {
	ID           int64
	Kind         DeliveryKind
	SendID       int64 // 0 for a confirmation
	NewsletterID int64 // 0 for a confirmation
	ArticleID    int64 // 0 for a confirmation
	SubscriberID int64 // 0 for a test
	To           string
	ToName       string
	Token        string // a confirmation's link token, kept only until it is delivered
	Attempts     int    // including this one
}

// NewsletterOutbox is the mailing list's delivery queue: one entry per
// email. A worker claims due entries, marks each handed over just before
// the SMTP server takes the end of its data, and records the answer.
// Because the mark is committed before the server can accept the email, a
// worker that dies at any point leaves each entry either unsent and due
// again when its lease runs out, or marked handed over: nobody is mailed
// twice. Implementations are safe for concurrent use.
type NewsletterOutbox interface {
	// ClaimDeliveries leases up to limit due entries to the caller for
	// lease, oldest first, and increments their attempts. Entries whose
	// subscriber has since left (unsubscribed, bounced, deleted, or off
	// that newsletter) are cancelled instead. On PostgreSQL the rows are
	// taken with FOR UPDATE SKIP LOCKED, so instances claiming at once
	// get different entries.
	ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*Delivery, error)

	// MarkHandedOver records that the emails are about to be accepted by
	// the SMTP server; from then on they are never claimed again. It
	// returns the IDs it marked: an entry whose claim was lost (its lease
	// ran out and another worker holds it) or that was cancelled meanwhile
	// is left alone, and must not be sent.
	MarkHandedOver(ctx context.Context, claims []DeliveryClaim) ([]int64, error)

	// MarkDelivered records the server's acceptance and forgets any
	// confirmation token the entries held.
	MarkDelivered(ctx context.Context, ids []int64) error

	// MarkDeliveryFailed records a failed attempt: tried again at retryAt,
	// or given up when retryAt is zero. A permanent failure (hard) counts
	// against the subscriber, who is marked bounced after bounceAfter in a
	// row (0: never); a delivery counts them back to zero.
	// It returns NotFound if the claim was lost.
	MarkDeliveryFailed(ctx context.Context, c DeliveryClaim, lastError string, retryAt time.Time, hard bool, bounceAfter int) error
}

// DeliveryClaim is one claim on an entry: its ID and the attempt the
// claim made. An entry claimed again after its lease ran out has a higher
// attempt, so the old claim's marks no longer apply to it.
type DeliveryClaim struct {
	ID       int64
	Attempts int
}

// Claim returns the claim d was handed out under.
func (d *Delivery) Claim() DeliveryClaim { return DeliveryClaim{ID: d.ID, Attempts: d.Attempts} }
