package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/articlerules"
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
	if f.Section != nil {
		where = append(where, `EXISTS (SELECT 1 FROM article_sections asn WHERE asn.article_id = a.id AND asn.section_id IN (
			WITH RECURSIVE subtree (id) AS (SELECT id FROM sections WHERE slug = ?
				UNION SELECT s.id FROM sections s JOIN subtree ON s.parent_id = subtree.id)
			SELECT id FROM subtree))`)
		args = append(args, *f.Section)
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

// dbtx is what the write helpers need of a transaction: a *sql.Tx, or an
// importTx over one for imports.
type dbtx interface {
	querier
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// attachPeople loads the authors, tags and sections of articles, with one
// query.
func (s *ArticleService) attachPeople(ctx context.Context, q querier, articles []*byline.Article) error {
	if len(articles) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.Article, len(articles))
	ids := make([]int64, len(articles))
	for i, a := range articles {
		byID[a.ID] = a
		a.Authors, a.Tags, a.Sections = nil, nil, nil
		ids[i] = a.ID
	}
	rows, err := q.QueryContext(ctx, `SELECT 0, aa.article_id, aa.position, au.id, au.slug, au.name FROM article_authors aa
		JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (SELECT value FROM json_each(?1))
		UNION ALL
		SELECT 1, at.article_id, at.position, t.id, t.slug, t.name FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (SELECT value FROM json_each(?1))
		UNION ALL
		SELECT 2, asn.article_id, asn.position, s.id, s.slug, s.name FROM article_sections asn
		JOIN sections s ON s.id = asn.section_id WHERE asn.article_id IN (SELECT value FROM json_each(?1))
		ORDER BY 1, 2, 3`, idJSON(ids))
	if err != nil {
		return fmt.Errorf("load article people: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			kind, articleID, position, id int64
			slug, name                    string
		)
		if err := rows.Scan(&kind, &articleID, &position, &id, &slug, &name); err != nil {
			return fmt.Errorf("scan article people: %w", err)
		}
		a := byID[articleID]
		switch kind {
		case 0:
			a.Authors = append(a.Authors, byline.Author{ID: id, Slug: slug, Name: name})
		case 1:
			a.Tags = append(a.Tags, byline.Tag{ID: id, Slug: slug, Name: name})
		default:
			a.Sections = append(a.Sections, byline.Section{ID: id, Slug: slug, Name: name})
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

// setPeople replaces the article's authors, tags and sections, creating
// those that do not exist yet (matched by slug).
func (s *ArticleService) setPeople(ctx context.Context, tx dbtx, a *byline.Article, fresh bool) error {
	if !fresh { // a new article has nothing to clear
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = ?`, a.ID); err != nil {
			return fmt.Errorf("clear authors: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, a.ID); err != nil {
			return fmt.Errorf("clear tags: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM article_sections WHERE article_id = ?`, a.ID); err != nil {
			return fmt.Errorf("clear sections: %w", err)
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
	clear(seen)
	for i := range a.Sections {
		sec := &a.Sections[i]
		id, slug, err := upsertNamed(ctx, tx, "sections", sec.Slug, sec.Name)
		if err != nil {
			return err
		}
		sec.ID, sec.Slug = id, slug
		if seen[id] {
			continue
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_sections (article_id, section_id, position) VALUES (?, ?, ?)`, a.ID, id, i); err != nil {
			return fmt.Errorf("link section: %w", err)
		}
	}
	return nil
}

// upsertNamed finds or creates an author, tag or section by slug; table is
// one of three constants, never input.
func upsertNamed(ctx context.Context, tx dbtx, table, slug, name string) (int64, string, error) {
	name = strings.TrimSpace(name)
	if slug == "" {
		slug = byline.SlugOrUntitled(name)
	}
	if name == "" {
		name = slug // a section named only by its slug
	}
	c, bulk := tx.(*importTx)
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
		if c, ok := tx.(*importTx); ok && c.reserved[candidate] {
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
	if c, ok := tx.(*importTx); ok {
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

// prepare validates a and renders its body, before any transaction starts,
// so the write lock is held only for the writes.
func (s *ArticleService) prepare(a *byline.Article) error {
	return articlerules.Prepare(a, s.db.markdown, time.Millisecond)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
