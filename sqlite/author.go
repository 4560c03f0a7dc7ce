package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/bylinenews/byline"
)

var _ byline.AuthorService = (*AuthorService)(nil)

// AuthorService implements byline.AuthorService on SQLite.
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

func encodeLinks(links []byline.AuthorLink) string {
	out := make([]authorLink, len(links))
	for i, l := range links {
		out[i] = authorLink(l)
	}
	b, _ := json.Marshal(out) // strings only: cannot fail
	return string(b)
}

func scanAuthor(row rowScanner) (*byline.Author, error) {
	var (
		au    byline.Author
		links string
	)
	if err := row.Scan(&au.ID, &au.Slug, &au.Name, &au.JobTitle, &au.Bio, &au.PhotoURL, &au.Website, &links); err != nil {
		return nil, err
	}
	var stored []authorLink
	if err := json.Unmarshal([]byte(links), &stored); err != nil {
		return nil, fmt.Errorf("decode links of author %q: %w", au.Slug, err)
	}
	for _, l := range stored {
		au.Links = append(au.Links, byline.AuthorLink(l))
	}
	return &au, nil
}

// Find returns the authors matching f by name.
func (s *AuthorService) Find(ctx context.Context, f byline.AuthorFilter) ([]*byline.Author, int, error) {
	var (
		where []string
		args  []any
	)
	for _, word := range strings.Fields(f.Query) {
		where = append(where, `name LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(word)+"%")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+authorColumns+`, count(*) OVER () FROM authors`+cond+`
		ORDER BY lower(name), slug LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("find authors: %w", err)
	}
	defer rows.Close()
	var (
		list  []*byline.Author
		total int
	)
	for rows.Next() {
		au, err := scanAuthor(scanWithTotal{rows, &total})
		if err != nil {
			return nil, 0, fmt.Errorf("scan author: %w", err)
		}
		list = append(list, au)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find authors: %w", err)
	}
	if len(list) == 0 && f.Offset > 0 {
		err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM authors`+cond, args...).Scan(&total)
		if err != nil {
			return nil, 0, fmt.Errorf("count authors: %w", err)
		}
	}
	return list, total, nil
}

// scanWithTotal scans a row whose last column is the window's total.
type scanWithTotal struct {
	row   rowScanner
	total *int
}

func (s scanWithTotal) Scan(dest ...any) error { return s.row.Scan(append(dest, s.total)...) }

// FindBySlug returns the author with the given slug.
func (s *AuthorService) FindBySlug(ctx context.Context, slug string) (*byline.Author, error) {
	au, err := scanAuthor(s.db.read.QueryRowContext(ctx, `SELECT `+authorColumns+` FROM authors WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No author at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find author %q: %w", slug, err)
	}
	return au, nil
}

// FindByID returns the author with the given ID.
func (s *AuthorService) FindByID(ctx context.Context, id int64) (*byline.Author, error) {
	au, err := scanAuthor(s.db.read.QueryRowContext(ctx, `SELECT `+authorColumns+` FROM authors WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE authors SET name = ?, job_title = ?, bio = ?, photo_url = ?, website = ?, links = ?
			WHERE id = ? RETURNING slug`, au.Name, au.JobTitle, au.Bio, au.PhotoURL, au.Website, encodeLinks(au.Links), au.ID).Scan(&au.Slug)
		if errors.Is(err, sql.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "There is no author with ID %d.", au.ID)
		} else if err != nil {
			return fmt.Errorf("update author %d: %w", au.ID, err)
		}
		return touchSite(ctx, tx, s.db.now())
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		for _, au := range authors {
			links := ""
			if len(au.Links) > 0 {
				links = encodeLinks(au.Links)
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO authors (slug, name, job_title, bio, photo_url, website, links)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(nullif(?7, ''), '[]'))
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name,
				job_title = coalesce(nullif(?3, ''), job_title), bio = coalesce(nullif(?4, ''), bio),
				photo_url = coalesce(nullif(?5, ''), photo_url), website = coalesce(nullif(?6, ''), website),
				links = coalesce(nullif(?7, ''), links) RETURNING id`,
				au.Slug, au.Name, au.JobTitle, au.Bio, au.PhotoURL, au.Website, links).Scan(&au.ID)
			if err != nil {
				return fmt.Errorf("import author %q: %w", au.Slug, err)
			}
		}
		return touchSite(ctx, tx, s.db.now())
	})
}
