package storetest

import (
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// RunRateLimiterTests checks a backend's byline.RateLimiter.
func RunRateLimiterTests(t *testing.T, open Opener) {
	setup := func(t *testing.T) (byline.RateLimiter, *Clock) {
		b, clock := openAt(t, open, contactT0)
		return b.Limiter, clock
	}

	t.Run("the limit is allowed, the next is refused until the window ends", func(t *testing.T) {
		t.Parallel()
		l, clock := setup(t)
		ctx := t.Context()
		for i := range 3 {
			if ok, _, err := l.Allow(ctx, "ip:1", 3, time.Minute); !ok || err != nil {
				t.Fatalf("Allow #%d = %v, %v; want allowed", i+1, ok, err)
			}
		}
		clock.Advance(20*time.Second + 300*time.Millisecond)
		ok, retry, err := l.Allow(ctx, "ip:1", 3, time.Minute)
		if ok || err != nil || retry != 40*time.Second {
			t.Fatalf("Allow #4 = %v, %v, %v; want refused, retry after 40s (rounded up)", ok, retry, err)
		}
		clock.Advance(39 * time.Second)
		if ok, retry, _ := l.Allow(ctx, "ip:1", 3, time.Minute); ok || retry != time.Second {
			t.Errorf("Allow just before the window ends = %v, %v; want refused, 1s", ok, retry)
		}
		clock.Advance(time.Second)
		if ok, _, _ := l.Allow(ctx, "ip:1", 3, time.Minute); !ok {
			t.Error("Allow in the next window = refused, want allowed")
		}
	})

	t.Run("keys are counted apart", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		ctx := t.Context()
		l.Allow(ctx, "ip:1", 1, time.Minute)
		if ok, _, _ := l.Allow(ctx, "ip:2", 1, time.Minute); !ok {
			t.Error("Allow(ip:2) refused because of ip:1")
		}
		if ok, _, _ := l.Allow(ctx, "ip:1", 1, time.Minute); ok {
			t.Error("Allow(ip:1) a second time with limit 1 = allowed")
		}
	})

	t.Run("concurrent events are all counted", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		var allowed atomic.Int32
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				ok, _, err := l.Allow(t.Context(), "ip:1", 10, time.Hour)
				if err != nil {
					t.Errorf("Allow: %v", err)
				}
				if ok {
					allowed.Add(1)
				}
			})
		}
		wg.Wait()
		if allowed.Load() != 10 {
			t.Errorf("%d of 40 concurrent events allowed with limit 10, want 10", allowed.Load())
		}
	})

	t.Run("instances share the counts", func(t *testing.T) {
		t.Parallel()
		b, _ := openAt(t, open, contactT0)
		a, other := b.Limiter, reopen(t, b).Limiter
		ctx := t.Context()
		for i, l := range []byline.RateLimiter{a, other} {
			if ok, _, err := l.Allow(ctx, "ip:1", 2, time.Minute); !ok || err != nil {
				t.Fatalf("Allow #%d = %v, %v; want allowed", i+1, ok, err)
			}
		}
		if ok, _, _ := a.Allow(ctx, "ip:1", 2, time.Minute); ok {
			t.Error("the third event, across two instances, was allowed with limit 2")
		}
	})

	t.Run("any key is counted", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		for _, key := range []string{"", "a\x00b", "\xff\xfe", strings.Repeat("k", 10000), noise(10000)} {
			for i, want := range []bool{true, false} {
				if ok, _, err := l.Allow(t.Context(), key, 1, time.Minute); ok != want || err != nil {
					t.Errorf("Allow(%.20q) #%d = %v, %v; want %v", key, i+1, ok, err, want)
				}
			}
		}
	})

	t.Run("a bad limit is an error", func(t *testing.T) {
		t.Parallel()
		l, _ := setup(t)
		if _, _, err := l.Allow(t.Context(), "k", 0, time.Minute); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Allow with limit 0 = %v, want Invalid", err)
		}
		if _, _, err := l.Allow(t.Context(), "k", 1, 0); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("Allow with window 0 = %v, want Invalid", err)
		}
	})
}

// noise returns n bytes of letters that do not compress.
func noise(n int) string {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(r.IntN(26))
	}
	return string(b)
}
