package main

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"
)

// TestTidySearchEvery checks serve's upkeep of the search index: it asks
// for a merge past tidySearchMaxSegments pieces, again at each interval,
// goes on after a failure, and stop ends it, waiting for a merge under way.
func TestTidySearchEvery(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	inMerge := make(chan struct{})
	tidy := func(ctx context.Context, maxSegments int) (bool, error) {
		if maxSegments != tidySearchMaxSegments {
			t.Errorf("tidy asked with at most %d pieces, want %d", maxSegments, tidySearchMaxSegments)
		}
		switch calls.Add(1) {
		case 1:
			return false, errors.New("database is locked")
		case 3:
			close(inMerge)
			<-ctx.Done() // a long merge, until stop
			return false, ctx.Err()
		}
		return true, nil
	}
	stop := tidySearchEvery(t.Context(), tidy, slog.New(slog.DiscardHandler), time.Millisecond, time.Millisecond)
	select {
	case <-inMerge:
	case <-time.After(10 * time.Second):
		t.Fatalf("tidy called %d times in 10 s, want 3 or more", calls.Load())
	}
	stop() // returns only once the merge under way has returned
	n := calls.Load()
	time.Sleep(20 * time.Millisecond)
	if calls.Load() != n {
		t.Errorf("tidy called after stop")
	}
}
