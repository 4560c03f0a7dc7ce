package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

func newMessage(n int) *byline.Message {
	return &byline.Message{
		Name:  fmt.Sprintf("Reader %d", n),
		Email: fmt.Sprintf("reader%d@example.org", n),
		Body:  fmt.Sprintf("Message number %d.", n),
	}
}

// RunMessageTests checks a backend's byline.MessageService and byline.Outbox.
func RunMessageTests(t *testing.T, open Opener) {
	t.Run("Create", func(t *testing.T) { t.Parallel(); testMessageCreate(t, open) })
	t.Run("Find", func(t *testing.T) { t.Parallel(); testMessageFind(t, open) })
	t.Run("Outbox", func(t *testing.T) { t.Parallel(); testOutbox(t, open) })
	t.Run("OutboxSharedByInstances", func(t *testing.T) { t.Parallel(); testOutboxSharedByInstances(t, open) })
}

func setupMessages(t *testing.T, open Opener) (Backend, *Clock) {
	return openAt(t, open, contactT0)
}

func testMessageCreate(t *testing.T, open Opener) {
	t.Run("a message is stored normalized, unread and due", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		s, ctx := b.Messages, t.Context()
		m := &byline.Message{Name: " Jane Doe ", Email: "jane@example.org", Subject: "Syria", Body: "Line one\r\nLine two\n"}
		if err := s.Create(ctx, m); err != nil {
			t.Fatalf("Create: %v", err)
		}
		if m.ID == 0 || !m.CreatedAt.Equal(clock.Now()) {
			t.Errorf("Create set ID %d, CreatedAt %v; want an ID and %v", m.ID, m.CreatedAt, clock.Now())
		}
		got, err := s.FindByID(ctx, m.ID)
		if err != nil {
			t.Fatalf("FindByID: %v", err)
		}
		want := byline.Message{ID: m.ID, Name: "Jane Doe", Email: "jane@example.org", Subject: "Syria", Body: "Line one\nLine two",
			CreatedAt: clock.Now(), Status: byline.Unread, Delivery: byline.DeliveryPending, NextAttemptAt: clock.Now()}
		if *got != want {
			t.Errorf("FindByID = %+v\nwant       %+v", *got, want)
		}
		if *m != want {
			t.Errorf("after Create, m = %+v\nwant             %+v", *m, want)
		}
	})

	t.Run("an invalid message is refused and not stored", func(t *testing.T) {
		t.Parallel()
		b, _ := setupMessages(t, open)
		s := b.Messages
		m := &byline.Message{Name: "Eve\r\nBcc: x@example.net", Email: "eve@example.org", Body: "hi"}
		if err := s.Create(t.Context(), m); byline.ErrorKind(err) != byline.Invalid {
			t.Fatalf("Create(header injection) = %v, want Invalid", err)
		}
		if _, n, _ := s.Find(t.Context(), byline.MessageFilter{}); n != 0 {
			t.Errorf("%d messages stored, want 0", n)
		}
	})

	t.Run("an unknown ID is NotFound", func(t *testing.T) {
		t.Parallel()
		b, _ := setupMessages(t, open)
		if _, err := b.Messages.FindByID(t.Context(), 99); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindByID(99) = %v, want NotFound", err)
		}
		if err := b.Messages.Delete(t.Context(), 99); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("Delete(99) = %v, want NotFound", err)
		}
	})
}

func testMessageFind(t *testing.T, open Opener) {
	b, clock := setupMessages(t, open)
	s, ctx := b.Messages, t.Context()
	start := clock.Now()
	var ids []int64
	for i := 1; i <= 6; i++ {
		m := newMessage(i)
		if err := s.Create(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
		clock.Advance(time.Minute)
	}
	// IDs are the backend's; the test names the messages 1 to 5.
	id := func(n int) int64 { return ids[n-1] }
	if err := s.Delete(ctx, id(6)); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := s.SetStatus(ctx, id(2), byline.Spam); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	if err := b.Outbox.MarkSent(ctx, id(3)); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	spam, sent := byline.Spam, byline.DeliverySent
	since := start.Add(3 * time.Minute)
	tests := []struct {
		name   string
		filter byline.MessageFilter
		want   []int // message numbers
		total  int
	}{
		{"all, newest first", byline.MessageFilter{}, []int{5, 4, 3, 2, 1}, 5},
		{"a page", byline.MessageFilter{Limit: 2, Offset: 1}, []int{4, 3}, 5},
		{"past the end", byline.MessageFilter{Offset: 10}, nil, 5},
		{"by inbox status", byline.MessageFilter{Status: &spam}, []int{2}, 1},
		{"by delivery", byline.MessageFilter{Delivery: &sent}, []int{3}, 1},
		{"since a time", byline.MessageFilter{Since: &since}, []int{5, 4}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, total, err := s.Find(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			var got, want []int64
			for _, m := range msgs {
				got = append(got, m.ID)
			}
			for _, n := range tt.want {
				want = append(want, id(n))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || total != tt.total {
				t.Errorf("Find(%+v) = %v of %d, want %v of %d", tt.filter, got, total, want, tt.total)
			}
		})
	}

	t.Run("SetStatus refuses unknown IDs and statuses", func(t *testing.T) {
		if err := s.SetStatus(ctx, id(5)+100, byline.Read); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("SetStatus(unknown) = %v, want NotFound", err)
		}
		if err := s.SetStatus(ctx, id(1), "deleted"); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("SetStatus(deleted) = %v, want Invalid", err)
		}
	})
}

