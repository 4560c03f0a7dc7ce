package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/bulkimport"
)

var _ byline.ArticleService = (*ArticleService)(nil)

// ArticleService implements byline.ArticleService on SQLite.
type ArticleService struct {
	db *DB
}

// NewArticleService returns the article service of db.
func NewArticleService(db *DB) *ArticleService { return &ArticleService{db: db} }

const articleColumns = `a.id, a.slug, a.headline, a.dek, a.body, a.body_html, a.body_text, a.status,
	a.published_at, a.created_at, a.updated_at, a.source_url, a.feature_image_url, a.version`

// articleMetadataColumns are articleColumns with empty bodies, for lists
// that need no text; scanArticle reads both.
const articleMetadataColumns = `a.id, a.slug, a.headline, a.dek, '', '', '', a.status,
	a.published_at, a.created_at, a.updated_at, a.source_url, a.feature_image_url, a.version`

type rowScanner interface{ Scan(dest ...any) error }

func scanArticle(row rowScanner) (*byline.Article, error) {
	var (
		a                           byline.Article
		published, created, updated sql.NullInt64
		sourceURL                   sql.NullString
		status                      string
	)
	err := row.Scan(&a.ID, &a.Slug, &a.Headline, &a.Dek, &a.Body, &a.BodyHTML, &a.BodyText, &status,
		&published, &created, &updated, &sourceURL, &a.FeatureImageURL, &a.Version)
	if err != nil {
		return nil, err
	}
	a.Status = byline.Status(status)
	a.PublishedAt, a.CreatedAt, a.UpdatedAt = fromMillis(published), fromMillis(created), fromMillis(updated)
	a.SourceURL = sourceURL.String
	return &a, nil
}

// FindBySlug returns the visible article with the given slug.
func (s *ArticleService) FindBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	row := s.db.read.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a
		WHERE a.slug = ? AND a.live_at <= ?`, slug, s.db.now().UnixMilli())
	return s.findOne(ctx, row, "No article at %q.", slug)
}

// FindByID returns the article with the given ID, visible or not.
func (s *ArticleService) FindByID(ctx context.Context, id int64) (*byline.Article, error) {
	row := s.db.read.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = ?`, id)
	return s.findOne(ctx, row, "No article with ID %v.", id)
}

