package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bylinenews/byline"
)

var (
	_ byline.NewsletterService = (*NewsletterService)(nil)
	_ byline.NewsletterOutbox  = (*NewsletterService)(nil)
)

// NewsletterService implements byline.NewsletterService and the mailing
// list's outbox on SQLite. A claim is a write transaction, and SQLite has
// one writer at a time, so two workers never claim the same entry.
type NewsletterService struct {
	db *DB
}

// NewNewsletterService returns the newsletter service of db.
func NewNewsletterService(db *DB) *NewsletterService { return &NewsletterService{db: db} }

// Create stores a newsletter.
func (s *NewsletterService) Create(ctx context.Context, n *byline.Newsletter) error {
	if err := n.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO newsletters (slug, name, description, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			n.Slug, n.Name, n.Description, now.UnixMilli()).Scan(&n.ID)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "A newsletter with the slug %q exists already.", n.Slug)
		} else if err != nil {
			return fmt.Errorf("insert newsletter: %w", err)
		}
		n.CreatedAt = now
		return nil
	})
}

const newsletterSelect = `SELECT n.id, n.slug, n.name, n.description, n.created_at,
	(SELECT count(*) FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
	 WHERE sub.newsletter_id = n.id AND s.status = 'active')
	FROM newsletters n`

func scanNewsletter(row rowScanner) (*byline.Newsletter, error) {
	var (
		n       byline.Newsletter
		created int64
	)
	if err := row.Scan(&n.ID, &n.Slug, &n.Name, &n.Description, &created, &n.Subscribers); err != nil {
		return nil, err
	}
	n.CreatedAt = time.UnixMilli(created).UTC()
	return &n, nil
}

// List returns every newsletter with its count of active subscribers.
func (s *NewsletterService) List(ctx context.Context) ([]*byline.Newsletter, error) {
	rows, err := s.db.read.QueryContext(ctx, newsletterSelect+` ORDER BY n.name, n.id`)
	if err != nil {
		return nil, fmt.Errorf("query newsletters: %w", err)
	}
	defer rows.Close()
	var list []*byline.Newsletter
	for rows.Next() {
		n, err := scanNewsletter(rows)
		if err != nil {
			return nil, fmt.Errorf("scan newsletter: %w", err)
		}
		list = append(list, n)
	}
	return list, rows.Err()
}

