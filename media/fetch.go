package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bylinenews/byline"
)

// Fetcher copies images from other hosts into the media library, for an
// import. Every fetch is bounded: http and https only; no loopback,
// private, link-local or otherwise special address unless AllowPrivate,
// checked on the address actually dialled, so that a name which resolves
// to a public address for one lookup and a private one for the next (DNS
// rebinding) gains nothing; at most MaxBytes, MaxRedirects and Timeout;
// and the bytes must be an image the library takes ([Check]). A Fetcher is
// safe for concurrent use once its fields are set.
type Fetcher struct {
	// Dir is where [Store] writes the images.
	Dir string
	// AllowPrivate lets fetches reach loopback, private and link-local
	// addresses: for an old site on the same network, and for tests.
	AllowPrivate bool
	// MaxBytes bounds an image; 0 means [byline.MaxUploadBytes].
	MaxBytes int64
	// Timeout bounds one fetch, redirects and body included; 0 means 30 s.
	Timeout time.Duration
	// MaxRedirects bounds the redirects followed; 0 means 5, and a
	// negative value follows none.
	MaxRedirects int
	// UserAgent names the fetcher to the old host.
	UserAgent string

	// allowDial, in tests, lets one address through besides the public
	// ones, to show that a redirect's next hop is checked too.
	allowDial func(netip.AddrPort) bool

	once   sync.Once
	client *http.Client
}

// redirectError is why a redirect was not followed.
type redirectError struct{ reason string }

func (e *redirectError) Error() string { return e.reason }

// errRefusedAddress is returned by the dialer for an address not allowed.
var errRefusedAddress = errors.New("refused address")

func (f *Fetcher) maxBytes() int64 {
	if f.MaxBytes > 0 {
		return f.MaxBytes
	}
	return byline.MaxUploadBytes
}

func (f *Fetcher) timeout() time.Duration {
	if f.Timeout > 0 {
		return f.Timeout
	}
	return 30 * time.Second
}

func (f *Fetcher) maxRedirects() int {
	switch {
	case f.MaxRedirects < 0:
		return 0
	case f.MaxRedirects == 0:
		return 5
	}
	return f.MaxRedirects
}

// AllowedAddress reports whether a fetch may connect to ip without
// AllowPrivate: a global unicast address that is not private (RFC 1918,
// RFC 4193), nor loopback, link-local, multicast, unspecified, nor in the
// shared, benchmarking, documentation and other reserved ranges.
func AllowedAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reservedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// reservedPrefixes are ranges IsGlobalUnicast lets through that no public
// web server lives in.
var reservedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, which can reach private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation
	netip.MustParsePrefix("2002::/16"),     // 6to4, which embeds any IPv4
}

func (f *Fetcher) httpClient() *http.Client {
	f.once.Do(func() {
		dialer := &net.Dialer{
			Timeout: 10 * time.Second,
			// Control runs after the name is resolved, on the address about
			// to be dialled: the check cannot be bypassed by a second lookup.
			Control: func(network, address string, _ syscall.RawConn) error {
				if f.AllowPrivate {
					return nil
				}
				ap, err := netip.ParseAddrPort(address)
				if err != nil {
					return fmt.Errorf("%w: %s", errRefusedAddress, address)
				}
				if !AllowedAddress(ap.Addr()) && (f.allowDial == nil || !f.allowDial(ap)) {
					return fmt.Errorf("%w: %s", errRefusedAddress, ap.Addr())
				}
				return nil
			},
		}
		transport := &http.Transport{
			// No proxy: a proxy would dial for us, past the address check.
			Proxy:                 nil,
			DialContext:           dialer.DialContext,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 20 * time.Second,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       30 * time.Second,
			ForceAttemptHTTP2:     true,
		}
		f.client = &http.Client{
			Transport: transport,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) > f.maxRedirects() {
					return &redirectError{fmt.Sprintf("more than %d redirects", f.maxRedirects())}
				}
				if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
					return &redirectError{fmt.Sprintf("redirected to a %s: address (only http and https are fetched)", req.URL.Scheme)}
				}
				return nil
			},
		}
	})
	return f.client
}

// Fetch copies the image at rawURL into Dir and returns its record, to be
// recorded by an UploadService. Why an image could not be had (the address,
// the host, the bytes) is an error of kind Invalid whose message says so;
// an error writing the files is kind Internal.
func (f *Fetcher) Fetch(ctx context.Context, rawURL string) (*byline.Upload, error) {
	fail := func(_ error, format string, args ...any) (*byline.Upload, error) {
		return nil, byline.Errorf(byline.Invalid, format, args...)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail(err, "not a valid address")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fail(nil, "a %s: address (only http and https are fetched)", u.Scheme)
	}
	if u.Host == "" {
		return fail(nil, "not a valid address")
	}
	ctx, cancel := context.WithTimeout(ctx, f.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(err, "not a valid address")
	}
	req.Header.Set("Accept", "image/avif,image/webp,image/png,image/jpeg,image/gif;q=0.9,*/*;q=0.1")
	if f.UserAgent != "" {
		req.Header.Set("User-Agent", f.UserAgent)
	}
	resp, err := f.httpClient().Do(req)
	if err != nil {
		var re *redirectError
		switch {
		case errors.As(err, &re):
			return fail(err, "%s", re.reason)
		case errors.Is(err, errRefusedAddress):
			return fail(err, "refused: %s is a loopback, private or link-local address (allow it with --fetch-private)", refusedAddr(err))
		case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
			return fail(err, "no answer within %s", f.timeout())
		}
		return fail(err, "the host could not be reached: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(nil, "the host answered %s", resp.Status)
	}
	limit := f.maxBytes()
	if resp.ContentLength > limit {
		return fail(nil, "larger than %s (%s)", sizeText(limit), sizeText(resp.ContentLength))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			return fail(err, "not received within %s", f.timeout())
		}
		return fail(err, "the transfer broke off: %v", err)
	}
	if int64(len(data)) > limit {
		return fail(nil, "larger than %s", sizeText(limit))
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." {
		name = u.Host
	}
	up, err := Store(f.Dir, data, name)
	if err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			return fail(err, "%s", byline.ErrorMessage(err))
		}
		return nil, fmt.Errorf("store %s: %w", rawURL, err)
	}
	return up, nil
}

// refusedAddr is the address in a refused dial's error.
func refusedAddr(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, errRefusedAddress.Error()+": "); i >= 0 {
		return msg[i+len(errRefusedAddress.Error())+2:]
	}
	return "the address"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d kB", (n+1023)/1024)
}
