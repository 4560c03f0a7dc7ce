package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/bylinenews/byline"
)

// Defaults for the [ListWorker]'s zero fields.
const (
	DefaultListConcurrency = 4
	DefaultListBatchSize   = 64
	DefaultListMaxAttempts = 8
	DefaultBounceAfter     = 3
)

// ListWorker delivers the mailing list's outbox (confirmations, test
// sends, newsletters) like a mailing list: Concurrency connections to the
// SMTP server, each kept open for many emails, at most PerSecond and
// PerHour emails, temporary failures (4xx) retried with backoff, permanent
// ones (5xx) given up and counted against the subscriber.
//
// Each email is sent exactly once, across crashes and instances: an entry
// is claimed under a lease, and marked handed over in the database after
// its data is written but before the final "." that lets the server accept
// it. A worker killed before that mark leaves the server an incomplete
// transaction, which it throws away, and the entry due again when the
// lease runs out; killed after it, the entry is never sent again. The one
// window left is the instant between the mark's commit and the write of
// the ".": a crash there leaves the entry handed over but not received,
// shown as "sending" in the send's progress rather than sent twice. A
// connection that breaks after the "." is treated the same way: the server
// may have the email.
//
// Set the fields before calling Run.
type ListWorker struct {
	Outbox      byline.NewsletterOutbox // required
	Newsletters byline.NewsletterService
	Articles    byline.ArticleService
	Subscribers byline.SubscriberService // the links' signing key

	// Configure is asked before each round for the SMTP server; nil means
	// none is set and emails wait. Site gives the site's title and base
	// URL, for the emails' links.
	Configure func(ctx context.Context) (*Sender, error)
	Site      func(ctx context.Context) (Site, error)
	Logger    *slog.Logger // nil discards; addresses are never logged

	PerSecond   float64 // emails per second, over all connections; 0 is no limit
	PerHour     int     // emails per hour; 0 is no limit
	Concurrency int     // connections to the SMTP server; 0 is DefaultListConcurrency

	PollInterval time.Duration // how often to look for due emails; 0 is DefaultPollInterval
	BatchSize    int           // entries claimed at a time; 0 is DefaultListBatchSize
	Lease        time.Duration // how long a claim lasts; 0 is DefaultLease
	BaseDelay    time.Duration // wait after a first temporary failure; 0 is DefaultBaseDelay
	MaxDelay     time.Duration // longest wait; 0 is DefaultMaxDelay
	MaxAttempts  int           // give up after this many; 0 is DefaultListMaxAttempts
	BounceAfter  int           // permanent failures in a row before a subscriber is bounced; 0 is DefaultBounceAfter

	Now func() time.Time // nil is time.Now

	once  sync.Once
	wake  chan struct{}
	pace  pacer
	mu    sync.Mutex
	key   []byte
	cache map[int64]*Issue // by send ID, for the round
}

