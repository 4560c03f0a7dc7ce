package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// This file holds what every page leans on: the site's settings, its
// absolute URLs, the client's address and the rate limits counted on it.

// Site is what the pages say about the site itself.
type Site struct {
	Title       string
	Tagline     string
	Description string
	// The site's identity, from the newsroom's settings: a logo in the
	// masthead (the title is its alternative text), an accent colour, a
	// line in the footer, and the pages' language ("en" when empty).
	LogoURL     string
	AccentColor string
	FooterText  string
	Language    string
	// BaseURL is the public origin, e.g. https://news.example.com, for
	// absolute links; empty means links are relative to the request.
	BaseURL string
}

// siteConfig is the site as configured right now: the command line's
// values (Server.Site and friends) overridden by what an admin stored in the
// newsroom.
type siteConfig struct {
	Site         Site
	PostsPerPage int
	RecentCount  int
	Dates        *dateStyle // the site's zone and the way its language writes dates
}

// siteConfig reads the stored settings, one primary-key lookup. A page
// reads them once, into its layout (newLayout), and takes the site from
// there; handlers without a layout (feeds, sitemaps) read them once and
// pass them on. Pages read them when they render, which the page cache
// makes rare; a settings change marks the site changed, so no cached page
// outlives the settings it shows. If the settings cannot be read, the
// command line's values serve.
func (s *Server) siteConfig(ctx context.Context) siteConfig {
	c := s.defaultSiteConfig()
	if s.Settings == nil {
		return c
	}
	st, err := s.Settings.Settings(ctx)
	if err != nil {
		if ctx.Err() == nil { // else the client hung up: nothing to tell an operator
			s.Logger.Warn("settings unreadable: using the command line's", slog.Any("error", err))
		}
		return c
	}
	if st.Title != "" {
		c.Site.Title = st.Title
	}
	if st.Tagline != "" {
		c.Site.Tagline = st.Tagline
	}
	if st.Description != "" {
		c.Site.Description = st.Description
	}
	if st.PostsPerPage > 0 {
		c.PostsPerPage = st.PostsPerPage
	}
	if st.RecentCount > 0 {
		c.RecentCount = st.RecentCount
	}
	c.Site.LogoURL, c.Site.AccentColor, c.Site.FooterText = st.LogoURL, st.AccentColor, st.FooterText
	if st.Language != "" {
		c.Site.Language = st.Language
	}
	c.Dates = s.dates.of(c.Site.Language, st.TimeZone)
	return c
}

// defaultSiteConfig is what applies where the stored settings leave a
// field empty: the command line's values.
func (s *Server) defaultSiteConfig() siteConfig {
	return siteConfig{Site: s.Site, PostsPerPage: s.PostsPerPage, RecentCount: s.RecentCount, Dates: s.dates.of(s.Site.Language, "")}
}

// baseURL is the site's absolute origin: the configured base URL or,
// without one, the request's own origin. It reads no settings.
func (s *Server) baseURL(r *http.Request) string {
	if s.Site.BaseURL != "" {
		return s.Site.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// absURL makes a site path absolute (baseURL).
func (s *Server) absURL(r *http.Request, path string) string {
	return s.baseURL(r) + path
}

// absImage makes a site-relative image URL absolute; remote ones stay.
func (s *Server) absImage(r *http.Request, u string) string {
	if len(u) > 0 && u[0] == '/' && (len(u) < 2 || u[1] != '/') {
		return s.absURL(r, u)
	}
	return u
}

// secureCookies reports whether cookies should be sent over HTTPS only.
func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.Site.BaseURL, "https://")
}

// Rate is a number of events per window, e.g. 5 per 10 minutes.
type Rate struct {
	Limit  int
	Window time.Duration
}

// String formats r as ParseRate reads it, e.g. "5/10m0s".
func (r Rate) String() string { return fmt.Sprintf("%d/%s", r.Limit, r.Window) }

// ParseRate reads a rate written as LIMIT/WINDOW, e.g. "5/10m" or "100/1h".
func ParseRate(s string) (Rate, error) {
	n, w, ok := strings.Cut(s, "/")
	limit, err := strconv.Atoi(n)
	if !ok || err != nil || limit <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want LIMIT/WINDOW with a positive limit, e.g. 5/10m", s)
	}
	window, err := time.ParseDuration(w)
	if err != nil || window <= 0 {
		return Rate{}, fmt.Errorf("rate %q: want LIMIT/WINDOW with a positive window, e.g. 5/10m", s)
	}
	return Rate{Limit: limit, Window: window}, nil
}

func rateOr(r, def Rate) Rate {
	if r.Limit <= 0 || r.Window <= 0 {
		return def
	}
	return r
}

// allow counts one event against rate for key. A failing limiter lets the
// event through: the captcha still guards the form, and a reader is never
// refused because a counter could not be written. When refused, it sets
// Retry-After.
func (s *Server) allow(w http.ResponseWriter, r *http.Request, key string, rate Rate) (bool, time.Duration) {
	if s.Limiter == nil {
		return true, 0
	}
	ok, retry, err := s.Limiter.Allow(r.Context(), key, rate.Limit, rate.Window)
	if err != nil {
		s.logFailure(r, "rate limiter failed", err)
		return true, 0
	}
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int((retry+time.Second-1)/time.Second)))
	}
	return ok, retry
}

// inWords rounds d up to whole seconds or minutes, in words, for telling a
// reader refused by a rate limit when to try again.
func inWords(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%d seconds", int((d+time.Second-1)/time.Second))
	}
	if m := int((d + time.Minute - 1) / time.Minute); m > 1 {
		return fmt.Sprintf("%d minutes", m)
	}
	return "a minute"
}
