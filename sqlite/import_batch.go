package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/bulkimport"
)

// importTx is an import's transaction. It prepares each statement once: an
// import runs the same dozen statements for every article, and parsing
// them again each time would cost more than running them. It also
// remembers, for the transaction, the IDs of the authors and tags it has
// seen, and whether the site's change time is set.
type importTx struct {
	articles *ArticleService
	tx       *sql.Tx
	stmts    map[string]*sql.Stmt
	ids      map[string]int64 // table NUL slug → id
	touched  bool

	// reserved are the slugs of articles waiting in a bulk insert; nextID
	// is the ID the next of them gets.
	reserved map[string]bool
	nextID   int64
}

func (c *importTx) named(table, slug string) (int64, bool) {
	if c == nil {
		return 0, false
	}
	id, ok := c.ids[table+"\x00"+slug]
	return id, ok
}

func (c *importTx) remember(table, slug string, id int64) {
	if c.ids == nil {
		c.ids = map[string]int64{}
	}
	c.ids[table+"\x00"+slug] = id
}

// Forget drops what the transaction remembers of rows, after a rollback to
// a savepoint may have undone them.
func (c *importTx) Forget() {
	clear(c.ids)
	c.touched = false
}

func newImportTx(s *ArticleService, tx *sql.Tx) *importTx {
	return &importTx{articles: s, tx: tx, stmts: map[string]*sql.Stmt{}}
}

func (c *importTx) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	c.stmts[q] = st
	return st, nil
}

func (c *importTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *importTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *importTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return c.tx.QueryRowContext(ctx, q, args...) // reports the same error through Scan
	}
	return st.QueryRowContext(ctx, args...)
}

// importCacheKiB is the write connection's page cache during an import.
const importCacheKiB = 32 << 10

// setCacheSize sets the connection's page cache to kib KiB and returns a
// function that sets it back, so that the cache outlives no import.
func (c *importTx) setCacheSize(ctx context.Context, kib int) (restore func(), err error) {
	var old int
	if err := c.tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
		return nil, fmt.Errorf("read cache size: %w", err)
	}
	if _, err := c.tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, kib)); err != nil {
		return nil, fmt.Errorf("set cache size: %w", err)
	}
	return func() {
		c.tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, old))
	}, nil
}

func (c *importTx) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// bulkRows is how many new articles an import inserts with one statement.
// Fewer statements cost less, and the search index, which its triggers
// fill, is written to its tables once per statement rather than once per
// article.
const bulkRows = 64

// bulkWriter writes an import's articles in order: a new article waits with
// others for a multi-row INSERT; an update, or an article that an article
// waiting would match, first writes those waiting. Results are reported in
// input order.
type bulkWriter struct {
	c      *importTx
	now    time.Time
	opts   byline.ImportOptions
	report func(byline.ImportResult) error

	n       int // records seen, for messages
	pending []pendingArticle
	keys    map[string]bool // what the waiting articles would be matched by
}

type pendingArticle struct {
	rec *byline.ArticleRecord
	n   int
}

