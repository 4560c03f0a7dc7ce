// Package shareddata finds the project's shared test data (the scraped
// sample articles in shared/data), wherever the repository is checked out.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bylinenews/byline/internal/testenv"
)

// Env names a directory that overrides the search.
const Env = "BYLINE_SHARED_DATA"

// Path returns the path of the shared data file name. It looks in
// $BYLINE_SHARED_DATA, then in shared/data beside the checkout or any
// directory above it, then in /work/shared/data. A test whose data cannot
// be found is skipped, saying where it looked.
func Path(t testing.TB, name string) string {
	t.Helper()
	if p, ok := find(name); ok {
		return p
	}
	testenv.Skip(t, testenv.SharedData, name+" not found in $"+Env+", shared/data beside the checkout or /work/shared/data")
	return ""
}

func find(name string) (string, bool) {
	var candidates []string
	if dir := os.Getenv(Env); dir != "" {
		candidates = append(candidates, filepath.Join(dir, name))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			candidates = append(candidates, filepath.Join(dir, "shared", "data", name))
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	candidates = append(candidates, filepath.Join("/work/shared/data", name))
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, true
		}
	}
	return "", false
}
