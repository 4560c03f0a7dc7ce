package sqlite_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

func newMessage(n int) *byline.Message {
	return &byline.Message{
		Name:  fmt.Sprintf("Reader %d", n),
		Email: fmt.Sprintf("reader%d@example.org", n),
		Body:  fmt.Sprintf("Message number %d.", n),
	}
}

func setupMessages(t *testing.T) (*sqlite.MessageService, *testClock) {
	db := dbtest.OpenSQLite(t)
	clock := newTestClock()
	db.Now = clock.Now
	return sqlite.NewMessageService(db), clock
}

func TestMessageService_Create(t *testing.T) {
	t.Parallel()

	t.Run("a message is stored normalized, unread and due", func(t *testing.T) {
		t.Parallel()
		s, clock := setupMessages(t)
		ctx := t.Context()
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
	})

	t.Run("an invalid message is refused and not stored", func(t *testing.T) {
		t.Parallel()
		s, _ := setupMessages(t)
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
		s, _ := setupMessages(t)
		if _, err := s.FindByID(t.Context(), 99); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindByID(99) = %v, want NotFound", err)
		}
	})
}

func TestMessageService_Find(t *testing.T) {
	t.Parallel()
	s, clock := setupMessages(t)
	ctx := t.Context()
	start := clock.Now()
	for i := 1; i <= 5; i++ {
		if err := s.Create(ctx, newMessage(i)); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Minute)
	}
	if err := s.SetStatus(ctx, 2, byline.Spam); err != nil {
		t.Fatalf("SetStatus: %v", err)
	}
	if err := s.MarkSent(ctx, 3); err != nil {
		t.Fatalf("MarkSent: %v", err)
	}
	spam, sent := byline.Spam, byline.DeliverySent
	since := start.Add(3 * time.Minute)
	tests := []struct {
		name    string
		filter  byline.MessageFilter
		wantIDs []int64
		total   int
	}{
		{"all, newest first", byline.MessageFilter{}, []int64{5, 4, 3, 2, 1}, 5},
		{"a page", byline.MessageFilter{Limit: 2, Offset: 1}, []int64{4, 3}, 5},
		{"past the end", byline.MessageFilter{Offset: 10}, nil, 5},
		{"by inbox status", byline.MessageFilter{Status: &spam}, []int64{2}, 1},
		{"by delivery", byline.MessageFilter{Delivery: &sent}, []int64{3}, 1},
		{"since a time", byline.MessageFilter{Since: &since}, []int64{5, 4}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, total, err := s.Find(ctx, tt.filter)
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			var ids []int64
			for _, m := range msgs {
				ids = append(ids, m.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.wantIDs) || total != tt.total {
				t.Errorf("Find(%+v) = %v of %d, want %v of %d", tt.filter, ids, total, tt.wantIDs, tt.total)
			}
		})
	}

	t.Run("SetStatus refuses unknown IDs and statuses", func(t *testing.T) {
		if err := s.SetStatus(ctx, 99, byline.Read); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("SetStatus(99) = %v, want NotFound", err)
		}
		if err := s.SetStatus(ctx, 1, "deleted"); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("SetStatus(deleted) = %v, want Invalid", err)
		}
	})
}

