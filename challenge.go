package byline

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"
	"unicode"
)

// Challenge is one captcha: the characters a reader must type, shown as an
// image or read aloud. It is used at most once.
type Challenge struct {
	ID        string // random, unguessable
	Solution  string // the characters, as rendered
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ChallengeStore keeps captcha challenges in the database, so that any
// instance behind a load balancer can check a challenge another issued.
// Implementations are safe for concurrent use.
type ChallengeStore interface {
	// CreateChallenge stores c.
	CreateChallenge(ctx context.Context, c *Challenge) error

	// FindChallenge returns the unexpired, unused challenge with the given
	// ID, to render its image or audio. It returns NotFound otherwise.
	FindChallenge(ctx context.Context, id string) (*Challenge, error)

	// ReplaceSolution gives an unused challenge new characters (the
	// "Not readable? Change text." link keeps the form's ID). It returns
	// NotFound for an unknown, used or expired challenge.
	ReplaceSolution(ctx context.Context, id, solution string, expiresAt time.Time) error

	// SolveChallenge consumes the challenge with the given ID and reports
	// whether answer matches its solution, ignoring case and spaces. The
	// challenge is burnt whatever the answer: a second call with the same
	// ID returns false. An unknown or expired ID returns false.
	SolveChallenge(ctx context.Context, id, answer string) (bool, error)
}

// AnswerMatches reports whether a reader's answer is the solution, ignoring
// case and spaces (" ab 12" matches "AB12"), in constant time. An empty
// answer never matches.
func AnswerMatches(answer, solution string) bool {
	a, s := foldAnswer(answer), foldAnswer(solution)
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(s)) == 1
}

// foldAnswer drops every space and folds case.
func foldAnswer(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
