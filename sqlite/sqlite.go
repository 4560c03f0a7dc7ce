// Package sqlite implements Byline's services on an embedded SQLite database
// (modernc.org/sqlite, pure Go). Migrations are embedded and run by Open.
//
// Writes go through a single connection whose transactions take the write
// lock up front (BEGIN IMMEDIATE), so concurrent writers queue instead of
// failing with "database is locked"; reads use a separate pool and, in WAL
// mode, never wait for writers.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/bylinenews/byline/internal/changefeed"
	"github.com/bylinenews/byline/markdown"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open Byline database. It is safe for concurrent use.
type DB struct {
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *sql.DB

	// prepared runs the hot read queries (search, listing people) through
	// statements prepared once.
	prepared *preparedReads

	// Now returns the current time; tests replace it to fix the clock.
	Now func() time.Time

	// Logger is where the store reports what it does in the background
	// (slog.Default() unless set).
	Logger *slog.Logger

	markdown *markdown.Renderer

	// lastModified is prepared once: every public request runs it, and
	// parsing it each time cost as much as running it.
	lastModified *sql.Stmt

	// changes are told of every committed write (WatchChanges).
	changes changefeed.Hooks
}

// Open opens (creating if needed) the SQLite database at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	// busy_timeout comes first so the pragmas after it wait rather than fail.
	// synchronous=FULL makes a commit survive a power loss, not only a crash.
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	u := "file:" + (&url.URL{Path: path}).EscapedPath()
	write, err := sql.Open("sqlite", u+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", u+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)

	db := &DB{write: write, read: read, prepared: newPreparedReads(read), Now: time.Now, Logger: slog.Default(), markdown: markdown.New()}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	db.lastModified, err = read.PrepareContext(ctx, lastModifiedQuery)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var err error
	if db.lastModified != nil {
		err = db.lastModified.Close()
	}
	return errors.Join(err, db.prepared.Close(), db.read.Close(), db.write.Close())
}

// now returns the current time in UTC, truncated to the milliseconds the
// database keeps, so that what is returned equals what is read back.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Millisecond) }

// migrate applies, in order, each embedded migration not yet recorded in
// schema_migrations, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if err := db.applyMigration(ctx, version, name); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func (db *DB) applyMigration(ctx context.Context, version int, name string) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	src, err := migrationFS.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(src)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		version, filepath.Base(name), db.now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// inTx runs fn in a write transaction and commits it if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.changes.Committed()
	return nil
}

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// isUniqueViolation reports whether err is SQLite's unique-constraint error,
// matched by its extended code rather than its message.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// millis converts t to the database's Unix milliseconds; the zero time is NULL.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromMillis converts a nullable Unix-milliseconds column to a UTC time.
func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
