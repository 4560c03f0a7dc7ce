package mail

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// Defaults for the [Worker]'s zero fields.
const (
	DefaultPollInterval = 15 * time.Second
	DefaultBatchSize    = 10
	DefaultLease        = 5 * time.Minute
	DefaultBaseDelay    = time.Minute
	DefaultMaxDelay     = time.Hour
)

// maxErrorLen bounds the error text kept with a message.
const maxErrorLen = 1000

// Worker is the outbox: it emails the messages that are due and records
// each outcome in the [byline.Outbox]. A failed attempt is retried after
// BaseDelay, then twice as long each time up to MaxDelay, until the message
// is sent or MaxAttempts attempts have been made.
//
// Several workers, in one process or many, can share one outbox: claiming
// a message leases it to one worker. A worker that dies mid-send leaves its
// messages to be claimed again when the lease runs out, so a message may in
// rare cases be emailed twice, never zero times.
//
// Set the fields before calling Run; the zero values of the optional ones
// are the Default constants.
type Worker struct {
	Outbox byline.Outbox // required
	Sender *Sender       // the SMTP server; nil with Configure unset: nothing is sent

	// Configure, if set, is asked before each batch for the sender to use,
	// so SMTP settings changed in the newsroom apply without a restart. A
	// nil sender means no SMTP server is configured: messages wait.
	Configure func(ctx context.Context) (*Sender, error)
	Logger    *slog.Logger // nil discards

	PollInterval time.Duration // how often to look for due messages
	BatchSize    int           // messages claimed at a time
	Lease        time.Duration // how long a claim lasts; keep it above Sender.Timeout
	BaseDelay    time.Duration // wait after the first failure
	MaxDelay     time.Duration // longest wait between attempts
	MaxAttempts  int           // give up after this many; 0 never gives up

	Now func() time.Time // nil is time.Now

	once sync.Once
	wake chan struct{}
}

// Run delivers due messages until ctx is done, then returns nil. It looks
// for work every PollInterval and whenever [Worker.Wake] is called.
func (w *Worker) Run(ctx context.Context) error {
	w.init()
	logger := w.logger()
	logger.Info("outbox started", "poll_interval", w.pollInterval().String())
	t := time.NewTicker(w.pollInterval())
	defer t.Stop()
	for {
		// Drain: a full batch means there may be more due right now.
		for {
			n, err := w.Flush(ctx)
			if err != nil {
				if ctx.Err() == nil {
					logger.Error("outbox poll failed", slog.Any("error", err))
				}
				break
			}
			if n < w.batchSize() {
				break
			}
		}
		select {
		case <-ctx.Done():
			logger.Info("outbox stopped")
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// Wake makes a running worker look for due messages now, e.g. right after a
// reader's message was stored. It never blocks.
func (w *Worker) Wake() {
	w.init()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Flush claims one batch of due messages and tries to send each, recording
// the outcomes. It returns how many messages it claimed. Errors in sending
// are recorded with the message, not returned; the error is the outbox's.
func (w *Worker) Flush(ctx context.Context) (int, error) {
	sender := w.Sender
	if w.Configure != nil {
		var err error
		if sender, err = w.Configure(ctx); err != nil {
			return 0, fmt.Errorf("SMTP settings: %w", err)
		}
	}
	if sender == nil {
		return 0, nil // no SMTP server: messages wait in the inbox
	}
	msgs, err := w.Outbox.ClaimDue(ctx, w.batchSize(), w.lease())
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		w.deliver(ctx, sender, m)
	}
	return len(msgs), nil
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, sender *Sender, m *byline.Message) {
	logger := w.logger().With("message_id", m.ID, "attempt", m.Attempts)
	sendErr := sender.Send(ctx, m)

	// Record the outcome even if ctx was cancelled during the send: an
	// email the server accepted should not be sent again.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if sendErr == nil {
		if err := w.Outbox.MarkSent(rctx, m.ID); err != nil {
			logger.Error("outbox mark sent failed", slog.Any("error", err))
			return
		}
		logger.Info("message emailed")
		return
	}

	var retryAt time.Time
	if w.MaxAttempts <= 0 || m.Attempts < w.MaxAttempts {
		retryAt = w.now().Add(Backoff(m.Attempts, w.baseDelay(), w.maxDelay()))
	}
	if err := w.Outbox.MarkFailed(rctx, m.ID, truncate(sendErr.Error(), maxErrorLen), retryAt); err != nil {
		logger.Error("outbox mark failed failed", slog.Any("error", err), slog.Any("send_error", sendErr))
		return
	}
	if retryAt.IsZero() {
		logger.Error("message delivery given up", slog.Any("error", sendErr))
		return
	}
	logger.Warn("message delivery failed", slog.Any("error", sendErr), "retry_at", retryAt.UTC().Format(time.RFC3339))
}

// Backoff returns how long to wait after the given failed attempt (1 for
// the first): base, 2×base, 4×base, ..., never more than max.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt; i++ {
		if d >= max/2 {
			return max
		}
		d *= 2
	}
	if d > max {
		return max
	}
	return d
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func (w *Worker) init() {
	w.once.Do(func() { w.wake = make(chan struct{}, 1) })
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

func (w *Worker) pollInterval() time.Duration { return orDefault(w.PollInterval, DefaultPollInterval) }
func (w *Worker) lease() time.Duration        { return orDefault(w.Lease, DefaultLease) }
func (w *Worker) baseDelay() time.Duration    { return orDefault(w.BaseDelay, DefaultBaseDelay) }
func (w *Worker) maxDelay() time.Duration     { return orDefault(w.MaxDelay, DefaultMaxDelay) }

func (w *Worker) batchSize() int {
	if w.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return w.BatchSize
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