// Wake makes a running worker look for due emails now. It never blocks.
func (w *ListWorker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers due emails until ctx is done, then returns nil.
func (w *ListWorker) Run(ctx context.Context) error {
	w.init()
	logger := w.logger()
	logger.Info("newsletter outbox started", "concurrency", w.concurrency(), "per_second", w.PerSecond, "per_hour", w.PerHour)
	t := time.NewTicker(orDefault(w.PollInterval, DefaultPollInterval))
	defer t.Stop()
	for {
		if _, err := w.Deliver(ctx); err != nil && ctx.Err() == nil {
			logger.Error("newsletter outbox round failed", slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			logger.Info("newsletter outbox stopped")
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Deliver sends every email that is due now, and those that fall due
// while it works, then returns how many it claimed.
func (w *ListWorker) Deliver(ctx context.Context) (int, error) {
	w.init()
	sender, err := w.Configure(ctx)
	if err != nil {
		return 0, fmt.Errorf("SMTP settings: %w", err)
	}
	if sender == nil {
		return 0, nil
	}
	site, err := w.Site(ctx)
	if err != nil {
		return 0, fmt.Errorf("site: %w", err)
	}
	if w.key == nil {
		if w.key, err = w.Subscribers.SigningKey(ctx); err != nil {
			return 0, err
		}
	}
	lm := &ListMail{From: sender.From, Site: site, Key: w.key}
	w.mu.Lock()
	w.cache = map[int64]*Issue{}
	w.mu.Unlock()

	r := &round{w: w, sender: sender, mail: lm, jobs: make(chan *byline.Delivery),
		handovers: make(chan handover), delivered: make(chan int64, 256)}
	var workers, committers sync.WaitGroup
	committers.Go(func() { r.commitHandovers(ctx) })
	committers.Go(func() { r.recordDelivered(ctx) })
	for range w.concurrency() {
		workers.Go(func() { r.connection(ctx) })
	}
	claimed := 0
	var claimErr error
	for ctx.Err() == nil {
		ds, err := w.Outbox.ClaimDeliveries(ctx, w.batchSize(), w.lease())
		if err != nil {
			claimErr = err
			break
		}
		if len(ds) == 0 {
			break
		}
		claimed += len(ds)
		for _, d := range ds {
			select {
			case r.jobs <- d:
			case <-ctx.Done():
			}
		}
	}
	close(r.jobs)
	workers.Wait()
	close(r.handovers)
	close(r.delivered)
	committers.Wait()
	return claimed, claimErr
}

// round is one Deliver's shared state.
type round struct {
	w         *ListWorker
	sender    *Sender
	mail      *ListMail
	jobs      chan *byline.Delivery
	handovers chan handover
	delivered chan int64
}

type handover struct {
	claim byline.DeliveryClaim
	ok    chan bool
}

// handOver marks one entry handed over, with whatever other connections
// ask for at the same moment, in one transaction, and reports whether the
// claim still held.
func (r *round) handOver(claim byline.DeliveryClaim) bool {
	ok := make(chan bool, 1)
	r.handovers <- handover{claim, ok}
	return <-ok
}

// commitHandovers is the group commit of the handovers: each connection
// waits for the commit of its mark, and those that ask together share it.
func (r *round) commitHandovers(ctx context.Context) {
	for first := range r.handovers {
		batch := []handover{first}
	drain:
		for len(batch) < 256 {
			select {
			case h, ok := <-r.handovers:
				if !ok {
					break drain
				}
				batch = append(batch, h)
			default:
				break drain
			}
		}
		claims := make([]byline.DeliveryClaim, len(batch))
		for i, h := range batch {
			claims[i] = h.claim
		}
		// Not cancelled with ctx: a connection waits for this answer
		// with its data written.
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		handed, err := r.w.Outbox.MarkHandedOver(mctx, claims)
		cancel()
		if err != nil {
			r.w.logger().Error("newsletter handover not recorded", slog.Any("error", err))
		}
		for _, h := range batch {
			h.ok <- err == nil && slices.Contains(handed, h.claim.ID)
		}
	}
}

// recordDelivered records the servers' acceptances in batches: a crash
// losing some leaves those entries "sending", never sent again.
func (r *round) recordDelivered(ctx context.Context) {
	var ids []int64
	flush := func() {
		if len(ids) == 0 {
			return
		}
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := r.w.Outbox.MarkDelivered(mctx, ids); err != nil {
			r.w.logger().Error("newsletter deliveries not recorded", slog.Any("error", err), "count", len(ids))
		}
		ids = ids[:0]
	}
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case id, ok := <-r.delivered:
			if !ok {
				flush()
				return
			}
			if ids = append(ids, id); len(ids) >= 256 {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}

// connection sends jobs over one SMTP connection, opened when needed and
// kept for the next email.
func (r *round) connection(ctx context.Context) {
	var c *listConn
	defer func() {
		if c != nil {
			c.quit()
		}
	}()
	for d := range r.jobs {
		if err := r.w.pace.wait(ctx, r.w.PerSecond, r.w.PerHour); err != nil {
			continue // stopping: the lease brings the entry back
		}
		msg, err := r.compose(ctx, d)
		if err != nil {
			r.failed(d, err, false, true)
			continue
		}
		if c == nil {
			if c, err = dialList(ctx, r.sender); err != nil {
				r.failed(d, err, false, false)
				continue
			}
		}
		out := c.send(d, msg, r.sender.From, r.handOver)
		switch {
		case out.err == nil:
			r.delivered <- d.ID
		case out.uncertain:
			r.w.logger().Warn("newsletter email may not have been received; it is not sent again",
				"delivery_id", d.ID, "send_id", d.SendID, slog.String("error", redact(out.err.Error(), d.To)))
		case out.lostClaim:
			r.w.logger().Warn("newsletter claim lost before sending; the email is left to its new claim", "delivery_id", d.ID)
		default:
			r.failed(d, out.err, out.hard, out.permanent)
		}
		if out.closed {
			c.close()
			c = nil
		}
	}
}

// compose builds d's email.
func (r *round) compose(ctx context.Context, d *byline.Delivery) (*gomail.Msg, error) {
	now := r.w.now()
	if d.Kind == byline.DeliveryConfirm {
		return r.mail.Confirmation(d, now)
	}
	issue, err := r.w.issue(ctx, r.mail.Site, d)
	if err != nil {
		return nil, err
	}
	return r.mail.IssueMail(d, issue, now)
}

// issue returns the send's article, read once a round.
func (w *ListWorker) issue(ctx context.Context, site Site, d *byline.Delivery) (*Issue, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if is, ok := w.cache[d.SendID]; ok {
		return is, nil
	}
	n, err := w.Newsletters.FindByID(ctx, d.NewsletterID)
	if err != nil {
		return nil, err
	}
	a, err := w.Articles.FindByID(ctx, d.ArticleID)
	if err != nil {
		return nil, err
	}
	is := NewIssue(site, &byline.Send{ID: d.SendID, NewsletterID: n.ID, ArticleID: a.ID}, n, a)
	w.cache[d.SendID] = is
	return is, nil
}

// failed records a failed attempt: permanent ones are given up, others
// retried with backoff until MaxAttempts.
func (r *round) failed(d *byline.Delivery, sendErr error, hard, permanent bool) {
	w := r.w
	var retryAt time.Time
	if !permanent && d.Attempts < w.maxAttempts() {
		retryAt = w.now().Add(Backoff(d.Attempts, w.baseDelay(), w.maxDelay()))
	}
	text := truncate(sendErr.Error(), maxErrorLen)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	logger := w.logger().With("delivery_id", d.ID, "send_id", d.SendID, "attempt", d.Attempts, slog.String("error", redact(text, d.To)))
	if err := w.Outbox.MarkDeliveryFailed(ctx, d.Claim(), text, retryAt, hard, w.bounceAfter()); err != nil {
		logger.Error("newsletter failure not recorded", slog.Any("record_error", err))
		return
	}
	if retryAt.IsZero() {
		logger.Warn("newsletter email given up")
		return
	}
	logger.Info("newsletter email failed; retrying", "retry_at", retryAt.UTC().Format(time.RFC3339))
}

// redact takes an address out of an error text before it is logged: SMTP
// servers often quote the recipient in their refusals.
func redact(text, address string) string {
	if address == "" {
		return text
	}
	lower := strings.ToLower(text)
	addr := strings.ToLower(address)
	var b strings.Builder
	for {
		i := strings.Index(lower, addr)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		b.WriteString("[recipient]")
		text, lower = text[i+len(addr):], lower[i+len(addr):]
	}
}

// outcome is what became of one email on a connection.
type outcome struct {
	err       error
	hard      bool // the server refused the recipient or the email for good: counts towards bouncing
	permanent bool // not worth trying again
	uncertain bool // the server may have it: never sent again
	lostClaim bool // another worker holds the entry now
	closed    bool // the connection is unusable
}

// listConn is one SMTP connection kept open for many emails.
type listConn struct {
	raw     net.Conn
	c       *smtp.Client
	timeout time.Duration
}

// dialList opens and greets a connection, with TLS and authentication as
// the Sender's settings ask.
func dialList(ctx context.Context, s *Sender) (*listConn, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	port := s.Port
	if port == 0 {
		port = 587
		if s.Security == ImplicitTLS {
			port = 465
		}
	}
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	d := &net.Dialer{Timeout: timeout}
	var (
		raw net.Conn
		err error
	)
	if s.Security == ImplicitTLS {
		raw, err = (&tls.Dialer{NetDialer: d, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		raw, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", addr, err)
	}
	raw.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(raw, s.Host)
	if err != nil {
		raw.Close()
		return nil, fmt.Errorf("smtp %s: greeting: %w", addr, err)
	}
	fail := func(step string, err error) (*listConn, error) {
		c.Close()
		return nil, fmt.Errorf("smtp %s: %s: %w", addr, step, err)
	}
	helo := s.HELO
	if helo == "" {
		helo = "localhost"
	}
	if err := c.Hello(helo); err != nil {
		return fail("EHLO", err)
	}
	if s.Security == "" || s.Security == StartTLS || s.Security == Opportunistic {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return fail("STARTTLS", err)
			}
		} else if s.Security != Opportunistic {
			return fail("STARTTLS", errors.New("the server does not offer STARTTLS, which the settings require"))
		}
	}
	if s.Username != "" {
		_, encrypted := c.TLSConnectionState()
		ok, mechs := c.Extension("AUTH")
		var auth smtp.Auth
		switch {
		case !ok:
			return fail("AUTH", errors.New("the server offers no authentication, and a user name is set"))
		case strings.Contains(mechs, "CRAM-MD5") && !encrypted:
			auth = smtp.CRAMMD5Auth(s.Username, s.Password)
		case strings.Contains(mechs, "PLAIN"):
			auth = smtp.PlainAuth("", s.Username, s.Password, s.Host, false)
		case strings.Contains(mechs, "LOGIN"):
			auth = smtp.LoginAuth(s.Username, s.Password, s.Host, false)
		default:
			return fail("AUTH", fmt.Errorf("no mechanism we use among %q", mechs))
		}
		if err := c.Auth(auth); err != nil {
			return fail("AUTH", err)
		}
	}
	return &listConn{raw: raw, c: c, timeout: timeout}, nil
}

// send runs one SMTP transaction for d on the connection; handOver is
// asked, after the data is written and before the final ".", whether the
// email may go.
func (lc *listConn) send(d *byline.Delivery, msg *gomail.Msg, from string, handOver func(byline.DeliveryClaim) bool) outcome {
	lc.raw.SetDeadline(time.Now().Add(lc.timeout))
	envelope := from
	if a, err := netmail.ParseAddress(from); err == nil {
		envelope = a.Address
	}
	if err := lc.c.Mail("<" + envelope + ">"); err != nil {
		return lc.refused(err, false)
	}
	if err := lc.c.Rcpt("<" + d.To + ">"); err != nil {
		return lc.refused(err, true)
	}
	wc, err := lc.c.Data()
	if err != nil {
		return lc.refused(err, true)
	}
	if _, err := msg.WriteTo(wc); err != nil {
		// Nothing can be accepted without the ".": the entry is tried
		// again on a new connection.
		return outcome{err: fmt.Errorf("smtp data: %w", err), closed: true}
	}
	if !handOver(d.Claim()) {
		return outcome{lostClaim: true, closed: true, err: errors.New("claim lost")}
	}
	if err := wc.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return outcome{err: fmt.Errorf("smtp after data: %w", err), hard: te.Code >= 500, permanent: te.Code >= 500}
		}
		return outcome{err: fmt.Errorf("smtp after data: %w", err), uncertain: true, closed: true}
	}
	return outcome{}
}

// refused makes the outcome of an error before the data: a reply code
// says whether it is the recipient's (hard) fault for good, and the
// transaction is reset for the next email; anything else breaks the
// connection.
func (lc *listConn) refused(err error, recipient bool) outcome {
	var te *textproto.Error
	if !errors.As(err, &te) {
		return outcome{err: fmt.Errorf("smtp: %w", err), closed: true}
	}
	out := outcome{err: fmt.Errorf("smtp: %w", err), permanent: te.Code >= 500, hard: recipient && te.Code >= 500}
	if rerr := lc.c.Reset(); rerr != nil {
		out.closed = true
	}
	return out
}

func (lc *listConn) quit() {
	lc.raw.SetDeadline(time.Now().Add(5 * time.Second))
	lc.c.Quit()
	lc.c.Close()
}

func (lc *listConn) close() { lc.c.Close() }

// pacer spaces the emails of all connections to a rate per second and
// caps them per hour.
type pacer struct {
	mu        sync.Mutex
	next      time.Time
	hourStart time.Time
	hourCount int
}

// wait blocks until the next email may go, or ctx is done.
func (p *pacer) wait(ctx context.Context, perSecond float64, perHour int) error {
	if perSecond <= 0 && perHour <= 0 {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	slot := now
	if perSecond > 0 {
		if p.next.After(slot) {
			slot = p.next
		}
		p.next = slot.Add(time.Duration(float64(time.Second) / perSecond))
	}
	if perHour > 0 {
		if slot.Sub(p.hourStart) >= time.Hour {
			p.hourStart, p.hourCount = slot, 0
		}
		if p.hourCount >= perHour {
			slot = p.hourStart.Add(time.Hour)
			p.hourStart, p.hourCount = slot, 0
			if perSecond > 0 {
				p.next = slot.Add(time.Duration(float64(time.Second) / perSecond))
			}
		}
		p.hourCount++
	}
	p.mu.Unlock()
	if d := slot.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}

func (w *ListWorker) init() {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
}

func (w *ListWorker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func (w *ListWorker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *ListWorker) concurrency() int { return intOr(w.Concurrency, DefaultListConcurrency) }
func (w *ListWorker) maxAttempts() int { return intOr(w.MaxAttempts, DefaultListMaxAttempts) }
func (w *ListWorker) bounceAfter() int { return intOr(w.BounceAfter, DefaultBounceAfter) }
func (w *ListWorker) lease() time.Duration {
	return orDefault(w.Lease, DefaultLease)
}
func (w *ListWorker) baseDelay() time.Duration { return orDefault(w.BaseDelay, DefaultBaseDelay) }
func (w *ListWorker) maxDelay() time.Duration  { return orDefault(w.MaxDelay, DefaultMaxDelay) }

// batchSize is how many entries to claim at a time: no more than the rate
// sends in a quarter of the lease, so none waits in memory until its
// lease runs out.
func (w *ListWorker) batchSize() int {
	n := intOr(w.BatchSize, DefaultListBatchSize)
	if w.PerSecond > 0 {
		n = min(n, max(1, int(w.PerSecond*w.lease().Seconds()/4)))
	}
	if w.PerHour > 0 {
		n = min(n, max(1, w.PerHour/4))
	}
	return n
}

func intOr(n, def int) int {
	if n <= 0 {
		return def
	}
	return n
}
