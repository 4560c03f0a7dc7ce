package web

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

// This file says who the client is: the address rate limits count and the
// access log names. Behind a reverse proxy the connection comes from the
// proxy, which forwards the reader's address in a header; that header is
// believed only from the proxies the operator named (Server.TrustedProxies),
// since anyone else can write whatever they like in it.

// The headers a proxy may forward the client's address in (ProxyHeader).
const (
	XForwardedFor = "X-Forwarded-For" // the de facto standard: nginx, HAProxy, Caddy, Traefik, cloud balancers
	Forwarded     = "Forwarded"       // RFC 7239
)

// clientKey returns the key the client is counted under: its IPv4
// address, or its IPv6 /64 (one subscriber's usual share).
func (s *Server) clientKey(r *http.Request) string {
	addr := s.clientAddr(r)
	if !addr.IsValid() {
		return "unknown"
	}
	if addr.Is4() {
		return addr.String()
	}
	prefix, _ := addr.Prefix(64)
	return prefix.String()
}

// clientAddr returns the client's address: the connection's peer or, when
// the peer is a trusted proxy, the first address the proxies forwarded
// that is not one of them, read from the right. Each proxy appends the
// address it heard from, so the hops to the left of the first untrusted
// one were written by the client, who can claim anything there.
func (s *Server) clientAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	addr := ap.Addr().Unmap()
	if !s.trustedProxy(addr) {
		return addr
	}
	hops := forwardedHops(r.Header, s.proxyHeader())
	for i := len(hops) - 1; i >= 0; i-- {
		if !hops[i].IsValid() {
			// "unknown", an obfuscated name or garbage: the last hop we
			// can name is the best we know of the client.
			return addr
		}
		addr = hops[i]
		if !s.trustedProxy(addr) {
			return addr
		}
	}
	return addr
}

func (s *Server) trustedProxy(a netip.Addr) bool {
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// proxyHeader is the header the trusted proxies write. Only that one is
// read: the other is whatever the client sent, passed on untouched.
func (s *Server) proxyHeader() string {
	if strings.EqualFold(s.ProxyHeader, Forwarded) {
		return Forwarded
	}
	return XForwardedFor
}

// forwardedHops returns the addresses in the named header's lines, in
// order, the nearest proxy's last; a hop that names no address is the
// zero Addr.
func forwardedHops(h http.Header, name string) []netip.Addr {
	var hops []netip.Addr
	for _, line := range h.Values(name) {
		if name == Forwarded {
			for _, element := range splitOutsideQuotes(line, ',') {
				hops = append(hops, parseHop(forwardedFor(element)))
			}
			continue
		}
		for _, hop := range strings.Split(line, ",") {
			hops = append(hops, parseHop(strings.TrimSpace(hop)))
		}
	}
	return hops
}

// forwardedFor returns the for= parameter of one RFC 7239 element, e.g.
// `for="[2001:db8::17]:4711";proto=https`, unquoted.
func forwardedFor(element string) string {
	for _, pair := range splitOutsideQuotes(element, ';') {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "for") {
			continue
		}
		value = strings.TrimSpace(value)
		if strings.HasPrefix(value, `"`) {
			if unquoted, err := strconv.Unquote(value); err == nil {
				return unquoted
			}
			return ""
		}
		return value
	}
	return ""
}

// parseHop reads one forwarded address: 192.0.2.60, 192.0.2.60:4711,
// 2001:db8::17, [2001:db8::17] or [2001:db8::17]:4711.
func parseHop(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap()
	}
	return netip.Addr{}
}

// splitOutsideQuotes splits s at each sep that is not inside a quoted
// string (RFC 7230's quoted-string, with backslash escapes).
func splitOutsideQuotes(s string, sep byte) []string {
	var (
		parts         []string
		start         int
		quoted, escap bool
	)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case escap:
			escap = false
		case quoted && c == '\\':
			escap = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}
