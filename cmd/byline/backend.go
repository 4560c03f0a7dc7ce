package main

import (
	"context"
	"fmt"
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

	Articles   byline.ArticleService
	Search     byline.SearchService
	Challenges byline.ChallengeStore
	Messages   interface {
		byline.MessageService
		byline.Outbox
	}
	Limiter  byline.RateLimiter
	Users    byline.UserService
	Sessions byline.SessionService
	Desk     byline.DeskService
	Settings byline.SettingsService
	Uploads  byline.UploadService

	Ping  func(context.Context) error
	Close func() error

	// TidySearch merges a search index left in many pieces by writes
	// (sqlite.DB.TidySearch); nil where the database keeps its own.
	TidySearch func(ctx context.Context, maxSegments int) (bool, error)
}

// isPostgres reports whether the database URL names PostgreSQL.
func (c *Config) isPostgres() bool {
	return strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://")
}

// openBackend opens the configured database, running its migrations, and
// returns its services.
func (c *Config) openBackend(ctx context.Context) (*backend, error) {
	if c.isPostgres() {
		db, err := postgres.Open(ctx, c.DB)
		if err != nil {
			return nil, fmt.Errorf("open database %s: %w", redactURL(c.DB), err)
		}
		return &backend{
			describe:   "PostgreSQL " + redactURL(c.DB),
			Articles:   postgres.NewArticleService(db),
			Search:     postgres.NewSearchService(db),
			Challenges: postgres.NewChallengeStore(db),
			Messages:   postgres.NewMessageService(db),
			Limiter:    postgres.NewRateLimiter(db),
			Users:      postgres.NewUserService(db),
			Sessions:   postgres.NewSessionService(db),
			Desk:       postgres.NewDeskService(db),
			Settings:   postgres.NewSettingsService(db),
			Uploads:    postgres.NewUploadService(db),
			Ping:       db.Ping,
			Close:      db.Close,
		}, nil
	}
	db, err := sqlite.Open(ctx, c.sqlitePath())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", c.sqlitePath(), err)
	}
	return &backend{
		describe:   "SQLite " + c.sqlitePath(),
		Articles:   sqlite.NewArticleService(db),
		Search:     sqlite.NewSearchService(db),
		Challenges: sqlite.NewChallengeStore(db),
		Messages:   sqlite.NewMessageService(db),
		Limiter:    sqlite.NewRateLimiter(db),
		Users:      sqlite.NewUserService(db),
		Sessions:   sqlite.NewSessionService(db),
		Desk:       sqlite.NewDeskService(db),
		Settings:   sqlite.NewSettingsService(db),
		Uploads:    sqlite.NewUploadService(db),
		Ping:       db.Ping,
		Close:      db.Close,
		TidySearch: db.TidySearch,
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
