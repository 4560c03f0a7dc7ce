package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.AuthorService = (*AuthorService)(nil)

// AuthorService implements byline.AuthorService on PostgreSQL.
type AuthorService struct {
	db *DB
}

// NewAuthorService returns the author service of db.
func NewAuthorService(db *DB) *AuthorService { return &AuthorService{db: db} }

const authorColumns = `id, slug, name, job_title, bio, photo_url, website, links`

// authorLink is an author's link as the links column holds it.
type authorLink struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

func encodeLinks(links []byline.AuthorLink) []authorLink {
	out := make([]authorLink, len(links))
	for i, l := range links {
		out[i] = authorLink(l)
	}
	return out
}

func scanAuthor(row pgx.Row, extra ...any) (*byline.Author, error) {
	var (
		au    byline.Author
		links []authorLink
	)
	dest := append([]any{&au.ID, &au.Slug, &au.Name, &au.JobTitle, &au.Bio, &au.PhotoURL, &au.Website, &links}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	for _, l := range links {
		au.Links = append(au.Links, byline.AuthorLink(l))
	}
	return &au, nil
}

// Find returns the authors matching f by name.
func (s *AuthorService) Find(ctx context.Context, f byline.AuthorFilter) ([]*byline.Author, int, error) {
	if !textOK(f.Query) {
		return nil, 0, nil // PostgreSQL would refuse the words; no name holds them
	}
	var (
		where []string
		a     args
	)
	for _, word := range strings.Fields(f.Query) {
		// ILIKE, as SQLite's LIKE, ignores case; it folds more than ASCII.
		where = append(where, `name ILIKE `+a.add("%"+likeEscaper.Replace(word)+"%")+` ESCAPE '\'`)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	n := len(a)
	// COLLATE "C" orders names as SQLite does, byte by byte.
	q := `SELECT ` + authorColumns + `, count(*) OVER () FROM authors` + cond + ` ORDER BY lower(name) COLLATE "C", slug COLLATE "C"`
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	q += " OFFSET " + a.add(max(f.Offset, 0))
	rows, err := s.db.pool.Query(ctx, q, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find authors: %w", err)
	}
	defer rows.Close()
	var (
		list  []*byline.Author
		total int
	)
	for rows.Next() {
		au, err := scanAuthor(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("scan author: %w", err)
		}
		list = append(list, au)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find authors: %w", err)
	}
	if len(list) == 0 && f.Offset > 0 {
		if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM authors`+cond, a[:n]...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count authors: %w", err)
		}
	}
	return list, total, nil
}

// FindBySlug returns the author with the given slug.
func (s *AuthorService) FindBySlug(ctx context.Context, slug string) (*byline.Author, error) {
	if !textOK(slug) {
		return nil, byline.Errorf(byline.NotFound, "No author at %q.", slug)
	}
	au, err := scanAuthor(s.db.pool.QueryRow(ctx, `SELECT `+authorColumns+` FROM authors WHERE slug = $1`, slug))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No author at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find author %q: %w", slug, err)
	}
	return au, nil
}

// FindByID returns the author with the given ID.
func (s *AuthorService) FindByID(ctx context.Context, id int64) (*byline.Author, error) {
	au, err := scanAuthor(s.db.pool.QueryRow(ctx, `SELECT `+authorColumns+` FROM authors WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "There is no author with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find author %d: %w", id, err)
	}
	return au, nil
}

// Update stores au's name and profile over the author with its ID.
func (s *AuthorService) Update(ctx context.Context, au *byline.Author) error {
	au.Normalize()
	au.Slug = ""
	if err := au.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		err := w.QueryRow(ctx, `UPDATE authors SET name = $1, job_title = $2, bio = $3, photo_url = $4, website = $5, links = $6
			WHERE id = $7 RETURNING slug`, au.Name, au.JobTitle, au.Bio, au.PhotoURL, au.Website, encodeLinks(au.Links), au.ID).Scan(&au.Slug)
		if errors.Is(err, pgx.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "There is no author with ID %d.", au.ID)
		} else if err != nil {
			return fmt.Errorf("update author %d: %w", au.ID, err)
		}
		return touchSite(ctx, w, s.db.now())
	})
}

// Import creates or updates the authors by slug; empty fields keep what is
// stored.
func (s *AuthorService) Import(ctx context.Context, authors []*byline.Author) error {
	for _, au := range authors {
		au.Normalize()
		if au.Slug == "" {
			au.Slug = byline.SlugOrUntitled(au.Name)
		}
		if err := au.Validate(); err != nil {
			return fmt.Errorf("author %q: %w", au.Slug, err)
		}
	}
	if len(authors) == 0 {
		return nil
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		for _, au := range authors {
			var links any // NULL keeps the stored links
			if len(au.Links) > 0 {
				links = encodeLinks(au.Links)
			}
			err := w.QueryRow(ctx, `INSERT INTO authors (slug, name, job_title, bio, photo_url, website, links)
				VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::jsonb, '[]'))
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name,
				job_title = coalesce(nullif($3, ''), authors.job_title), bio = coalesce(nullif($4, ''), authors.bio),
				photo_url = coalesce(nullif($5, ''), authors.photo_url), website = coalesce(nullif($6, ''), authors.website),
				links = coalesce($7::jsonb, authors.links) RETURNING id`,
				au.Slug, au.Name, au.JobTitle, au.Bio, au.PhotoURL, au.Website, links).Scan(&au.ID)
			if err != nil {
				return fmt.Errorf("import author %q: %w", au.Slug, err)
			}
		}
		return touchSite(ctx, w, s.db.now())
	})
}