func (s *ArticleService) findOne(ctx context.Context, row *sql.Row, notFound string, key any) (*byline.Article, error) {
	a, err := scanArticle(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, notFound, key)
	} else if err != nil {
		return nil, fmt.Errorf("find article %v: %w", key, err)
	}
	if err := s.attachPeople(ctx, s.db.prepared, []*byline.Article{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// Find returns the articles matching f, newest first, and the total.
func (s *ArticleService) Find(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, int, error) {
	var (
		where []string
		args  []any
	)
	if !f.IncludeHidden {
		where, args = append(where, "a.live_at <= ?"), append(args, s.db.now().UnixMilli())
	}
	if f.Status != nil {
		where, args = append(where, "a.status = ?"), append(args, string(*f.Status))
	}
	if f.Tag != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id AND t.slug = ?)")
		args = append(args, *f.Tag)
	}
	if f.Author != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = ?)")
		args = append(args, *f.Author)
	}
	if f.ExcludeID != 0 {
		where, args = append(where, "a.id != ?"), append(args, f.ExcludeID)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// Visible articles sort on the indexed live_at; the newsroom's list,
	// with drafts, falls back to the creation time for those.
	order := " ORDER BY a.live_at DESC, a.id DESC"
	if f.IncludeHidden {
		order = " ORDER BY coalesce(a.published_at, a.created_at) DESC, a.id DESC"
	}
	if f.OrderByID {
		order = " ORDER BY a.id"
	}
	columns := articleColumns
	if f.MetadataOnly {
		columns = articleMetadataColumns
	}

	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM articles a`+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count articles: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	q := `SELECT ` + columns + ` FROM articles a` + cond + order + ` LIMIT ? OFFSET ?`
	args = append(args, limit, max(f.Offset, 0))
	var articles []*byline.Article
	var err error
	if f.MetadataOnly {
		articles, err = s.queryWithoutPeople(ctx, q, args...)
	} else {
		articles, err = s.query(ctx, q, args...)
	}
	if err != nil {
		return nil, 0, err
	}
	return articles, total, nil
}

// Recent returns up to n of the latest visible articles except excludeID.
func (s *ArticleService) Recent(ctx context.Context, n int, excludeID int64) ([]*byline.Article, error) {
	return s.query(ctx, `SELECT `+articleColumns+` FROM articles a
		WHERE a.live_at <= ? AND a.id != ? ORDER BY a.live_at DESC, a.id DESC LIMIT ?`,
		s.db.now().UnixMilli(), excludeID, n)
}

func (s *ArticleService) query(ctx context.Context, q string, args ...any) ([]*byline.Article, error) {
	articles, err := s.queryWithoutPeople(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	if err := s.attachPeople(ctx, s.db.prepared, articles); err != nil {
		return nil, err
	}
	return articles, nil
}

func (s *ArticleService) queryWithoutPeople(ctx context.Context, q string, args ...any) ([]*byline.Article, error) {
	rows, err := s.db.prepared.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query articles: %w", err)
	}
	defer rows.Close()
	var articles []*byline.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("scan article: %w", err)
		}
		articles = append(articles, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query articles: %w", err)
	}
	return articles, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// dbtx is what the write helpers need of a transaction: a *sql.Tx, or a
// stmtCache over one for bulk imports.
type dbtx interface {
	querier
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// attachPeople loads the authors and tags of articles, with one query.
func (s *ArticleService) attachPeople(ctx context.Context, q querier, articles []*byline.Article) error {
	if len(articles) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.Article, len(articles))
	ids := make([]int64, len(articles))
	for i, a := range articles {
		byID[a.ID] = a
		a.Authors, a.Tags = nil, nil
		ids[i] = a.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT 0, aa.article_id, aa.position, au.id, au.slug, au.name FROM article_authors aa
		JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (SELECT value FROM json_each(?1))
		UNION ALL
		SELECT 1, at.article_id, at.position, t.id, t.slug, t.name FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (SELECT value FROM json_each(?1))
		ORDER BY 1, 2, 3`, idJSON(ids))
	if err != nil {
		return fmt.Errorf("load article people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			tag                     bool
			articleID, position, id int64
			slug, name              string
		)
		if err := rows.Scan(&tag, &articleID, &position, &id, &slug, &name); err != nil {
			return fmt.Errorf("scan article people: %w", err)
		}
		a := byID[articleID]
		if tag {
			a.Tags = append(a.Tags, byline.Tag{ID: id, Slug: slug, Name: name})
		} else {
			a.Authors = append(a.Authors, byline.Author{ID: id, Slug: slug, Name: name})
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load article people: %w", err)
	}
	return nil
}

// idJSON formats IDs as a JSON array, for json_each: one statement text
// for any number of IDs, so that it can stay prepared.
func idJSON(ids []int64) string {
	b := make([]byte, 0, len(ids)*8+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// Create validates and stores a new article.
func (s *ArticleService) Create(ctx context.Context, a *byline.Article) error {
	if err := s.prepare(a); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		return s.insert(ctx, tx, a, now)
	})
}

// Import stores all the articles in one transaction, updating in place those
// that match an existing article's source URL or, without one, its slug.
func (s *ArticleService) Import(ctx context.Context, articles []*byline.Article) ([]byline.ImportResult, error) {
	return bulkimport.Slice(ctx, articles, s.ImportAll)
}

// prepare validates a and renders its body, before any transaction starts,
// so the write lock is held only for the writes.
func (s *ArticleService) prepare(a *byline.Article) error {
	if a.Status == "" {
		a.Status = byline.Draft
	}
	if err := a.Validate(); err != nil {
		return err
	}
	r, err := s.db.markdown.Render(a.Body)
	if err != nil {
		return fmt.Errorf("render body: %w", err)
	}
	a.BodyHTML, a.BodyText = r.HTML, r.Text
	a.PublishedAt = a.PublishedAt.UTC().Truncate(time.Millisecond)
	return nil
}

