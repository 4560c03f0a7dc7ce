package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/bylinenews/byline"
)

// Connection security, for [Sender.Security].
const (
	// StartTLS upgrades a plain connection with STARTTLS and refuses to
	// go on if the server does not offer it. The default.
	StartTLS = "starttls"
	// ImplicitTLS speaks TLS from the first byte (SMTPS, usually port 465).
	ImplicitTLS = "tls"
	// Opportunistic uses STARTTLS when the server offers it, plain text
	// otherwise.
	Opportunistic = "opportunistic"
	// Plain never encrypts. Only for a relay on the same host or in tests.
	Plain = "none"
)

// Sender emails one reader's message to the editors through an SMTP server.
// Set the fields, call [Sender.Check] once, then call Send from any number
// of goroutines; a Sender is not changed by sending.
//
// The email comes from the From address, with the reader's name as its
// display name ("Jane Doe via Contact Us"), and has the reader in Reply-To,
// so that answering it answers the reader.
type Sender struct {
	Host     string
	Port     int    // 0: 465 for ImplicitTLS, 587 otherwise
	Security string // StartTLS, ImplicitTLS, Opportunistic or Plain; "" is StartTLS

	// Username and Password authenticate to the server when Username is
	// set. The mechanism is the strongest both sides know; PLAIN and LOGIN
	// are used only over an encrypted connection.
	Username string
	Password string

	From          string   // the address the email is sent from; a display name in it is replaced
	To            []string // the editors' addresses
	SubjectPrefix string   // put before every subject, e.g. "[Contact] "

	HELO      string        // the name given in EHLO; "" is the machine's host name
	Timeout   time.Duration // for the whole conversation; 0 is 30 seconds
	TLSConfig *tls.Config   // nil verifies the server against the system roots
}

// Check reports what is wrong with the Sender's settings, naming the
// setting, or returns nil.
func (s *Sender) Check() error {
	var errs []error
	if s.Host == "" {
		errs = append(errs, errors.New("SMTP host: not set"))
	}
	if s.Port < 0 || s.Port > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port: %d is not a port number", s.Port))
	}
	switch s.Security {
	case "", StartTLS, ImplicitTLS, Opportunistic, Plain:
	default:
		errs = append(errs, fmt.Errorf("SMTP security: %q is not one of starttls, tls, opportunistic, none", s.Security))
	}
	if _, err := netmail.ParseAddress(s.From); err != nil {
		errs = append(errs, fmt.Errorf("SMTP from address %q: %w", s.From, err))
	}
	if len(s.To) == 0 {
		errs = append(errs, errors.New("SMTP recipients: none set"))
	}
	for _, to := range s.To {
		if _, err := netmail.ParseAddress(to); err != nil {
			errs = append(errs, fmt.Errorf("SMTP recipient %q: %w", to, err))
		}
	}
	if s.Password != "" && s.Username == "" {
		errs = append(errs, errors.New("SMTP password: set without a username"))
	}
	return errors.Join(errs...)
}

// Send emails m to the editors and returns once the SMTP server has accepted
// it, or with the error that stopped it. A message sent twice (after a crash
// between sending and recording it) carries the same Message-ID both times.
func (s *Sender) Send(ctx context.Context, m *byline.Message) error {
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	return s.deliver(ctx, msg)
}

// deliver hands msg to the SMTP server.
func (s *Sender) deliver(ctx context.Context, msg *gomail.Msg) error {
	var conns connList
	defer conns.closeAll()
	c, err := s.client(&conns)
	if err != nil {
		return err
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp %s: %w", c.ServerAddr(), err)
	}
	return nil
}

// newMsg starts an email from the From address, under the display name
// given, to the recipients.
func (s *Sender) newMsg(name string) (*gomail.Msg, error) {
	from, err := netmail.ParseAddress(s.From)
	if err != nil {
		return nil, fmt.Errorf("smtp from address %q: %w", s.From, err)
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(&netmail.Address{Name: name, Address: from.Address})
	if err := msg.EnvelopeFrom(from.Address); err != nil {
		return nil, fmt.Errorf("smtp envelope from %q: %w", from.Address, err)
	}
	if err := msg.To(s.To...); err != nil {
		return nil, fmt.Errorf("smtp recipients: %w", err)
	}
	return msg, nil
}

// connList remembers the connections a send opened. go-mail leaves the
// connection open when the greeting, STARTTLS or AUTH fails; closing them
// ourselves keeps a misconfigured server from collecting our sockets.
type connList struct {
	mu    sync.Mutex
	conns []net.Conn
}

func (l *connList) add(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.conns = append(l.conns, c)
}

func (l *connList) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close() // already closed after a QUIT; the error says nothing
	}
	l.conns = nil
}

