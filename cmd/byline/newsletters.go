package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/web"
)

// newsletterConfig is the newsletters' settings: how fast the list's
// outbox sends through the SMTP server (the one Contact Us uses) and the
// sign-up's limits.
type newsletterConfig struct {
	PerSecond   float64
	PerHour     int
	Concurrency int
	BounceAfter int
	MaxAttempts int
	Lease       time.Duration
	Rate        string // sign-ups per client, LIMIT/WINDOW
	EmailRate   string // confirmation emails per address
}

// newsletterEnvVars are the newsletter settings' environment variables;
// help reads them beside envVars.
var newsletterEnvVars = map[string]string{
	"newsletter-rate":         "BYLINE_NEWSLETTER_RATE",
	"newsletter-hourly-limit": "BYLINE_NEWSLETTER_HOURLY_LIMIT",
	"newsletter-concurrency":  "BYLINE_NEWSLETTER_CONCURRENCY",
	"newsletter-bounce-after": "BYLINE_NEWSLETTER_BOUNCE_AFTER",
	"newsletter-max-attempts": "BYLINE_NEWSLETTER_MAX_ATTEMPTS",
	"newsletter-lease":        "BYLINE_NEWSLETTER_LEASE",
	"subscribe-rate":          "BYLINE_SUBSCRIBE_RATE",
	"subscribe-email-rate":    "BYLINE_SUBSCRIBE_EMAIL_RATE",
}

func (c *newsletterConfig) flags(fs *flag.FlagSet) {
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(newsletterEnvVars[name]); ok {
			return v
		}
		return def
	}
	rate, _ := strconv.ParseFloat(env("newsletter-rate", "10"), 64)
	fs.Float64Var(&c.PerSecond, "newsletter-rate", rate, "newsletter emails per second, over all connections of this instance (0: as fast as the SMTP server takes them)")
	fs.IntVar(&c.PerHour, "newsletter-hourly-limit", atoiOr(env("newsletter-hourly-limit", ""), 0), "newsletter emails per hour from this instance (0: no limit)")
	fs.IntVar(&c.Concurrency, "newsletter-concurrency", atoiOr(env("newsletter-concurrency", ""), mail.DefaultListConcurrency), "connections to the SMTP server for newsletters")
	fs.IntVar(&c.BounceAfter, "newsletter-bounce-after", atoiOr(env("newsletter-bounce-after", ""), mail.DefaultBounceAfter), "permanent failures (5xx) in a row before a subscriber is marked bounced")
	fs.IntVar(&c.MaxAttempts, "newsletter-max-attempts", atoiOr(env("newsletter-max-attempts", ""), mail.DefaultListMaxAttempts), "attempts at one email after temporary failures (4xx) before giving up")
	fs.DurationVar(&c.Lease, "newsletter-lease", durationOr(env("newsletter-lease", ""), mail.DefaultLease), "how long an instance holds the emails it claimed; those it had not handed to the server when it died go out after this")
	fs.StringVar(&c.Rate, "subscribe-rate", env("subscribe-rate", web.DefaultSubscribePerIP.String()), "sign-ups a client may make, LIMIT/WINDOW")
	fs.StringVar(&c.EmailRate, "subscribe-email-rate", env("subscribe-email-rate", web.DefaultSubscribePerEmail.String()), "confirmation emails one address may be sent, LIMIT/WINDOW")
}

func (c *newsletterConfig) policy() (web.SubscribePolicy, error) {
	var p web.SubscribePolicy
	var err error
	if p.PerIP, err = web.ParseRate(c.Rate); err != nil {
		return p, usageError{fmt.Sprintf("--subscribe-rate: %v", err)}
	}
	if p.PerEmail, err = web.ParseRate(c.EmailRate); err != nil {
		return p, usageError{fmt.Sprintf("--subscribe-email-rate: %v", err)}
	}
	switch {
	case c.PerSecond < 0:
		return p, usageError{"--newsletter-rate must be 0 or more"}
	case c.PerHour < 0:
		return p, usageError{"--newsletter-hourly-limit must be 0 or more"}
	case c.Concurrency < 1 || c.Concurrency > 100:
		return p, usageError{"--newsletter-concurrency must be between 1 and 100"}
	case c.BounceAfter < 1:
		return p, usageError{"--newsletter-bounce-after must be 1 or more"}
	case c.Lease < time.Second:
		return p, usageError{"--newsletter-lease must be at least 1s"}
	case c.MaxAttempts < 1:
		return p, usageError{"--newsletter-max-attempts must be 1 or more"}
	}
	return p, nil
}

// wireNewsletters gives srv the sign-up and starts the list's outbox on the
// SMTP server current finds. Its links use --base-url, or the address the
// server listens on (set with listening). The returned stop waits for the
// worker; call it before closing db.
func (c *Config) wireNewsletters(ctx context.Context, db *backend, srv *web.Server, current mail.Current, logger *slog.Logger) (listening func(url string), stop func(), err error) {
	policy, err := c.Newsletters.policy()
	if err != nil {
		return nil, nil, err
	}
	srv.Newsletters, srv.Subscribers, srv.Subscribe = db.Newsletters, db.Subscribers, policy
	var base atomic.Value
	base.Store(c.BaseURL)
	w := &mail.ListWorker{
		Outbox: db.NewsletterOutbox, Newsletters: db.Newsletters, Articles: db.Articles, Subscribers: db.Subscribers,
		Configure: current,
		Site: func(ctx context.Context) (mail.Site, error) {
			title := c.SiteTitle
			if st, err := db.Settings.Settings(ctx); err != nil {
				return mail.Site{}, err
			} else if st.Title != "" {
				title = st.Title
			}
			return mail.Site{Title: title, BaseURL: base.Load().(string)}, nil
		},
		Logger:      logger.With("component", "newsletters"),
		PerSecond:   c.Newsletters.PerSecond,
		PerHour:     c.Newsletters.PerHour,
		Concurrency: c.Newsletters.Concurrency,
		BounceAfter: c.Newsletters.BounceAfter,
		MaxAttempts: c.Newsletters.MaxAttempts,
		Lease:       c.Newsletters.Lease,
	}
	if c.BaseURL == "" {
		logger.Warn("no --base-url: the links in newsletter emails use the address this instance listens on; set --base-url to the site's public URL")
	}
	srv.SubscriptionRequested = w.Wake
	srv.NewsletterQueued = w.Wake
	started := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		select {
		case <-started: // links need the address first
		case <-ctx.Done():
			return
		}
		w.Run(ctx)
	})
	var once sync.Once
	listening = func(url string) {
		once.Do(func() {
			if c.BaseURL == "" {
				base.Store(url)
			}
			close(started)
		})
	}
	return listening, func() { cancel(); wg.Wait() }, nil
}