// findImportMatch returns the ID of the article a re-import of rec updates,
// or 0: the one with its import key, else its source URL, else (with
// neither, or a key made from its slug) an article with its slug and
// neither key nor source, as one made in the newsroom.
func (s *ArticleService) findImportMatch(ctx context.Context, tx dbtx, rec *byline.ArticleRecord) (int64, error) {
	a := rec.Article
	var id int64
	if rec.ImportKey != "" {
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE import_key = ?`, rec.ImportKey).Scan(&id)
		if err == nil || !errors.Is(err, sql.ErrNoRows) {
			return id, err
		}
	}
	var err error
	switch {
	case a.SourceURL != "":
		err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE source_url = ?`, a.SourceURL).Scan(&id)
	case rec.ImportKey != "" && !bulkimport.IsSlugKey(rec.ImportKey):
		return 0, nil
	default:
		slug := a.Slug
		if slug == "" {
			slug = byline.SlugOrUntitled(a.Headline)
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE slug = ? AND source_url IS NULL AND import_key IS NULL`, slug).Scan(&id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// liveAt is the article's place on the public timeline, or NULL for a draft.
func liveAt(a *byline.Article) sql.NullInt64 {
	if a.Status == byline.Draft {
		return sql.NullInt64{}
	}
	return millis(a.PublishedAt)
}

func (s *ArticleService) insert(ctx context.Context, tx dbtx, a *byline.Article, now time.Time) error {
	if a.Status == byline.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = now
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	} else {
		a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Millisecond)
	}
	a.UpdatedAt = now
	a.Version = 1
	slug, err := uniqueSlug(ctx, tx, a.Slug, a.Headline, 0)
	if err != nil {
		return err
	}
	a.Slug = slug
	res, err := tx.ExecContext(ctx, `INSERT INTO articles (slug, headline, dek, body, body_html, body_text, status,
		published_at, live_at, created_at, updated_at, source_url, feature_image_url, version)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
		millis(a.PublishedAt), liveAt(a), a.CreatedAt.UnixMilli(), a.UpdatedAt.UnixMilli(),
		nullString(a.SourceURL), a.FeatureImageURL, a.Version)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the source URL %q.", a.SourceURL)
	} else if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	if err := s.setPeople(ctx, tx, a, true); err != nil {
		return err
	}
	return touchSite(ctx, tx, now)
}

func (s *ArticleService) update(ctx context.Context, tx dbtx, id int64, a *byline.Article, now time.Time) error {
	old, err := scanArticle(tx.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = ?`, id))
	if err != nil {
		return fmt.Errorf("load article %d: %w", id, err)
	}
	a.ID, a.CreatedAt, a.Version = id, old.CreatedAt, old.Version+1
	a.UpdatedAt = now
	if a.Slug == "" {
		a.Slug = old.Slug // permalinks stay put across re-imports
	} else if a.Slug, err = uniqueSlug(ctx, tx, a.Slug, a.Headline, id); err != nil {
		return err
	}
	if a.Status == byline.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = old.PublishedAt
		if a.PublishedAt.IsZero() {
			a.PublishedAt = now
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE articles SET slug = ?, headline = ?, dek = ?, body = ?, body_html = ?,
		body_text = ?, status = ?, published_at = ?, live_at = ?, updated_at = ?, source_url = ?,
		feature_image_url = ?, version = ? WHERE id = ?`,
		a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
		millis(a.PublishedAt), liveAt(a), a.UpdatedAt.UnixMilli(), nullString(a.SourceURL),
		a.FeatureImageURL, a.Version, id)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the source URL %q.", a.SourceURL)
	} else if err != nil {
		return fmt.Errorf("update article %d: %w", id, err)
	}
	if err := s.setPeople(ctx, tx, a, false); err != nil {
		return err
	}
	return touchSite(ctx, tx, now)
}

// Delete removes an article.
func (s *ArticleService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete article %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return byline.Errorf(byline.NotFound, "No article with ID %d.", id)
		}
		return touchSite(ctx, tx, s.db.now())
	})
}

// lastModifiedQuery is the site's change clock: the last edit and the
// newest article that has come due.
const lastModifiedQuery = `SELECT
	(SELECT changed_at FROM site_state WHERE id = 1),
	(SELECT live_at FROM articles WHERE live_at <= ?1 ORDER BY live_at DESC LIMIT 1)`

