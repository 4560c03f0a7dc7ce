package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.ChallengeStore = (*ChallengeStore)(nil)

// ChallengeStore implements byline.ChallengeStore on SQLite. A challenge is
// deleted when it is solved or failed, and expired ones are swept as new
// ones are created, so the table holds about one TTL's worth of challenges.
type ChallengeStore struct {
	db *DB
}

// NewChallengeStore returns the captcha challenge store of db.
func NewChallengeStore(db *DB) *ChallengeStore { return &ChallengeStore{db: db} }

// sweepBatch bounds the expired challenges deleted per new one, so a
// backlog is cleared over several calls rather than in one long write.
const sweepBatch = 100

// CreateChallenge stores c. It returns Conflict if c.ID is taken.
func (s *ChallengeStore) CreateChallenge(ctx context.Context, c *byline.Challenge) error {
	if c.ID == "" || c.Solution == "" {
		return byline.Errorf(byline.Invalid, "A challenge needs an ID and a solution.")
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM challenges WHERE id IN
			(SELECT id FROM challenges WHERE expires_at <= ? LIMIT ?)`, now.UnixMilli(), sweepBatch); err != nil {
			return fmt.Errorf("sweep challenges: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO challenges (id, solution, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			c.ID, c.Solution, c.CreatedAt.UTC().UnixMilli(), c.ExpiresAt.UTC().UnixMilli())
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "A challenge with this ID exists.")
		} else if err != nil {
			return fmt.Errorf("insert challenge: %w", err)
		}
		return nil
	})
}

// FindChallenge returns the unexpired, unused challenge with the given ID.
func (s *ChallengeStore) FindChallenge(ctx context.Context, id string) (*byline.Challenge, error) {
	var (
		c                = byline.Challenge{ID: id}
		created, expires int64
	)
	err := s.db.read.QueryRowContext(ctx, `SELECT solution, created_at, expires_at FROM challenges
		WHERE id = ? AND expires_at > ?`, id, s.db.now().UnixMilli()).Scan(&c.Solution, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "This captcha has expired or was already used.")
	} else if err != nil {
		return nil, fmt.Errorf("find challenge: %w", err)
	}
	c.CreatedAt, c.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return &c, nil
}

// ReplaceSolution gives an unused, unexpired challenge new characters and a
// new expiry. Its creation time, which the form's minimum fill time counts
// from, stays.
func (s *ChallengeStore) ReplaceSolution(ctx context.Context, id, solution string, expiresAt time.Time) error {
	if solution == "" {
		return byline.Errorf(byline.Invalid, "A challenge needs a solution.")
	}
	now := s.db.now()
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE challenges SET solution = ?, expires_at = ?
			WHERE id = ? AND expires_at > ?`, solution, expiresAt.UTC().UnixMilli(), id, now.UnixMilli())
		if err != nil {
			return fmt.Errorf("replace challenge solution: %w", err)
		}
		return oneRow(res, "This captcha has expired or was already used.")
	})
}

// SolveChallenge deletes the challenge and reports whether it was unexpired
// and answer matches its solution, ignoring case and spaces.
func (s *ChallengeStore) SolveChallenge(ctx context.Context, id, answer string) (bool, error) {
	now := s.db.now()
	var ok bool
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var (
			solution string
			expires  int64
		)
		err := tx.QueryRowContext(ctx, `DELETE FROM challenges WHERE id = ? RETURNING solution, expires_at`, id).
			Scan(&solution, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("solve challenge: %w", err)
		}
		ok = expires > now.UnixMilli() && byline.AnswerMatches(answer, solution)
		return nil
	})
	if err != nil {
		return false, err
	}
	return ok, nil
}
