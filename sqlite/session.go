package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.SessionService = (*SessionService)(nil)

// SessionService implements byline.SessionService on SQLite.
type SessionService struct {
	db *DB
}

// NewSessionService returns the session service of db.
func NewSessionService(db *DB) *SessionService { return &SessionService{db: db} }

// sessionTouchEvery is how stale last_seen_at may get before a request
// writes it again: often enough for the idle expiry, rarely enough that
// browsing the newsroom is not a stream of writes.
const sessionTouchEvery = time.Hour

// CreateSession starts a session for the user and returns its token.
func (s *SessionService) CreateSession(ctx context.Context, userID int64) (string, *byline.Session, error) {
	token := rand.Text() // 26 base32 characters: 130 random bits
	now := s.db.now()
	sess := &byline.Session{UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: byline.SessionExpiry(now, now)}
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		// Sweep a few expired sessions on the way: no job has to.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash IN
			(SELECT token_hash FROM sessions WHERE expires_at <= ? LIMIT 100)`, now.UnixMilli()); err != nil {
			return fmt.Errorf("sweep sessions: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?)`, byline.SessionTokenHash(token), userID, now.UnixMilli(), now.UnixMilli(), sess.ExpiresAt.UnixMilli())
		if err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", nil, err
	}
	return token, sess, nil
}

// FindSession returns the live session with the token and its user.
func (s *SessionService) FindSession(ctx context.Context, token string) (*byline.Session, *byline.User, error) {
	if token == "" || len(token) > 128 {
		return nil, nil, byline.ErrNoSession
	}
	now := s.db.now()
	var (
		sess                   byline.Session
		created, seen, expires int64
	)
	hash := byline.SessionTokenHash(token)
	u, err := scanUser(extraColumns{s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.created_at, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash), []any{&created, &seen, &expires}})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, byline.ErrNoSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	sess.UserID = u.ID
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(seen).UTC(), time.UnixMilli(expires).UTC()
	if !now.Before(sess.ExpiresAt) || u.Disabled {
		return nil, nil, byline.ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		sess.LastSeenAt, sess.ExpiresAt = now, byline.SessionExpiry(sess.CreatedAt, now)
		err := s.db.inTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?`,
				now.UnixMilli(), sess.ExpiresAt.UnixMilli(), hash)
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return &sess, u, nil
}

// extraColumns scans a row into dest and then the extra columns after it.
type extraColumns struct {
	row   rowScanner
	extra []any
}

func (r extraColumns) Scan(dest ...any) error { return r.row.Scan(append(dest, r.extra...)...) }

// DeleteSession ends the session with the token.
func (s *SessionService) DeleteSession(ctx context.Context, token string) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, byline.SessionTokenHash(token)); err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		return nil
	})
}

// DeleteSessions ends every session of the user.
func (s *SessionService) DeleteSessions(ctx context.Context, userID int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("delete sessions of user %d: %w", userID, err)
		}
		return nil
	})
}
