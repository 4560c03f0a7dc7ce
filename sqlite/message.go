package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

var (
	_ byline.MessageService = (*MessageService)(nil)
	_ byline.Outbox         = (*MessageService)(nil)
)

// MessageService implements byline.MessageService and byline.Outbox on
// SQLite: the messages table is both the editors' inbox and the outbox.
type MessageService struct {
	db *DB
}

// NewMessageService returns the message service of db.
func NewMessageService(db *DB) *MessageService { return &MessageService{db: db} }

const messageColumns = `id, name, email, subject, body, created_at, status, delivery, attempts,
	last_error, next_attempt_at, sent_at`

func scanMessage(row rowScanner) (*byline.Message, error) {
	var (
		m                 byline.Message
		created           int64
		status, delivery  string
		nextAttempt, sent sql.NullInt64
	)
	err := row.Scan(&m.ID, &m.Name, &m.Email, &m.Subject, &m.Body, &created, &status, &delivery,
		&m.Attempts, &m.LastError, &nextAttempt, &sent)
	if err != nil {
		return nil, err
	}
	m.CreatedAt = time.UnixMilli(created).UTC()
	m.Status, m.Delivery = byline.InboxStatus(status), byline.DeliveryStatus(delivery)
	m.NextAttemptAt, m.SentAt = fromMillis(nextAttempt), fromMillis(sent)
	return &m, nil
}

// Create validates m and commits it, unread and due for delivery now.
func (s *MessageService) Create(ctx context.Context, m *byline.Message) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO messages
			(name, email, subject, body, created_at, status, delivery, attempts, last_error, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, 'unread', 'pending', 0, '', ?) RETURNING id`,
			m.Name, m.Email, m.Subject, m.Body, now.UnixMilli(), now.UnixMilli()).Scan(&m.ID)
		if err != nil {
			return fmt.Errorf("insert message: %w", err)
		}
		m.CreatedAt, m.Status, m.Delivery = now, byline.Unread, byline.DeliveryPending
		m.Attempts, m.LastError, m.NextAttemptAt, m.SentAt = 0, "", now, time.Time{}
		return nil
	})
}

// FindByID returns the message with the given ID.
func (s *MessageService) FindByID(ctx context.Context, id int64) (*byline.Message, error) {
	m, err := scanMessage(s.db.read.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No message with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find message %d: %w", id, err)
	}
	return m, nil
}

// Find returns the messages matching f, newest first, and the total.
func (s *MessageService) Find(ctx context.Context, f byline.MessageFilter) ([]*byline.Message, int, error) {
	var (
		where []string
		args  []any
	)
	if f.Status != nil {
		where, args = append(where, "status = ?"), append(args, string(*f.Status))
	}
	if f.Delivery != nil {
		where, args = append(where, "delivery = ?"), append(args, string(*f.Delivery))
	}
	if f.Since != nil {
		where, args = append(where, "created_at >= ?"), append(args, f.Since.UnixMilli())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+messageColumns+`, count(*) OVER () FROM messages`+cond+
		` ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("query messages: %w", err)
	}
	defer rows.Close()
	var (
		msgs  []*byline.Message
		total int
	)
	for rows.Next() {
		m, err := scanMessage(scanTotal{rows, &total})
		if err != nil {
			return nil, 0, fmt.Errorf("scan message: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("query messages: %w", err)
	}
	if len(msgs) == 0 && f.Offset > 0 {
		// Past the end: the window count has no row to ride on.
		if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM messages`+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count messages: %w", err)
		}
	}
	return msgs, total, nil
}

// scanTotal scans a row whose last column is count(*) OVER () into total.
type scanTotal struct {
	rows  *sql.Rows
	total *int
}

func (s scanTotal) Scan(dest ...any) error { return s.rows.Scan(append(dest, s.total)...) }

// SetStatus moves a message in the inbox.
func (s *MessageService) SetStatus(ctx context.Context, id int64, status byline.InboxStatus) error {
	if !status.Valid() {
		return byline.Errorf(byline.Invalid, "%q is not an inbox status.", status)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages SET status = ? WHERE id = ?`, string(status), id)
		if err != nil {
			return fmt.Errorf("set message %d status: %w", id, err)
		}
		return oneRow(res, "No message with ID %d.", id)
	})
}

// Delete removes a message.
func (s *MessageService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM messages WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete message %d: %w", id, err)
		}
		return oneRow(res, "No message with ID %d.", id)
	})
}

// ClaimDue leases up to limit due messages to the caller.
func (s *MessageService) ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]*byline.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := s.db.now()
	var msgs []*byline.Message
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE messages
			SET attempts = attempts + 1, next_attempt_at = ?
			WHERE id IN (SELECT id FROM messages
				WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= ? AND delivery <> 'sent'
				ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING `+messageColumns,
			now.Add(lease).UnixMilli(), now.UnixMilli(), limit)
		if err != nil {
			return fmt.Errorf("claim messages: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows)
			if err != nil {
				return fmt.Errorf("scan claimed message: %w", err)
			}
			msgs = append(msgs, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(msgs, func(a, b *byline.Message) int { return cmp.Compare(a.ID, b.ID) })
	return msgs, nil
}

// MarkSent records that the message was emailed.
func (s *MessageService) MarkSent(ctx context.Context, id int64) error {
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages
			SET delivery = 'sent', sent_at = ?, next_attempt_at = NULL, last_error = '' WHERE id = ?`,
			now.UnixMilli(), id)
		if err != nil {
			return fmt.Errorf("mark message %d sent: %w", id, err)
		}
		return oneRow(res, "No message with ID %d.", id)
	})
}

// MarkFailed records a failed attempt and when to try again.
func (s *MessageService) MarkFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE messages
			SET delivery = 'failed', last_error = ?, next_attempt_at = ? WHERE id = ?`,
			lastError, millis(retryAt.UTC()), id)
		if err != nil {
			return fmt.Errorf("mark message %d failed: %w", id, err)
		}
		return oneRow(res, "No message with ID %d.", id)
	})
}

// oneRow returns a NotFound error with the given message if res changed no
// row.
func oneRow(res sql.Result, notFound string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return byline.Errorf(byline.NotFound, notFound, args...)
	}
	return nil
}
