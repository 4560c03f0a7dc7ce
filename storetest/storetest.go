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

// Backend is a fresh database of one backend, as the suite sees it: its
// services, all on the same database.
type Backend struct {
	byline.Services

	// Reopen opens another Backend on the same database, with the same
	// clock, as a second instance of Byline would: its own connections,
	// nothing shared in memory. It is closed when t ends.
	Reopen func(t *testing.T) Backend
}

// Opener opens a fresh Backend for t, closed when t ends, whose stores take
// the time from now.
type Opener func(t testing.TB, now func() time.Time) Backend

// Clock is a time the test sets, for a Backend's stores.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the time last set.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// openAt opens a backend whose clock starts at t.
func openAt(t *testing.T, open Opener, at time.Time) (Backend, *Clock) {
	c := &Clock{now: at}
	return open(t, c.Now), c
}

// reopen opens a second instance of b, failing the test if the backend
// cannot.
func reopen(t *testing.T, b Backend) Backend {
	t.Helper()
	if b.Reopen == nil {
		t.Fatal("Backend.Reopen is nil: the multi-instance tests need a second handle on the database")
	}
	return b.Reopen(t)
}
