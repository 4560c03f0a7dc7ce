package byline

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Settings are what an admin sets about the site in the newsroom. A zero
// field is not set: the value from the command line (or the built-in
// default) applies.
type Settings struct {
	Title       string
	Tagline     string
	Description string

	// The site's identity. LogoURL is an image shown in the masthead
	// instead of the title's text (the title stays its alternative text);
	// AccentColor is a "#rrggbb" colour for kickers and rules, which must
	// be readable on the page's light background (the dark scheme gets a
	// lighter shade of it); FooterText is a line in every page's footer;
	// Language is the pages' BCP 47 language tag ("en", "fr-CA"), for
	// <html lang> and the way dates are written; TimeZone is an IANA name,
	// the zone the site shows times in and the newsroom takes them in
	// ("" is UTC). Times are stored in UTC whatever it is.
	LogoURL     string
	AccentColor string
	FooterText  string
	Language    string
	TimeZone    string

	PostsPerPage int // articles on the home page and archives
	RecentCount  int // length of the Recent Posts list

	// ContactRecipients get the readers' messages by email.
	ContactRecipients []string
	SMTP              SMTPSettings

	UpdatedAt time.Time
}

// SMTPSettings name the mail server that emails readers' messages.
type SMTPSettings struct {
	Host     string
	Port     int
	Security string // starttls, tls, opportunistic or none; "" is starttls
	Username string
	Password string
	From     string
}

// Limits on settings.
const (
	MaxSettingRunes   = 300
	MaxPostsPerPage   = 100
	MaxRecentCount    = 20
	MaxRecipients     = 20
	MaxDescriptionLen = 1000
)

// Validate checks the settings and returns an Invalid error naming the
// first problem. It trims the text fields first.
func (s *Settings) Validate() error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"The site title", &s.Title, MaxSettingRunes},
		{"The tagline", &s.Tagline, MaxSettingRunes},
		{"The description", &s.Description, MaxDescriptionLen},
		{"The logo's address", &s.LogoURL, MaxURLBytes},
		{"The accent colour", &s.AccentColor, MaxSettingRunes},
		{"The footer text", &s.FooterText, MaxDescriptionLen},
		{"The language", &s.Language, MaxSettingRunes},
		{"The time zone", &s.TimeZone, MaxSettingRunes},
		{"The SMTP host", &s.SMTP.Host, MaxSettingRunes},
		{"The SMTP user name", &s.SMTP.Username, MaxSettingRunes},
		{"The SMTP from address", &s.SMTP.From, MaxSettingRunes},
	} {
		*f.v = strings.TrimSpace(*f.v)
		switch {
		case !utf8.ValidString(*f.v) || hasControl(*f.v):
			return Errorf(Invalid, "%s cannot contain line breaks or control characters.", f.name)
		case utf8.RuneCountInString(*f.v) > f.max:
			return Errorf(Invalid, "%s is longer than %d characters.", f.name, f.max)
		}
	}
	switch {
	case s.PostsPerPage < 0 || s.PostsPerPage > MaxPostsPerPage:
		return Errorf(Invalid, "Posts per page must be between 1 and %d.", MaxPostsPerPage)
	case s.RecentCount < 0 || s.RecentCount > MaxRecentCount:
		return Errorf(Invalid, "The Recent Posts count must be between 1 and %d.", MaxRecentCount)
	case len(s.ContactRecipients) > MaxRecipients:
		return Errorf(Invalid, "At most %d contact recipients.", MaxRecipients)
	case s.SMTP.Port < 0 || s.SMTP.Port > 65535:
		return Errorf(Invalid, "The SMTP port must be between 1 and 65535.")
	case len(s.SMTP.Password) > MaxPasswordBytes || hasControl(s.SMTP.Password):
		return Errorf(Invalid, "The SMTP password is too long or holds control characters.")
	}
	if s.LogoURL != "" && !sitePath(s.LogoURL) {
		return Errorf(Invalid, "The logo's address %q must be a path on this site, such as /files/uploads/… from the image library: pages ask no other site for anything.", s.LogoURL)
	}
	if s.AccentColor != "" {
		c, ok := ParseColor(s.AccentColor)
		if !ok {
			return Errorf(Invalid, "The accent colour %q is not a colour: write it as # and six hexadecimal digits, such as #a4161a.", s.AccentColor)
		}
		if r := Contrast(c, LightBackground); r < MinContrast {
			return Errorf(Invalid, "The accent colour %s is too light to read on the page (contrast %.1f:1; it needs %.1f:1). Choose a darker shade.", s.AccentColor, r, MinContrast)
		}
		s.AccentColor = c.String()
	}
	if s.Language != "" && !languageTag.MatchString(s.Language) {
		return Errorf(Invalid, "The language %q is not a language tag: write it as en, fr, de-CH, pt-BR, ….", s.Language)
	}
	if _, err := LoadZone(s.TimeZone); err != nil {
		return err
	}
	switch s.SMTP.Security {
	case "", "starttls", "tls", "opportunistic", "none":
	default:
		return Errorf(Invalid, "SMTP security must be starttls, tls, opportunistic or none.")
	}
	if s.SMTP.From != "" && !plainAddress(s.SMTP.From) {
		return Errorf(Invalid, "The SMTP from address %q does not look like an email address.", s.SMTP.From)
	}
	for i, r := range s.ContactRecipients {
		r = strings.TrimSpace(r)
		s.ContactRecipients[i] = r
		if !plainAddress(r) || len(r) > MaxEmailBytes {
			return Errorf(Invalid, "The contact recipient %q does not look like an email address.", r)
		}
	}
	return nil
}

// SettingsService keeps the site's settings in the database, so every
// instance applies a change at once, without a restart. Implementations
// are safe for concurrent use.
type SettingsService interface {
	// Settings returns the stored settings; a site never set has zero
	// ones.
	Settings(ctx context.Context) (*Settings, error)

	// UpdateSettings validates and stores s in place of the stored
	// settings, and marks the site changed in the same transaction, so
	// every cached page is rendered again with them.
	UpdateSettings(ctx context.Context, s *Settings) error
}
