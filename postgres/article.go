package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/articlerules"
)

var _ byline.ArticleService = (*ArticleService)(nil)

// ArticleService implements byline.ArticleService on PostgreSQL.
type ArticleService struct {
	db *DB
}

// NewArticleService returns the article service of db.
func NewArticleService(db *DB) *ArticleService { return &ArticleService{db: db} }

const articleColumns = `a.id, a.slug, a.headline, a.dek, a.body, a.body_html, a.body_text, a.status,
	a.published_at, a.created_at, a.updated_at, a.source_url, a.feature_image_url, a.version`

// articleMetadataColumns are articleColumns with empty bodies.
const articleMetadataColumns = `a.id, a.slug, a.headline, a.dek, '', '', '', a.status,
	a.published_at, a.created_at, a.updated_at, a.source_url, a.feature_image_url, a.version`

func scanArticle(row pgx.Row) (*byline.Article, error) {
	var (
		a         byline.Article
		published *time.Time
		sourceURL *string
		status    string
	)
	err := row.Scan(&a.ID, &a.Slug, &a.Headline, &a.Dek, &a.Body, &a.BodyHTML, &a.BodyText, &status,
		&published, &a.CreatedAt, &a.UpdatedAt, &sourceURL, &a.FeatureImageURL, &a.Version)
	if err != nil {
		return nil, err
	}
	a.Status = byline.Status(status)
	if published != nil {
		a.PublishedAt = published.UTC()
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	if sourceURL != nil {
		a.SourceURL = *sourceURL
	}
	return &a, nil
}

// FindBySlug returns the visible article with the given slug.
func (s *ArticleService) FindBySlug(ctx context.Context, slug string) (*byline.Article, error) {
	row := s.db.pool.QueryRow(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.slug = $1 AND a.live_at <= $2`, slug, s.db.now())
	return s.findOne(ctx, row, "No article at %q.", slug)
}

// FindByID returns the article with the given ID, visible or not.
func (s *ArticleService) FindByID(ctx context.Context, id int64) (*byline.Article, error) {
	row := s.db.pool.QueryRow(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = $1`, id)
	return s.findOne(ctx, row, "No article with ID %v.", id)
}

func (s *ArticleService) findOne(ctx context.Context, row pgx.Row, notFound string, key any) (*byline.Article, error) {
	a, err := scanArticle(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, notFound, key)
	} else if err != nil {
		return nil, fmt.Errorf("find article %v: %w", key, err)
	}
	if err := s.attachPeople(ctx, s.db.pool, []*byline.Article{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// args collects query arguments and hands out their $n placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// Find returns the articles matching f, newest first, and the total.
func (s *ArticleService) Find(ctx context.Context, f byline.ArticleFilter) ([]*byline.Article, int, error) {
	var (
		where []string
		a     args
	)
	if !f.IncludeHidden {
		where = append(where, "a.live_at <= "+a.add(s.db.now()))
	}
	if f.Status != nil {
		where = append(where, "a.status = "+a.add(string(*f.Status)))
	}
	if f.Tag != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id AND t.slug = "+a.add(*f.Tag)+")")
	}
	if f.Author != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = "+a.add(*f.Author)+")")
	}
	if f.Section != nil {
		where = append(where, `EXISTS (SELECT 1 FROM article_sections asn WHERE asn.article_id = a.id AND asn.section_id IN (
			WITH RECURSIVE subtree (id) AS (SELECT id FROM sections WHERE slug = `+a.add(*f.Section)+`
				UNION SELECT s.id FROM sections s JOIN subtree ON s.parent_id = subtree.id)
			SELECT id FROM subtree))`)
	}
	if f.ExcludeID != 0 {
		where = append(where, "a.id != "+a.add(f.ExcludeID))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	order := " ORDER BY a.live_at DESC, a.id DESC"
	switch {
	case f.OrderByID:
		order = " ORDER BY a.id"
	case f.IncludeHidden:
		order = " ORDER BY coalesce(a.published_at, a.created_at) DESC, a.id DESC"
	}
	var total int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM articles a`+cond, a...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count articles: %w", err)
	}
	columns := articleColumns
	if f.MetadataOnly {
		columns = articleMetadataColumns
	}
	q := `SELECT ` + columns + ` FROM articles a` + cond + order
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	q += " OFFSET " + a.add(max(f.Offset, 0))
	articles, err := s.queryWithoutPeople(ctx, q, a...)
	if err != nil {
		return nil, 0, err
	}
	if !f.MetadataOnly {
		if err := s.attachPeople(ctx, s.db.pool, articles); err != nil {
			return nil, 0, err
		}
	}
	return articles, total, nil
}

// Recent returns up to n of the latest visible articles except excludeID.
func (s *ArticleService) Recent(ctx context.Context, n int, excludeID int64) ([]*byline.Article, error) {
	articles, err := s.queryWithoutPeople(ctx, `SELECT `+articleColumns+` FROM articles a
		WHERE a.live_at <= $1 AND a.id != $2 ORDER BY a.live_at DESC, a.id DESC LIMIT $3`, s.db.now(), excludeID, n)
	if err != nil {
		return nil, err
	}
	return articles, s.attachPeople(ctx, s.db.pool, articles)
}

func (s *ArticleService) queryWithoutPeople(ctx context.Context, q string, args ...any) ([]*byline.Article, error) {
	rows, err := s.db.pool.Query(ctx, q, args...)
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

type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// attachPeople loads the authors, tags and sections of articles with one
// query each.
func (s *ArticleService) attachPeople(ctx context.Context, q rowsQuerier, articles []*byline.Article) error {
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
	load := func(sql string, add func(a *byline.Article, id int64, slug, name string)) error {
		rows, err := q.Query(ctx, sql, ids)
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
		JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = ANY($1) ORDER BY aa.article_id, aa.position`,
		func(a *byline.Article, id int64, slug, name string) {
			a.Authors = append(a.Authors, byline.Author{ID: id, Slug: slug, Name: name})
		}); err != nil {
		return err
	}
	if err := load(`SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at
		JOIN tags t ON t.id = at.tag_id WHERE at.article_id = ANY($1) ORDER BY at.article_id, at.position`,
		func(a *byline.Article, id int64, slug, name string) {
			a.Tags = append(a.Tags, byline.Tag{ID: id, Slug: slug, Name: name})
		}); err != nil {
		return err
	}
	return load(`SELECT asn.article_id, s.id, s.slug, s.name FROM article_sections asn
		JOIN sections s ON s.id = asn.section_id WHERE asn.article_id = ANY($1) ORDER BY asn.article_id, asn.position`,
		func(a *byline.Article, id int64, slug, name string) {
			a.Sections = append(a.Sections, byline.Section{ID: id, Slug: slug, Name: name})
		})
}

