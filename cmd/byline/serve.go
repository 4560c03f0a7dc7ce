package main

import (
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/bylinenews/byline/web"
)

func serveFlags(c *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.siteFlags(fs)
	c.storageFlags(fs)
	c.Contact.flags(fs)
	return fs
}

// runServe runs the site until the context is cancelled (SIGINT, SIGTERM).
func runServe(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var c Config
	if err := parseFlags(serveFlags(&c), args, stderr); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	logger := c.logger(stderr)
	db, err := c.openBackend(ctx)
	if err != nil {
		return err
	}
	defer db.Close()

	publicDir := filepath.Join(c.DataDir, "public")
	if err := os.MkdirAll(publicDir, 0o750); err != nil {
		return err
	}
	srv := &web.Server{
		Articles:  db.Articles,
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
		Settings:  db.Settings,
		Uploads:   db.Uploads,
		UploadDir: filepath.Join(publicDir, "uploads"),
		Limiter:   db.Limiter, // sign-in throttling, with or without Contact Us
	}
	stopContact, err := c.Contact.wireContact(ctx, db, srv, logger)
	if err != nil {
		return err
	}
	defer stopContact() // before db.Close: the outbox worker uses the database
	return srv.ListenAndServe(ctx, c.Addr, func(addr net.Addr) {
		logger.Info("serving", "url", "http://"+addr.String(), "database", db.describe)
	})
}
