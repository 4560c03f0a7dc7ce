package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// siteClock keeps the site's version (ArticleService.LastModified) in
// memory between changes, so a cached page costs no database round trip.
// It trusts what it remembers only while a change feed watches the
// database (see [Server.ContentChanged]), only until the feed's next
// notice, and only until the next scheduled article comes due; otherwise
// it asks the database, as every request did before there was a feed.
type siteClock struct {
	generation atomic.Uint64 // moved by every notice of a change
	watched    atomic.Bool
	known      atomic.Pointer[clockReading]
	reload     sync.Mutex // one reading at a time; the others wait for it
}

// clockReading is what the database said, and up to when it holds.
type clockReading struct {
	generation uint64 // the notices seen before the reading began
	modified   time.Time
	nextDue    time.Time // the zero time: nothing is scheduled
}

func (c *clockReading) current(generation uint64, now time.Time) bool {
	return c != nil && c.generation == generation && (c.nextDue.IsZero() || now.Before(c.nextDue))
}

// ContentChanged tells the server that what readers see may have changed.
// A change feed (sqlite.DB.WatchChanges, postgres.DB.WatchChanges) calls
// it after every write committed through this process, before the write
// returns, and soon after those of other processes and instances. watching
// says whether the feed is (still) watching: while it is, pages take the
// site's version from memory until the next call; while it is not (before
// the first call, or after the feed lost its connection), every page asks
// the database. Safe for concurrent use, cheap, and safe before Handler.
func (s *Server) ContentChanged(watching bool) {
	s.clock.generation.Add(1)
	s.clock.watched.Store(watching)
}

// lastModified returns the site's version: from memory while a change feed
// vouches for it, else from the database.
func (s *Server) lastModified(ctx context.Context) (time.Time, error) {
	c := &s.clock
	if !c.watched.Load() {
		return s.Articles.LastModified(ctx)
	}
	if k := c.known.Load(); k.current(c.generation.Load(), s.clockNow()) {
		return k.modified, nil
	}
	c.reload.Lock()
	defer c.reload.Unlock()
	generation := c.generation.Load()
	now := s.clockNow()
	if k := c.known.Load(); k.current(generation, now) {
		return k.modified, nil // read while this request waited
	}
	// A notice that comes while the database is asked moves the
	// generation, so this reading is used by no one and the next request
	// asks again. now was taken before the question: an article coming
	// due between the two queries gives a nextDue already past.
	modified, err := s.Articles.LastModified(ctx)
	if err != nil {
		return time.Time{}, err
	}
	nextDue, err := s.Articles.NextDue(ctx, now)
	if err != nil {
		return time.Time{}, err
	}
	c.known.Store(&clockReading{generation: generation, modified: modified, nextDue: nextDue})
	return modified, nil
}

// clockNow is the server's clock at full precision, for comparing with the
// times articles come due.
func (s *Server) clockNow() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