func claimIDs(t *testing.T, s byline.Outbox, limit int, lease time.Duration) []int64 {
	t.Helper()
	msgs, err := s.ClaimDue(t.Context(), limit, lease)
	if err != nil {
		t.Fatalf("ClaimDue: %v", err)
	}
	var ids []int64
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	return ids
}

// createMessages stores n messages a second apart and returns their IDs.
func createMessages(t *testing.T, b Backend, clock *Clock, n int) []int64 {
	t.Helper()
	var ids []int64
	for i := 1; i <= n; i++ {
		m := newMessage(i)
		if err := b.Messages.Create(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
		clock.Advance(time.Second)
	}
	return ids
}

func testOutbox(t *testing.T, open Opener) {
	t.Run("due messages are claimed oldest first, a batch at a time", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		ids := createMessages(t, b, clock, 3)
		if got, want := claimIDs(t, b.Outbox, 2, time.Minute), ids[:2]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("first claim = %v, want %v", got, want)
		}
		if got, want := claimIDs(t, b.Outbox, 2, time.Minute), ids[2:]; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("second claim = %v, want %v: claimed messages are leased", got, want)
		}
		if got := claimIDs(t, b.Outbox, 2, time.Minute); len(got) != 0 {
			t.Errorf("third claim = %v, want none", got)
		}
		if got := claimIDs(t, b.Outbox, 0, time.Minute); len(got) != 0 {
			t.Errorf("claim of 0 = %v, want none", got)
		}
	})

	t.Run("a claim that is never settled runs out and the message is due again", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		createMessages(t, b, clock, 1)
		msgs, _ := b.Outbox.ClaimDue(t.Context(), 10, 5*time.Minute)
		if len(msgs) != 1 || msgs[0].Attempts != 1 || !msgs[0].NextAttemptAt.Equal(clock.Now().Add(5*time.Minute)) {
			t.Fatalf("first claim = %+v, want the message at attempt 1, leased for 5 minutes", msgs)
		}
		clock.Advance(5*time.Minute - time.Millisecond)
		if got := claimIDs(t, b.Outbox, 10, 5*time.Minute); len(got) != 0 {
			t.Fatalf("claim within the lease = %v, want none", got)
		}
		clock.Advance(time.Millisecond)
		msgs, _ = b.Outbox.ClaimDue(t.Context(), 10, 5*time.Minute)
		if len(msgs) != 1 || msgs[0].Attempts != 2 {
			t.Fatalf("claim after the lease = %+v, want the message at attempt 2", msgs)
		}
	})

	t.Run("a failure is kept with its error and retried at the given time", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		ctx := t.Context()
		id := createMessages(t, b, clock, 1)[0]
		claimIDs(t, b.Outbox, 10, time.Minute)
		retry := clock.Now().Add(2 * time.Minute)
		if err := b.Outbox.MarkFailed(ctx, id, "451 4.3.0 try later", retry); err != nil {
			t.Fatalf("MarkFailed: %v", err)
		}
		m, _ := b.Messages.FindByID(ctx, id)
		if m.Delivery != byline.DeliveryFailed || m.LastError != "451 4.3.0 try later" || !m.NextAttemptAt.Equal(retry) || m.Attempts != 1 {
			t.Errorf("after MarkFailed: %+v", m)
		}
		clock.Advance(time.Minute + 30*time.Second) // the lease has run out, the retry time has not come
		if got := claimIDs(t, b.Outbox, 10, time.Minute); len(got) != 0 {
			t.Fatalf("claim before the retry time = %v, want none", got)
		}
		clock.Advance(30 * time.Second)
		if got := claimIDs(t, b.Outbox, 10, time.Minute); fmt.Sprint(got) != fmt.Sprint([]int64{id}) {
			t.Fatalf("claim at the retry time = %v, want [%d]", got, id)
		}
		if err := b.Outbox.MarkSent(ctx, id); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
		m, _ = b.Messages.FindByID(ctx, id)
		if m.Delivery != byline.DeliverySent || !m.SentAt.Equal(clock.Now()) || !m.NextAttemptAt.IsZero() || m.LastError != "" || m.Attempts != 2 {
			t.Errorf("after MarkSent: %+v", m)
		}
		clock.Advance(24 * time.Hour)
		if got := claimIDs(t, b.Outbox, 10, time.Minute); len(got) != 0 {
			t.Errorf("a sent message was claimed again: %v", got)
		}
	})

	t.Run("a message given up is never claimed", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		id := createMessages(t, b, clock, 1)[0]
		claimIDs(t, b.Outbox, 10, time.Minute)
		if err := b.Outbox.MarkFailed(t.Context(), id, "550 no such user", time.Time{}); err != nil {
			t.Fatalf("MarkFailed: %v", err)
		}
		clock.Advance(365 * 24 * time.Hour)
		if got := claimIDs(t, b.Outbox, 10, time.Minute); len(got) != 0 {
			t.Errorf("a given-up message was claimed: %v", got)
		}
		m, _ := b.Messages.FindByID(t.Context(), id)
		if m.Delivery != byline.DeliveryFailed || m.LastError != "550 no such user" || !m.NextAttemptAt.IsZero() {
			t.Errorf("given-up message = %+v", m)
		}
	})

	t.Run("an error in any bytes is kept", func(t *testing.T) {
		t.Parallel()
		b, clock := setupMessages(t, open)
		id := createMessages(t, b, clock, 1)[0]
		claimIDs(t, b.Outbox, 10, time.Minute)
		// A server's reply is not ours: it may hold anything.
		if err := b.Outbox.MarkFailed(t.Context(), id, "451 \x00\xff odd", clock.Now().Add(time.Minute)); err != nil {
			t.Fatalf("MarkFailed(odd bytes) = %v", err)
		}
		if m, err := b.Messages.FindByID(t.Context(), id); err != nil || !strings.HasPrefix(m.LastError, "451 ") {
			t.Errorf("after MarkFailed: %+v, %v; want the error kept", m, err)
		}
	})

	t.Run("marking an unknown message is NotFound", func(t *testing.T) {
		t.Parallel()
		b, _ := setupMessages(t, open)
		if err := b.Outbox.MarkSent(t.Context(), 7); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("MarkSent(7) = %v, want NotFound", err)
		}
		if err := b.Outbox.MarkFailed(t.Context(), 7, "x", time.Time{}); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("MarkFailed(7) = %v, want NotFound", err)
		}
	})
}

