package mail_test

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/bylinenews/byline"
)

// countingOutbox times the list outbox's writes for the benchmark: each
// handover is a commit the connections waiting at that moment share.
type countingOutbox struct {
	byline.NewsletterOutbox
	calls, claims, nanos atomic.Int64
	dcalls, dnanos       atomic.Int64
	ccalls, cnanos       atomic.Int64
}

// MarkHandedOver counts and times the handovers.
func (c *countingOutbox) MarkHandedOver(ctx context.Context, cl []byline.DeliveryClaim) ([]int64, error) {
	t := time.Now()
	defer func() { c.nanos.Add(int64(time.Since(t))) }()
	c.calls.Add(1)
	c.claims.Add(int64(len(cl)))
	return c.NewsletterOutbox.MarkHandedOver(ctx, cl)
}

// MarkDelivered counts and times the delivered marks.
func (c *countingOutbox) MarkDelivered(ctx context.Context, ids []int64) error {
	t := time.Now()
	defer func() { c.dnanos.Add(int64(time.Since(t))) }()
	c.dcalls.Add(1)
	return c.NewsletterOutbox.MarkDelivered(ctx, ids)
}

// ClaimDeliveries counts and times the claims.
func (c *countingOutbox) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]*byline.Delivery, error) {
	t := time.Now()
	defer func() { c.cnanos.Add(int64(time.Since(t))) }()
	c.ccalls.Add(1)
	return c.NewsletterOutbox.ClaimDeliveries(ctx, limit, lease)
}
