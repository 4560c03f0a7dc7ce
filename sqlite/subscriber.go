package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.SubscriberService = (*SubscriberService)(nil)

// SubscriberService implements byline.SubscriberService on SQLite.
type SubscriberService struct {
	db *DB
}

// NewSubscriberService returns the subscriber service of db.
func NewSubscriberService(db *DB) *SubscriberService { return &SubscriberService{db: db} }

const subscriberColumns = `id, email, name, status, consent_at, confirmed_at, created_at, hard_failures`

func scanSubscriber(row rowScanner) (*byline.Subscriber, error) {
	var (
		s                  byline.Subscriber
		status             string
		consent, confirmed sql.NullInt64
		created            int64
	)
	if err := row.Scan(&s.ID, &s.Email, &s.Name, &status, &consent, &confirmed, &created, &s.HardFailures); err != nil {
		return nil, err
	}
	s.Status = byline.SubscriberStatus(status)
	s.ConsentAt, s.ConfirmedAt = fromMillis(consent), fromMillis(confirmed)
	s.CreatedAt = time.UnixMilli(created).UTC()
	return &s, nil
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

// newsletterIDs sorts and dedupes ids and checks in q that each names a
// newsletter.
func newsletterIDs(ctx context.Context, q queryer, ids []int64) ([]int64, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil, byline.Errorf(byline.Invalid, "Please choose at least one newsletter.")
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM newsletters WHERE id IN (`+placeholders(len(ids))+`)`,
		int64Args(ids)...).Scan(&n); err != nil {
		return nil, fmt.Errorf("check newsletters: %w", err)
	}
	if n != len(ids) {
		return nil, byline.Errorf(byline.Invalid, "No such newsletter.")
	}
	return ids, nil
}

// queryer is what newsletterIDs needs of a *sql.DB or *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		ids, err := newsletterIDs(ctx, tx, ids)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, status, created_at)
			VALUES (?, ?, 'pending', ?) ON CONFLICT (email) DO NOTHING`, email, name, now.UnixMilli()); err != nil {
			return fmt.Errorf("insert subscriber: %w", err)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM subscribers WHERE email = ?`, email).Scan(&id); err != nil {
			return fmt.Errorf("find subscriber: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriber_confirmations WHERE expires_at < ?`, now.UnixMilli()); err != nil {
			return fmt.Errorf("sweep confirmations: %w", err)
		}
		token, hash := byline.NewToken()
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriber_confirmations (token_hash, subscriber_id, newsletter_ids, expires_at)
			VALUES (?, ?, ?, ?)`, hash, id, joinIDs(ids), now.Add(ttl).UnixMilli()); err != nil {
			return fmt.Errorf("insert confirmation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO newsletter_deliveries (kind, subscriber_id, token, next_attempt_at, created_at)
			VALUES ('confirm', ?, ?, ?, ?)`, id, token, now.UnixMilli(), now.UnixMilli()); err != nil {
			return fmt.Errorf("queue confirmation: %w", err)
		}
		return nil
	})
}

// Confirm follows a confirmation link.
func (s *SubscriberService) Confirm(ctx context.Context, token string) (*byline.Subscriber, error) {
	now := s.db.now()
	var sub *byline.Subscriber
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var (
			id      int64
			ids     string
			expires int64
		)
		err := tx.QueryRowContext(ctx, `DELETE FROM subscriber_confirmations WHERE token_hash = ?
			RETURNING subscriber_id, newsletter_ids, expires_at`, byline.HashToken(token)).Scan(&id, &ids, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && expires < now.UnixMilli()) {
			return byline.Errorf(byline.NotFound, "This confirmation link is unknown, already used or expired.")
		} else if err != nil {
			return fmt.Errorf("find confirmation: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'active', hard_failures = 0,
			consent_at = ?, confirmed_at = coalesce(confirmed_at, ?) WHERE id = ?`, now.UnixMilli(), now.UnixMilli(), id); err != nil {
			return fmt.Errorf("activate subscriber: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at)
			SELECT ?, id, ? FROM newsletters WHERE id IN (`+placeholders(len(splitIDs(ids)))+`)
			ON CONFLICT DO NOTHING`, append([]any{id, now.UnixMilli()}, int64Args(splitIDs(ids))...)...); err != nil {
			return fmt.Errorf("subscribe: %w", err)
		}
		sub, err = findSubscriber(ctx, tx, id)
		return err
	})
	return sub, err
}

