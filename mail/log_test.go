package mail_test

import (
	"log/slog"
	"testing"
)

// testLogger writes the worker's log to the test's output.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}
