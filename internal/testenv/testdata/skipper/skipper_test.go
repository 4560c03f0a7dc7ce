// Package skipper is run by testenv's tests: its tests skip two suites.
package skipper

import (
	"testing"

	"github.com/bylinenews/byline/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestNeedsPostgres(t *testing.T) {
	testenv.Skip(t, testenv.Postgres, "BYLINE_TEST_POSTGRES is not set")
}
func TestNeedsPostgresToo(t *testing.T) {
	testenv.Skip(t, testenv.Postgres, "BYLINE_TEST_POSTGRES is not set")
}
func TestNeedsAxe(t *testing.T)     { testenv.Skip(t, testenv.Axe, "axe-core is not installed") }
func TestNeedsNothing(t *testing.T) {}
