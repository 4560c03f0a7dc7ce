package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

// importBatch is how many articles an import renders at once, in parallel,
// while the previous batch is written: enough to keep the cores busy, few
// enough that memory stays flat however long the import.
const importBatch = 256

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
		// it with a goroutine per statement. Cancellation is checked once
		// per article instead.
		writeCtx := context.WithoutCancel(ctx)
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		batches := make(chan []preparedRecord, 1)
		var readErr error
		read := make(chan struct{})
		go func() {
			defer close(read)
			defer close(batches)
			readErr = s.prepareBatches(ctx, records, batches)
		}()
		var err error
		n := 0
		for batch := range batches {
			for _, p := range batch {
				n++
				if err != nil {
					continue // draining after a failure
				}
				if err = ctx.Err(); err == nil {
					err = s.importPrepared(writeCtx, w, p, n, now, opts, report)
				}
				if err != nil {
					cancel()
				}
			}
		}
		<-read
		if err != nil {
			return err
		}
		if readErr != nil {
			return readErr
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

// preparedRecord is a record rendered for writing, or why it cannot be.
type preparedRecord struct {
	rec *byline.ArticleRecord
	err error
}

// prepareBatches reads records in batches, renders each batch on every
// core, and sends it on.
func (s *ArticleService) prepareBatches(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], out chan<- []preparedRecord) error {
	batch := make([]preparedRecord, 0, importBatch)
	send := func() error {
		s.prepareAll(batch)
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]preparedRecord, 0, importBatch)
		return nil
	}
	for rec, err := range records {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if rec == nil || rec.Article == nil {
			return fmt.Errorf("import: a record without an article")
		}
		batch = append(batch, preparedRecord{rec: rec})
		if len(batch) == importBatch {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// prepareAll validates and renders the batch's articles in parallel.
func (s *ArticleService) prepareAll(batch []preparedRecord) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(batch)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(batch); i = int(next.Add(1)) - 1 {
				batch[i].err = s.prepare(batch[i].rec.Article)
			}
		})
	}
	wg.Wait()
}

// importPrepared writes the nth record and reports it. With opts.SkipBad an
// article the store refuses is rolled back to a savepoint and reported.
func (s *ArticleService) importPrepared(ctx context.Context, w *writer, p preparedRecord, n int, now time.Time, opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	res := byline.ImportResult{Article: p.rec.Article}
	err := p.err
	if err == nil {
		keyBySlug(p.rec)
		res.Created, err = s.importOne(ctx, w, p.rec, now, opts.SkipBad)
	}
	if err != nil {
		err = fmt.Errorf("article %d (%q): %w", n, p.rec.Article.Headline, err)
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
	seen := map[string]bool{}
	now := s.db.now()
	n := 0
	for rec, err := range records {
		if err != nil {
			return err
		}
		if rec == nil || rec.Article == nil {
			return fmt.Errorf("import: a record without an article")
		}
		n++
		a := rec.Article
		if a.Status == "" {
			a.Status = byline.Draft
		}
		res := byline.ImportResult{Article: a}
		if err := a.Validate(); err != nil {
			err = fmt.Errorf("article %d (%q): %w", n, a.Headline, err)
			if !opts.SkipBad {
				return err
			}
			res.Err = err
			if err := report(res); err != nil {
				return err
			}
			continue
		}
		keyBySlug(rec)
		id, err := s.findImportMatch(ctx, s.db.pool, rec)
		if err != nil {
			return fmt.Errorf("article %d (%q): find article to update: %w", n, a.Headline, err)
		}
		if a.Slug == "" {
			a.Slug = slugOrDefault(a.Headline)
		}
		if a.PublishedAt.IsZero() && a.Status == byline.Published {
			a.PublishedAt = now
		}
		created := id == 0
		for _, k := range matchKeys(rec) {
			created = created && !seen[k]
			seen[k] = true
		}
		res.Created = created
		if err := report(res); err != nil {
			return err
		}
	}
	return nil
}

// slugKeyPrefix starts the import key of an article that has neither a key
// of its own nor a source URL: the slug it asked for. An article whose slug
// had to be numbered (a clash) is still found by a re-import.
const slugKeyPrefix = "slug:"

// keyBySlug gives rec, if it has neither an import key nor a source URL,
// the import key of the slug it asks for.
func keyBySlug(rec *byline.ArticleRecord) {
	if a := rec.Article; rec.ImportKey == "" && a.SourceURL == "" {
		slug := a.Slug
		if slug == "" {
			slug = slugOrDefault(a.Headline)
		}
		rec.ImportKey = slugKeyPrefix + slug
	}
}

// matchKeys are the keys findImportMatch looks rec up by.
func matchKeys(rec *byline.ArticleRecord) []string {
	var keys []string
	if rec.ImportKey != "" {
		keys = append(keys, "key:"+rec.ImportKey)
	}
	if a := rec.Article; a.SourceURL != "" {
		keys = append(keys, "url:"+a.SourceURL)
	}
	return keys
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