// Create validates and stores a new article.
func (s *ArticleService) Create(ctx context.Context, a *byline.Article) error {
	if err := s.prepare(a); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		return s.insert(ctx, &writer{Tx: tx}, a, s.db.now())
	})
}

// prepare validates a and renders its body, before any transaction starts,
// so that locks are held only for the writes.
func (s *ArticleService) prepare(a *byline.Article) error {
	return articlerules.Prepare(a, s.db.markdown, time.Microsecond)
}

// liveAt is the article's place on the public timeline, or NULL for a draft.
func liveAt(a *byline.Article) any {
	if a.Status == byline.Draft {
		return nil
	}
	return nullTime(a.PublishedAt)
}

func (s *ArticleService) insert(ctx context.Context, w *writer, a *byline.Article, now time.Time) error {
	if a.Status == byline.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = now
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	} else {
		a.CreatedAt = a.CreatedAt.UTC().Truncate(time.Microsecond)
	}
	a.UpdatedAt = now
	a.Version = 1
	slug, err := uniqueSlug(ctx, w, a.Slug, a.Headline, 0)
	if err != nil {
		return err
	}
	a.Slug = slug
	err = w.QueryRow(ctx, `INSERT INTO articles (slug, headline, dek, body, body_html, body_text, status,
		published_at, live_at, created_at, updated_at, source_url, feature_image_url, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
		nullTime(a.PublishedAt), liveAt(a), a.CreatedAt, a.UpdatedAt,
		nullString(a.SourceURL), a.FeatureImageURL, a.Version).Scan(&a.ID)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the source URL %q.", a.SourceURL)
	} else if err != nil {
		return fmt.Errorf("insert article: %w", err)
	}
	if err := setPeople(ctx, w, a, true); err != nil {
		return err
	}
	return touchSite(ctx, w, now)
}

func (s *ArticleService) update(ctx context.Context, w *writer, id int64, a *byline.Article, now time.Time) error {
	old, err := scanArticle(w.QueryRow(ctx, `SELECT `+articleColumns+` FROM articles a WHERE a.id = $1 FOR UPDATE`, id))
	if err != nil {
		return fmt.Errorf("load article %d: %w", id, err)
	}
	a.ID, a.CreatedAt, a.Version = id, old.CreatedAt, old.Version+1
	a.UpdatedAt = now
	if a.Slug == "" {
		a.Slug = old.Slug // permalinks stay put across re-imports
	} else if a.Slug, err = uniqueSlug(ctx, w, a.Slug, a.Headline, id); err != nil {
		return err
	}
	if a.Status == byline.Published && a.PublishedAt.IsZero() {
		a.PublishedAt = old.PublishedAt
		if a.PublishedAt.IsZero() {
			a.PublishedAt = now
		}
	}
	_, err = w.Exec(ctx, `UPDATE articles SET slug = $1, headline = $2, dek = $3, body = $4, body_html = $5,
		body_text = $6, status = $7, published_at = $8, live_at = $9, updated_at = $10, source_url = $11,
		feature_image_url = $12, version = $13 WHERE id = $14`,
		a.Slug, a.Headline, a.Dek, a.Body, a.BodyHTML, a.BodyText, string(a.Status),
		nullTime(a.PublishedAt), liveAt(a), a.UpdatedAt, nullString(a.SourceURL),
		a.FeatureImageURL, a.Version, id)
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another article already has the source URL %q.", a.SourceURL)
	} else if err != nil {
		return fmt.Errorf("update article %d: %w", id, err)
	}
	if err := setPeople(ctx, w, a, false); err != nil {
		return err
	}
	return touchSite(ctx, w, now)
}

// Delete removes an article.
func (s *ArticleService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM articles WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete article %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return byline.Errorf(byline.NotFound, "No article with ID %d.", id)
		}
		return touchSite(ctx, &writer{Tx: tx}, s.db.now())
	})
}

// LastModified returns the later of the last edit and the newest article
// that has come due.
func (s *ArticleService) LastModified(ctx context.Context) (time.Time, error) {
	var changed, due *time.Time
	err := s.db.pool.QueryRow(ctx, `SELECT
		(SELECT changed_at FROM site_state WHERE id = 1),
		(SELECT live_at FROM articles WHERE live_at <= $1 ORDER BY live_at DESC LIMIT 1)`, s.db.now()).Scan(&changed, &due)
	if err != nil {
		return time.Time{}, fmt.Errorf("last modified: %w", err)
	}
	var t time.Time
	if changed != nil {
		t = changed.UTC()
	}
	if due != nil && due.After(t) {
		t = due.UTC()
	}
	return t, nil
}

// FindAuthor returns the author with the given slug.
func (s *ArticleService) FindAuthor(ctx context.Context, slug string) (*byline.Author, error) {
	var au byline.Author
	err := s.db.pool.QueryRow(ctx, `SELECT id, slug, name FROM authors WHERE slug = $1`, slug).Scan(&au.ID, &au.Slug, &au.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No author at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find author %q: %w", slug, err)
	}
	return &au, nil
}

// FindTag returns the tag with the given slug.
func (s *ArticleService) FindTag(ctx context.Context, slug string) (*byline.Tag, error) {
	var t byline.Tag
	err := s.db.pool.QueryRow(ctx, `SELECT id, slug, name FROM tags WHERE slug = $1`, slug).Scan(&t.ID, &t.Slug, &t.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No tag at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find tag %q: %w", slug, err)
	}
	return &t, nil
}

// writer is the transaction the write helpers run in, with what a bulk
// import remembers from one article to the next.
type writer struct {
	pgx.Tx

	// bulk is set for an import, which takes the slug lock once, for the
	// whole transaction, and remembers what follows.
	bulk    bool
	ids     map[string]int64 // table NUL slug → ID of the authors and tags seen
	touched bool             // the site's change time is set
}

// forget drops what the writer remembers of rows, after a rollback to a
// savepoint may have undone them.
func (w *writer) forget() {
	clear(w.ids)
	w.touched = false
}

// setPeople replaces the article's authors, tags and sections, creating
// those that do not exist yet (matched by slug).
func setPeople(ctx context.Context, w *writer, a *byline.Article, fresh bool) error {
	if !fresh { // a new article has nothing to clear
		if _, err := w.Exec(ctx, `DELETE FROM article_authors WHERE article_id = $1`, a.ID); err != nil {
			return fmt.Errorf("clear authors: %w", err)
		}
		if _, err := w.Exec(ctx, `DELETE FROM article_tags WHERE article_id = $1`, a.ID); err != nil {
			return fmt.Errorf("clear tags: %w", err)
		}
		if _, err := w.Exec(ctx, `DELETE FROM article_sections WHERE article_id = $1`, a.ID); err != nil {
			return fmt.Errorf("clear sections: %w", err)
		}
	}
	for i := range a.Authors {
		au := &a.Authors[i]
		id, slug, err := upsertNamed(ctx, w, "authors", au.Slug, au.Name)
		if err != nil {
			return err
		}
		au.ID, au.Slug = id, slug
		if _, err := w.Exec(ctx, `INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, a.ID, id, i); err != nil {
			return fmt.Errorf("link author: %w", err)
		}
	}
	for i := range a.Tags {
		t := &a.Tags[i]
		id, slug, err := upsertNamed(ctx, w, "tags", t.Slug, t.Name)
		if err != nil {
			return err
		}
		t.ID, t.Slug = id, slug
		if _, err := w.Exec(ctx, `INSERT INTO article_tags (article_id, tag_id, position) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, a.ID, id, i); err != nil {
			return fmt.Errorf("link tag: %w", err)
		}
	}
	for i := range a.Sections {
		sec := &a.Sections[i]
		id, slug, err := upsertNamed(ctx, w, "sections", sec.Slug, sec.Name)
		if err != nil {
			return err
		}
		sec.ID, sec.Slug = id, slug
		if _, err := w.Exec(ctx, `INSERT INTO article_sections (article_id, section_id, position) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, a.ID, id, i); err != nil {
			return fmt.Errorf("link section: %w", err)
		}
	}
	return nil
}