// FindByID returns a newsletter.
func (s *NewsletterService) FindByID(ctx context.Context, id int64) (*byline.Newsletter, error) {
	n, err := scanNewsletter(s.db.read.QueryRowContext(ctx, newsletterSelect+` WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No newsletter with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find newsletter %d: %w", id, err)
	}
	return n, nil
}

// Queue stores a send and one outbox entry per recipient, in one
// transaction: a single INSERT ... SELECT over the subscriptions, so even a
// large list is queued without passing through Go.
func (s *NewsletterService) Queue(ctx context.Context, send *byline.Send) error {
	if send.TestTo != "" {
		to, err := byline.CheckSubscriberEmail(send.TestTo)
		if err != nil {
			return err
		}
		send.TestTo = to
	}
	now := s.db.now()
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM newsletters WHERE id = ?) * (SELECT count(*) FROM articles WHERE id = ?)`,
			send.NewsletterID, send.ArticleID).Scan(&n); err != nil {
			return fmt.Errorf("check send: %w", err)
		}
		if n == 0 {
			return byline.Errorf(byline.NotFound, "No such newsletter or article.")
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO newsletter_sends (newsletter_id, article_id, test_to, created_at)
			VALUES (?, ?, ?, ?) RETURNING id`, send.NewsletterID, send.ArticleID, send.TestTo, now.UnixMilli()).Scan(&send.ID); err != nil {
			return fmt.Errorf("insert send: %w", err)
		}
		send.CreatedAt = now
		if send.TestTo != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO newsletter_deliveries (kind, send_id, to_email, next_attempt_at, created_at)
				VALUES ('test', ?, ?, ?, ?)`, send.ID, send.TestTo, now.UnixMilli(), now.UnixMilli())
			if err != nil {
				return fmt.Errorf("queue test: %w", err)
			}
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO newsletter_deliveries (kind, send_id, subscriber_id, next_attempt_at, created_at)
			SELECT 'issue', ?, s.id, ?, ? FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.newsletter_id = ? AND s.status = 'active' ORDER BY s.id`,
			send.ID, now.UnixMilli(), now.UnixMilli(), send.NewsletterID)
		if err != nil {
			return fmt.Errorf("queue send: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	send.Progress, err = s.progress(ctx, send.ID)
	return err
}

// progress counts a send's entries by state.
func (s *NewsletterService) progress(ctx context.Context, id int64) (byline.SendProgress, error) {
	var p byline.SendProgress
	rows, err := s.db.read.QueryContext(ctx, `SELECT state, count(*) FROM newsletter_deliveries WHERE send_id = ? GROUP BY state`, id)
	if err != nil {
		return p, fmt.Errorf("count send %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			state string
			n     int
		)
		if err := rows.Scan(&state, &n); err != nil {
			return p, fmt.Errorf("scan send count: %w", err)
		}
		countState(&p, state, n)
	}
	if err := rows.Err(); err != nil {
		return p, fmt.Errorf("count send %d: %w", id, err)
	}
	err = s.db.read.QueryRowContext(ctx, `SELECT last_error FROM newsletter_deliveries
		WHERE send_id = ? AND last_error <> '' ORDER BY id DESC LIMIT 1`, id).Scan(&p.LastError)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("last error of send %d: %w", id, err)
	}
	return p, nil
}

func countState(p *byline.SendProgress, state string, n int) {
	p.Queued += n
	switch state {
	case "pending":
		p.Pending += n
	case "sending":
		p.Sending += n
	case "sent":
		p.Sent += n
	case "failed":
		p.Failed += n
	case "cancelled":
		p.Cancelled += n
	}
}

func scanSend(row rowScanner) (*byline.Send, error) {
	var (
		send    byline.Send
		created int64
	)
	if err := row.Scan(&send.ID, &send.NewsletterID, &send.ArticleID, &send.TestTo, &created); err != nil {
		return nil, err
	}
	send.CreatedAt = time.UnixMilli(created).UTC()
	return &send, nil
}

// FindSend returns a send with its progress.
func (s *NewsletterService) FindSend(ctx context.Context, id int64) (*byline.Send, error) {
	send, err := scanSend(s.db.read.QueryRowContext(ctx, `SELECT id, newsletter_id, article_id, test_to, created_at
		FROM newsletter_sends WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No send with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find send %d: %w", id, err)
	}
	if send.Progress, err = s.progress(ctx, id); err != nil {
		return nil, err
	}
	return send, nil
}

// Sends returns the latest sends with their progress.
func (s *NewsletterService) Sends(ctx context.Context, limit int) ([]*byline.Send, error) {
	if limit <= 0 {
		limit = 20
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, newsletter_id, article_id, test_to, created_at
		FROM newsletter_sends ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("query sends: %w", err)
	}
	defer rows.Close()
	var sends []*byline.Send
	for rows.Next() {
		send, err := scanSend(rows)
		if err != nil {
			return nil, fmt.Errorf("scan send: %w", err)
		}
		sends = append(sends, send)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query sends: %w", err)
	}
	rows.Close()
	for _, send := range sends {
		if send.Progress, err = s.progress(ctx, send.ID); err != nil {
			return nil, err
		}
	}
	return sends, nil
}

