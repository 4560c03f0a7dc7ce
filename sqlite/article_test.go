package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
)

var t0 = time.Date(2015, 10, 8, 12, 0, 0, 0, time.UTC)

func newArticle(headline string, published time.Time) *byline.Article {
	return &byline.Article{
		Headline:    headline,
		Body:        "First paragraph about " + headline + ".\n\n> A pull quote.\n\nLast paragraph.",
		Status:      byline.Published,
		PublishedAt: published,
		Authors:     []byline.Author{{Name: "Jane Doe"}},
		Tags:        []byline.Tag{{Name: "Middle East"}, {Name: "Russia"}},
	}
}

// Concurrent writers queue on the write lock instead of failing with
// "database is locked", across two handles on one file as across goroutines.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "byline.db")
	ctx := context.Background()
	var dbs []*sqlite.DB
	for range 2 {
		db, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		wg.Go(func() {
			s := sqlite.NewArticleService(dbs[i%2])
			errs <- s.Create(ctx, newArticle(fmt.Sprintf("Concurrent %d", i), t0))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Create: %v", err)
		}
	}
	if _, total, err := sqlite.NewArticleService(dbs[0]).Find(ctx, byline.ArticleFilter{}); err != nil || total != 40 {
		t.Errorf("after concurrent writes: %d articles, %v; want 40", total, err)
	}
}