// upsertNamed finds or creates an author, tag or section by slug; table is
// one of three constants, never input.
func upsertNamed(ctx context.Context, w *writer, table, slug, name string) (int64, string, error) {
	name = strings.TrimSpace(name)
	if slug == "" {
		slug = byline.SlugOrUntitled(name)
	}
	if name == "" {
		name = slug // a section named only by its slug
	}
	key := table + "\x00" + slug
	if id, ok := w.ids[key]; ok {
		return id, slug, nil
	}
	var id int64
	// Look first: most authors and tags exist already, and a read takes no
	// row lock, where an upsert would hold one to the end of the transaction.
	err := w.QueryRow(ctx, `SELECT id FROM `+table+` WHERE slug = $1`, slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		err = w.QueryRow(ctx, `INSERT INTO `+table+` (slug, name) VALUES ($1, $2)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id`, slug, name).Scan(&id)
	}
	if err != nil {
		return 0, "", fmt.Errorf("save %s %q: %w", table, name, err)
	}
	if w.bulk {
		if w.ids == nil {
			w.ids = map[string]int64{}
		}
		w.ids[key] = id
	}
	return id, slug, nil
}

// slugLockID serializes slug choice across transactions: without it two
// writers could both find a slug free and one would fail on the unique index.
const slugLockID = 0x736c_7567 // "slug"

