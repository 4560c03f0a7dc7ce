package sqlite_test

import (
	"testing"
	"time"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
	"github.com/bylinenews/byline/storetest"
)

// openBackend opens a fresh SQLite database for the shared behaviour suite.
func openBackend(t *testing.T, now func() time.Time) storetest.Backend {
	db := dbtest.OpenSQLite(t)
	db.Now = now
	return storetest.Backend{Articles: sqlite.NewArticleService(db)}
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.RunArticleTests(t, openBackend)
}
