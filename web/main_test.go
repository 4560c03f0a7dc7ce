package web_test

import (
	"testing"

	"github.com/bylinenews/byline/internal/testenv"
)

// TestMain says, in one line that go test shows, which suites did not run
// here and how to run them.
func TestMain(m *testing.M) { testenv.Main(m) }
