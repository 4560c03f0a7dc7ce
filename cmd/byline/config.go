package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Config is every setting of the program, from flags whose defaults come
// from BYLINE_* environment variables.
type Config struct {
	Addr      string
	DataDir   string
	DB        string // database URL: sqlite:PATH; empty means DATA/byline.db
	BaseURL   string
	SiteTitle string
	Tagline   string
	LogFormat string
	LogLevel  string

	Contact     contactConfig    // Contact Us limits and SMTP (contact.go)
	Clients     clientConfig     // what one client may ask (clients.go)
	Newsletters newsletterConfig // the list's sending rate and sign-up limits (newsletters.go)

	FeedFullContent bool

	Demo bool // fill the site with the sample site first (serve --demo)
}

// defaultAddr is where serve listens unless told otherwise.
const defaultAddr = "127.0.0.1:8080"

// envVars maps each flag to its environment variable, for help.
var envVars = map[string]string{
	"addr": "BYLINE_ADDR", "data": "BYLINE_DATA", "db": "BYLINE_DB", "base-url": "BYLINE_BASE_URL",
	"site-title": "BYLINE_SITE_TITLE", "tagline": "BYLINE_TAGLINE", "log-format": "BYLINE_LOG_FORMAT",
	"log-level": "BYLINE_LOG_LEVEL", "feed-full-content": "BYLINE_FEED_FULL_CONTENT",
	"demo": "BYLINE_DEMO", "fetch-media": "BYLINE_FETCH_MEDIA", "fetch-private": "BYLINE_FETCH_PRIVATE",
	"sign-in-rate": "BYLINE_SIGN_IN_RATE", "sign-in-account-rate": "BYLINE_SIGN_IN_ACCOUNT_RATE",
	"trusted-proxy": "BYLINE_TRUSTED_PROXY", "trusted-proxies": "BYLINE_TRUSTED_PROXY", "proxy-header": "BYLINE_PROXY_HEADER",
	"max-conns-per-client": "BYLINE_MAX_CONNS_PER_CLIENT", "write-timeout": "BYLINE_WRITE_TIMEOUT",
}

func envOr(flagName, def string) string {
	if v, ok := os.LookupEnv(envVars[flagName]); ok {
		return v
	}
	return def
}

// storageFlags registers the flags every command that opens the site needs.
func (c *Config) storageFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", envOr("data", "./data"), "data directory: the database and uploaded files live here")
	fs.StringVar(&c.DB, "db", envOr("db", ""), "database URL: sqlite:PATH, or postgres://user@host/dbname to run many instances on one database (default: sqlite:DATA/byline.db)")
	fs.StringVar(&c.LogFormat, "log-format", envOr("log-format", "text"), "log format: text or json")
	fs.StringVar(&c.LogLevel, "log-level", envOr("log-level", "info"), "log level: debug, info, warn or error")
}

// siteFlags registers the flags of the web server.
func (c *Config) siteFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", envOr("addr", defaultAddr), "address to listen on, host:port")
	fs.StringVar(&c.BaseURL, "base-url", envOr("base-url", ""), "public URL of the site, e.g. https://news.example.com (for absolute links behind a proxy)")
	fs.StringVar(&c.SiteTitle, "site-title", envOr("site-title", "Byline"), "the site's name, shown in the masthead")
	fs.StringVar(&c.Tagline, "tagline", envOr("tagline", ""), "a line under the site's name")
	fs.BoolVar(&c.FeedFullContent, "feed-full-content", envOr("feed-full-content", "true") == "true",
		"put whole articles in the feeds (false: excerpts only)")
}

// parseFlags parses args into fs; a bad flag is a usage error.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// validate checks the settings once, naming the flag at fault.
func (c *Config) validate() error {
	switch c.LogFormat {
	case "text", "json":
	default:
		return usageError{fmt.Sprintf("--log-format must be text or json, not %q", c.LogFormat)}
	}
	if _, ok := logLevels[c.LogLevel]; !ok {
		return usageError{fmt.Sprintf("--log-level must be debug, info, warn or error, not %q", c.LogLevel)}
	}
	if c.BaseURL != "" && !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return usageError{fmt.Sprintf("--base-url must start with http:// or https://, not %q", c.BaseURL)}
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.DB != "" && !strings.HasPrefix(c.DB, "sqlite:") && !c.isPostgres() {
		return usageError{fmt.Sprintf("--db: unsupported database URL %q (use sqlite:PATH or postgres://user@host/dbname)", c.DB)}
	}
	return nil
}

var logLevels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func (c *Config) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: logLevels[c.LogLevel]}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// sqlitePath is the database file the configuration names.
func (c *Config) sqlitePath() string {
	if p, ok := strings.CutPrefix(c.DB, "sqlite:"); ok && p != "" {
		return p
	}
	return filepath.Join(c.DataDir, "byline.db")
}
