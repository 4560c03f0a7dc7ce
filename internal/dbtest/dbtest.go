// Package dbtest opens fresh, real databases for tests.
package dbtest

import (
	"path/filepath"
	"testing"

	"github.com/bylinenews/byline/sqlite"
)

// OpenSQLite opens a new SQLite database in a file under t.TempDir(), with
// migrations applied, and closes it when the test ends.
func OpenSQLite(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "byline.db"))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	return db
}