// LastModified returns the later of the last edit and the newest article
// that has come due, so a scheduled article going live changes it too.
func (s *ArticleService) LastModified(ctx context.Context) (time.Time, error) {
	var changed, due sql.NullInt64
	err := s.db.lastModified.QueryRowContext(ctx, s.db.now().UnixMilli()).Scan(&changed, &due)
	if err != nil {
		return time.Time{}, fmt.Errorf("last modified: %w", err)
	}
	return fromMillis(sql.NullInt64{Int64: max(changed.Int64, due.Int64), Valid: true}), nil
}

// FindAuthor returns the author with the given slug.
func (s *ArticleService) FindAuthor(ctx context.Context, slug string) (*byline.Author, error) {
	var au byline.Author
	err := s.db.read.QueryRowContext(ctx, `SELECT id, slug, name FROM authors WHERE slug = ?`, slug).Scan(&au.ID, &au.Slug, &au.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No author at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find author %q: %w", slug, err)
	}
	return &au, nil
}

// FindTag returns the tag with the given slug.
func (s *ArticleService) FindTag(ctx context.Context, slug string) (*byline.Tag, error) {
	var t byline.Tag
	err := s.db.read.QueryRowContext(ctx, `SELECT id, slug, name FROM tags WHERE slug = ?`, slug).Scan(&t.ID, &t.Slug, &t.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No tag at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", slug, err)
	}
	return &t, nil
}

// setPeople replaces the article's authors and tags, creating those that do
// not exist yet (matched by slug).
func (s *ArticleService) setPeople(ctx context.Context, tx dbtx, a *byline.Article, fresh bool) error {
	if !fresh { // a new article has nothing to clear
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = ?`, a.ID); err != nil {
			return fmt.Errorf("clear authors: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, a.ID); err != nil {
			return fmt.Errorf("clear tags: %w", err)
		}
	}
	seen := map[int64]bool{}
	for i := range a.Authors {
		au := &a.Authors[i]
		id, slug, err := upsertNamed(ctx, tx, "authors", au.Slug, au.Name)
		if err != nil {
			return err
		}
		au.ID, au.Slug = id, slug
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES (?, ?, ?)`, a.ID, id, i); err != nil {
			return fmt.Errorf("link author: %w", err)
		}
	}
	clear(seen)
	for i := range a.Tags {
		t := &a.Tags[i]
		id, slug, err := upsertNamed(ctx, tx, "tags", t.Slug, t.Name)
		if err != nil {
			return err
		}
		t.ID, t.Slug = id, slug
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES (?, ?, ?)`, a.ID, id, i); err != nil {
			return fmt.Errorf("link tag: %w", err)
		}
	}
	return nil
}

// upsertNamed finds or creates an author or tag by slug; table is one of
// two constants, never input.
func upsertNamed(ctx context.Context, tx dbtx, table, slug, name string) (int64, string, error) {
	name = strings.TrimSpace(name)
	if slug == "" {
		slug = byline.SlugOrUntitled(name)
	}
	c, bulk := tx.(*stmtCache)
	if id, ok := c.named(table, slug); bulk && ok {
		return id, slug, nil
	}
	var id int64
	// Look first: most authors and tags exist already, and a read is much
	// cheaper than an upsert that rewrites the row.
	err := tx.QueryRowContext(ctx, `SELECT id FROM `+table+` WHERE slug = ?`, slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = tx.QueryRowContext(ctx, `INSERT INTO `+table+` (slug, name) VALUES (?, ?)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id`, slug, name).Scan(&id)
	}
	if err != nil {
		return 0, "", fmt.Errorf("save %s %q: %w", table, name, err)
	}
	if bulk {
		c.remember(table, slug, id)
	}
	return id, slug, nil
}

// uniqueSlug returns want (or the headline's slug) if no other article has
// it, else the first free of want-2, want-3, ...: deterministic for the same
// order of writes.
func uniqueSlug(ctx context.Context, tx dbtx, want, headline string, selfID int64) (string, error) {
	base := want
	if base == "" {
		base = byline.SlugOrUntitled(headline)
	}
	for n := 1; ; n++ {
		candidate := base
		if n > 1 {
			candidate = base + "-" + strconv.Itoa(n)
		}
		if c, ok := tx.(*stmtCache); ok && c.reserved[candidate] {
			continue // taken by an article waiting in a bulk insert
		}
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE slug = ?`, candidate).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && id == selfID) {
			return candidate, nil
		}
		if err != nil {
			return "", fmt.Errorf("check slug %q: %w", candidate, err)
		}
	}
}

