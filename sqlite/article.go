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
	if err := s.attachPeople(ctx, s.db.read, []*byline.Article{a}); err != nil {
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
	if err := s.attachPeople(ctx, s.db.read, articles); err != nil {
		return nil, err
	}
	return articles, nil
}

func (s *ArticleService) queryWithoutPeople(ctx context.Context, q string, args ...any) ([]*byline.Article, error) {
	rows, err := s.db.read.QueryContext(ctx, q, args...)
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

// attachPeople loads the authors and tags of articles with one query each.
func (s *ArticleService) attachPeople(ctx context.Context, q querier, articles []*byline.Article) error {
	if len(articles) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.Article, len(articles))
	ids := make([]string, len(articles))
	for i, a := range articles {
		byID[a.ID] = a
		a.Authors, a.Tags = nil, nil
		ids[i] = strconv.FormatInt(a.ID, 10) // integers from our own rows: safe to inline
	}
	in := strings.Join(ids, ",")
	load := func(q2 string, add func(a *byline.Article, id int64, slug, name string)) error {
		rows, err := q.QueryContext(ctx, q2)
		if err != nil {
			return fmt.Errorf("load article people: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				articleID, id int64
				slug, name    string
			)
			if err := rows.Scan(&articleID, &id, &slug, &name); err != nil {
				return fmt.Errorf("scan article people: %w", err)
			}
			add(byID[articleID], id, slug, name)
		}
		return rows.Err()
	}
	if err := load(`SELECT aa.article_id, au.id, au.slug, au.name FROM article_authors aa
		JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN (`+in+`) ORDER BY aa.article_id, aa.position`,
		func(a *byline.Article, id int64, slug, name string) {
			a.Authors = append(a.Authors, byline.Author{ID: id, Slug: slug, Name: name})
		}); err != nil {
		return err
	}
	return load(`SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN (`+in+`) ORDER BY at.article_id, at.position`,
		func(a *byline.Article, id int64, slug, name string) {
			a.Tags = append(a.Tags, byline.Tag{ID: id, Slug: slug, Name: name})
		})
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
	for i, a := range articles {
		if err := s.prepare(a); err != nil {
			return nil, fmt.Errorf("article %d (%q): %w", i+1, a.Headline, err)
		}
	}
	results := make([]byline.ImportResult, 0, len(articles))
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		for i, a := range articles {
			existing, err := s.findImportMatch(ctx, tx, a)
			if err != nil {
				return fmt.Errorf("article %d (%q): %w", i+1, a.Headline, err)
			}
			if existing == 0 {
				if err := s.insert(ctx, tx, a, now); err != nil {
					return fmt.Errorf("article %d (%q): %w", i+1, a.Headline, err)
				}
				results = append(results, byline.ImportResult{Article: a, Created: true})
				continue
			}
			if err := s.update(ctx, tx, existing, a, now); err != nil {
				return fmt.Errorf("article %d (%q): %w", i+1, a.Headline, err)
			}
			results = append(results, byline.ImportResult{Article: a})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
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

// findImportMatch returns the ID of the article a re-import of a updates, or 0.
func (s *ArticleService) findImportMatch(ctx context.Context, tx *sql.Tx, a *byline.Article) (int64, error) {
	var (
		id  int64
		err error
	)
	if a.SourceURL != "" {
		err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE source_url = ?`, a.SourceURL).Scan(&id)
	} else {
		slug := a.Slug
		if slug == "" {
			slug = slugOrDefault(a.Headline)
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM articles WHERE slug = ? AND source_url IS NULL`, slug).Scan(&id)
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

func (s *ArticleService) insert(ctx context.Context, tx *sql.Tx, a *byline.Article, now time.Time) error {
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
	if err := s.setPeople(ctx, tx, a); err != nil {
		return err
	}
	return touchSite(ctx, tx, now)
}

func (s *ArticleService) update(ctx context.Context, tx *sql.Tx, id int64, a *byline.Article, now time.Time) error {
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
	if err := s.setPeople(ctx, tx, a); err != nil {
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

// LastModified returns the later of the last edit and the newest article
// that has come due, so a scheduled article going live changes it too.
func (s *ArticleService) LastModified(ctx context.Context) (time.Time, error) {
	var changed, due sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, `SELECT
		(SELECT changed_at FROM site_state WHERE id = 1),
		(SELECT live_at FROM articles WHERE live_at <= ?1 ORDER BY live_at DESC LIMIT 1)`,
		s.db.now().UnixMilli()).Scan(&changed, &due)
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
func (s *ArticleService) setPeople(ctx context.Context, tx *sql.Tx, a *byline.Article) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_authors WHERE article_id = ?`, a.ID); err != nil {
		return fmt.Errorf("clear authors: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_tags WHERE article_id = ?`, a.ID); err != nil {
		return fmt.Errorf("clear tags: %w", err)
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
func upsertNamed(ctx context.Context, tx *sql.Tx, table, slug, name string) (int64, string, error) {
	name = strings.TrimSpace(name)
	if slug == "" {
		slug = slugOrDefault(name)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO `+table+` (slug, name) VALUES (?, ?)
		ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id`, slug, name).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("save %s %q: %w", table, name, err)
	}
	return id, slug, nil
}

// uniqueSlug returns want (or the headline's slug) if no other article has
// it, else the first free of want-2, want-3, ...: deterministic for the same
// order of writes.
func uniqueSlug(ctx context.Context, tx *sql.Tx, want, headline string, selfID int64) (string, error) {
	base := want
	if base == "" {
		base = slugOrDefault(headline)
	}
	for n := 1; ; n++ {
		candidate := base
		if n > 1 {
			candidate = base + "-" + strconv.Itoa(n)
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

func slugOrDefault(s string) string {
	if slug := byline.Slugify(s); slug != "" {
		return slug
	}
	return "untitled"
}

// touchSite records that readers' content changed at now.
func touchSite(ctx context.Context, tx *sql.Tx, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE site_state SET changed_at = max(changed_at, ?) WHERE id = 1`, now.UnixMilli())
	if err != nil {
		return fmt.Errorf("touch site: %w", err)
	}
	return nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
