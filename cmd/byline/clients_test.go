package main

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/bylinenews/byline/web"
)

func TestClientFlags(t *testing.T) {
	var c Config
	fs := serveFlags(&c)
	args := []string{"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "192.0.2.7, 2001:db8::1/32", "--trusted-proxies", "127.0.0.1",
		"--proxy-header", "Forwarded", "--sign-in-rate", "20/1h", "--max-conns-per-client", "0", "--write-timeout", "2m"}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	got, err := c.Clients.settings()
	if err != nil {
		t.Fatalf("settings of %q: %v", args, err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"),
		netip.MustParsePrefix("2001:db8::/32"), netip.MustParsePrefix("127.0.0.1/32")}
	if !reflect.DeepEqual(got.TrustedProxies, want) {
		t.Errorf("trusted proxies of %q = %v, want %v", args, got.TrustedProxies, want)
	}
	if got.ProxyHeader != web.Forwarded || got.SignIn.PerIP.Limit != 20 || got.SignIn.PerAccount != web.DefaultSignInPerAccount ||
		got.MaxConnsPerClient >= 0 || got.WriteTimeout != 2*time.Minute {
		t.Errorf("settings of %q = %+v", args, got)
	}
}

// The environment's list is replaced by the flags', not added to.
func TestClientFlags_FlagsWinOverEnvironment(t *testing.T) {
	t.Setenv("BYLINE_TRUSTED_PROXY", "10.0.0.0/8,10.1.0.0/16")
	var c Config
	fs := serveFlags(&c)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Clients.settings(); len(got.TrustedProxies) != 2 {
		t.Errorf("from BYLINE_TRUSTED_PROXY alone: %v, want its two networks", got.TrustedProxies)
	}
	c = Config{}
	fs = serveFlags(&c)
	if err := fs.Parse([]string{"--trusted-proxy", "192.0.2.0/24"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Clients.settings(); !reflect.DeepEqual(got.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}) {
		t.Errorf("with --trusted-proxy over BYLINE_TRUSTED_PROXY: %v, want the flag's network only", got.TrustedProxies)
	}
}