func newBulkWriter(ctx context.Context, c *importTx, now time.Time, opts byline.ImportOptions, report func(byline.ImportResult) error) (*bulkWriter, error) {
	// The write lock is held: no one else can take IDs until the commit.
	if err := c.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM articles`).Scan(&c.nextID); err != nil {
		return nil, fmt.Errorf("next article ID: %w", err)
	}
	c.reserved = map[string]bool{}
	return &bulkWriter{c: c, now: now, opts: opts, report: report, keys: map[string]bool{}}, nil
}

// add writes, or queues, one record.
func (w *bulkWriter) add(ctx context.Context, p bulkimport.Prepared) error {
	w.n++
	rec := p.Rec
	if p.Err != nil {
		// Those waiting come first: results are reported in input order.
		if err := w.flush(ctx); err != nil {
			return err
		}
		return w.refuse(rec, w.n, p.Err)
	}
	bulkimport.KeyBySlug(rec)
	keys := bulkimport.MatchKeys(rec)
	if story := bulkimport.StoryKey(rec, w.opts.Zone); story != "" && !w.opts.AllowDuplicates {
		keys = append(keys, "story:"+story)
	}
	for _, k := range keys {
		if w.keys[k] {
			// It would update an article still waiting, or be its story:
			// write those first.
			if err := w.flush(ctx); err != nil {
				return err
			}
			break
		}
	}
	m, err := bulkimport.FindMatch(ctx, w.c, rec, w.opts)
	if err != nil {
		return fmt.Errorf("article %d (%q): find article to update: %w", w.n, rec.Article.Headline, err)
	}
	if m.ID != 0 {
		if err := w.flush(ctx); err != nil {
			return err
		}
		return w.one(ctx, rec, w.n)
	}
	a := rec.Article
	if a.Status == byline.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = w.now
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = w.now
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = w.now
	}
	a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Millisecond)
	a.UpdatedAt = a.UpdatedAt.UTC().Truncate(time.Millisecond)
	a.Version = 1
	if a.Slug, err = uniqueSlug(ctx, w.c, a.Slug, a.Headline, 0); err != nil {
		return fmt.Errorf("article %d (%q): %w", w.n, a.Headline, err)
	}
	a.ID = w.c.nextID
	w.c.nextID++
	w.c.reserved[a.Slug] = true
	if rec.ImportKey != "" {
		w.keys["key:"+rec.ImportKey] = true
	}
	if a.SourceURL != "" {
		w.keys["url:"+a.SourceURL] = true
	}
	if story := bulkimport.StoryKey(rec, w.opts.Zone); story != "" && !w.opts.AllowDuplicates {
		w.keys["story:"+story] = true
	}
	w.pending = append(w.pending, pendingArticle{rec: rec, n: w.n})
	if len(w.pending) == bulkRows {
		return w.flush(ctx)
	}
	return nil
}

// one writes one record on its own and reports it. With SkipBad, a
// failure rolls back only this article.
func (w *bulkWriter) one(ctx context.Context, rec *byline.ArticleRecord, n int) error {
	var m bulkimport.Match
	write := func() (err error) {
		m, err = bulkimport.ImportOne(ctx, w.c, rec, w.now, time.Millisecond, w.opts)
		return err
	}
	var err error
	if w.opts.SkipBad {
		err = bulkimport.WithSavepoint(ctx, w.c, "import_article", write)
	} else {
		err = write()
	}
	if err != nil {
		return w.refuse(rec, n, err)
	}
	return w.report(byline.ImportResult{Article: rec.Article, Created: m.ID == 0, Match: m.By})
}

// refuse ends the import with err, or, with SkipBad and an error about the
// article itself, reports it and goes on.
func (w *bulkWriter) refuse(rec *byline.ArticleRecord, n int, err error) error {
	res, err := bulkimport.Refuse(rec, n, err, w.opts)
	if err != nil {
		return err
	}
	return w.report(res)
}

// flush inserts the waiting articles and reports them. With SkipBad, a
// failure rolls the batch back and writes its articles one by one, so that
// only the bad one is left out.
func (w *bulkWriter) flush(ctx context.Context) error {
	if len(w.pending) == 0 {
		return nil
	}
	pending := w.pending
	w.pending = nil
	clear(w.keys)
	clear(w.c.reserved)
	if !w.opts.SkipBad {
		if err := w.insertAll(ctx, pending); err != nil {
			return fmt.Errorf("articles %d to %d: %w", pending[0].n, pending[len(pending)-1].n, err)
		}
	} else if err := bulkimport.WithSavepoint(ctx, w.c, "import_batch", func() error { return w.insertAll(ctx, pending) }); err != nil {
		// Write them one by one, so that only the bad one is left out.
		for _, p := range pending {
			p.rec.Article.ID = 0
			if err := w.one(ctx, p.rec, p.n); err != nil {
				return err
			}
		}
		return nil
	}
	for _, p := range pending {
		if err := w.report(byline.ImportResult{Article: p.rec.Article, Created: true}); err != nil {
			return err
		}
	}
	return nil
}

// articleInsertColumns are the columns of a bulk insert, one row each.
const articleInsertColumns = `INSERT INTO articles (id, slug, headline, dek, body, body_html, body_text, status,
	published_at, live_at, created_at, updated_at, source_url, feature_image_url, version, import_key) VALUES `

// insertAll inserts the articles with one statement, then links their
// authors and tags with a statement each, then adds their old paths.
func (w *bulkWriter) insertAll(ctx context.Context, pending []pendingArticle) error {
	args := make([]any, 0, 16*len(pending))
	for _, p := range pending {
		a := p.rec.Article
		args = append(args, a.ID, a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
			millis(a.PublishedAt), liveAt(a), a.CreatedAt.UnixMilli(), a.UpdatedAt.UnixMilli(),
			nullString(a.SourceURL), a.FeatureImageURL, a.Version, nullString(p.rec.ImportKey))
	}
	q := articleInsertColumns + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(pending)), ", ")
	if _, err := w.c.ExecContext(ctx, q, args...); isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Two articles have the same source URL, import key or slug.")
	} else if err != nil {
		return fmt.Errorf("insert articles: %w", err)
	}
	var authors, tags, sections []any
	for _, p := range pending {
		a := p.rec.Article
		seen := map[int64]bool{}
		for i := range a.Authors {
			au := &a.Authors[i]
			id, slug, err := upsertNamed(ctx, w.c, "authors", au.Slug, au.Name)
			if err != nil {
				return err
			}
			au.ID, au.Slug = id, slug
			if !seen[id] {
				seen[id] = true
				authors = append(authors, a.ID, id, i)
			}
		}
		clear(seen)
		for i := range a.Tags {
			t := &a.Tags[i]
			id, slug, err := upsertNamed(ctx, w.c, "tags", t.Slug, t.Name)
			if err != nil {
				return err
			}
			t.ID, t.Slug = id, slug
			if !seen[id] {
				seen[id] = true
				tags = append(tags, a.ID, id, i)
			}
		}
		clear(seen)
		for i := range a.Sections {
			sec := &a.Sections[i]
			id, slug, err := upsertNamed(ctx, w.c, "sections", sec.Slug, sec.Name)
			if err != nil {
				return err
			}
			sec.ID, sec.Slug = id, slug
			if !seen[id] {
				seen[id] = true
				sections = append(sections, a.ID, id, i)
			}
		}
	}
	for _, link := range []struct {
		table, column string
		rows          []any
	}{{"article_authors", "author_id", authors}, {"article_tags", "tag_id", tags}, {"article_sections", "section_id", sections}} {
		for len(link.rows) > 0 {
			chunk := link.rows[:min(len(link.rows), 3*300)]
			link.rows = link.rows[len(chunk):]
			q := `INSERT INTO ` + link.table + ` (article_id, ` + link.column + `, position) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)/3), ", ")
			if _, err := w.c.ExecContext(ctx, q, chunk...); err != nil {
				return fmt.Errorf("link %s: %w", link.table, err)
			}
		}
	}
	for _, p := range pending {
		if err := addOldPaths(ctx, w.c, p.rec.Article, p.rec.OldPaths); err != nil {
			return err
		}
	}
	return touchSite(ctx, w.c, w.now)
}
