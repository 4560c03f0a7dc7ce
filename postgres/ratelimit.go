package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

var _ byline.RateLimiter = (*RateLimiter)(nil)

// RateLimiter implements byline.RateLimiter on PostgreSQL with one fixed
// window per key, shared by every instance. Windows that have ended are
// swept as events are counted.
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
	key = storableKey(key)
	now := l.db.now()
	if err := l.db.sweep(ctx, "rate_limits", "key", now); err != nil {
		return false, 0, err
	}
	// One statement, atomic however many instances count the same key: the
	// first event inserts the row, the others update it under its lock. In
	// SET, rate_limits.* are the values before the update, so the three
	// CASEs agree on whether the window had ended.
	var (
		count   int
		expires time.Time
	)
	err := l.db.pool.QueryRow(ctx, `INSERT INTO rate_limits AS r (key, window_start, expires_at, count)
		VALUES ($1, $2, $3, 1)
		ON CONFLICT (key) DO UPDATE SET
			window_start = CASE WHEN r.expires_at <= excluded.window_start THEN excluded.window_start ELSE r.window_start END,
			expires_at   = CASE WHEN r.expires_at <= excluded.window_start THEN excluded.expires_at ELSE r.expires_at END,
			count        = CASE WHEN r.expires_at <= excluded.window_start THEN 1 ELSE r.count + 1 END
		RETURNING count, expires_at`, key, now, now.Add(window)).Scan(&count, &expires)
	if err != nil {
		return false, 0, fmt.Errorf("count rate limit: %w", err)
	}
	if count <= limit {
		return true, 0, nil
	}
	// Round up to whole seconds, as Retry-After carries them.
	wait := (expires.Sub(now) + time.Second - 1).Truncate(time.Second)
	return false, max(wait, time.Second), nil
}

// maxKeyBytes bounds a key as stored: a B-tree entry must fit in a third of
// a page.
const maxKeyBytes = 512

// storableKey returns key as PostgreSQL can store and index it: invalid
// UTF-8 and NUL replaced, and a long key cut and followed by a hash of the
// whole, so that distinct long keys stay distinct.
func storableKey(key string) string {
	if !textOK(key) {
		key = strings.ToValidUTF8(strings.ReplaceAll(key, "\x00", "\uFFFD"), "\uFFFD")
	}
	if len(key) <= maxKeyBytes {
		return key
	}
	sum := sha256.Sum256([]byte(key))
	cut := maxKeyBytes - 2*len(sum) - 1
	for cut > 0 && !utf8.RuneStart(key[cut]) {
		cut--
	}
	return key[:cut] + "#" + hex.EncodeToString(sum[:])
}
