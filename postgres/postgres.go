// Package postgres implements Byline's services on PostgreSQL through pgx,
// for sites that run many stateless instances on one database.
// Migrations are embedded and run by Open under an advisory lock, so ten
// instances starting at once migrate once.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bylinenews/byline/internal/changefeed"
	"github.com/bylinenews/byline/markdown"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockID is the advisory lock Byline's migrations run under.
const migrationLockID = 0x6279_6c69_6e65 // "byline"

// DB is an open Byline database on PostgreSQL. It is safe for concurrent use.
type DB struct {
	pool *pgxpool.Pool

	// Now returns the current time; tests replace it to fix the clock.
	Now func() time.Time

	// Logger is where the store reports what it does in the background
	// (slog.Default() unless set).
	Logger *slog.Logger

	markdown *markdown.Renderer

	// changes are told of every committed write (WatchChanges).
	changes changefeed.Hooks
}

// Open connects to the database at url (postgres://...) and brings its
// schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the CPU count, at least 4) starves a web
		// server whose requests mostly wait on the network; the URL's
		// pool_max_conns overrides this.
		cfg.MaxConns = max(cfg.MaxConns, 16)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	db := &DB{pool: pool, Now: time.Now, Logger: slog.Default(), markdown: markdown.New()}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// Close closes the connections.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks that the database answers, for /healthz.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// Pool returns the connection pool, for tests and tools.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// now returns the current time in UTC, truncated to the microseconds
// PostgreSQL keeps, so what is returned equals what is read back.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, holding an advisory lock on one connection throughout.
func (db *DB) migrate(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, int64(migrationLockID)); err != nil {
		return fmt.Errorf("migrate: take lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, int64(migrationLockID))

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		src, err := migrationFS.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			var done bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, version).Scan(&done); err != nil || done {
				return err
			}
			if _, err := tx.Exec(ctx, string(src)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, version, base)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

// inTx runs fn in a transaction and commits it if fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	if err := pgx.BeginFunc(ctx, db.pool, fn); err != nil {
		return err
	}
	db.changes.Committed()
	return nil
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// isForeignKeyViolation reports whether err is PostgreSQL's
// foreign_key_violation: a row refers to one that is gone.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503"
}

// nullTime is nil for the zero time, for nullable timestamp columns.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// textOK reports whether s can be stored in a text column: PostgreSQL
// refuses invalid UTF-8 and NUL, which SQLite keeps. A key that cannot be
// stored cannot have been, so lookups treat it as unknown.
func textOK(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
