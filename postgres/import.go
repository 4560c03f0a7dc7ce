package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/bulkimport"
)

// ImportAll stores the records in one transaction. Reading and rendering
// run in a goroutine of their own, a batch ahead of the writes, so parsing
// and Markdown use the cores while the database works.
//
// The import locks the articles against other writers for its duration
// (readers go on), so that two imports, or an import and an editor, never
// both decide that the same source URL or slug is free.
func (s *ArticleService) ImportAll(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	if opts.DryRun {
		return s.importDryRun(ctx, records, opts, report)
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		// The slug lock first, as every writer takes it before writing to
		// articles: the other order could deadlock with an editor's save.
		if err := lockSlugs(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE articles IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock articles: %w", err)
		}
		if err := deferWordCounts(ctx, tx); err != nil {
			return err
		}
		w := &writer{Tx: tx, bulk: true}
		now := s.db.now()

		// The writes get a context without cancellation: pgx would watch
		// it with a goroutine per statement. RenderAhead checks
		// cancellation once per article instead.
		writeCtx := context.WithoutCancel(ctx)
		n := 0
		err := bulkimport.RenderAhead(ctx, records, s.prepare, func(p bulkimport.Prepared) error {
			n++
			return s.importPrepared(writeCtx, w, p, n, now, opts, report)
		})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT apply_search_word_changes()`); err != nil {
			return fmt.Errorf("count the words of the imported articles: %w", err)
		}
		return nil
	})
}

// deferWordCounts has the vocabulary trigger note its changes for the rest
// of the transaction, for apply_search_word_changes (migration 0012) to add
// up once.
func deferWordCounts(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `CREATE TEMP TABLE search_word_changes (word TEXT NOT NULL, delta INTEGER NOT NULL) ON COMMIT DROP`)
	if err == nil {
		_, err = tx.Exec(ctx, `SELECT set_config('byline.defer_word_counts', 'on', true)`)
	}
	if err != nil {
		return fmt.Errorf("defer word counts: %w", err)
	}
	return nil
}

// importPrepared writes the nth record and reports it. With opts.SkipBad an
// article the store refuses is rolled back to a savepoint and reported.
func (s *ArticleService) importPrepared(ctx context.Context, w *writer, p bulkimport.Prepared, n int, now time.Time, opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	res := byline.ImportResult{Article: p.Rec.Article}
	err := p.Err
	if err == nil {
		bulkimport.KeyBySlug(p.Rec)
		res.Created, err = s.importOne(ctx, w, p.Rec, now, opts.SkipBad)
	}
	if err != nil {
		err = fmt.Errorf("article %d (%q): %w", n, p.Rec.Article.Headline, err)
		if kind := byline.ErrorKind(err); !opts.SkipBad || (kind != byline.Invalid && kind != byline.Conflict) {
			return err
		}
		res.Err = err
	}
	return report(res)
}

// importOne creates or updates the article of rec, keeping its import key,
// its times from the source and its old paths. With savepoint, a failure
// undoes only this article: on PostgreSQL any failed statement otherwise
// aborts the whole transaction.
func (s *ArticleService) importOne(ctx context.Context, w *writer, rec *byline.ArticleRecord, now time.Time, savepoint bool) (created bool, err error) {
	if savepoint {
		if _, err := w.Exec(ctx, `SAVEPOINT import_article`); err != nil {
			return false, fmt.Errorf("savepoint: %w", err)
		}
		defer func() {
			if err != nil {
				if _, rerr := w.Exec(ctx, `ROLLBACK TO SAVEPOINT import_article`); rerr != nil {
					err = errors.Join(err, rerr)
				}
				w.forget()
			}
			if _, rerr := w.Exec(ctx, `RELEASE SAVEPOINT import_article`); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}()
	}
	a := rec.Article
	updatedAt := a.UpdatedAt
	id, err := s.findImportMatch(ctx, w, rec)
	if err != nil {
		return false, fmt.Errorf("find article to update: %w", err)
	}
	if id == 0 {
		err = s.insert(ctx, w, a, now)
	} else {
		err = s.update(ctx, w, id, a, now)
	}
	if err != nil {
		return false, err
	}
	if rec.ImportKey != "" || !updatedAt.IsZero() {
		if !updatedAt.IsZero() {
			a.UpdatedAt = updatedAt.UTC().Truncate(time.Microsecond)
		}
		_, err := w.Exec(ctx, `UPDATE articles SET import_key = coalesce($1, import_key), updated_at = $2 WHERE id = $3`,
			nullString(rec.ImportKey), a.UpdatedAt, a.ID)
		if isUniqueViolation(err) {
			return false, byline.Errorf(byline.Conflict, "Another article already has the import key %q.", rec.ImportKey)
		} else if err != nil {
			return false, fmt.Errorf("set import key: %w", err)
		}
	}
	if err := addOldPaths(ctx, w, a, rec.OldPaths); err != nil {
		return false, err
	}
	return id == 0, nil
}

// importDryRun reports what ImportAll would do, reading only: an article
// whose key matches one stored, or one earlier in the same run, would be
// updated; any other would be created.
func (s *ArticleService) importDryRun(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	find := func(ctx context.Context, rec *byline.ArticleRecord) (int64, error) {
		return s.findImportMatch(ctx, s.db.pool, rec)
	}
	return bulkimport.DryRun(ctx, records, opts, s.db.now(), find, report)
}

// exportPage is how many articles an export reads at a time.
const exportPage = 500

// Export reads every article by ascending ID in pages, inside one
// read-only, repeatable-read transaction, so that the pages are one
// snapshot of the site while writers go on.
func (s *ArticleService) Export(ctx context.Context, each func(*byline.ArticleRecord) error) error {
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var after int64
	for {
		page, err := s.exportPage(ctx, tx, after)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for _, rec := range page {
			if err := each(rec); err != nil {
				return err
			}
		}
		if len(page) < exportPage {
			return nil
		}
		after = page[len(page)-1].Article.ID
	}
}

// exportPage reads the records of up to exportPage articles after ID after.
func (s *ArticleService) exportPage(ctx context.Context, tx pgx.Tx, after int64) ([]*byline.ArticleRecord, error) {
	rows, err := tx.Query(ctx, `SELECT `+articleColumns+`, a.import_key FROM articles a
		WHERE a.id > $1 ORDER BY a.id LIMIT $2`, after, exportPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		page     []*byline.ArticleRecord
		articles []*byline.Article
	)
	for rows.Next() {
		var key *string
		a, err := scanArticle(withExtra{rows, []any{&key}})
		if err != nil {
			return nil, fmt.Errorf("scan article: %w", err)
		}
		rec := &byline.ArticleRecord{Article: a}
		if key != nil {
			rec.ImportKey = *key
		}
		page = append(page, rec)
		articles = append(articles, a)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := s.attachPeople(ctx, tx, articles); err != nil {
		return nil, err
	}
	if err := attachOldPaths(ctx, tx, page); err != nil {
		return nil, err
	}
	return page, nil
}

// withExtra scans the columns after scanArticle's into extra.
type withExtra struct {
	pgx.Row
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.Row.Scan(append(dest, w.extra...)...) }