// ClaimDeliveries leases due entries; those whose subscriber has left are
// cancelled in the same transaction.
func (s *NewsletterService) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*byline.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := s.db.now()
	var out []*byline.Delivery
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `UPDATE newsletter_deliveries
			SET attempts = attempts + 1, next_attempt_at = ?
			WHERE id IN (SELECT id FROM newsletter_deliveries
				WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND state = 'pending'
				ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING id`, now.Add(lease).UnixMilli(), now.UnixMilli(), limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("scan claimed delivery: %w", err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		var stale []int64
		out, stale, err = readClaimed(ctx, tx, ids)
		if err != nil {
			return err
		}
		if len(stale) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE newsletter_deliveries SET state = 'cancelled', next_attempt_at = NULL
				WHERE id IN (`+placeholders(len(stale))+`)`, int64Args(stale)...); err != nil {
				return fmt.Errorf("cancel deliveries: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// readClaimed reads what the worker needs of the claimed entries, and
// which of them no longer have anyone to go to.
func readClaimed(ctx context.Context, tx *sql.Tx, ids []int64) (live []*byline.Delivery, stale []int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT d.id, d.kind, coalesce(d.send_id, 0), coalesce(ns.newsletter_id, 0),
			coalesce(ns.article_id, 0), coalesce(d.subscriber_id, 0), CASE WHEN d.kind = 'test' THEN d.to_email ELSE s.email END,
			coalesce(s.name, ''), d.token, d.attempts,
			d.kind <> 'issue' OR (s.status = 'active' AND EXISTS (SELECT 1 FROM subscriptions sub
				WHERE sub.subscriber_id = s.id AND sub.newsletter_id = ns.newsletter_id))
		FROM newsletter_deliveries d
		LEFT JOIN subscribers s ON s.id = d.subscriber_id
		LEFT JOIN newsletter_sends ns ON ns.id = d.send_id
		WHERE d.id IN (`+placeholders(len(ids))+`) ORDER BY d.id`, int64Args(ids)...)
	if err != nil {
		return nil, nil, fmt.Errorf("read claimed deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			d    byline.Delivery
			kind string
			to   sql.NullString
			ok   bool
		)
		if err := rows.Scan(&d.ID, &kind, &d.SendID, &d.NewsletterID, &d.ArticleID, &d.SubscriberID, &to,
			&d.ToName, &d.Token, &d.Attempts, &ok); err != nil {
			return nil, nil, fmt.Errorf("scan claimed delivery: %w", err)
		}
		d.Kind, d.To = byline.DeliveryKind(kind), to.String
		if !ok || d.To == "" {
			stale = append(stale, d.ID)
			continue
		}
		live = append(live, &d)
	}
	return live, stale, rows.Err()
}

// MarkHandedOver moves the claimed entries still held under these claims
// to sending, and returns those it moved.
func (s *NewsletterService) MarkHandedOver(ctx context.Context, claims []byline.DeliveryClaim) ([]int64, error) {
	var handed []int64
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		handed = handed[:0]
		for _, c := range claims {
			res, err := tx.ExecContext(ctx, `UPDATE newsletter_deliveries SET state = 'sending', next_attempt_at = NULL
				WHERE id = ? AND attempts = ? AND state = 'pending'`, c.ID, c.Attempts)
			if err != nil {
				return fmt.Errorf("hand over delivery %d: %w", c.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("hand over delivery %d: %w", c.ID, err)
			} else if n == 1 {
				handed = append(handed, c.ID)
			}
		}
		return nil
	})
	return handed, err
}

// MarkDelivered records the server's acceptance.
func (s *NewsletterService) MarkDelivered(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{now.UnixMilli()}, int64Args(ids)...)
		if _, err := tx.ExecContext(ctx, `UPDATE newsletter_deliveries SET state = 'sent', sent_at = ?, token = '', last_error = ''
			WHERE state = 'sending' AND id IN (`+placeholders(len(ids))+`)`, args...); err != nil {
			return fmt.Errorf("mark delivered: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET hard_failures = 0 WHERE hard_failures > 0 AND id IN
			(SELECT subscriber_id FROM newsletter_deliveries WHERE id IN (`+placeholders(len(ids))+`))`, int64Args(ids)...); err != nil {
			return fmt.Errorf("reset hard failures: %w", err)
		}
		return nil
	})
}

// MarkDeliveryFailed records a failed attempt under the claim.
func (s *NewsletterService) MarkDeliveryFailed(ctx context.Context, c byline.DeliveryClaim, lastError string, retryAt time.Time, hard bool, bounceAfter int) error {
	state := "pending"
	if retryAt.IsZero() {
		state = "failed"
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE newsletter_deliveries SET state = ?, last_error = ?, next_attempt_at = ?
			WHERE id = ? AND attempts = ? AND state IN ('pending', 'sending')`, state, lastError, millis(retryAt.UTC()), c.ID, c.Attempts)
		if err != nil {
			return fmt.Errorf("mark delivery %d failed: %w", c.ID, err)
		}
		if err := oneRow(res, "No delivery %d under this claim.", c.ID); err != nil || !hard {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscribers SET hard_failures = hard_failures + 1,
			status = CASE WHEN ? > 0 AND hard_failures + 1 >= ? THEN 'bounced' ELSE status END
			WHERE id = (SELECT subscriber_id FROM newsletter_deliveries WHERE id = ?)`, bounceAfter, bounceAfter, c.ID)
		if err != nil {
			return fmt.Errorf("count hard failure: %w", err)
		}
		return nil
	})
}
