package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"
)

// changePollInterval is how often WatchChanges reads the database file's
// change counter, for the writes of other processes sharing the file.
const changePollInterval = 250 * time.Millisecond

// WatchChanges tells changed when what readers see may have changed, so a
// cache of the site's version (LastModified) can be kept in memory. It
// calls changed(true) once it watches; after every write transaction
// committed through db, before the writing call returns; and, as it reads
// the database file's change counter (PRAGMA data_version) every 250 ms,
// after writes by other processes sharing the file. While it cannot read
// the counter (logged to db.Logger as a warning), and when it returns, it
// calls changed(false): the cache must then ask the database. It returns
// when ctx is done.
func (db *DB) WatchChanges(ctx context.Context, changed func(watching bool)) error {
	defer changed(false)
	hook := &changed
	db.changes.Add(hook)
	defer db.changes.Remove(hook)

	var (
		conn    *sql.Conn
		seen    int64
		healthy bool
	)
	defer func() {
		if conn != nil {
			conn.Close()
		}
	}()
	ticker := time.NewTicker(changePollInterval)
	defer ticker.Stop()
	for {
		version, err := db.dataVersion(ctx, &conn)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			if healthy {
				changed(false)
				healthy = false
				db.Logger.Warn("cannot read the database's change counter; pages ask the database until it answers",
					slog.Any("error", err))
			}
		case !healthy || version != seen:
			seen, healthy = version, true
			changed(true)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}

// dataVersion reads PRAGMA data_version on *conn, a read connection kept
// for the purpose: the counter is per connection, and moves when any other
// connection, in this process or another, commits to the file.
func (db *DB) dataVersion(ctx context.Context, conn **sql.Conn) (int64, error) {
	if *conn == nil {
		c, err := db.read.Conn(ctx)
		if err != nil {
			return 0, fmt.Errorf("watch changes: %w", err)
		}
		*conn = c
	}
	var version int64
	if err := (*conn).QueryRowContext(ctx, `PRAGMA data_version`).Scan(&version); err != nil {
		(*conn).Close()
		*conn = nil
		return 0, fmt.Errorf("watch changes: data_version: %w", err)
	}
	return version, nil
}

// NextDue returns the earliest live_at after after, or the zero time.
func (s *ArticleService) NextDue(ctx context.Context, after time.Time) (time.Time, error) {
	var next sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, `SELECT min(live_at) FROM articles WHERE live_at > ?`, after.UnixMilli()).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("next due: %w", err)
	}
	return fromMillis(next), nil
}
