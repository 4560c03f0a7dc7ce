package captcha

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"image/png"
	"io"
	"sync"
	"time"

	dchest "github.com/dchest/captcha"

	"github.com/bylinenews/byline"
)

// Defaults for the fields of [Service] left zero.
const (
	DefaultTTL = 10 * time.Minute
	// DefaultLength is the hardened number of digits: with fewer, a stock
	// OCR engine reads more of the images (see bench/README.md).
	DefaultLength = 8
)

// Service issues and checks captcha challenges kept in a
// [byline.ChallengeStore]. Its methods are safe for concurrent use; set the
// fields before the first call.
type Service struct {
	Store  byline.ChallengeStore
	TTL    time.Duration    // how long a challenge lives; DefaultTTL if zero
	Now    func() time.Time // the clock; time.Now if nil
	Length int              // digits per challenge; DefaultLength if zero

	keyOnce sync.Once
	key     [32]byte // seeds the drawing of each challenge's image
}

// New returns a Service over store with the default TTL, clock and length.
func New(store byline.ChallengeStore) *Service {
	return &Service{Store: store, TTL: DefaultTTL, Now: time.Now, Length: DefaultLength}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

func (s *Service) length() int {
	if s.Length <= 0 {
		return DefaultLength
	}
	return s.Length
}

// solution returns a fresh random solution: digits from a CSPRNG.
func (s *Service) solution() string {
	d := dchest.RandomDigits(s.length())
	for i := range d {
		d[i] += '0'
	}
	return string(d)
}

// Issue creates a challenge with a random solution and a random, unguessable
// ID, stores it, and returns it. The caller shows the reader only the ID
// (the image and audio URLs carry it); the solution must never reach the
// page or the log.
func (s *Service) Issue(ctx context.Context) (*byline.Challenge, error) {
	now := s.now()
	c := &byline.Challenge{
		ID:        rand.Text(), // 26 base32 characters, 130 bits
		Solution:  s.solution(),
		CreatedAt: now,
		ExpiresAt: now.Add(s.ttl()),
	}
	if err := s.Store.CreateChallenge(ctx, c); err != nil {
		return nil, fmt.Errorf("issue captcha: %w", err)
	}
	return c, nil
}

// Refresh gives the challenge id a new solution and a new lifetime, keeping
// its ID, for the form's "Not readable? Change text." link; the image and
// audio then show the new digits. It returns an error of kind NotFound for
// an unknown, used or expired challenge.
func (s *Service) Refresh(ctx context.Context, id string) error {
	if id == "" {
		return byline.Errorf(byline.NotFound, "No such captcha.")
	}
	if err := s.Store.ReplaceSolution(ctx, id, s.solution(), s.now().Add(s.ttl())); err != nil {
		return fmt.Errorf("refresh captcha: %w", err)
	}
	return nil
}

// WriteImage writes the challenge id as a PNG of [ImageWidth] by
// [ImageHeight] pixels. It returns an error of kind NotFound for an
// unknown, used or expired challenge, having written nothing.
//
// Within one process the same challenge always gives the same image, so
// reloading it does not hand an OCR engine another try; [Service.Refresh]
// changes the digits instead.
func (s *Service) WriteImage(ctx context.Context, w io.Writer, id string) error {
	c, err := s.find(ctx, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, render(s.seed(c), c.Solution)); err != nil {
		return fmt.Errorf("captcha image: %w", err)
	}
	if _, err := buf.WriteTo(w); err != nil {
		return fmt.Errorf("captcha image: %w", err)
	}
	return nil
}

// WriteAudio writes the challenge id as a WAV file reading its digits aloud
// in lang ("en" if empty or unknown; dchest/captcha also has "ja", "ru",
// "zh" and "pt"), the accessible alternative to the image. It returns an
// error of kind NotFound for an unknown, used or expired challenge, having
// written nothing.
func (s *Service) WriteAudio(ctx context.Context, w io.Writer, id string, lang string) error {
	c, err := s.find(ctx, id)
	if err != nil {
		return err
	}
	if lang == "" {
		lang = "en"
	}
	seed := s.seed(c)
	a := dchest.NewAudio(string(seed[:]), digitsOf(c.Solution), lang)
	if _, err := a.WriteTo(w); err != nil {
		return fmt.Errorf("captcha audio: %w", err)
	}
	return nil
}

// Verify consumes the challenge id and reports whether answer is its
// solution. The store compares ignoring case and spaces, so "1234 5678"
// matches "12345678" (see [byline.ChallengeStore.SolveChallenge]). A
// challenge is burnt by the first Verify whatever the answer; an unknown,
// used or expired ID is false. An empty id or answer is simply false and
// burns nothing.
func (s *Service) Verify(ctx context.Context, id, answer string) (bool, error) {
	if id == "" || answer == "" {
		return false, nil
	}
	ok, err := s.Store.SolveChallenge(ctx, id, answer)
	if err != nil {
		return false, fmt.Errorf("verify captcha: %w", err)
	}
	return ok, nil
}

func (s *Service) find(ctx context.Context, id string) (*byline.Challenge, error) {
	if id == "" {
		return nil, byline.Errorf(byline.NotFound, "No such captcha.")
	}
	c, err := s.Store.FindChallenge(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("find captcha: %w", err)
	}
	return c, nil
}

// seed derives the randomness of a challenge's image and audio from its ID
// and solution under a key only this process knows, so the image is stable
// while the solution is, and nobody can render candidate solutions to
// compare them with the image.
func (s *Service) seed(c *byline.Challenge) [32]byte {
	s.keyOnce.Do(func() { rand.Read(s.key[:]) })
	mac := hmac.New(sha256.New, s.key[:])
	mac.Write([]byte(c.ID))
	mac.Write([]byte{0})
	mac.Write([]byte(c.Solution))
	var seed [32]byte
	copy(seed[:], mac.Sum(nil))
	return seed
}