// touchSite records that readers' content changed at now: the site's
// version moves past every earlier one, even within the same millisecond
// (or under a stopped test clock), so every cache keyed by it sees the
// change.
func touchSite(ctx context.Context, tx dbtx, now time.Time) error {
	if c, ok := tx.(*stmtCache); ok {
		// A bulk import has one now: once is enough.
		if c.touched {
			return nil
		}
		c.touched = true
	}
	_, err := tx.ExecContext(ctx, `UPDATE site_state SET changed_at = max(changed_at + 1, ?) WHERE id = 1`, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("touch site: %w", err)
	}
	return nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// ImportAll stores the records in one transaction. Reading and rendering
// run a batch ahead of the writes (bulkimport.RenderAhead), so parsing,
// Markdown and SQLite use the cores together; only the writes hold the
// write lock's connection.
func (s *ArticleService) ImportAll(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	if opts.DryRun {
		return s.importDryRun(ctx, records, opts, report)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		c := newStmtCache(tx)
		defer c.close()
		now := s.db.now()
		// A large import touches more pages than SQLite's default cache
		// (2 MB) holds, and every page pushed out is written to the WAL
		// before the commit, often more than once. 32 MB kept 100,000
		// articles' import a third faster here; larger caches were slower
		// (SQLite frees each cached page on its own).
		restore, err := c.setCacheSize(ctx, importCacheKiB)
		if err != nil {
			return err
		}
		defer restore()
		// The writes get a context without cancellation: the driver would
		// start a goroutine per statement to watch it. RenderAhead checks
		// cancellation once per article instead.
		w, err := s.newBulkWriter(context.WithoutCancel(ctx), c, now, opts, report)
		if err != nil {
			return err
		}
		if err := bulkimport.RenderAhead(ctx, records, s.prepare, w.add); err != nil {
			return err
		}
		return w.flush()
	})
}

// importOne creates or updates the article of rec, keeping its import key,
// its times from the source and its old paths: the way of an article
// that is not new, or of one a bulk insert could not take.
func (s *ArticleService) importOne(ctx context.Context, c *stmtCache, rec *byline.ArticleRecord, now time.Time, savepoint bool) (created bool, err error) {
	if savepoint {
		if _, err := c.ExecContext(ctx, `SAVEPOINT import_article`); err != nil {
			return false, fmt.Errorf("savepoint: %w", err)
		}
		defer func() {
			if err != nil {
				if _, rerr := c.ExecContext(ctx, `ROLLBACK TO import_article`); rerr != nil {
					err = errors.Join(err, rerr)
				}
				c.forget()
			}
			if _, rerr := c.ExecContext(ctx, `RELEASE import_article`); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}()
	}
	a := rec.Article
	updatedAt := a.UpdatedAt
	id, err := s.findImportMatch(ctx, c, rec)
	if err != nil {
		return false, fmt.Errorf("find article to update: %w", err)
	}
	if id == 0 {
		err = s.insert(ctx, c, a, now)
		c.nextID = max(c.nextID, a.ID+1)
	} else {
		err = s.update(ctx, c, id, a, now)
	}
	if err != nil {
		return false, err
	}
	if rec.ImportKey != "" || !updatedAt.IsZero() {
		if !updatedAt.IsZero() {
			a.UpdatedAt = updatedAt.UTC().Truncate(time.Millisecond)
		}
		_, err := c.ExecContext(ctx, `UPDATE articles SET import_key = coalesce(?, import_key), updated_at = ? WHERE id = ?`,
			nullString(rec.ImportKey), a.UpdatedAt.UnixMilli(), a.ID)
		if isUniqueViolation(err) {
			return false, byline.Errorf(byline.Conflict, "Another article already has the import key %q.", rec.ImportKey)
		} else if err != nil {
			return false, fmt.Errorf("set import key: %w", err)
		}
	}
	if err := addOldPaths(ctx, c, a, rec.OldPaths); err != nil {
		return false, err
	}
	return id == 0, nil
}

