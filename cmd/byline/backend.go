package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/sqlite"
)

// backend is every service of the configured database, SQLite or
// PostgreSQL; the commands use it and never a backend package directly.
type backend struct {
	describe string // where the data lives, for logs and messages

	byline.Services

	Ping  func(context.Context) error
	Close func() error

	// TidySearch merges a search index left in many pieces by writes
	// (sqlite.DB.TidySearch); nil where the database keeps its own.
	TidySearch func(ctx context.Context, maxSegments int) (bool, error)

	// WatchChanges tells changed of every change readers could see, from
	// this process at once and from others soon after, until ctx is done
	// (sqlite.DB.WatchChanges, postgres.DB.WatchChanges): how the page
	// cache knows its pages are current without asking the database.
	WatchChanges func(ctx context.Context, changed func(watching bool)) error
}

// isPostgres reports whether the database URL names PostgreSQL.
func (c *Config) isPostgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// openBackend opens the configured database, running its migrations, and
// returns its services, which log to logger.
func (c *Config) openBackend(ctx context.Context, logger *slog.Logger) (*backend, error) {
	if c.isPostgres() {
		db, err := postgres.Open(ctx, c.DB)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", redactURL(c.DB), err)
		}
		db.Logger = logger
		return &backend{
			describe:     "PostgreSQL " + redactURL(c.DB),
			Services:     postgres.NewServices(db),
			Ping:         db.Ping,
			Close:        db.Close,
			WatchChanges: db.WatchChanges,
		}, nil
	}
	db, err := sqlite.Open(ctx, c.sqlitePath())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", c.sqlitePath(), err)
	}
	db.Logger = logger
	return &backend{
		describe:     "SQLite " + c.sqlitePath(),
		Services:     sqlite.NewServices(db),
		Ping:         db.Ping,
		Close:        db.Close,
		TidySearch:   db.TidySearch,
		WatchChanges: db.WatchChanges,
	}, nil
}

// redactURL hides a password in a database URL.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
