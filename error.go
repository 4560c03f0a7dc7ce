package byline

import (
	"errors"
	"fmt"
)

// Error kinds. A kind says what went wrong in terms a caller can act on;
// web maps each to an HTTP status in one place.
const (
	Invalid      = "invalid"
	NotFound     = "not_found"
	Conflict     = "conflict"
	Unauthorized = "unauthorized"
	Forbidden    = "forbidden"
	RateLimited  = "rate_limited"
	Internal     = "internal"
)

// Error is a domain error: a kind and a message written for the reader.
// The message is safe to show; wrapped causes are not.
type Error struct {
	Kind    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("byline %s: %s", e.Kind, e.Message) }

// Errorf returns an *Error of the given kind with a formatted message.
func Errorf(kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// ErrorKind returns the kind of the first *Error in err's chain, or Internal
// if there is none. A nil error has no kind.
func ErrorKind(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorMessage returns the reader-safe message of the first *Error in err's
// chain, or "Internal error." if there is none.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
