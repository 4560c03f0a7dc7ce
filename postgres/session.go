package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.SessionService = (*SessionService)(nil)

// SessionService implements byline.SessionService on PostgreSQL.
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
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		// Sweep a few expired sessions on the way: no job has to. Rows
		// another instance is sweeping are skipped, not waited for.
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token_hash IN
			(SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`, now); err != nil {
			return fmt.Errorf("sweep sessions: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at)
			VALUES ($1, $2, $3, $3, $4)`, byline.SessionTokenHash(token), userID, now, sess.ExpiresAt)
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
	var sess byline.Session
	hash := byline.SessionTokenHash(token)
	u, err := scanUser(withExtra{s.db.pool.QueryRow(ctx, `SELECT `+userColumns+`, s.created_at, s.last_seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`, hash),
		[]any{&sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt}})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, byline.ErrNoSession
	} else if err != nil {
		return nil, nil, fmt.Errorf("find session: %w", err)
	}
	sess.UserID = u.ID
	sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt = sess.CreatedAt.UTC(), sess.LastSeenAt.UTC(), sess.ExpiresAt.UTC()
	if !now.Before(sess.ExpiresAt) || u.Disabled {
		return nil, nil, byline.ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		sess.LastSeenAt, sess.ExpiresAt = now, byline.SessionExpiry(sess.CreatedAt, now)
		// One statement, committed on its own. Two instances touching the
		// same session at once both write about the same time; the later
		// expiry wins.
		_, err := s.db.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = greatest(last_seen_at, $1),
			expires_at = greatest(expires_at, $2) WHERE token_hash = $3`, now, sess.ExpiresAt, hash)
		if err != nil {
			return nil, nil, fmt.Errorf("touch session: %w", err)
		}
	}
	return &sess, u, nil
}

// DeleteSession ends the session with the token.
func (s *SessionService) DeleteSession(ctx context.Context, token string) error {
	if _, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, byline.SessionTokenHash(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of the user.
func (s *SessionService) DeleteSessions(ctx context.Context, userID int64) error {
	if _, err := s.db.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return nil
}
