package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/bulkimport"
)

// Import stores the records in one transaction. Reading and rendering
// run a batch ahead of the writes (bulkimport.RenderAhead), so parsing,
// Markdown and SQLite use the cores together; only the writes hold the
// write lock's connection.
func (s *ArticleService) Import(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	if opts.DryRun {
		return bulkimport.DryRun(ctx, records, opts, s.db.now(), importLookup{q: s.db.read}, report)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		itx := newImportTx(s, tx)
		defer itx.close()
		// A large import touches more pages than SQLite's default cache
		// (2 MB) holds, and every page pushed out is written to the WAL
		// before the commit, often more than once. 32 MB kept 100,000
		// articles' import a third faster here; larger caches were slower
		// (SQLite frees each cached page on its own).
		restore, err := itx.setCacheSize(ctx, importCacheKiB)
		if err != nil {
			return err
		}
		defer restore()
		// The writes get a context without cancellation: the driver would
		// start a goroutine per statement to watch it. RenderAhead checks
		// cancellation once per article instead.
		writeCtx := context.WithoutCancel(ctx)
		w, err := newBulkWriter(writeCtx, itx, s.db.now(), opts, report)
		if err != nil {
			return err
		}
		err = bulkimport.RenderAhead(ctx, records, s.prepare, func(p bulkimport.Prepared) error {
			return w.add(writeCtx, p)
		})
		if err != nil {
			return err
		}
		return w.flush(writeCtx)
	})
}

// importLookup finds the articles a re-import matches, for
// bulkimport.FindMatch, through q: the import's transaction, or the read
// pool for a dry run.
type importLookup struct {
	q interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	}
}

func (l importLookup) ByImportKey(ctx context.Context, key string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE import_key = ?`, key)
}

func (l importLookup) BySourceURL(ctx context.Context, url string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE source_url = ?`, url)
}

func (l importLookup) ByNewsroomSlug(ctx context.Context, slug string) (int64, error) {
	return l.id(ctx, `SELECT id FROM articles WHERE slug = ? AND source_url IS NULL AND import_key IS NULL`, slug)
}

// ImportedBetween reads the range on the index articles_live: live_at is
// published_at for a published or scheduled article.
func (l importLookup) ImportedBetween(ctx context.Context, from, to time.Time) ([]bulkimport.Candidate, error) {
	rows, err := l.q.QueryContext(ctx, `SELECT id, headline, coalesce(import_key, ''), coalesce(source_url, ''), slug, live_at FROM articles
		WHERE live_at >= ? AND live_at < ? AND (import_key IS NOT NULL OR source_url IS NOT NULL) ORDER BY id`,
		from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("articles of the day: %w", err)
	}
	defer rows.Close()
	var out []bulkimport.Candidate
	for rows.Next() {
		var (
			c    bulkimport.Candidate
			slug string
			at   sql.NullInt64
		)
		if err := rows.Scan(&c.ID, &c.Headline, &c.ImportKey, &c.SourceURL, &slug, &at); err != nil {
			return nil, fmt.Errorf("articles of the day: %w", err)
		}
		c.URL = (&byline.Article{Slug: slug, PublishedAt: fromMillis(at)}).URL()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("articles of the day: %w", err)
	}
	return out, nil
}

func (l importLookup) id(ctx context.Context, q string, arg string) (int64, error) {
	var id int64
	err := l.q.QueryRowContext(ctx, q, arg).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// The writes of bulkimport.ImportOne, on an import's transaction.

func (t *importTx) ByImportKey(ctx context.Context, key string) (int64, error) {
	return importLookup{q: t}.ByImportKey(ctx, key)
}

func (t *importTx) BySourceURL(ctx context.Context, url string) (int64, error) {
	return importLookup{q: t}.BySourceURL(ctx, url)
}

func (t *importTx) ByNewsroomSlug(ctx context.Context, slug string) (int64, error) {
	return importLookup{q: t}.ByNewsroomSlug(ctx, slug)
}

func (t *importTx) ImportedBetween(ctx context.Context, from, to time.Time) ([]bulkimport.Candidate, error) {
	return importLookup{q: t}.ImportedBetween(ctx, from, to)
}

func (t *importTx) Insert(ctx context.Context, a *byline.Article, now time.Time) error {
	if err := t.articles.insert(ctx, t, a, now); err != nil {
		return err
	}
	t.nextID = max(t.nextID, a.ID+1)
	return nil
}

func (t *importTx) Update(ctx context.Context, id int64, a *byline.Article, now time.Time) error {
	return t.articles.update(ctx, t, id, a, now)
}

func (t *importTx) KeepSource(ctx context.Context, a *byline.Article, key string) error {
	_, err := t.ExecContext(ctx, `UPDATE articles SET import_key = coalesce(?, import_key), updated_at = ? WHERE id = ?`,
		nullString(key), a.UpdatedAt.UnixMilli(), a.ID)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the import key %q.", key)
	} else if err != nil {
		return fmt.Errorf("set import key: %w", err)
	}
	return nil
}

func (t *importTx) AddOldPaths(ctx context.Context, a *byline.Article, paths []string) error {
	return addOldPaths(ctx, t, a, paths)
}

func (t *importTx) ExecStatement(ctx context.Context, q string) error {
	_, err := t.ExecContext(ctx, q)
	return err
}

// exportPage is how many articles an export reads at a time.
const exportPage = 500

// Export reads every article by ascending ID in pages, inside one read
// transaction so that the pages are one snapshot of the site.
func (s *ArticleService) Export(ctx context.Context, each func(*byline.ArticleRecord) error) error {
	tx, err := s.db.read.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("export: begin: %w", err)
	}
	defer tx.Rollback()
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
func (s *ArticleService) exportPage(ctx context.Context, tx *sql.Tx, after int64) ([]*byline.ArticleRecord, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+articleColumns+`, a.import_key FROM articles a
		WHERE a.id > ? ORDER BY a.id LIMIT ?`, after, exportPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		page     []*byline.ArticleRecord
		articles []*byline.Article
	)
	for rows.Next() {
		var key sql.NullString
		a, err := scanArticle(withExtra{rows, []any{&key}})
		if err != nil {
			return nil, fmt.Errorf("scan article: %w", err)
		}
		page = append(page, &byline.ArticleRecord{Article: a, ImportKey: key.String})
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
	rowScanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rowScanner.Scan(append(dest, w.extra...)...) }
