package storetest

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// contactT0 is when the contact stores' tests start.
var contactT0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func newChallenge(clock *Clock, id, solution string) *byline.Challenge {
	now := clock.Now()
	return &byline.Challenge{ID: id, Solution: solution, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
}

// RunChallengeTests checks a backend's byline.ChallengeStore.
func RunChallengeTests(t *testing.T, open Opener) {
	setup := func(t *testing.T) (byline.ChallengeStore, *Clock) {
		b, clock := openAt(t, open, contactT0)
		return b.Challenges, clock
	}

	t.Run("a solution is accepted once and rejected the second time", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		if err := s.CreateChallenge(ctx, newChallenge(clock, "c1", "12345678")); err != nil {
			t.Fatalf("CreateChallenge: %v", err)
		}
		got, err := s.FindChallenge(ctx, "c1")
		if err != nil || got.Solution != "12345678" || !got.CreatedAt.Equal(clock.Now()) || !got.ExpiresAt.Equal(clock.Now().Add(10*time.Minute)) {
			t.Fatalf("FindChallenge(c1) = %+v, %v; want solution 12345678 created now, expiring in 10 minutes", got, err)
		}
		for i, want := range []bool{true, false} {
			ok, err := s.SolveChallenge(ctx, "c1", "12345678")
			if err != nil || ok != want {
				t.Errorf("SolveChallenge(c1, right answer) #%d = %v, %v; want %v", i+1, ok, err, want)
			}
		}
		if _, err := s.FindChallenge(ctx, "c1"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindChallenge after use = %v, want NotFound", err)
		}
	})

	t.Run("a wrong answer burns the challenge", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		s.CreateChallenge(ctx, newChallenge(clock, "c1", "12345678"))
		if ok, err := s.SolveChallenge(ctx, "c1", "87654321"); ok || err != nil {
			t.Errorf("SolveChallenge(wrong) = %v, %v; want false, nil", ok, err)
		}
		if ok, _ := s.SolveChallenge(ctx, "c1", "12345678"); ok {
			t.Error("SolveChallenge(right) after a wrong answer = true, want false")
		}
	})

	t.Run("case and spaces are ignored", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		for id, answer := range map[string]string{"a": " ab 12\tcd ", "b": "AB12CD", "c": "a b 1 2 c d"} {
			s.CreateChallenge(ctx, newChallenge(clock, id, "Ab12Cd"))
			if ok, err := s.SolveChallenge(ctx, id, answer); !ok || err != nil {
				t.Errorf("SolveChallenge(%q) for Ab12Cd = %v, %v; want true", answer, ok, err)
			}
		}
	})

	t.Run("an empty answer is wrong", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		s.CreateChallenge(t.Context(), newChallenge(clock, "c1", "1234"))
		if ok, _ := s.SolveChallenge(t.Context(), "c1", "  "); ok {
			t.Error("SolveChallenge(blank) = true, want false")
		}
	})

	t.Run("an expired challenge is neither found nor accepted", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		s.CreateChallenge(ctx, newChallenge(clock, "c1", "1234"))
		clock.Advance(10*time.Minute + time.Millisecond)
		if _, err := s.FindChallenge(ctx, "c1"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindChallenge(expired) = %v, want NotFound", err)
		}
		if err := s.ReplaceSolution(ctx, "c1", "9999", clock.Now().Add(time.Minute)); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("ReplaceSolution(expired) = %v, want NotFound", err)
		}
		if ok, err := s.SolveChallenge(ctx, "c1", "1234"); ok || err != nil {
			t.Errorf("SolveChallenge(expired) = %v, %v; want false, nil", ok, err)
		}
	})

	t.Run("expired challenges are swept as new ones come", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		s.CreateChallenge(ctx, newChallenge(clock, "old", "1234"))
		clock.Advance(time.Hour)
		if err := s.CreateChallenge(ctx, newChallenge(clock, "new", "5678")); err != nil {
			t.Fatalf("CreateChallenge(new): %v", err)
		}
		// The old ID is free again: its challenge is gone, not only hidden.
		if err := s.CreateChallenge(ctx, newChallenge(clock, "old", "9999")); err != nil {
			t.Errorf("CreateChallenge(an expired challenge's ID) = %v, want it swept and the ID free", err)
		}
	})

	t.Run("an unknown ID is false", func(t *testing.T) {
		t.Parallel()
		s, _ := setup(t)
		// A form's hidden field can hold anything, bytes that are not
		// UTF-8 included.
		for _, id := range []string{"nope", "", "a\x00b", "\xff\xfe", strings.Repeat("x", 10000)} {
			if ok, err := s.SolveChallenge(t.Context(), id, "1234"); ok || err != nil {
				t.Errorf("SolveChallenge(%.20q) = %v, %v; want false, nil", id, ok, err)
			}
			if _, err := s.FindChallenge(t.Context(), id); byline.ErrorKind(err) != byline.NotFound {
				t.Errorf("FindChallenge(%.20q) = %v, want NotFound", id, err)
			}
			if err := s.ReplaceSolution(t.Context(), id, "1", time.Now()); byline.ErrorKind(err) != byline.NotFound {
				t.Errorf("ReplaceSolution(%.20q) = %v, want NotFound", id, err)
			}
		}
	})

	t.Run("a new solution keeps the ID and the creation time", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		ctx := t.Context()
		c := newChallenge(clock, "c1", "1111")
		s.CreateChallenge(ctx, c)
		clock.Advance(9 * time.Minute)
		if err := s.ReplaceSolution(ctx, "c1", "2222", clock.Now().Add(10*time.Minute)); err != nil {
			t.Fatalf("ReplaceSolution: %v", err)
		}
		clock.Advance(5 * time.Minute) // past the first expiry, within the new one
		got, err := s.FindChallenge(ctx, "c1")
		if err != nil || got.Solution != "2222" || !got.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("FindChallenge = %+v, %v; want solution 2222, created %v", got, err, c.CreatedAt)
		}
		if ok, _ := s.SolveChallenge(ctx, "c1", "1111"); ok {
			t.Error("the old solution was accepted")
		}
		if err := s.ReplaceSolution(ctx, "c1", "3333", clock.Now().Add(time.Minute)); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("ReplaceSolution(used) = %v, want NotFound", err)
		}
	})

	t.Run("an ID cannot be created twice", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		s.CreateChallenge(t.Context(), newChallenge(clock, "c1", "1111"))
		if err := s.CreateChallenge(t.Context(), newChallenge(clock, "c1", "2222")); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("CreateChallenge(same ID) = %v, want Conflict", err)
		}
		if err := s.CreateChallenge(t.Context(), &byline.Challenge{ID: "c2"}); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("CreateChallenge(no solution) = %v, want Invalid", err)
		}
	})

	t.Run("only one of many concurrent answers wins", func(t *testing.T) {
		t.Parallel()
		s, clock := setup(t)
		s.CreateChallenge(t.Context(), newChallenge(clock, "c1", "1234"))
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if ok, err := s.SolveChallenge(t.Context(), "c1", "1234"); err != nil {
					t.Errorf("SolveChallenge: %v", err)
				} else if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d of 20 concurrent right answers were accepted, want 1", wins.Load())
		}
	})

	t.Run("a challenge issued by one instance is solved through another", func(t *testing.T) {
		t.Parallel()
		b, clock := openAt(t, open, contactT0)
		a, other := b.Challenges, reopen(t, b).Challenges
		ctx := t.Context()
		if err := a.CreateChallenge(ctx, newChallenge(clock, "x", "42")); err != nil {
			t.Fatal(err)
		}
		if got, err := other.FindChallenge(ctx, "x"); err != nil || got.Solution != "42" {
			t.Errorf("instance B finding instance A's challenge = %+v, %v; want it", got, err)
		}
		if ok, err := other.SolveChallenge(ctx, "x", "42"); !ok || err != nil {
			t.Errorf("instance B solving instance A's challenge = %v, %v; want true", ok, err)
		}
		if ok, _ := a.SolveChallenge(ctx, "x", "42"); ok {
			t.Error("instance A accepted a challenge instance B had used")
		}
	})
}
