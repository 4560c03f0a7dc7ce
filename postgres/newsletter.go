package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var (
	_ byline.NewsletterService = (*NewsletterService)(nil)
	_ byline.NewsletterOutbox  = (*NewsletterService)(nil)
)

// NewsletterService implements byline.NewsletterService and the mailing
// list's outbox on PostgreSQL, which any number of instances' workers
// share: a claim takes its rows with FOR UPDATE SKIP LOCKED.
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
	err := s.db.pool.QueryRow(ctx, `INSERT INTO newsletters (slug, name, description, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		n.Slug, n.Name, n.Description, now).Scan(&n.ID)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "A newsletter with the slug %q exists already.", n.Slug)
	} else if err != nil {
		return fmt.Errorf("insert newsletter: %w", err)
	}
	n.CreatedAt = now
	return nil
}

const newsletterSelect = `SELECT n.id, n.slug, n.name, n.description, n.created_at,
	(SELECT count(*) FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
	 WHERE sub.newsletter_id = n.id AND s.status = 'active')
	FROM newsletters n`

func scanNewsletter(row pgx.Row) (*byline.Newsletter, error) {
	var n byline.Newsletter
	if err := row.Scan(&n.ID, &n.Slug, &n.Name, &n.Description, &n.CreatedAt, &n.Subscribers); err != nil {
		return nil, err
	}
	n.CreatedAt = n.CreatedAt.UTC()
	return &n, nil
}

// List returns every newsletter with its count of active subscribers.
func (s *NewsletterService) List(ctx context.Context) ([]*byline.Newsletter, error) {
	rows, err := s.db.pool.Query(ctx, newsletterSelect+` ORDER BY n.name, n.id`)
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
	n, err := scanNewsletter(s.db.pool.QueryRow(ctx, newsletterSelect+` WHERE n.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No newsletter with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find newsletter %d: %w", id, err)
	}
	return n, nil
}

// Queue stores a send and one outbox entry per recipient, in one
// transaction: a single INSERT ... SELECT over the subscriptions.
func (s *NewsletterService) Queue(ctx context.Context, send *byline.Send) error {
	if send.TestTo != "" {
		to, err := byline.CheckSubscriberEmail(send.TestTo)
		if err != nil {
			return err
		}
		send.TestTo = to
	}
	now := s.db.now()
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM newsletters WHERE id = $1) AND EXISTS (SELECT 1 FROM articles WHERE id = $2)`,
			send.NewsletterID, send.ArticleID).Scan(&ok); err != nil {
			return fmt.Errorf("check send: %w", err)
		}
		if !ok {
			return byline.Errorf(byline.NotFound, "No such newsletter or article.")
		}
		if err := tx.QueryRow(ctx, `INSERT INTO newsletter_sends (newsletter_id, article_id, test_to, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, send.NewsletterID, send.ArticleID, send.TestTo, now).Scan(&send.ID); err != nil {
			return fmt.Errorf("insert send: %w", err)
		}
		send.CreatedAt = now
		if send.TestTo != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO newsletter_deliveries (kind, send_id, to_email, next_attempt_at, created_at)
				VALUES ('test', $1, $2, $3, $3)`, send.ID, send.TestTo, now); err != nil {
				return fmt.Errorf("queue test: %w", err)
			}
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO newsletter_deliveries (kind, send_id, subscriber_id, next_attempt_at, created_at)
			SELECT 'issue', $1, s.id, $2, $2 FROM subscriptions sub JOIN subscribers s ON s.id = sub.subscriber_id
			WHERE sub.newsletter_id = $3 AND s.status = 'active' ORDER BY s.id`, send.ID, now, send.NewsletterID); err != nil {
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
	rows, err := s.db.pool.Query(ctx, `SELECT state, count(*) FROM newsletter_deliveries WHERE send_id = $1 GROUP BY state`, id)
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
	err = s.db.pool.QueryRow(ctx, `SELECT last_error FROM newsletter_deliveries
		WHERE send_id = $1 AND last_error <> '' ORDER BY id DESC LIMIT 1`, id).Scan(&p.LastError)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
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

func scanSend(row pgx.Row) (*byline.Send, error) {
	var send byline.Send
	if err := row.Scan(&send.ID, &send.NewsletterID, &send.ArticleID, &send.TestTo, &send.CreatedAt); err != nil {
		return nil, err
	}
	send.CreatedAt = send.CreatedAt.UTC()
	return &send, nil
}

// FindSend returns a send with its progress.
func (s *NewsletterService) FindSend(ctx context.Context, id int64) (*byline.Send, error) {
	send, err := scanSend(s.db.pool.QueryRow(ctx, `SELECT id, newsletter_id, article_id, test_to, created_at
		FROM newsletter_sends WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
	rows, err := s.db.pool.Query(ctx, `SELECT id, newsletter_id, article_id, test_to, created_at
		FROM newsletter_sends ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("query sends: %w", err)
	}
	sends, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*byline.Send, error) { return scanSend(row) })
	if err != nil {
		return nil, fmt.Errorf("query sends: %w", err)
	}
	for _, send := range sends {
		if send.Progress, err = s.progress(ctx, send.ID); err != nil {
			return nil, err
		}
	}
	return sends, nil
}