// testOutboxSharedByInstances runs claimers on two instances of the
// backend, two goroutines each, over one queue: every message is claimed,
// and none twice.
func testOutboxSharedByInstances(t *testing.T, open Opener) {
	b, _ := setupMessages(t, open)
	other := reopen(t, b)
	const n = 120
	for i := 1; i <= n; i++ {
		s := b.Messages
		if i%2 == 0 {
			s = other.Messages
		}
		if err := s.Create(t.Context(), newMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for _, outbox := range []byline.Outbox{b.Outbox, b.Outbox, other.Outbox, other.Outbox} {
		wg.Go(func() {
			for {
				msgs, err := outbox.ClaimDue(t.Context(), 3, time.Hour)
				if err != nil {
					t.Errorf("ClaimDue: %v", err)
					return
				}
				if len(msgs) == 0 {
					return
				}
				mu.Lock()
				for _, m := range msgs {
					claimed[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(claimed) != n {
		t.Errorf("%d distinct messages claimed, want %d", len(claimed), n)
	}
	for id, k := range claimed {
		if k != 1 {
			t.Errorf("message %d claimed %d times by four claimers on two instances, want once", id, k)
		}
	}
	for _, s := range []byline.MessageService{b.Messages, other.Messages} {
		msgs, _, err := s.Find(t.Context(), byline.MessageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if m.Attempts != 1 {
				t.Errorf("message %d has %d attempts, want 1", m.ID, m.Attempts)
				break
			}
		}
	}
}
