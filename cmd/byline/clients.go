package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/bylinenews/byline/web"
)

// clientConfig is what one client may ask of the server: its sign-in
// attempts.
type clientConfig struct {
	SignInRate        string // per client address, LIMIT/WINDOW
	SignInAccountRate string // per account
}

func (c *clientConfig) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.SignInRate, "sign-in-rate", envOr("sign-in-rate", web.DefaultSignInPerIP.String()),
		"sign-in attempts one client address may make, over all accounts, LIMIT/WINDOW")
	fs.StringVar(&c.SignInAccountRate, "sign-in-account-rate", envOr("sign-in-account-rate", web.DefaultSignInPerAccount.String()),
		"sign-in attempts one account may take, from all addresses, LIMIT/WINDOW")
}

// signInPolicy checks the sign-in limits, naming the flag at fault.
func (c *clientConfig) signInPolicy() (web.SignInPolicy, error) {
	var (
		p    web.SignInPolicy
		errs []error
	)
	for _, r := range []struct {
		flag string
		in   string
		out  *web.Rate
	}{{"sign-in-rate", c.SignInRate, &p.PerIP}, {"sign-in-account-rate", c.SignInAccountRate, &p.PerAccount}} {
		var err error
		if *r.out, err = web.ParseRate(r.in); err != nil {
			errs = append(errs, fmt.Errorf("--%s: %w", r.flag, err))
		}
	}
	if len(errs) > 0 {
		return p, usageError{errors.Join(errs...).Error()}
	}
	return p, nil
}
