// Package smtptest is a small SMTP server on loopback for tests: enough of
// RFC 5321 for a real client (go-mail) to deliver to it, with STARTTLS,
// implicit TLS, AUTH PLAIN and scripted failures.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a small SMTP server on loopback for tests: enough of RFC 5321
// (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) for a real
// client to deliver to it. Reject decides, for the nth transaction that
// reaches the end of DATA (from 1), an error reply such as "451 4.3.0 Try
// later", or "" to accept.
type Server struct {
	Addr string // host:port

	TLS      *tls.Config // offers STARTTLS when set
	Implicit bool        // with TLS: speaks TLS from the first byte instead
	Username string      // requires AUTH PLAIN when set
	Password string
	Reject   func(n int) string
	// Discard counts accepted emails without keeping them, for
	// benchmarks that send more than memory holds; Mails is then empty.
	Discard bool

	mu       sync.Mutex
	n        int
	mails    []Mail
	accepted int // with Discard

	ln net.Listener
	wg sync.WaitGroup
}

// Mail is one email the server accepted.
type Mail struct {
	From string
	To   []string
	Data string // as sent, dot-unstuffed, with LF line ends
	TLS  bool   // whether the transaction was encrypted
	Auth string // the user who authenticated, or ""
}

// Start starts s on a free loopback port and stops it when the test ends.
func Start(t testing.TB, s *Server) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s.ln = ln
	s.Addr = ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

// Port returns the port the server listens on.
func (s *Server) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Close stops listening: later connections are refused.
func (s *Server) Close() error { return s.ln.Close() }

// Mails returns a copy of what the server accepted so far.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Accepted returns how many emails the server accepted.
func (s *Server) Accepted() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted + len(s.mails)
}

// Transactions returns how many transactions reached the end of DATA.
func (s *Server) Transactions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func (s *Server) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	tp := textproto.NewConn(conn)
	var (
		encrypted bool
		authUser  string
		from      string
		to        []string
	)
	if s.Implicit {
		tc := tls.Server(conn, s.TLS)
		if err := tc.Handshake(); err != nil {
			return
		}
		conn, encrypted = tc, true
		tp = textproto.NewConn(conn)
	}
	reply := func(line string) bool { return tp.PrintfLine("%s", line) == nil }
	if !reply("220 localhost ESMTP test") {
		return
	}
	for {
		// A deadline per command, not per connection: a client may keep
		// one connection for many emails.
		conn.SetDeadline(time.Now().Add(30 * time.Second))
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			lines := []string{"localhost", "8BITMIME", "SMTPUTF8", "PIPELINING"}
			if s.TLS != nil && !encrypted {
				lines = append(lines, "STARTTLS")
			}
			if s.Username != "" && encrypted {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				if !reply("250" + sep + l) {
					return
				}
			}
		case "HELO":
			reply("250 localhost")
		case "STARTTLS":
			if s.TLS == nil || encrypted {
				reply("502 5.5.1 Not available")
				continue
			}
			reply("220 2.0.0 Ready to start TLS")
			tc := tls.Server(conn, s.TLS)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, encrypted = tc, true
			tp = textproto.NewConn(conn)
			from, to, authUser = "", nil, ""
		case "AUTH":
			mech, initial, _ := strings.Cut(arg, " ")
			if s.Username == "" || !encrypted || !strings.EqualFold(mech, "PLAIN") {
				reply("504 5.5.4 Unrecognized authentication type")
				continue
			}
			if initial == "" {
				reply("334 ")
				if initial, err = tp.ReadLine(); err != nil {
					return
				}
			}
			raw, err := base64.StdEncoding.DecodeString(initial)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 || parts[1] != s.Username || parts[2] != s.Password {
				reply("535 5.7.8 Authentication credentials invalid")
				continue
			}
			authUser = parts[1]
			reply("235 2.7.0 Authentication successful")
		case "MAIL":
			if s.Username != "" && authUser == "" {
				reply("530 5.7.0 Authentication required")
				continue
			}
			from = addrArg(arg, "FROM:")
			to = nil
			reply("250 2.1.0 OK")
		case "RCPT":
			if from == "" {
				reply("503 5.5.1 MAIL first")
				continue
			}
			to = append(to, addrArg(arg, "TO:"))
			reply("250 2.1.5 OK")
		case "DATA":
			if len(to) == 0 {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 End data with <CR><LF>.<CR><LF>")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			s.mu.Lock()
			s.n++
			n := s.n
			s.mu.Unlock()
			if s.Reject != nil {
				if r := s.Reject(n); r != "" {
					reply(r)
					from, to = "", nil
					continue
				}
			}
			s.mu.Lock()
			if s.Discard {
				s.accepted++
			} else {
				s.mails = append(s.mails, Mail{
					From: from, To: to, TLS: encrypted, Auth: authUser,
					Data: string(data),
				})
			}
			s.mu.Unlock()
			from, to = "", nil
			reply("250 2.0.0 OK queued")
		case "RSET":
			from, to = "", nil
			reply("250 2.0.0 OK")
		case "NOOP":
			reply("250 2.0.0 OK")
		case "QUIT":
			reply("221 2.0.0 Bye")
			return
		default:
			reply("500 5.5.2 Command not recognized")
		}
	}
}

// addrArg returns the address in "FROM:<a@b> SIZE=1" after the prefix.
func addrArg(arg, prefix string) string {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return ""
	}
	a := strings.TrimSpace(arg[len(prefix):])
	a, _, _ = strings.Cut(a, " ")
	return strings.Trim(a, "<>")
}

// SelfSignedTLS returns a server config with a fresh certificate for
// 127.0.0.1 and a client config that trusts it.
func SelfSignedTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	return server, client
}
