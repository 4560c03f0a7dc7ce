package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.SubscriberService = (*SubscriberService)(nil)

// SubscriberService implements byline.SubscriberService on PostgreSQL.
type SubscriberService struct {
	db *DB
}

// NewSubscriberService returns the subscriber service of db.
func NewSubscriberService(db *DB) *SubscriberService { return &SubscriberService{db: db} }

const subscriberColumns = `id, email, name, status, consent_at, confirmed_at, created_at, hard_failures`

func scanSubscriber(row pgx.Row) (*byline.Subscriber, error) {
	var (
		s                  byline.Subscriber
		status             string
		consent, confirmed *time.Time
	)
	if err := row.Scan(&s.ID, &s.Email, &s.Name, &status, &consent, &confirmed, &s.CreatedAt, &s.HardFailures); err != nil {
		return nil, err
	}
	s.Status = byline.SubscriberStatus(status)
	s.CreatedAt = s.CreatedAt.UTC()
	if consent != nil {
		s.ConsentAt = consent.UTC()
	}
	if confirmed != nil {
		s.ConfirmedAt = confirmed.UTC()
	}
	return &s, nil
}

// querier is what the helpers need of a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// newsletterIDs sorts and dedupes ids and checks that each names a
// newsletter.
func newsletterIDs(ctx context.Context, q querier, ids []int64) ([]int64, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil, byline.Errorf(byline.Invalid, "Please choose at least one newsletter.")
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM newsletters WHERE id = ANY($1)`, ids).Scan(&n); err != nil {
		return nil, fmt.Errorf("check newsletters: %w", err)
	}
	if n != len(ids) {
		return nil, byline.Errorf(byline.Invalid, "No such newsletter.")
	}
	return ids, nil
}

// Subscribe stores a pending subscriber (if new), a confirmation and its
// email, in one transaction.
func (s *SubscriberService) Subscribe(ctx context.Context, email, name string, ids []int64, ttl time.Duration) error {
	email, err := byline.CheckSubscriberEmail(email)
	if err != nil {
		return err
	}
	if name, err = byline.CheckSubscriberName(name); err != nil {
		return err
	}
	if ttl <= 0 {
		ttl = byline.DefaultConfirmationTTL
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		ids, err := newsletterIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		var id int64
		// The no-op update makes RETURNING give the row that was there.
		if err := tx.QueryRow(ctx, `INSERT INTO subscribers (email, name, status, created_at)
			VALUES ($1, $2, 'pending', $3) ON CONFLICT (email) DO UPDATE SET email = excluded.email
			RETURNING id`, email, name, now).Scan(&id); err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM subscriber_confirmations WHERE expires_at < $1`, now); err != nil {
			return fmt.Errorf("sweep confirmations: %w", err)
		}
		token, hash := byline.NewToken()
		if _, err := tx.Exec(ctx, `INSERT INTO subscriber_confirmations (token_hash, subscriber_id, newsletter_ids, expires_at)
			VALUES ($1, $2, $3, $4)`, hash, id, joinIDs(ids), now.Add(ttl)); err != nil {
			return fmt.Errorf("insert confirmation: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO newsletter_deliveries (kind, subscriber_id, token, next_attempt_at, created_at)
			VALUES ('confirm', $1, $2, $3, $3)`, id, token, now); err != nil {
			return fmt.Errorf("queue confirmation: %w", err)
		}
		return nil
	})
}

// Confirm follows a confirmation link.
func (s *SubscriberService) Confirm(ctx context.Context, token string) (*byline.Subscriber, error) {
	now := s.db.now()
	var sub *byline.Subscriber
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		var (
			id      int64
			ids     string
			expires time.Time
		)
		err := tx.QueryRow(ctx, `DELETE FROM subscriber_confirmations WHERE token_hash = $1
			RETURNING subscriber_id, newsletter_ids, expires_at`, byline.HashToken(token)).Scan(&id, &ids, &expires)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && expires.Before(now)) {
			return byline.Errorf(byline.NotFound, "This confirmation link is unknown, already used or expired.")
		} else if err != nil {
			return fmt.Errorf("find confirmation: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = 'active', hard_failures = 0,
			consent_at = $1, confirmed_at = coalesce(confirmed_at, $1) WHERE id = $2`, now, id); err != nil {
			return fmt.Errorf("activate subscriber: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at)
			SELECT $1, id, $2 FROM newsletters WHERE id = ANY($3) ON CONFLICT DO NOTHING`, id, now, splitIDs(ids)); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		sub, err = findSubscriber(ctx, tx, id)
		return err
	})
	return sub, err
}

func findSubscriber(ctx context.Context, q querier, id int64) (*byline.Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRow(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No subscriber with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find subscriber %d: %w", id, err)
	}
	if err := loadSubscriptions(ctx, q, []*byline.Subscriber{sub}); err != nil {
		return nil, err
	}
	return sub, nil
}

// loadSubscriptions fills in each subscriber's newsletters.
func loadSubscriptions(ctx context.Context, q querier, subs []*byline.Subscriber) error {
	if len(subs) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.Subscriber, len(subs))
	ids := make([]int64, len(subs))
	for i, s := range subs {
		byID[s.ID], ids[i] = s, s.ID
	}
	rows, err := q.Query(ctx, `SELECT subscriber_id, newsletter_id FROM subscriptions
		WHERE subscriber_id = ANY($1) ORDER BY subscriber_id, newsletter_id`, ids)
	if err != nil {
		return fmt.Errorf("query subscriptions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sid, nid int64
		if err := rows.Scan(&sid, &nid); err != nil {
			return fmt.Errorf("scan subscription: %w", err)
		}
		byID[sid].Newsletters = append(byID[sid].Newsletters, nid)
	}
	return rows.Err()
}

// FindByID returns a subscriber.
func (s *SubscriberService) FindByID(ctx context.Context, id int64) (*byline.Subscriber, error) {
	return findSubscriber(ctx, s.db.pool, id)
}

// Find returns the subscribers matching f, by address.
func (s *SubscriberService) Find(ctx context.Context, f byline.SubscriberFilter) ([]*byline.Subscriber, int, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if q := strings.TrimSpace(f.Search); q != "" {
		like := arg("%" + likeEscaper.Replace(strings.ToLower(q)) + "%")
		where = append(where, `(email LIKE `+like+` ESCAPE '\' OR lower(name) LIKE `+like+` ESCAPE '\')`)
	}
	if f.Status != nil {
		where = append(where, "status = "+arg(string(*f.Status)))
	}
	if f.NewsletterID != 0 {
		where = append(where, "id IN (SELECT subscriber_id FROM subscriptions WHERE newsletter_id = "+arg(f.NewsletterID)+")")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM subscribers`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count subscribers: %w", err)
	}
	var limit any // NULL: no limit
	if f.Limit > 0 {
		limit = f.Limit
	}
	query := `SELECT ` + subscriberColumns + ` FROM subscribers` + cond + ` ORDER BY email LIMIT ` + arg(limit) + ` OFFSET ` + arg(max(f.Offset, 0))
	rows, err := s.db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("query subscribers: %w", err)
	}
	defer rows.Close()
	var subs []*byline.Subscriber
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan subscriber: %w", err)
		}
		subs = append(subs, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("query subscribers: %w", err)
	}
	if err := loadSubscriptions(ctx, s.db.pool, subs); err != nil {
		return nil, 0, err
	}
	return subs, total, nil
}

// SetNewsletters replaces what a subscriber gets.
func (s *SubscriberService) SetNewsletters(ctx context.Context, id int64, ids []int64) error {
	now := s.db.now()
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM subscribers WHERE id = $1 FOR UPDATE`, id).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "No subscriber with ID %d.", id)
		} else if err != nil {
			return fmt.Errorf("find subscriber %d: %w", id, err)
		}
		if status != string(byline.SubscriberActive) && status != string(byline.SubscriberUnsubscribed) {
			return byline.Errorf(byline.Invalid, "This address has not confirmed its subscription, or mail to it bounced: sign up again to confirm it.")
		}
		if len(ids) > 0 {
			if ids, err = newsletterIDs(ctx, tx, ids); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM subscriptions WHERE subscriber_id = $1`, id); err != nil {
			return fmt.Errorf("clear subscriptions: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at)
			SELECT $1, unnest($2::bigint[]), $3`, id, ids, now); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		status = string(byline.SubscriberActive)
		if len(ids) == 0 {
			status = string(byline.SubscriberUnsubscribed)
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = $1 WHERE id = $2`, status, id); err != nil {
			return fmt.Errorf("set subscriber status: %w", err)
		}
		return nil
	})
}

// Unsubscribe takes a subscriber off one newsletter or all.
func (s *SubscriberService) Unsubscribe(ctx context.Context, id, newsletterID int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `SELECT 1 FROM subscribers WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return fmt.Errorf("find subscriber %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return byline.Errorf(byline.NotFound, "No subscriber with ID %d.", id)
		}
		// newsletterID 0 matches every newsletter.
		if _, err := tx.Exec(ctx, `DELETE FROM subscriptions WHERE subscriber_id = $1 AND ($2 = 0 OR newsletter_id = $2)`, id, newsletterID); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE newsletter_deliveries SET state = 'cancelled', next_attempt_at = NULL
			WHERE subscriber_id = $1 AND state = 'pending' AND kind = 'issue'
			AND ($2 = 0 OR send_id IN (SELECT id FROM newsletter_sends WHERE newsletter_id = $2))`, id, newsletterID); err != nil {
			return fmt.Errorf("cancel deliveries: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = 'unsubscribed'
			WHERE id = $1 AND status = 'active' AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = $1)`, id); err != nil {
			return fmt.Errorf("set subscriber status: %w", err)
		}
		return nil
	})
}