// importDryRun reports what ImportAll would do, reading only: an article
// whose key matches one stored, or one earlier in the same run, would be
// updated; any other would be created.
func (s *ArticleService) importDryRun(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, report func(byline.ImportResult) error) error {
	find := func(ctx context.Context, rec *byline.ArticleRecord) (int64, error) {
		return s.findImportMatch(ctx, s.db.read, rec)
	}
	return bulkimport.DryRun(ctx, records, opts, s.db.now(), find, report)
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

// stmtCache prepares each statement once per transaction: a bulk import
// runs the same dozen statements for every article, and parsing them again
// each time would cost more than running them. It also remembers, for the
// transaction, the IDs of the authors and tags it has seen, and whether the
// site's change time is set.
type stmtCache struct {
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	ids     map[string]int64 // table NUL slug → id
	touched bool

	// reserved are the slugs of articles waiting in a bulk insert; nextID
	// is the ID the next of them gets.
	reserved map[string]bool
	nextID   int64
}

func (c *stmtCache) named(table, slug string) (int64, bool) {
	if c == nil {
		return 0, false
	}
	id, ok := c.ids[table+"\x00"+slug]
	return id, ok
}

func (c *stmtCache) remember(table, slug string, id int64) {
	if c.ids == nil {
		c.ids = map[string]int64{}
	}
	c.ids[table+"\x00"+slug] = id
}

// forget drops what the cache remembers of rows, after a rollback to a
// savepoint may have undone them.
func (c *stmtCache) forget() {
	clear(c.ids)
	c.touched = false
}

func newStmtCache(tx *sql.Tx) *stmtCache { return &stmtCache{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (c *stmtCache) prepared(ctx context.Context, q string) (*sql.Stmt, error) {
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

func (c *stmtCache) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (c *stmtCache) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := c.prepared(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
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
func (c *stmtCache) setCacheSize(ctx context.Context, kib int) (restore func(), err error) {
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

func (c *stmtCache) close() {
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
	s      *ArticleService
	c      *stmtCache
	ctx    context.Context
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

func (s *ArticleService) newBulkWriter(ctx context.Context, c *stmtCache, now time.Time, opts byline.ImportOptions, report func(byline.ImportResult) error) (*bulkWriter, error) {
	// The write lock is held: no one else can take IDs until the commit.
	if err := c.tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) + 1 FROM articles`).Scan(&c.nextID); err != nil {
		return nil, fmt.Errorf("next article ID: %w", err)
	}
	c.reserved = map[string]bool{}
	return &bulkWriter{s: s, c: c, ctx: ctx, now: now, opts: opts, report: report, keys: map[string]bool{}}, nil
}

// add writes, or queues, one record.
func (w *bulkWriter) add(p bulkimport.Prepared) error {
	w.n++
	rec := p.Rec
	if p.Err != nil {
		// Those waiting come first: results are reported in input order.
		if err := w.flush(); err != nil {
			return err
		}
		return w.refuse(rec, w.n, p.Err)
	}
	bulkimport.KeyBySlug(rec)
	for _, k := range bulkimport.MatchKeys(rec) {
		if w.keys[k] {
			// It would update an article still waiting: write those first.
			if err := w.flush(); err != nil {
				return err
			}
			break
		}
	}
	id, err := w.s.findImportMatch(w.ctx, w.c, rec)
	if err != nil {
		return fmt.Errorf("article %d (%q): find article to update: %w", w.n, rec.Article.Headline, err)
	}
	if id != 0 {
		if err := w.flush(); err != nil {
			return err
		}
		return w.one(rec, w.n)
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
	if a.Slug, err = uniqueSlug(w.ctx, w.c, a.Slug, a.Headline, 0); err != nil {
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
	w.pending = append(w.pending, pendingArticle{rec: rec, n: w.n})
	if len(w.pending) == bulkRows {
		return w.flush()
	}
	return nil
}

// one writes one record on its own and reports it.
func (w *bulkWriter) one(rec *byline.ArticleRecord, n int) error {
	created, err := w.s.importOne(w.ctx, w.c, rec, w.now, w.opts.SkipBad)
	if err != nil {
		return w.refuse(rec, n, err)
	}
	return w.report(byline.ImportResult{Article: rec.Article, Created: created})
}

// refuse ends the import with err, or, with SkipBad and an error about the
// article itself, reports it and goes on.
func (w *bulkWriter) refuse(rec *byline.ArticleRecord, n int, err error) error {
	err = fmt.Errorf("article %d (%q): %w", n, rec.Article.Headline, err)
	if kind := byline.ErrorKind(err); !w.opts.SkipBad || (kind != byline.Invalid && kind != byline.Conflict) {
		return err
	}
	return w.report(byline.ImportResult{Article: rec.Article, Err: err})
}

// flush inserts the waiting articles and reports them. With SkipBad, a
// failure rolls the batch back and writes its articles one by one, so that
// only the bad one is left out.
func (w *bulkWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	pending := w.pending
	w.pending = nil
	clear(w.keys)
	clear(w.c.reserved)
	if w.opts.SkipBad {
		if _, err := w.c.ExecContext(w.ctx, `SAVEPOINT import_batch`); err != nil {
			return fmt.Errorf("savepoint: %w", err)
		}
	}
	err := w.insertAll(pending)
	if w.opts.SkipBad {
		if err != nil {
			if _, rerr := w.c.ExecContext(w.ctx, `ROLLBACK TO import_batch`); rerr != nil {
				return errors.Join(err, rerr)
			}
			w.c.forget()
		}
		if _, rerr := w.c.ExecContext(w.ctx, `RELEASE import_batch`); rerr != nil {
			return errors.Join(err, rerr)
		}
		if err != nil {
			for _, p := range pending {
				p.rec.Article.ID = 0
				if err := w.one(p.rec, p.n); err != nil {
					return err
				}
			}
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("articles %d to %d: %w", pending[0].n, pending[len(pending)-1].n, err)
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
func (w *bulkWriter) insertAll(pending []pendingArticle) error {
	args := make([]any, 0, 16*len(pending))
	for _, p := range pending {
		a := p.rec.Article
		args = append(args, a.ID, a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
			millis(a.PublishedAt), liveAt(a), a.CreatedAt.UnixMilli(), a.UpdatedAt.UnixMilli(),
			nullString(a.SourceURL), a.FeatureImageURL, a.Version, nullString(p.rec.ImportKey))
	}
	q := articleInsertColumns + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", len(pending)), ", ")
	if _, err := w.c.ExecContext(w.ctx, q, args...); isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Two articles have the same source URL, import key or slug.")
	} else if err != nil {
		return fmt.Errorf("insert articles: %w", err)
	}
	var authors, tags []any
	for _, p := range pending {
		a := p.rec.Article
		seen := map[int64]bool{}
		for i := range a.Authors {
			au := &a.Authors[i]
			id, slug, err := upsertNamed(w.ctx, w.c, "authors", au.Slug, au.Name)
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
			id, slug, err := upsertNamed(w.ctx, w.c, "tags", t.Slug, t.Name)
			if err != nil {
				return err
			}
			t.ID, t.Slug = id, slug
			if !seen[id] {
				seen[id] = true
				tags = append(tags, a.ID, id, i)
			}
		}
	}
	for _, link := range []struct {
		table, column string
		rows          []any
	}{{"article_authors", "author_id", authors}, {"article_tags", "tag_id", tags}} {
		for len(link.rows) > 0 {
			chunk := link.rows[:min(len(link.rows), 3*300)]
			link.rows = link.rows[len(chunk):]
			q := `INSERT INTO ` + link.table + ` (article_id, ` + link.column + `, position) VALUES ` +
				strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(chunk)/3), ", ")
			if _, err := w.c.ExecContext(w.ctx, q, chunk...); err != nil {
				return fmt.Errorf("link %s: %w", link.table, err)
			}
		}
	}
	for _, p := range pending {
		if err := addOldPaths(w.ctx, w.c, p.rec.Article, p.rec.OldPaths); err != nil {
			return err
		}
	}
	return touchSite(w.ctx, w.c, w.now)
}