// lockSlugs takes the slug lock until the end of the transaction.
func lockSlugs(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(slugLockID)); err != nil {
		return fmt.Errorf("lock slugs: %w", err)
	}
	return nil
}

// uniqueSlug returns want (or the headline's slug) if no other article has
// it, else the first free of want-2, want-3, ...: deterministic for the same
// order of writes.
func uniqueSlug(ctx context.Context, w *writer, want, headline string, selfID int64) (string, error) {
	if !w.bulk { // an import holds the lock already
		if err := lockSlugs(ctx, w.Tx); err != nil {
			return "", err
		}
	}
	base := want
	if base == "" {
		base = byline.SlugOrUntitled(headline)
	}
	for n := 1; ; n++ {
		candidate := base
		if n > 1 {
			candidate = base + "-" + strconv.Itoa(n)
		}
		var id int64
		err := w.QueryRow(ctx, `SELECT id FROM articles WHERE slug = $1`, candidate).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && id == selfID) {
			return candidate, nil
		}
		if err != nil {
			return "", fmt.Errorf("check slug %q: %w", candidate, err)
		}
	}
}

// touchSite records that readers' content changed at now: the site's
// version moves past every earlier one, even within the same instant (or
// under a stopped test clock), so every cache keyed by it sees the change.
func touchSite(ctx context.Context, w *writer, now time.Time) error {
	if w.touched {
		return nil // a bulk import has one now: once is enough
	}
	if _, err := w.Exec(ctx, `UPDATE site_state SET changed_at = greatest(changed_at + interval '1 millisecond', $1) WHERE id = 1`, now); err != nil {
		return fmt.Errorf("touch site: %w", err)
	}
	w.touched = w.bulk
	return nil
}
