package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
	"github.com/bylinenews/byline/mail"
	"github.com/bylinenews/byline/web"
)

// contactConfig is the Contact Us form's settings: its limits and the SMTP
// server that emails messages to the editors. Without an SMTP host,
// messages wait in the inbox (byline messages list).
type contactConfig struct {
	SMTPHost         string
	SMTPPort         int
	SMTPSecurity     string
	SMTPUsername     string
	SMTPPassword     string
	SMTPPasswordFile string
	SMTPFrom         string
	SMTPTo           string // comma-separated
	SubjectPrefix    string

	Rate        string // per client, LIMIT/WINDOW
	EmailRate   string // per sender's address
	CaptchaRate string // captchas per client
	MinFill     time.Duration
}

// contactEnvVars are the contact settings' environment variables; help
// reads them beside envVars.
var contactEnvVars = map[string]string{
	"smtp-host":           "BYLINE_SMTP_HOST",
	"smtp-port":           "BYLINE_SMTP_PORT",
	"smtp-security":       "BYLINE_SMTP_SECURITY",
	"smtp-username":       "BYLINE_SMTP_USERNAME",
	"smtp-password":       "BYLINE_SMTP_PASSWORD",
	"smtp-password-file":  "BYLINE_SMTP_PASSWORD_FILE",
	"smtp-from":           "BYLINE_SMTP_FROM",
	"smtp-to":             "BYLINE_SMTP_TO",
	"smtp-subject-prefix": "BYLINE_SMTP_SUBJECT_PREFIX",
	"contact-rate":        "BYLINE_CONTACT_RATE",
	"contact-email-rate":  "BYLINE_CONTACT_EMAIL_RATE",
	"captcha-rate":        "BYLINE_CAPTCHA_RATE",
	"contact-min-fill":    "BYLINE_CONTACT_MIN_FILL",
}

func (c *contactConfig) flags(fs *flag.FlagSet) {
	env := func(name, def string) string {
		if v, ok := os.LookupEnv(contactEnvVars[name]); ok {
			return v
		}
		return def
	}
	fs.StringVar(&c.SMTPHost, "smtp-host", env("smtp-host", ""), "SMTP server that emails readers' messages to the editors; none: messages wait in the inbox")
	fs.IntVar(&c.SMTPPort, "smtp-port", atoiOr(env("smtp-port", ""), 0), "SMTP port (default 587, or 465 with --smtp-security tls)")
	fs.StringVar(&c.SMTPSecurity, "smtp-security", env("smtp-security", mail.StartTLS), "SMTP encryption: starttls, tls, opportunistic or none")
	fs.StringVar(&c.SMTPUsername, "smtp-username", env("smtp-username", ""), "SMTP user name, if the server wants one")
	fs.StringVar(&c.SMTPPassword, "smtp-password", env("smtp-password", ""), "SMTP password (prefer --smtp-password-file)")
	fs.StringVar(&c.SMTPPasswordFile, "smtp-password-file", env("smtp-password-file", ""), "file holding the SMTP password")
	fs.StringVar(&c.SMTPFrom, "smtp-from", env("smtp-from", ""), "address the editors' emails come from, e.g. newsroom@example.com")
	fs.StringVar(&c.SMTPTo, "smtp-to", env("smtp-to", ""), "editors' addresses, comma-separated")
	fs.StringVar(&c.SubjectPrefix, "smtp-subject-prefix", env("smtp-subject-prefix", "[Contact] "), "put before each email's subject")
	fs.StringVar(&c.Rate, "contact-rate", env("contact-rate", web.DefaultContactPerIP.String()), "messages a client may send, LIMIT/WINDOW")
	fs.StringVar(&c.EmailRate, "contact-email-rate", env("contact-email-rate", web.DefaultContactPerEmail.String()), "messages one email address may send, LIMIT/WINDOW")
	fs.StringVar(&c.CaptchaRate, "captcha-rate", env("captcha-rate", web.DefaultCaptchaRate.String()), "captchas a client may ask for, LIMIT/WINDOW")
	fs.DurationVar(&c.MinFill, "contact-min-fill", durationOr(env("contact-min-fill", ""), web.DefaultMinFill), "least time to fill the form; quicker is a robot (0: no minimum)")
}

