package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.ChallengeStore = (*ChallengeStore)(nil)

// ChallengeStore implements byline.ChallengeStore on PostgreSQL. A challenge
// is deleted when it is solved or failed, and expired ones are swept as new
// ones are created, so the table holds about one TTL's worth of challenges.
type ChallengeStore struct {
	db *DB
}

// NewChallengeStore returns the captcha challenge store of db.
func NewChallengeStore(db *DB) *ChallengeStore { return &ChallengeStore{db: db} }

// sweepBatch bounds the expired rows deleted per call, so a backlog is
// cleared over several calls rather than in one long write.
const sweepBatch = 100

// sweep deletes up to sweepBatch rows of table (one of two constants, never
// input) that expired by now. Rows another transaction holds are skipped,
// not waited for: two instances sweeping at once neither wait on nor
// deadlock with each other.
func (db *DB) sweep(ctx context.Context, table, key string, now time.Time) error {
	_, err := db.pool.Exec(ctx, `DELETE FROM `+table+` WHERE `+key+` IN
		(SELECT `+key+` FROM `+table+` WHERE expires_at <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`, now, sweepBatch)
	if err != nil {
		return fmt.Errorf("sweep %s: %w", table, err)
	}
	return nil
}

// CreateChallenge stores c. It returns Conflict if c.ID is taken.
func (s *ChallengeStore) CreateChallenge(ctx context.Context, c *byline.Challenge) error {
	if c.ID == "" || c.Solution == "" || !textOK(c.ID) || !textOK(c.Solution) {
		return byline.Errorf(byline.Invalid, "A challenge needs an ID and a solution.")
	}
	if err := s.db.sweep(ctx, "challenges", "id", s.db.now()); err != nil {
		return err
	}
	_, err := s.db.pool.Exec(ctx, `INSERT INTO challenges (id, solution, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		c.ID, c.Solution, c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "A challenge with this ID exists.")
	} else if err != nil {
		return fmt.Errorf("insert challenge: %w", err)
	}
	return nil
}

// FindChallenge returns the unexpired, unused challenge with the given ID.
func (s *ChallengeStore) FindChallenge(ctx context.Context, id string) (*byline.Challenge, error) {
	c := byline.Challenge{ID: id}
	if !textOK(id) {
		return nil, byline.Errorf(byline.NotFound, "This captcha has expired or was already used.")
	}
	err := s.db.pool.QueryRow(ctx, `SELECT solution, created_at, expires_at FROM challenges
		WHERE id = $1 AND expires_at > $2`, id, s.db.now()).Scan(&c.Solution, &c.CreatedAt, &c.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "This captcha has expired or was already used.")
	} else if err != nil {
		return nil, fmt.Errorf("find challenge: %w", err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return &c, nil
}

// ReplaceSolution gives an unused, unexpired challenge new characters and a
// new expiry. Its creation time, which the form's minimum fill time counts
// from, stays.
func (s *ChallengeStore) ReplaceSolution(ctx context.Context, id, solution string, expiresAt time.Time) error {
	if solution == "" || !textOK(solution) {
		return byline.Errorf(byline.Invalid, "A challenge needs a solution.")
	}
	if !textOK(id) {
		return byline.Errorf(byline.NotFound, "This captcha has expired or was already used.")
	}
	tag, err := s.db.pool.Exec(ctx, `UPDATE challenges SET solution = $1, expires_at = $2
		WHERE id = $3 AND expires_at > $4`, solution, expiresAt.UTC(), id, s.db.now())
	if err != nil {
		return fmt.Errorf("replace challenge solution: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return byline.Errorf(byline.NotFound, "This captcha has expired or was already used.")
	}
	return nil
}

// SolveChallenge deletes the challenge and reports whether it was unexpired
// and answer matches its solution, ignoring case and spaces. The DELETE is
// the one use: of two instances answering at once, one gets the row.
func (s *ChallengeStore) SolveChallenge(ctx context.Context, id, answer string) (bool, error) {
	var (
		solution string
		expires  time.Time
	)
	if !textOK(id) {
		return false, nil // no challenge has such an ID
	}
	err := s.db.pool.QueryRow(ctx, `DELETE FROM challenges WHERE id = $1 RETURNING solution, expires_at`, id).
		Scan(&solution, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("solve challenge: %w", err)
	}
	return expires.After(s.db.now()) && byline.AnswerMatches(answer, solution), nil
}
