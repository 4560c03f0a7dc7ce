package sqlite_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/storetest"
)

// openBackend opens a fresh SQLite database, in a file under t.TempDir(),
// for the shared behaviour suite.
func openBackend(t testing.TB, now func() time.Time) storetest.Backend {
	return openBackendAt(t, filepath.Join(t.TempDir(), "byline.db"), now)
}

// openBackendAt opens the SQLite database at path, whose Reopen opens the
// same file again, as a second instance would.
func openBackendAt(t testing.TB, path string, now func() time.Time) storetest.Backend {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close test database: %v", err)
		}
	})
	db.Now = now
	return storetest.Backend{
		Services: sqlite.NewServices(db),
		Reopen:   func(t *testing.T) storetest.Backend { return openBackendAt(t, path, now) },
	}
}

func TestStore(t *testing.T) {
	t.Parallel()
	t.Run("Articles", func(t *testing.T) { t.Parallel(); storetest.RunArticleTests(t, openBackend) })
	t.Run("Import", func(t *testing.T) { t.Parallel(); storetest.RunImportTests(t, openBackend) })
	t.Run("Search", func(t *testing.T) { t.Parallel(); storetest.RunSearchTests(t, openBackend) })
	t.Run("Challenges", func(t *testing.T) { t.Parallel(); storetest.RunChallengeTests(t, openBackend) })
	t.Run("Messages", func(t *testing.T) { t.Parallel(); storetest.RunMessageTests(t, openBackend) })
	t.Run("RateLimiter", func(t *testing.T) { t.Parallel(); storetest.RunRateLimiterTests(t, openBackend) })
	t.Run("Newsroom", func(t *testing.T) { t.Parallel(); storetest.RunNewsroomTests(t, openBackend) })
	t.Run("Sections", func(t *testing.T) { t.Parallel(); storetest.RunSectionTests(t, openBackend) })
	t.Run("Pages", func(t *testing.T) { t.Parallel(); storetest.RunPageTests(t, openBackend) })
	t.Run("Newsletters", func(t *testing.T) { t.Parallel(); storetest.RunNewsletterTests(t, openBackend) })
	t.Run("Menus", func(t *testing.T) { t.Parallel(); storetest.RunMenuTests(t, openBackend) })
	t.Run("Authors", func(t *testing.T) { t.Parallel(); storetest.RunAuthorTests(t, openBackend) })
}
