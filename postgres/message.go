package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var (
	_ byline.MessageService = (*MessageService)(nil)
	_ byline.Outbox         = (*MessageService)(nil)
)

// MessageService implements byline.MessageService and byline.Outbox on
// PostgreSQL: the messages table is both the editors' inbox and the outbox,
// which any number of instances' workers share.
type MessageService struct {
	db *DB
}

// NewMessageService returns the message service of db.
func NewMessageService(db *DB) *MessageService { return &MessageService{db: db} }

const messageColumns = `id, name, email, subject, body, created_at, status, delivery, attempts,
	last_error, next_attempt_at, sent_at`

func scanMessage(row pgx.Row) (*byline.Message, error) {
	var (
		m                 byline.Message
		status, delivery  string
		nextAttempt, sent *time.Time
	)
	err := row.Scan(&m.ID, &m.Name, &m.Email, &m.Subject, &m.Body, &m.CreatedAt, &status, &delivery,
		&m.Attempts, &m.LastError, &nextAttempt, &sent)
	if err != nil {
		return nil, err
	}
	m.CreatedAt = m.CreatedAt.UTC()
	m.Status, m.Delivery = byline.InboxStatus(status), byline.DeliveryStatus(delivery)
	if nextAttempt != nil {
		m.NextAttemptAt = nextAttempt.UTC()
	}
	if sent != nil {
		m.SentAt = sent.UTC()
	}
	return &m, nil
}

// Create validates m and commits it, unread and due for delivery now.
func (s *MessageService) Create(ctx context.Context, m *byline.Message) error {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return err
	}
	now := s.db.now()
	err := s.db.pool.QueryRow(ctx, `INSERT INTO messages
		(name, email, subject, body, created_at, status, delivery, attempts, last_error, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, 'unread', 'pending', 0, '', $5) RETURNING id`,
		m.Name, m.Email, m.Subject, m.Body, now).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	m.CreatedAt, m.Status, m.Delivery = now, byline.Unread, byline.DeliveryPending
	m.Attempts, m.LastError, m.NextAttemptAt, m.SentAt = 0, "", now, time.Time{}
	return nil
}

// FindByID returns the message with the given ID.
func (s *MessageService) FindByID(ctx context.Context, id int64) (*byline.Message, error) {
	m, err := scanMessage(s.db.pool.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
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
		a     args
	)
	if f.Status != nil {
		where = append(where, "status = "+a.add(string(*f.Status)))
	}
	if f.Delivery != nil {
		where = append(where, "delivery = "+a.add(string(*f.Delivery)))
	}
	if f.Since != nil {
		where = append(where, "created_at >= "+a.add(f.Since.UTC()))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	filterArgs := len(a)
	q := `SELECT ` + messageColumns + `, count(*) OVER () FROM messages` + cond + ` ORDER BY created_at DESC, id DESC`
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	q += " OFFSET " + a.add(max(f.Offset, 0))
	rows, err := s.db.pool.Query(ctx, q, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("query messages: %w", err)
	}
	defer rows.Close()
	var (
		msgs  []*byline.Message
		total int
	)
	for rows.Next() {
		m, err := scanMessage(withExtra{rows, []any{&total}})
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
		if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM messages`+cond, a[:filterArgs]...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count messages: %w", err)
		}
	}
	return msgs, total, nil
}

// SetStatus moves a message in the inbox.
func (s *MessageService) SetStatus(ctx context.Context, id int64, status byline.InboxStatus) error {
	if !status.Valid() {
		return byline.Errorf(byline.Invalid, "%q is not an inbox status.", status)
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE messages SET status = $1 WHERE id = $2`, string(status), id)
	if err != nil {
		return fmt.Errorf("set message %d status: %w", id, err)
	}
	return oneRow(tag.RowsAffected(), "No message with ID %d.", id)
}

// Delete removes a message.
func (s *MessageService) Delete(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM messages WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete message %d: %w", id, err)
	}
	return oneRow(tag.RowsAffected(), "No message with ID %d.", id)
}

// ClaimDue leases up to limit due messages to the caller. The due rows are
// locked with FOR UPDATE SKIP LOCKED: a worker on another instance claiming
// at the same moment passes over them to the next due ones instead of
// waiting, so no message is claimed twice and no worker stalls. Once this
// statement commits, the lease has moved the messages out of "due".
func (s *MessageService) ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]*byline.Message, error) {
	if limit <= 0 {
		return nil, nil
	}
	now := s.db.now()
	rows, err := s.db.pool.Query(ctx, `UPDATE messages m
		SET attempts = m.attempts + 1, next_attempt_at = $1
		FROM (SELECT id FROM messages
			WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $2 AND delivery <> 'sent'
			ORDER BY next_attempt_at, id LIMIT $3
			FOR UPDATE SKIP LOCKED) due
		WHERE m.id = due.id
		RETURNING `+prefixed("m.", messageColumns),
		now.Add(lease), now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	defer rows.Close()
	var msgs []*byline.Message
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("scan claimed message: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim messages: %w", err)
	}
	// RETURNING gives no order; hand them out oldest first.
	slices.SortFunc(msgs, func(a, b *byline.Message) int { return cmp.Compare(a.ID, b.ID) })
	return msgs, nil
}

// prefixed qualifies each of a comma-separated list of columns.
func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// MarkSent records that the message was emailed.
func (s *MessageService) MarkSent(ctx context.Context, id int64) error {
	tag, err := s.db.pool.Exec(ctx, `UPDATE messages
		SET delivery = 'sent', sent_at = $1, next_attempt_at = NULL, last_error = '' WHERE id = $2`,
		s.db.now(), id)
	if err != nil {
		return fmt.Errorf("mark message %d sent: %w", id, err)
	}
	return oneRow(tag.RowsAffected(), "No message with ID %d.", id)
}

// MarkFailed records a failed attempt and when to try again.
func (s *MessageService) MarkFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error {
	// An SMTP server's reply is outside text: keep what PostgreSQL can store.
	lastError = strings.ToValidUTF8(strings.ReplaceAll(lastError, "\x00", ""), "\uFFFD")
	tag, err := s.db.pool.Exec(ctx, `UPDATE messages
		SET delivery = 'failed', last_error = $1, next_attempt_at = $2 WHERE id = $3`,
		lastError, nullTime(retryAt.UTC().Truncate(time.Microsecond)), id)
	if err != nil {
		return fmt.Errorf("mark message %d failed: %w", id, err)
	}
	return oneRow(tag.RowsAffected(), "No message with ID %d.", id)
}

// oneRow returns a NotFound error with the given message if n, the rows a
// statement changed, is zero.
func oneRow(n int64, notFound string, args ...any) error {
	if n == 0 {
		return byline.Errorf(byline.NotFound, notFound, args...)
	}
	return nil
}
