package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/bylinenews/byline/web"
)

// clientConfig is how the server tells one client from another, and what
// one client may ask of it: sign-in attempts, connections, a reader's time.
type clientConfig struct {
	SignInRate        string // per client address, LIMIT/WINDOW
	SignInAccountRate string // per account

	TrustedProxies listFlag // CIDRs or addresses
	ProxyHeader    string   // x-forwarded-for or forwarded

	MaxConnsPerClient int // 0: no cap
	WriteTimeout      time.Duration
}

// clientSettings is clientConfig checked, as the web server takes it.
type clientSettings struct {
	SignIn            web.SignInPolicy
	TrustedProxies    []netip.Prefix
	ProxyHeader       string
	MaxConnsPerClient int
	WriteTimeout      time.Duration
}

func (c *clientConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.SignInRate, "sign-in-rate", envOr("sign-in-rate", web.DefaultSignInPerIP.String()),
		"sign-in attempts one client address may make, over all accounts, LIMIT/WINDOW")
	fs.StringVar(&c.SignInAccountRate, "sign-in-account-rate", envOr("sign-in-account-rate", web.DefaultSignInPerAccount.String()),
		"sign-in attempts one account may take, from all addresses, LIMIT/WINDOW")
	// BYLINE_TRUSTED_PROXIES and --trusted-proxies are the older spellings.
	c.TrustedProxies.setFromEnv(envOr("trusted-proxy", os.Getenv("BYLINE_TRUSTED_PROXIES")))
	const usage = "a reverse proxy (CIDR or address; repeat, or separate with commas) whose forwarded address names the client, for rate limits and logs"
	fs.Var(&c.TrustedProxies, "trusted-proxy", usage)
	fs.Var(&c.TrustedProxies, "trusted-proxies", "the same as --trusted-proxy")
	fs.StringVar(&c.ProxyHeader, "proxy-header", envOr("proxy-header", "x-forwarded-for"),
		"the header the trusted proxies write the client's address in: x-forwarded-for or forwarded (RFC 7239)")
	fs.IntVar(&c.MaxConnsPerClient, "max-conns-per-client", atoiOr(envOr("max-conns-per-client", ""), web.DefaultMaxConnsPerClient),
		"connections one client address may have open at once; more are answered 429 (0: no cap; trusted proxies have none)")
	fs.DurationVar(&c.WriteTimeout, "write-timeout", durationOr(envOr("write-timeout", ""), web.DefaultWriteTimeout),
		"how long a response may take to reach a slow reader (files get more by their size, exports 10 minutes)")
}

// settings checks the settings, naming the flag at fault.
func (c *clientConfig) settings() (clientSettings, error) {
	var (
		out  clientSettings
		errs []error
	)
	for _, r := range []struct {
		flag string
		in   string
		out  *web.Rate
	}{{"sign-in-rate", c.SignInRate, &out.SignIn.PerIP}, {"sign-in-account-rate", c.SignInAccountRate, &out.SignIn.PerAccount}} {
		var err error
		if *r.out, err = web.ParseRate(r.in); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", r.flag, err))
		}
	}
	for _, s := range c.TrustedProxies.values {
		prefix, err := netip.ParsePrefix(s)
		if err != nil {
			addr, aerr := netip.ParseAddr(s)
			if aerr != nil {
				errs = append(errs, fmt.Errorf("--trusted-proxy: %q is not an address or CIDR, e.g. 10.0.0.0/8 or 192.0.2.7", s))
				continue
			}
			prefix = netip.PrefixFrom(addr, addr.BitLen())
		}
		out.TrustedProxies = append(out.TrustedProxies, prefix.Masked())
	}
	switch {
	case c.MaxConnsPerClient < 0:
		errs = append(errs, fmt.Errorf("--max-conns-per-client must be 0 (no cap) or more, not %d", c.MaxConnsPerClient))
	case c.MaxConnsPerClient == 0:
		out.MaxConnsPerClient = -1 // the flag's 0 means none; web's zero means the default
	default:
		out.MaxConnsPerClient = c.MaxConnsPerClient
	}
	if c.WriteTimeout < time.Second {
		errs = append(errs, fmt.Errorf("--write-timeout must be a second or more, not %s", c.WriteTimeout))
	}
	out.WriteTimeout = c.WriteTimeout
	switch strings.ToLower(c.ProxyHeader) {
	case "x-forwarded-for":
		out.ProxyHeader = web.XForwardedFor
	case "forwarded":
		out.ProxyHeader = web.Forwarded
	default:
		errs = append(errs, fmt.Errorf("--proxy-header must be x-forwarded-for or forwarded, not %q", c.ProxyHeader))
	}
	if len(errs) > 0 {
		return out, usageError{errors.Join(errs...).Error()}
	}
	return out, nil
}

// apply sets the checked settings on srv.
func (s clientSettings) apply(srv *web.Server) {
	srv.SignIn = s.SignIn
	srv.TrustedProxies = s.TrustedProxies
	srv.ProxyHeader = s.ProxyHeader
	srv.MaxConnsPerClient = s.MaxConnsPerClient
	srv.WriteTimeout = s.WriteTimeout
}

// listFlag is a flag that may be repeated and takes comma-separated
// values. The first flag given replaces what the environment set, since
// flags win.
type listFlag struct {
	values  []string
	fromEnv bool
}

func (l *listFlag) setFromEnv(v string) { l.values, l.fromEnv = splitList(v), true }

func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.values, ",")
}

func (l *listFlag) Set(v string) error {
	if l.fromEnv {
		l.values, l.fromEnv = nil, false
	}
	l.values = append(l.values, splitList(v)...)
	return nil
}
