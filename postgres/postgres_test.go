package postgres_test

import (
	"context"
	"sync"
	"testing"

	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/postgres"
)

// Ten instances starting at once on a new database migrate it once: the
// advisory lock queues them, and each finds the work done.
func TestOpen_concurrentInstancesMigrateOnce(t *testing.T) {
	t.Parallel()
	url := dbtest.PostgresURL(t)
	var wg sync.WaitGroup
	dbs := make([]*postgres.DB, 10)
	errs := make([]error, 10)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(context.Background(), url) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i+1, err)
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	var applied, versions int
	err := dbs[0].Pool().QueryRow(t.Context(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&applied, &versions)
	if err != nil {
		t.Fatal(err)
	}
	if applied != versions || applied < 4 {
		t.Errorf("schema_migrations holds %d rows for %d versions, want each of at least 4 once", applied, versions)
	}
}