// Delete removes a subscriber; the foreign keys take their subscriptions,
// confirmations and outbox entries with them.
func (s *SubscriberService) Delete(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM subscribers WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete subscriber %d: %w", id, err)
	}
	return oneRow(tag.RowsAffected(), "No subscriber with ID %d.", id)
}

// Import adds or updates subscribers, all or nothing.
func (s *SubscriberService) Import(ctx context.Context, subs []byline.SubscriberImport) (created, updated int, err error) {
	if err := byline.CheckImport(subs); err != nil {
		return 0, 0, err
	}
	now := s.db.now()
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		created, updated = 0, 0
		known := map[int64]bool{}
		for i := range subs {
			sub := &subs[i]
			for _, nid := range sub.Newsletters {
				if !known[nid] {
					if _, err := newsletterIDs(ctx, tx, []int64{nid}); err != nil {
						return byline.Errorf(byline.Invalid, "Line %d: no newsletter with ID %d.", sub.Line, nid)
					}
					known[nid] = true
				}
			}
			status, confirmed := "pending", any(nil)
			if sub.Confirmed {
				status, confirmed = "active", sub.ConsentAt
			}
			var (
				id     int64
				before string
			)
			err := tx.QueryRow(ctx, `SELECT id, status FROM subscribers WHERE email = $1 FOR UPDATE`, sub.Email).Scan(&id, &before)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				if err := tx.QueryRow(ctx, `INSERT INTO subscribers (email, name, status, consent_at, confirmed_at, created_at)
					VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, sub.Email, sub.Name, status, sub.ConsentAt, confirmed, now).Scan(&id); err != nil {
					return fmt.Errorf("line %d: insert subscriber: %w", sub.Line, err)
				}
				created++
			case err != nil:
				return fmt.Errorf("line %d: find subscriber: %w", sub.Line, err)
			default:
				// One who left or bounced stays so: an import does not
				// sign anyone up again.
				if before == "unsubscribed" || before == "bounced" {
					updated++
					continue
				}
				if before == "pending" && sub.Confirmed {
					if _, err := tx.Exec(ctx, `UPDATE subscribers SET status = 'active', consent_at = $1, confirmed_at = $1 WHERE id = $2`,
						sub.ConsentAt, id); err != nil {
						return fmt.Errorf("line %d: update subscriber: %w", sub.Line, err)
					}
				}
				updated++
			}
			if _, err := tx.Exec(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at)
				SELECT $1, unnest($2::bigint[]), $3 ON CONFLICT DO NOTHING`, id, sub.Newsletters, now); err != nil {
				return fmt.Errorf("line %d: subscribe: %w", sub.Line, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

// signingKeyName is the row of site_keys the email links are signed with.
const signingKeyName = "subscriber-links"

// SigningKey returns the links' key, making it on first use; instances
// starting together agree on the first one stored.
func (s *SubscriberService) SigningKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.db.pool.QueryRow(ctx, `SELECT value FROM site_keys WHERE name = $1`, signingKeyName).Scan(&key)
	if err == nil {
		return key, nil
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	err = s.db.pool.QueryRow(ctx, `INSERT INTO site_keys (name, value) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING value`, signingKeyName, fresh).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("store signing key: %w", err)
	}
	return key, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func splitIDs(s string) []int64 {
	var ids []int64
	for _, p := range strings.Split(s, ",") {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
