package postgres_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/postgres"
	"github.com/bylinenews/byline/storetest"
)

// openBackend opens a fresh PostgreSQL database for the shared behaviour
// suite; without BYLINE_TEST_POSTGRES the test is skipped, saying so.
func openBackend(t testing.TB, now func() time.Time) storetest.Backend {
	return openBackendAt(t, dbtest.PostgresURL(t), now)
}

// openBackendAt opens the database at url, whose Reopen opens it again
// with a pool of its own, as a second instance would.
func openBackendAt(t testing.TB, url string, now func() time.Time) storetest.Backend {
	t.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = now
	return storetest.Backend{
		Services: postgres.NewServices(db),
		Reopen:   func(t *testing.T) storetest.Backend { return openBackendAt(t, url, now) },
	}
}

func TestStore(t *testing.T) {
	if os.Getenv(dbtest.PostgresEnv) == "" {
		dbtest.PostgresURL(t) // skips, saying how to run the suite
	}
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
