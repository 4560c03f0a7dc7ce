// Package nomain is run by testenv's tests: it skips a suite without the
// TestMain that would report it.
package nomain

import (
	"testing"

	"github.com/bylinenews/byline/internal/testenv"
)

func TestNeedsPostgres(t *testing.T) {
	testenv.Skip(t, testenv.Postgres, "BYLINE_TEST_POSTGRES is not set")
}