// ClaimDeliveries leases due entries; those whose subscriber has left are
// cancelled in the same transaction. The due rows are locked with FOR
// UPDATE SKIP LOCKED: a worker on another instance claiming at the same
// moment passes over them to the next ones instead of waiting, and once
// this commits the lease has moved them out of "due".
func (s *NewsletterService) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*byline.Delivery, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := s.db.now()
	var out []*byline.Delivery
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `UPDATE newsletter_deliveries d
			SET attempts = d.attempts + 1, next_attempt_at = $1
			FROM (SELECT id FROM newsletter_deliveries
				WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $2 AND state = 'pending'
				ORDER BY next_attempt_at, id LIMIT $3
				FOR UPDATE SKIP LOCKED) due
			WHERE d.id = due.id
			RETURNING d.id`, now.Add(lease), now, limit)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err = tx.Query(ctx, `SELECT d.id, d.kind, coalesce(d.send_id, 0), coalesce(ns.newsletter_id, 0),
				coalesce(ns.article_id, 0), coalesce(d.subscriber_id, 0), CASE WHEN d.kind = 'test' THEN d.to_email ELSE s.email END,
				coalesce(s.name, ''), d.token, d.attempts,
				d.kind <> 'issue' OR (s.status = 'active' AND EXISTS (SELECT 1 FROM subscriptions sub
					WHERE sub.subscriber_id = s.id AND sub.newsletter_id = ns.newsletter_id))
			FROM newsletter_deliveries d
			LEFT JOIN subscribers s ON s.id = d.subscriber_id
			LEFT JOIN newsletter_sends ns ON ns.id = d.send_id
			WHERE d.id = ANY($1) ORDER BY d.id`, ids)
		if err != nil {
			return fmt.Errorf("read claimed deliveries: %w", err)
		}
		var stale []int64
		for rows.Next() {
			var (
				d    byline.Delivery
				kind string
				to   *string
				ok   *bool
			)
			if err := rows.Scan(&d.ID, &kind, &d.SendID, &d.NewsletterID, &d.ArticleID, &d.SubscriberID, &to,
				&d.ToName, &d.Token, &d.Attempts, &ok); err != nil {
				rows.Close()
				return fmt.Errorf("scan claimed delivery: %w", err)
			}
			d.Kind = byline.DeliveryKind(kind)
			if to != nil {
				d.To = *to
			}
			if ok == nil || !*ok || d.To == "" {
				stale = append(stale, d.ID)
				continue
			}
			out = append(out, &d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read claimed deliveries: %w", err)
		}
		if len(stale) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE newsletter_deliveries SET state = 'cancelled', next_attempt_at = NULL
				WHERE id = ANY($1)`, stale); err != nil {
				return fmt.Errorf("cancel deliveries: %w", err)
			}
		}
		return nil
	})
	return out, err
}

// MarkHandedOver moves the entries still held under these claims to
// sending, and returns those it moved.
func (s *NewsletterService) MarkHandedOver(ctx context.Context, claims []byline.DeliveryClaim) ([]int64, error) {
	if len(claims) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(claims))
	attempts := make([]int32, len(claims))
	for i, c := range claims {
		ids[i], attempts[i] = c.ID, int32(c.Attempts)
	}
	rows, err := s.db.pool.Query(ctx, `UPDATE newsletter_deliveries d SET state = 'sending', next_attempt_at = NULL
		FROM unnest($1::bigint[], $2::int[]) AS c(id, attempts)
		WHERE d.id = c.id AND d.attempts = c.attempts AND d.state = 'pending'
		RETURNING d.id`, ids, attempts)
	if err != nil {
		return nil, fmt.Errorf("hand over deliveries: %w", err)
	}
	handed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("hand over deliveries: %w", err)
	}
	return handed, nil
}

// MarkDelivered records the server's acceptance.
func (s *NewsletterService) MarkDelivered(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE newsletter_deliveries SET state = 'sent', sent_at = $1, token = '', last_error = ''
			WHERE state = 'sending' AND id = ANY($2)`, now, ids); err != nil {
			return fmt.Errorf("mark delivered: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET hard_failures = 0 WHERE hard_failures > 0 AND id IN
			(SELECT subscriber_id FROM newsletter_deliveries WHERE id = ANY($1))`, ids); err != nil {
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
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE newsletter_deliveries SET state = $1, last_error = $2, next_attempt_at = $3
			WHERE id = $4 AND attempts = $5 AND state IN ('pending', 'sending')`, state, lastError, nullTime(retryAt), c.ID, c.Attempts)
		if err != nil {
			return fmt.Errorf("mark delivery %d failed: %w", c.ID, err)
		}
		if err := oneRow(tag.RowsAffected(), "No delivery %d under this claim.", c.ID); err != nil || !hard {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET hard_failures = hard_failures + 1,
			status = CASE WHEN $1 > 0 AND hard_failures + 1 >= $1 THEN 'bounced' ELSE status END
			WHERE id = (SELECT subscriber_id FROM newsletter_deliveries WHERE id = $2)`, bounceAfter, c.ID); err != nil {
			return fmt.Errorf("count hard failure: %w", err)
		}
		return nil
	})
}