func claimIDs(t *testing.T, s *sqlite.MessageService, limit int, lease time.Duration) []int64 {
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

func TestMessageService_Outbox(t *testing.T) {
	t.Parallel()

	t.Run("due messages are claimed oldest first, a batch at a time", func(t *testing.T) {
		t.Parallel()
		s, clock := setupMessages(t)
		for i := 1; i <= 3; i++ {
			s.Create(t.Context(), newMessage(i))
			clock.Advance(time.Second)
		}
		if got := claimIDs(t, s, 2, time.Minute); fmt.Sprint(got) != "[1 2]" {
			t.Errorf("first claim = %v, want [1 2]", got)
		}
		if got := claimIDs(t, s, 2, time.Minute); fmt.Sprint(got) != "[3]" {
			t.Errorf("second claim = %v, want [3]: claimed messages are leased", got)
		}
		if got := claimIDs(t, s, 2, time.Minute); len(got) != 0 {
			t.Errorf("third claim = %v, want none", got)
		}
	})

	t.Run("a claim that is never settled runs out and the message is due again", func(t *testing.T) {
		t.Parallel()
		s, clock := setupMessages(t)
		s.Create(t.Context(), newMessage(1))
		claimIDs(t, s, 10, 5*time.Minute)
		clock.Advance(5*time.Minute - time.Millisecond)
		if got := claimIDs(t, s, 10, 5*time.Minute); len(got) != 0 {
			t.Fatalf("claim within the lease = %v, want none", got)
		}
		clock.Advance(time.Millisecond)
		msgs, _ := s.ClaimDue(t.Context(), 10, 5*time.Minute)
		if len(msgs) != 1 || msgs[0].Attempts != 2 {
			t.Fatalf("claim after the lease = %+v, want message 1 at attempt 2", msgs)
		}
	})

	t.Run("a failure is kept with its error and retried at the given time", func(t *testing.T) {
		t.Parallel()
		s, clock := setupMessages(t)
		ctx := t.Context()
		s.Create(ctx, newMessage(1))
		claimIDs(t, s, 10, time.Minute)
		retry := clock.Now().Add(2 * time.Minute)
		if err := s.MarkFailed(ctx, 1, "451 4.3.0 try later", retry); err != nil {
			t.Fatalf("MarkFailed: %v", err)
		}
		m, _ := s.FindByID(ctx, 1)
		if m.Delivery != byline.DeliveryFailed || m.LastError != "451 4.3.0 try later" || !m.NextAttemptAt.Equal(retry) || m.Attempts != 1 {
			t.Errorf("after MarkFailed: %+v", m)
		}
		clock.Advance(time.Minute + 30*time.Second) // the lease has run out, the retry time has not come
		if got := claimIDs(t, s, 10, time.Minute); len(got) != 0 {
			t.Fatalf("claim before the retry time = %v, want none", got)
		}
		clock.Advance(30 * time.Second)
		if got := claimIDs(t, s, 10, time.Minute); fmt.Sprint(got) != "[1]" {
			t.Fatalf("claim at the retry time = %v, want [1]", got)
		}
		if err := s.MarkSent(ctx, 1); err != nil {
			t.Fatalf("MarkSent: %v", err)
		}
		m, _ = s.FindByID(ctx, 1)
		if m.Delivery != byline.DeliverySent || !m.SentAt.Equal(clock.Now()) || !m.NextAttemptAt.IsZero() || m.LastError != "" || m.Attempts != 2 {
			t.Errorf("after MarkSent: %+v", m)
		}
		clock.Advance(24 * time.Hour)
		if got := claimIDs(t, s, 10, time.Minute); len(got) != 0 {
			t.Errorf("a sent message was claimed again: %v", got)
		}
	})

	t.Run("a message given up is never claimed", func(t *testing.T) {
		t.Parallel()
		s, clock := setupMessages(t)
		s.Create(t.Context(), newMessage(1))
		claimIDs(t, s, 10, time.Minute)
		s.MarkFailed(t.Context(), 1, "550 no such user", time.Time{})
		clock.Advance(365 * 24 * time.Hour)
		if got := claimIDs(t, s, 10, time.Minute); len(got) != 0 {
			t.Errorf("a given-up message was claimed: %v", got)
		}
		m, _ := s.FindByID(t.Context(), 1)
		if m.Delivery != byline.DeliveryFailed || m.LastError != "550 no such user" {
			t.Errorf("given-up message = %+v", m)
		}
	})

	t.Run("marking an unknown message is NotFound", func(t *testing.T) {
		t.Parallel()
		s, _ := setupMessages(t)
		if err := s.MarkSent(t.Context(), 7); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("MarkSent(7) = %v, want NotFound", err)
		}
		if err := s.MarkFailed(t.Context(), 7, "x", time.Time{}); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("MarkFailed(7) = %v, want NotFound", err)
		}
	})
}

func TestMessageService_OutboxSharedByWorkers(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "byline.db")
	var services []*sqlite.MessageService
	for range 3 {
		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		services = append(services, sqlite.NewMessageService(db))
	}
	for i := 1; i <= 60; i++ {
		if err := services[i%3].Create(t.Context(), newMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for _, s := range services {
		wg.Go(func() {
			for {
				msgs, err := s.ClaimDue(t.Context(), 4, time.Hour)
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
	if len(claimed) != 60 {
		t.Errorf("%d distinct messages claimed, want 60", len(claimed))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("message %d claimed %d times by three workers, want once", id, n)
		}
	}
}

func TestMessageService_SurvivesReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "byline.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	m := newMessage(1)
	if err := sqlite.NewMessageService(db).Create(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := sqlite.NewMessageService(db).ClaimDue(t.Context(), 10, time.Minute)
	if err != nil || len(msgs) != 1 || msgs[0].Body != m.Body {
		t.Errorf("after reopening, ClaimDue = %+v, %v; want the message", msgs, err)
	}
}
