package bulkimport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/bylinenews/byline"
)

// Writer is what ImportOne needs of a store's import transaction.
type Writer interface {
	Lookup
	// Insert stores a as a new article, as ArticleService.Create does.
	Insert(ctx context.Context, a *byline.Article, now time.Time) error
	// Update stores a over the article with the ID, as an edit does.
	Update(ctx context.Context, id int64, a *byline.Article, now time.Time) error
	// KeepSource sets the article's import key, unless key is empty, and
	// its update time to a.UpdatedAt. A key another article has is an
	// error of kind Conflict.
	KeepSource(ctx context.Context, a *byline.Article, key string) error
	// AddOldPaths makes each path redirect to the article.
	AddOldPaths(ctx context.Context, a *byline.Article, paths []string) error
}

// ImportOne creates or updates the article of rec through w, keeping its
// import key, its update time from the source (truncated to precision,
// the finest time the store keeps) and its old paths: the way of an
// article that is not new, or of one a bulk insert could not take. It
// returns the match FindMatch found (ID 0: the article was created).
func ImportOne(ctx context.Context, w Writer, rec *byline.ArticleRecord, now time.Time, precision time.Duration, opts byline.ImportOptions) (m Match, err error) {
	a := rec.Article
	updatedAt := a.UpdatedAt
	m, err = FindMatch(ctx, w, rec, opts)
	if err != nil {
		return m, fmt.Errorf("find article to update: %w", err)
	}
	id := m.ID
	oldPaths := rec.OldPaths
	if m.By == byline.MatchSameStory {
		// The story is on the site already, linked to by its permalink:
		// should this source's slug or date move it, the permalink
		// redirects.
		oldPaths = append(slices.Clip(oldPaths), m.URL)
	}
	if id == 0 {
		err = w.Insert(ctx, a, now)
	} else {
		err = w.Update(ctx, id, a, now)
	}
	if err != nil {
		return m, err
	}
	if rec.ImportKey != "" || !updatedAt.IsZero() {
		if !updatedAt.IsZero() {
			a.UpdatedAt = updatedAt.UTC().Truncate(precision)
		}
		if err := w.KeepSource(ctx, a, rec.ImportKey); err != nil {
			return m, err
		}
	}
	if err := w.AddOldPaths(ctx, a, oldPaths); err != nil {
		return m, err
	}
	return m, nil
}

// Savepoints is what WithSavepoint needs of a store's import transaction.
type Savepoints interface {
	// ExecStatement runs a statement that takes no arguments.
	ExecStatement(ctx context.Context, sql string) error
	// Forget drops what the transaction remembers of rows (authors and
	// tags seen, the site's change time set), after a rollback may have
	// undone them.
	Forget()
}

// WithSavepoint runs fn inside the savepoint name (a constant, never
// input): if fn fails, what it wrote is rolled back and the rest of the
// transaction stands. The syntax is both SQLite's and PostgreSQL's.
func WithSavepoint(ctx context.Context, tx Savepoints, name string, fn func() error) (err error) {
	if err := tx.ExecStatement(ctx, `SAVEPOINT `+name); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	defer func() {
		if err != nil {
			if rerr := tx.ExecStatement(ctx, `ROLLBACK TO SAVEPOINT `+name); rerr != nil {
				err = errors.Join(err, rerr)
			}
			tx.Forget()
		}
		if rerr := tx.ExecStatement(ctx, `RELEASE SAVEPOINT `+name); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	return fn()
}

// Refuse is what becomes of err, from storing the nth record: with
// opts.SkipBad and an error about the article itself (Invalid, Conflict),
// a result to report before going on without it; otherwise the error that
// ends the import. Either names the article.
func Refuse(rec *byline.ArticleRecord, n int, err error, opts byline.ImportOptions) (byline.ImportResult, error) {
	err = fmt.Errorf("article %d (%q): %w", n, rec.Article.Headline, err)
	if kind := byline.ErrorKind(err); !opts.SkipBad || (kind != byline.Invalid && kind != byline.Conflict) {
		return byline.ImportResult{}, err
	}
	return byline.ImportResult{Article: rec.Article, Err: err}, nil
}
