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

// Import stores the records in one transaction. Reading and rendering
// run in a goroutine of their own, a batch ahead of the writes, so parsing
// and Markdown use the cores while the database works.
//
// The import locks the articles against other writers for its duration
// (readers go on), so that two imports, or an import and an editor, never
// both decide that the same source URL or slug is free.
func (s *ArticleService) Import(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	if opts.DryRun {
		return bulkimport.DryRun(ctx, records, opts, s.db.now(), importLookup{s.db.pool}, report)
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
		w := &importWriter{writer: &writer{Tx: tx, bulk: true}, articles: s}
		now := s.db.now()

		// The writes get a context without cancellation: pgx would watch
		// it with a goroutine per statement. RenderAhead checks
		// cancellation once per article instead.
		writeCtx := context.WithoutCancel(ctx)
		n := 0
		err := bulkimport.RenderAhead(ctx, records, s.prepare, func(p bulkimport.Prepared) error {
			n++
			return w.importPrepared(writeCtx, p, n, now, opts, report)
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

// importWriter is an import's transaction: the writer the article service
// writes through, and the writes of bulkimport.ImportOne.
type importWriter struct {
	*writer
	articles *ArticleService
}

// importPrepared writes the nth record and reports it. With opts.SkipBad,
// an article the store refuses is rolled back to a savepoint (on
// PostgreSQL any failed statement otherwise aborts the whole transaction)
// and reported.
func (w *importWriter) importPrepared(ctx context.Context, p bulkimport.Prepared, n int, now time.Time, opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	res := byline.ImportResult{Article: p.Rec.Article}
	err := p.Err
	if err == nil {
		bulkimport.KeyBySlug(p.Rec)
		write := func() error {
			m, err := bulkimport.ImportOne(ctx, w, p.Rec, now, time.Microsecond, opts)
			res.Created, res.Match = m.ID == 0, m.By
			return err
		}
		if opts.SkipBad {
			err = bulkimport.WithSavepoint(ctx, w, "import_article", write)
		} else {
			err = write()
		}
	}
	if err != nil {
		if res, err = bulkimport.Refuse(p.Rec, n, err, opts); err != nil {
			return err
		}
	}
	return report(res)
}

func (w *importWriter) ByImportKey(ctx context.Context, key string) (int64, error) {
	return importLookup{w}.ByImportKey(ctx, key)
}

func (w *importWriter) BySourceURL(ctx context.Context, url string) (int64, error) {
	return importLookup{w}.BySourceURL(ctx, url)
}

func (w *importWriter) ByNewsroomSlug(ctx context.Context, slug string) (int64, error) {
	return importLookup{w}.ByNewsroomSlug(ctx, slug)
}

func (w *importWriter) ImportedBetween(ctx context.Context, from, to time.Time) ([]bulkimport.Candidate, error) {
	return importLookup{w}.ImportedBetween(ctx, from, to)
}

func (w *importWriter) Insert(ctx context.Context, a *byline.Article, now time.Time) error {
	return w.articles.insert(ctx, w.writer, a, now)
}

func (w *importWriter) Update(ctx context.Context, id int64, a *byline.Article, now time.Time) error {
	return w.articles.update(ctx, w.writer, id, a, now)
}

func (w *importWriter) KeepSource(ctx context.Context, a *byline.Article, key string) error {
	_, err := w.Exec(ctx, `UPDATE articles SET import_key = coalesce($1, import_key), updated_at = $2 WHERE id = $3`,
		nullString(key), a.UpdatedAt, a.ID)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the import key %q.", key)
	} else if err != nil {
		return fmt.Errorf("set import key: %w", err)
	}
	return nil
}

func (w *importWriter) AddOldPaths(ctx context.Context, a *byline.Article, paths []string) error {
	return addOldPaths(ctx, w.writer, a, paths)
}

func (w *importWriter) ExecStatement(ctx context.Context, sql string) error {
	_, err := w.Exec(ctx, sql)
	return err
}

func (w *importWriter) Forget() { w.forget() }

// importLookup finds the articles a re-import matches, for
// bulkimport.FindMatch, through q: the import's transaction, or the pool
// for a dry run.
type importLookup struct{ q rowQuerier }

type rowQuerier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// ImportedBetween reads the range on the index articles_live: live_at is
// published_at for a published or scheduled article.
func (l importLookup) ImportedBetween(ctx context.Context, from, to time.Time) ([]bulkimport.Candidate, error) {
	rows, err := l.q.Query(ctx, `SELECT id, headline, coalesce(import_key, ''), coalesce(source_url, ''), slug, live_at FROM articles
		WHERE live_at >= $1 AND live_at < $2 AND (import_key IS NOT NULL OR source_url IS NOT NULL) ORDER BY id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("articles of the day: %w", err)
	}
	defer rows.Close()
	var out []bulkimport.Candidate
	for rows.Next() {
		var (
			c    bulkimport.Candidate
			slug string
			at   time.Time
		)
		if err := rows.Scan(&c.ID, &c.Headline, &c.ImportKey, &c.SourceURL, &slug, &at); err != nil {
			return nil, fmt.Errorf("articles of the day: %w", err)
		}
		c.URL = (&byline.Article{Slug: slug, PublishedAt: at}).URL()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("articles of the day: %w", err)
	}
	return out, nil
}

func (l importLookup) ByImportKey(ctx context.Context, key string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE import_key = $1`, key)
}

func (l importLookup) BySourceURL(ctx context.Context, url string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE source_url = $1`, url)
}

func (l importLookup) ByNewsroomSlug(ctx context.Context, slug string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE slug = $1 AND source_url IS NULL AND import_key IS NULL`, slug)
}

func (l importLookup) id(ctx context.Context, sql string, arg string) (int64, error) {
	var id int64
	err := l.q.QueryRow(ctx, sql, arg).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
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
