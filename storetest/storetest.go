// Package storetest is the one behaviour suite every storage backend must
// pass. A backend's tests call the Run functions with a way to open a fresh,
// real database of that backend.
package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// Backend is a fresh database of one backend, as the suite sees it.
type Backend struct {
	Articles byline.ArticleService
}

// Opener opens a fresh Backend for t, closed when t ends, whose stores take
// the time from now.
type Opener func(t *testing.T, now func() time.Time) Backend

// Clock is a time the test sets, for a Backend's stores.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the time last set.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// openAt opens a backend whose clock starts at t.
func openAt(t *testing.T, open Opener, at time.Time) (Backend, *Clock) {
	c := &Clock{now: at}
	return open(t, c.Now), c
}
