package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// siteChangedChannel is the channel migration 0015's trigger notifies when
// site_state moves.
const siteChangedChannel = "byline_site_changed"

// listenRetry is how long WatchChanges waits before it connects again.
const listenRetry = 500 * time.Millisecond

// WatchChanges tells changed when what readers see may have changed, so a
// cache of the site's version (LastModified) can be kept in memory. On a
// connection of its own it LISTENs for the notification every change of
// site_state sends on commit, from any instance; it calls changed(true)
// once it listens, after every such notification (a few milliseconds after
// the commit), and after every write transaction committed through db,
// before the writing call returns. While it is not listening (the
// connection broke; it connects again every half second), and when it
// returns, it calls changed(false): the cache must then ask the database.
// A lost connection is logged to db.Logger as a warning. It returns when ctx
// is done.
func (db *DB) WatchChanges(ctx context.Context, changed func(watching bool)) error {
	defer changed(false)
	hook := &changed
	db.changes.Add(hook)
	defer db.changes.Remove(hook)
	for {
		err := db.listen(ctx, changed)
		changed(false)
		if ctx.Err() == nil {
			db.Logger.Warn("change notifications lost; pages ask the database until they are back",
				slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(listenRetry):
		}
	}
}

// listen connects, LISTENs and reports notifications until the connection
// fails or ctx is done.
func (db *DB) listen(ctx context.Context, changed func(bool)) error {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("watch changes: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+siteChangedChannel); err != nil {
		return fmt.Errorf("watch changes: listen: %w", err)
	}
	// Changes made while nobody listened are caught by this first call.
	changed(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return fmt.Errorf("watch changes: %w", err)
		}
		changed(true)
	}
}

// NextDue returns the earliest live_at after after, or the zero time.
func (s *ArticleService) NextDue(ctx context.Context, after time.Time) (time.Time, error) {
	var next *time.Time
	if err := s.db.pool.QueryRow(ctx, `SELECT min(live_at) FROM articles WHERE live_at > $1`, after).Scan(&next); err != nil {
		return time.Time{}, fmt.Errorf("next due: %w", err)
	}
	if next == nil {
		return time.Time{}, nil
	}
	return next.UTC(), nil
}
