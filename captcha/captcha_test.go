package captcha_test

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
)

// memStore is a byline.ChallengeStore in memory, for these tests only: the
// real one is SQLite's, written and tested in package sqlite. It follows
// the interface's contract, including that SolveChallenge ignores case and
// spaces, so the tests below show what Service relies on.
type memStore struct {
	mu   sync.Mutex
	now  func() time.Time
	byID map[string]*byline.Challenge
	used map[string]bool
}

var _ byline.ChallengeStore = (*memStore)(nil)

func newMemStore(now func() time.Time) *memStore {
	return &memStore{now: now, byID: make(map[string]*byline.Challenge), used: make(map[string]bool)}
}

func (s *memStore) CreateChallenge(ctx context.Context, c *byline.Challenge) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byID[c.ID]; ok {
		return byline.Errorf(byline.Conflict, "Challenge %q exists.", c.ID)
	}
	cp := *c
	s.byID[c.ID] = &cp
	return nil
}

// live returns the unexpired, unused challenge id, or nil.
func (s *memStore) live(id string) *byline.Challenge {
	c, ok := s.byID[id]
	if !ok || s.used[id] || !s.now().Before(c.ExpiresAt) {
		return nil
	}
	return c
}

func (s *memStore) FindChallenge(ctx context.Context, id string) (*byline.Challenge, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.live(id)
	if c == nil {
		return nil, byline.Errorf(byline.NotFound, "No captcha %q.", id)
	}
	cp := *c
	return &cp, nil
}

func (s *memStore) ReplaceSolution(ctx context.Context, id, solution string, expiresAt time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.live(id)
	if c == nil {
		return byline.Errorf(byline.NotFound, "No captcha %q.", id)
	}
	c.Solution, c.ExpiresAt = solution, expiresAt
	return nil
}

func (s *memStore) SolveChallenge(ctx context.Context, id, answer string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.live(id)
	if c == nil {
		return false, nil
	}
	s.used[id] = true
	return normalize(answer) == normalize(c.Solution), nil
}

func normalize(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
}

// clock is a settable time source shared by a service and its store.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newService(t testing.TB) (*captcha.Service, *memStore, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2015, 10, 1, 12, 0, 0, 0, time.UTC)}
	store := newMemStore(clk.Now)
	s := captcha.New(store)
	s.Now = clk.Now
	return s, store, clk
}

func TestNew(t *testing.T) {
	s := captcha.New(nil)
	if s.TTL != 10*time.Minute || s.Length != captcha.DefaultLength || s.Now == nil {
		t.Errorf("New(nil) = {TTL: %v, Length: %d, Now set: %v}, want {10m0s, %d, true}",
			s.TTL, s.Length, s.Now != nil, captcha.DefaultLength)
	}
	if captcha.DefaultLength < 8 {
		t.Errorf("DefaultLength = %d, want at least 8 (fewer digits are easier to OCR)", captcha.DefaultLength)
	}
}

func TestService_Issue(t *testing.T) {
	t.Parallel()
	s, store, clk := newService(t)
	seen := make(map[string]bool)
	for range 20 {
		c, err := s.Issue(t.Context())
		if err != nil {
			t.Fatalf("Issue() error = %v", err)
		}
		if len(c.ID) < 20 || seen[c.ID] {
			t.Errorf("Issue() ID = %q: want 20 or more random characters, never repeated", c.ID)
		}
		seen[c.ID] = true
		if len(c.Solution) != captcha.DefaultLength || strings.Trim(c.Solution, "0123456789") != "" {
			t.Errorf("Issue() Solution = %q, want %d digits", c.Solution, captcha.DefaultLength)
		}
		if !c.CreatedAt.Equal(clk.t) || !c.ExpiresAt.Equal(clk.t.Add(10*time.Minute)) {
			t.Errorf("Issue() at %v: CreatedAt %v, ExpiresAt %v, want now and now+10m", clk.t, c.CreatedAt, c.ExpiresAt)
		}
		got, err := store.FindChallenge(t.Context(), c.ID)
		if err != nil || got.Solution != c.Solution {
			t.Errorf("store.FindChallenge(%q) = %+v, %v; want the issued challenge", c.ID, got, err)
		}
	}
}