// authPreference is the order in which SMTP AUTH mechanisms are tried.
// PLAIN and LOGIN refuse by themselves to run over a connection that is
// not encrypted.
var authPreference = []gomail.SMTPAuthType{
	gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1, gomail.SMTPAuthCramMD5,
	gomail.SMTPAuthPlain, gomail.SMTPAuthLogin,
}

func (s *Sender) client(conns *connList) (*gomail.Client, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout), gomail.WithTLSConfig(tlsConfig)}
	port := s.Port
	implicitTLS := false
	switch s.Security {
	case "", StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case Opportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case ImplicitTLS:
		// go-mail's WithSSL is not used: with our own dialer it would
		// not apply, so the dialer speaks TLS itself.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		implicitTLS = true
		if port == 0 {
			port = 465
		}
	default:
		return nil, fmt.Errorf("smtp security %q unknown", s.Security)
	}
	if port == 0 {
		port = 587
	}
	opts = append(opts, gomail.WithPort(port))
	opts = append(opts, gomail.WithDialContextFunc(func(ctx context.Context, network, addr string) (net.Conn, error) {
		d := &net.Dialer{}
		var c net.Conn
		var err error
		if implicitTLS {
			c, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, network, addr)
		} else {
			c, err = d.DialContext(ctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		conns.add(c)
		return c, nil
	}))
	if s.HELO != "" {
		opts = append(opts, gomail.WithHELO(s.HELO))
	}
	if s.Username != "" {
		opts = append(opts,
			gomail.WithOpportunisticSMTPAuth(authPreference...),
			gomail.WithUsername(s.Username),
			gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp client for %s: %w", s.Host, err)
	}
	return c, nil
}

// compose builds the email for m.
func (s *Sender) compose(m *byline.Message) (*gomail.Msg, error) {
	from, err := netmail.ParseAddress(s.From)
	if err != nil {
		return nil, fmt.Errorf("smtp from address %q: %w", s.From, err)
	}
	// The reader's fields were validated when the message was stored, but
	// they go into headers here, so refuse again rather than trust it.
	if strings.ContainsAny(m.Name+m.Email+m.Subject, "\r\n") {
		return nil, fmt.Errorf("message %d: line break in a header field", m.ID)
	}

	msg, err := s.newMsg(m.Name + " via Contact Us")
	if err != nil {
		return nil, err
	}
	msg.ReplyToMailAddress(&netmail.Address{Name: m.Name, Address: m.Email})

	subject := m.Subject
	if subject == "" {
		subject = "Message from " + m.Name
	}
	msg.Subject(s.SubjectPrefix + subject)
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetMessageIDWithValue(messageID(m, from.Address))
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader("X-Byline-Message-ID", strconv.FormatInt(m.ID, 10))
	msg.SetBodyString(gomail.TypeTextPlain, body(m))
	return msg, nil
}

// messageID is stable for a message, so that a copy sent again after a
// crash can be recognised as the same email.
func messageID(m *byline.Message, from string) string {
	domain := "byline.invalid"
	if at := strings.LastIndexByte(from, '@'); at >= 0 && at < len(from)-1 {
		domain = from[at+1:]
	}
	return fmt.Sprintf("contact-%d.%s@%s", m.ID, strconv.FormatInt(m.CreatedAt.UnixNano(), 36), domain)
}

// body is the text of the email: who wrote, when, and what.
func body(m *byline.Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From:    %s <%s>\n", m.Name, m.Email)
	if m.Subject != "" {
		fmt.Fprintf(&b, "Subject: %s\n", m.Subject)
	}
	fmt.Fprintf(&b, "Sent:    %s\n", m.CreatedAt.UTC().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(&b, "Message: #%d\n\n", m.ID)
	b.WriteString(m.Body)
	b.WriteString("\n\n-- \nSent through the Contact Us form. Reply to this email to answer the reader.\n")
	return b.String()
}