func atoiOr(s string, def int) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		return def
	}
	return n
}

func durationOr(s string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		return def
	}
	return d
}

// policy checks the limits and returns them for the web server.
func (c *contactConfig) policy() (web.ContactPolicy, error) {
	var (
		p    = web.ContactPolicy{MinFill: c.MinFill}
		errs []error
		err  error
	)
	if c.MinFill <= 0 {
		p.MinFill = -1 // the flag's 0 means none; web's zero means the default
	}
	for _, r := range []struct {
		flag string
		in   string
		out  *web.Rate
	}{{"contact-rate", c.Rate, &p.PerIP}, {"contact-email-rate", c.EmailRate, &p.PerEmail}, {"captcha-rate", c.CaptchaRate, &p.Captchas}} {
		if *r.out, err = web.ParseRate(r.in); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", r.flag, err))
		}
	}
	if len(errs) > 0 {
		return p, usageError{errors.Join(errs...).Error()}
	}
	return p, nil
}

// sender returns the configured SMTP sender, or nil if no host is set.
func (c *contactConfig) sender() (*mail.Sender, error) {
	if c.SMTPHost == "" {
		return nil, nil
	}
	password := c.SMTPPassword
	if c.SMTPPasswordFile != "" {
		b, err := os.ReadFile(c.SMTPPasswordFile)
		if err != nil {
			return nil, usageError{fmt.Sprintf("--smtp-password-file: %v", err)}
		}
		password = strings.TrimRight(string(b), "\r\n")
	}
	s := &mail.Sender{
		Host: c.SMTPHost, Port: c.SMTPPort, Security: c.SMTPSecurity,
		Username: c.SMTPUsername, Password: password,
		From: c.SMTPFrom, To: splitList(c.SMTPTo), SubjectPrefix: c.SubjectPrefix,
	}
	if err := s.Check(); err != nil {
		return nil, usageError{fmt.Sprintf("SMTP settings (--smtp-*): %v", strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	return s, nil
}

// currentSender is the SMTP server to send with now: the newsroom's
// settings when they name one (recipients from the settings, else the
// flags'), else the command line's, else none.
func (c *contactConfig) currentSender(ctx context.Context, settings byline.SettingsService, fromFlags *mail.Sender) (*mail.Sender, error) {
	if settings == nil {
		return fromFlags, nil
	}
	st, err := settings.Settings(ctx)
	if err != nil {
		return nil, err
	}
	s := mail.FromSettings(st, c.SubjectPrefix)
	if s == nil {
		return fromFlags, nil
	}
	if len(s.To) == 0 {
		s.To = splitList(c.SMTPTo)
	}
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("the newsroom's SMTP settings: %w", err)
	}
	return s, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// wireContact gives srv the Contact Us services on db and, with SMTP
// configured, starts the outbox worker. It returns how to find the SMTP
// server (the newsletters send through it too) and a stop that waits for
// the worker to finish; call it before closing db.
func (c *contactConfig) wireContact(ctx context.Context, db *backend, srv *web.Server, logger *slog.Logger) (current mail.Current, stop func(), err error) {
	policy, err := c.policy()
	if err != nil {
		return nil, nil, err
	}
	sender, err := c.sender()
	if err != nil {
		return nil, nil, err
	}
	srv.Messages = db.Messages
	srv.Captcha = captcha.New(db.Challenges)
	srv.Limiter = db.Limiter
	srv.Contact = policy
	if sender == nil {
		logger.Info("no SMTP server on the command line: contact messages wait in the inbox until one is set here or in the newsroom's settings")
	}
	// The worker always runs: an admin may set the SMTP server in the
	// newsroom at any time, and it applies at the next batch.
	current = mail.Current(func(ctx context.Context) (*mail.Sender, error) {
		return c.currentSender(ctx, db.Settings, sender)
	})
	w := &mail.Worker{Outbox: db.Outbox, Logger: logger.With("component", "outbox"), Configure: current}
	srv.Email = current
	srv.MessageSent = w.Wake
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { w.Run(ctx) })
	return current, func() { cancel(); wg.Wait() }, nil
}