func TestService_Issue_zeroFields(t *testing.T) {
	t.Parallel()
	store := newMemStore(time.Now)
	s := &captcha.Service{Store: store}
	c, err := s.Issue(t.Context())
	if err != nil {
		t.Fatalf("Issue() error = %v", err)
	}
	if len(c.Solution) != captcha.DefaultLength {
		t.Errorf("Issue() with Length 0: Solution %q, want %d digits", c.Solution, captcha.DefaultLength)
	}
	if d := c.ExpiresAt.Sub(c.CreatedAt); d != captcha.DefaultTTL {
		t.Errorf("Issue() with TTL 0: lives %v, want %v", d, captcha.DefaultTTL)
	}
}

func TestService_Issue_length(t *testing.T) {
	t.Parallel()
	s, _, _ := newService(t)
	s.Length = 10
	c, err := s.Issue(t.Context())
	if err != nil {
		t.Fatalf("Issue() error = %v", err)
	}
	if len(c.Solution) != 10 {
		t.Errorf("Issue() with Length 10: Solution %q", c.Solution)
	}
}

func TestService_Refresh(t *testing.T) {
	t.Parallel()
	t.Run("new digits, same ID, new lifetime", func(t *testing.T) {
		s, store, clk := newService(t)
		c, err := s.Issue(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(9 * time.Minute)
		if err := s.Refresh(t.Context(), c.ID); err != nil {
			t.Fatalf("Refresh(%q) error = %v", c.ID, err)
		}
		got, err := store.FindChallenge(t.Context(), c.ID)
		if err != nil {
			t.Fatalf("FindChallenge after Refresh: %v", err)
		}
		// Two random 8-digit solutions are equal once in 10^8 runs.
		if got.Solution == c.Solution || len(got.Solution) != captcha.DefaultLength {
			t.Errorf("Refresh: solution %q -> %q, want new %d digits", c.Solution, got.Solution, captcha.DefaultLength)
		}
		if want := clk.t.Add(10 * time.Minute); !got.ExpiresAt.Equal(want) {
			t.Errorf("Refresh: ExpiresAt = %v, want %v", got.ExpiresAt, want)
		}
		if ok, _ := s.Verify(t.Context(), c.ID, c.Solution); ok {
			t.Error("Verify with the old solution after Refresh = true, want false")
		}
	})
	t.Run("unknown, expired or used is not found", func(t *testing.T) {
		s, _, clk := newService(t)
		expired, _ := s.Issue(t.Context())
		clk.t = clk.t.Add(11 * time.Minute)
		used, _ := s.Issue(t.Context())
		s.Verify(t.Context(), used.ID, "nope")
		for _, id := range []string{"", "NOSUCHCHALLENGE", expired.ID, used.ID} {
			if err := s.Refresh(t.Context(), id); byline.ErrorKind(err) != byline.NotFound {
				t.Errorf("Refresh(%q) error = %v, want kind %s", id, err, byline.NotFound)
			}
		}
	})
}

func TestService_Verify(t *testing.T) {
	t.Parallel()
	s, _, clk := newService(t)
	issue := func() *byline.Challenge {
		t.Helper()
		c, err := s.Issue(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	verify := func(id, answer string, want bool) {
		t.Helper()
		got, err := s.Verify(t.Context(), id, answer)
		if err != nil || got != want {
			t.Errorf("Verify(%q, %q) = %v, %v; want %v, nil", id, answer, got, err, want)
		}
	}

	c := issue()
	verify(c.ID, c.Solution, true)
	verify(c.ID, c.Solution, false) // one use only

	c = issue()
	verify(c.ID, "00000000x", false)
	verify(c.ID, c.Solution, false) // a wrong answer burns it too

	// Spaces and case are the store's to ignore, per
	// byline.ChallengeStore.SolveChallenge; Verify passes the answer as typed.
	c = issue()
	verify(c.ID, " "+c.Solution[:4]+" "+c.Solution[4:]+" ", true)

	// An empty answer is simply false and leaves the challenge usable, so a
	// form posted without the field cannot burn someone else's challenge.
	c = issue()
	verify(c.ID, "", false)
	verify("", c.Solution, false)
	verify(c.ID, c.Solution, true)

	c = issue()
	clk.t = clk.t.Add(10 * time.Minute)
	verify(c.ID, c.Solution, false) // expired
	verify("NOSUCHCHALLENGE", "12345678", false)
}

func TestService_WriteImage(t *testing.T) {
	t.Parallel()
	s, _, clk := newService(t)
	c, err := s.Issue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var first bytes.Buffer
	if err := s.WriteImage(t.Context(), &first, c.ID); err != nil {
		t.Fatalf("WriteImage(%q) error = %v", c.ID, err)
	}
	m, err := png.Decode(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatalf("WriteImage(%q) wrote no PNG: %v", c.ID, err)
	}
	if b := m.Bounds(); b.Dx() != captcha.ImageWidth || b.Dy() != captcha.ImageHeight {
		t.Errorf("WriteImage(%q) size %dx%d, want %dx%d", c.ID, b.Dx(), b.Dy(), captcha.ImageWidth, captcha.ImageHeight)
	}

	t.Run("same challenge, same image", func(t *testing.T) {
		var again bytes.Buffer
		if err := s.WriteImage(t.Context(), &again, c.ID); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), again.Bytes()) {
			t.Error("WriteImage twice for one challenge gave two images; a reload would give OCR another try")
		}
	})
	t.Run("refresh changes the image", func(t *testing.T) {
		c, _ := s.Issue(t.Context())
		var before, after bytes.Buffer
		s.WriteImage(t.Context(), &before, c.ID)
		if err := s.Refresh(t.Context(), c.ID); err != nil {
			t.Fatal(err)
		}
		s.WriteImage(t.Context(), &after, c.ID)
		if bytes.Equal(before.Bytes(), after.Bytes()) {
			t.Error("WriteImage after Refresh gave the same image")
		}
	})
	t.Run("unknown, used and expired are not found", func(t *testing.T) {
		used, _ := s.Issue(t.Context())
		s.Verify(t.Context(), used.ID, used.Solution)
		expired, _ := s.Issue(t.Context())
		clk.t = clk.t.Add(time.Hour)
		for _, id := range []string{"", "NOSUCHCHALLENGE", used.ID, expired.ID} {
			var buf bytes.Buffer
			err := s.WriteImage(t.Context(), &buf, id)
			if byline.ErrorKind(err) != byline.NotFound || buf.Len() != 0 {
				t.Errorf("WriteImage(%q) = %v after writing %d bytes, want kind %s and nothing written",
					id, err, buf.Len(), byline.NotFound)
			}
		}
	})
}

func TestService_WriteAudio(t *testing.T) {
	t.Parallel()
	s, _, _ := newService(t)
	c, err := s.Issue(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "en", "ru", "xx"} {
		var buf bytes.Buffer
		if err := s.WriteAudio(t.Context(), &buf, c.ID, lang); err != nil {
			t.Fatalf("WriteAudio(%q, %q) error = %v", c.ID, lang, err)
		}
		b := buf.Bytes()
		if len(b) < 1000 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
			t.Errorf("WriteAudio(%q, %q) wrote %d bytes starting %q, want a RIFF/WAVE file", c.ID, lang, len(b), b[:min(12, len(b))])
		}
	}
	var buf bytes.Buffer
	if err := s.WriteAudio(t.Context(), &buf, "NOSUCHCHALLENGE", "en"); byline.ErrorKind(err) != byline.NotFound || buf.Len() != 0 {
		t.Errorf("WriteAudio(unknown) = %v after %d bytes, want kind %s and nothing written", err, buf.Len(), byline.NotFound)
	}
}