// txQueryer is what findSubscriber needs of a *sql.DB or *sql.Tx.
type txQueryer interface {
	queryer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findSubscriber(ctx context.Context, q txQueryer, id int64) (*byline.Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
func loadSubscriptions(ctx context.Context, q txQueryer, subs []*byline.Subscriber) error {
	if len(subs) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.Subscriber, len(subs))
	ids := make([]int64, len(subs))
	for i, s := range subs {
		byID[s.ID], ids[i] = s, s.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT subscriber_id, newsletter_id FROM subscriptions
		WHERE subscriber_id IN (`+placeholders(len(ids))+`) ORDER BY subscriber_id, newsletter_id`, int64Args(ids)...)
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
	return findSubscriber(ctx, s.db.read, id)
}

// Find returns the subscribers matching f, by address.
func (s *SubscriberService) Find(ctx context.Context, f byline.SubscriberFilter) ([]*byline.Subscriber, int, error) {
	var (
		where []string
		args  []any
	)
	if q := strings.TrimSpace(f.Search); q != "" {
		where = append(where, `(email LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`)
		like := "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
		args = append(args, like, like)
	}
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	if f.NewsletterID != 0 {
		where = append(where, "id IN (SELECT subscriber_id FROM subscriptions WHERE newsletter_id = ?)")
		args = append(args, f.NewsletterID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM subscribers`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count subscribers: %w", err)
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers`+cond+
		` ORDER BY email LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
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
	// Past a page of 1,000 the IN list is too long; the list pages are short.
	for i := 0; i < len(subs); i += 500 {
		if err := loadSubscriptions(ctx, s.db.read, subs[i:min(i+500, len(subs))]); err != nil {
			return nil, 0, err
		}
	}
	return subs, total, nil
}

// SetNewsletters replaces what a subscriber gets.
func (s *SubscriberService) SetNewsletters(ctx context.Context, id int64, ids []int64) error {
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE id = ?`, id).Scan(&status)
		if errors.Is(err, sql.ErrNoRows) {
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
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscriptions WHERE subscriber_id = ?`, id); err != nil {
			return fmt.Errorf("clear subscriptions: %w", err)
		}
		for _, nid := range ids {
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at) VALUES (?, ?, ?)`,
				id, nid, now.UnixMilli()); err != nil {
				return fmt.Errorf("subscribe: %w", err)
			}
		}
		status = string(byline.SubscriberActive)
		if len(ids) == 0 {
			status = string(byline.SubscriberUnsubscribed)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = ? WHERE id = ?`, status, id); err != nil {
			return fmt.Errorf("set subscriber status: %w", err)
		}
		return nil
	})
}

// Unsubscribe takes a subscriber off one newsletter or all.
func (s *SubscriberService) Unsubscribe(ctx context.Context, id, newsletterID int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("find subscriber %d: %w", id, err)
		}
		if n == 0 {
			return byline.Errorf(byline.NotFound, "No subscriber with ID %d.", id)
		}
		off := `DELETE FROM subscriptions WHERE subscriber_id = ?`
		cancel := `UPDATE newsletter_deliveries SET state = 'cancelled', next_attempt_at = NULL
			WHERE subscriber_id = ? AND state = 'pending' AND kind = 'issue'`
		args := []any{id}
		if newsletterID != 0 {
			off += ` AND newsletter_id = ?`
			cancel += ` AND send_id IN (SELECT id FROM newsletter_sends WHERE newsletter_id = ?)`
			args = append(args, newsletterID)
		}
		if _, err := tx.ExecContext(ctx, off, args...); err != nil {
			return fmt.Errorf("unsubscribe: %w", err)
		}
		if _, err := tx.ExecContext(ctx, cancel, args...); err != nil {
			return fmt.Errorf("cancel deliveries: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'unsubscribed'
			WHERE id = ? AND status = 'active' AND NOT EXISTS (SELECT 1 FROM subscriptions WHERE subscriber_id = ?)`, id, id); err != nil {
			return fmt.Errorf("set subscriber status: %w", err)
		}
		return nil
	})
}

// Delete removes a subscriber; the foreign keys take their subscriptions,
// confirmations and outbox entries with them.
func (s *SubscriberService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete subscriber %d: %w", id, err)
		}
		return oneRow(res, "No subscriber with ID %d.", id)
	})
}

// Import adds or updates subscribers, all or nothing.
func (s *SubscriberService) Import(ctx context.Context, subs []byline.SubscriberImport) (created, updated int, err error) {
	if err := byline.CheckImport(subs); err != nil {
		return 0, 0, err
	}
	now := s.db.now()
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
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
			status, confirmed := "pending", sql.NullInt64{}
			if sub.Confirmed {
				status, confirmed = "active", millis(sub.ConsentAt)
			}
			var (
				id     int64
				before string
			)
			err := tx.QueryRowContext(ctx, `SELECT id, status FROM subscribers WHERE email = ?`, sub.Email).Scan(&id, &before)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.QueryRowContext(ctx, `INSERT INTO subscribers (email, name, status, consent_at, confirmed_at, created_at)
					VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sub.Email, sub.Name, status, millis(sub.ConsentAt), confirmed, now.UnixMilli()).Scan(&id); err != nil {
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
					if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'active', consent_at = ?, confirmed_at = ? WHERE id = ?`,
						millis(sub.ConsentAt), confirmed, id); err != nil {
						return fmt.Errorf("line %d: update subscriber: %w", sub.Line, err)
					}
				}
				updated++
			}
			for _, nid := range sub.Newsletters {
				if _, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (subscriber_id, newsletter_id, created_at)
					VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, nid, now.UnixMilli()); err != nil {
					return fmt.Errorf("line %d: subscribe: %w", sub.Line, err)
				}
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

// SigningKey returns the links' key, making it on first use.
func (s *SubscriberService) SigningKey(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT value FROM site_keys WHERE name = ?`, signingKeyName).Scan(&key)
	if err == nil {
		return key, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	fresh := make([]byte, 32)
	rand.Read(fresh)
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_keys (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING`, signingKeyName, fresh); err != nil {
			return fmt.Errorf("store signing key: %w", err)
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM site_keys WHERE name = ?`, signingKeyName).Scan(&key)
	})
	return key, err
}
