package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.RateLimiter = (*RateLimiter)(nil)

// RateLimiter implements byline.RateLimiter on SQLite with one fixed window
// per key. Windows that have ended are swept as events are counted.
type RateLimiter struct {
	db *DB
}

// NewRateLimiter returns the rate limiter of db.
func NewRateLimiter(db *DB) *RateLimiter { return &RateLimiter{db: db} }

// Allow counts one event for key and reports whether it is within limit
// events per window.
func (l *RateLimiter) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if limit <= 0 || window <= 0 {
		return false, time.Second, byline.Errorf(byline.Invalid, "A rate limit needs a positive limit and window.")
	}
	now := l.db.now().UnixMilli()
	var (
		count   int
		expires int64
	)
	err := l.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE key IN
			(SELECT key FROM rate_limits WHERE expires_at <= ? LIMIT ?)`, now, sweepBatch); err != nil {
			return fmt.Errorf("sweep rate limits: %w", err)
		}
		// In SET, every column names its value before the update, so the
		// three CASEs agree on whether the window had ended.
		err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, expires_at, count)
			VALUES (?, ?, ?, 1)
			ON CONFLICT (key) DO UPDATE SET
				window_start = CASE WHEN expires_at <= excluded.window_start THEN excluded.window_start ELSE window_start END,
				expires_at   = CASE WHEN expires_at <= excluded.window_start THEN excluded.expires_at ELSE expires_at END,
				count        = CASE WHEN expires_at <= excluded.window_start THEN 1 ELSE count + 1 END
			RETURNING count, expires_at`, key, now, now+window.Milliseconds()).Scan(&count, &expires)
		if err != nil {
			return fmt.Errorf("count rate limit: %w", err)
		}
		return nil
	})
	if err != nil {
		return false, 0, err
	}
	if count <= limit {
		return true, 0, nil
	}
	wait := time.Duration(expires-now) * time.Millisecond
	// Round up to whole seconds, as Retry-After carries them.
	wait = (wait + time.Second - 1).Truncate(time.Second)
	return false, max(wait, time.Second), nil
}
