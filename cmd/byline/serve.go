package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/bylinenews/byline/web"
)

func serveFlags(c *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.siteFlags(fs)
	c.storageFlags(fs)
	c.Contact.flags(fs)
	c.Clients.flags(fs)
	c.Newsletters.flags(fs)
	fs.BoolVar(&c.Demo, "demo", envOr("demo", "false") == "true",
		"start with the sample site: articles, authors, tags and pictures, in a temporary data directory unless --data or --db names one")
	return fs
}

// runServe runs the site until the context is cancelled (SIGINT, SIGTERM).
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var c Config
	fs := serveFlags(&c)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	clients, err := c.Clients.settings()
	if err != nil {
		return err
	}
	logger := c.logger(stderr)
	demoTemp := c.Demo && !isSet(fs, "data") && !isSet(fs, "db")
	if demoTemp {
		dir, err := os.MkdirTemp("", "byline-demo-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir) // after db.Close, deferred below
		c.DataDir = dir
	}
	db, err := c.openBackend(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()

	publicDir := filepath.Join(c.DataDir, "public")
	if err := os.MkdirAll(publicDir, 0o750); err != nil {
		return err
	}
	var demoUser string // what the demo says about signing in, once listening
	if c.Demo {
		if demoUser, err = fillDemo(ctx, db, publicDir, demoTemp, logger); err != nil {
			return err
		}
	}
	srv := &web.Server{
		Articles:  db.Articles,
		Authors:   db.Authors,
		Sections:  db.Sections,
		Pages:     db.Pages,
		Menus:     db.Menus,
		Search:    db.Search,
		Site:      web.Site{Title: c.SiteTitle, Tagline: c.Tagline, BaseURL: c.BaseURL},
		Logger:    logger,
		PublicDir: os.DirFS(publicDir),

		FeedFullContent: c.FeedFullContent,
		Health:          db.Ping,

		// The newsroom (byline user add creates the first user).
		Users:     db.Users,
		Sessions:  db.Sessions,
		Desk:      db.Desk,
		Autosaves: db.Autosaves,
		Settings:  db.Settings,
		Uploads:   db.Uploads,
		UploadDir: filepath.Join(publicDir, "uploads"),
		Limiter:   db.Limiter, // sign-in throttling, with or without Contact Us
	}
	clients.apply(srv)
	current, stopContact, err := c.Contact.wireContact(ctx, db, srv, logger)
	if err != nil {
		return err
	}
	defer stopContact() // before db.Close: the outbox worker uses the database
	stopWatch := watchChanges(ctx, db, srv, logger)
	defer stopWatch() // before db.Close: the watcher holds a connection
	listening, stopNewsletters, err := c.wireNewsletters(ctx, db, srv, current, logger)
	if err != nil {
		return err
	}
	defer stopNewsletters()
	if db.TidySearch != nil {
		stopTidy := tidySearchEvery(ctx, db.TidySearch, logger, time.Minute, time.Hour)
		defer stopTidy()
	}
	return srv.ListenAndServe(ctx, c.Addr, func(addr net.Addr) {
		logger.Info("serving", "url", "http://"+addr.String(), "database", db.describe)
		listening("http://" + addr.String())
		if c.Demo {
			where := "in " + c.DataDir
			if demoTemp {
				where = "in " + c.DataDir + ", removed when serve stops"
			}
			if c.isPostgres() {
				where = "in " + db.describe
			}
			fmt.Fprintf(stdout, "The demo site is at %s/ (its data %s)\n", siteURL(c.BaseURL, addr.String()), where)
			if demoUser != "" {
				fmt.Fprintf(stdout, "Its newsroom: sign in at %s as %s\n", signInURL(c.BaseURL, addr.String()), demoUser)
			}
		}
	})
}

// watchChanges runs the database's change feed into the server's page
// cache until the returned stop is called, which waits for it to end.
func watchChanges(ctx context.Context, db *backend, srv *web.Server, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := db.WatchChanges(ctx, srv.ContentChanged); err != nil && ctx.Err() == nil {
			logger.Error("change feed stopped; pages ask the database", slog.Any("error", err))
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// isSet reports whether a flag was given on the command line or through
// its environment variable.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	_, env := os.LookupEnv(envVars[name])
	return set || env
}

// tidySearchMaxSegments is how many pieces the search index may be in
// before serve merges it. Writes one at a time keep it in a few (FTS5
// merges them by levels); many pieces make every search seek more.
const tidySearchMaxSegments = 8

// tidySearchEvery merges the search index when it is in too many pieces,
// first after start (serve: a minute) and then every interval (an hour),
// until the returned stop is called, which cancels a merge under way and
// waits for it to end its step.
func tidySearchEvery(ctx context.Context, tidy func(context.Context, int) (bool, error), logger *slog.Logger, first, every time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := first
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = every
			start := time.Now()
			merged, err := tidy(ctx, tidySearchMaxSegments)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Warn("tidying the search index failed; retrying in an hour", "error", err)
			case merged:
				logger.Info("search index merged into one piece", "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}()
	return func() { cancel(); <-done }
}
