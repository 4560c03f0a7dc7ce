package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.PageService = (*PageService)(nil)

// PageService implements byline.PageService on SQLite.
type PageService struct {
	db *DB
}

// NewPageService returns the page service of db.
func NewPageService(db *DB) *PageService { return &PageService{db: db} }

const pageColumns = `p.id, p.slug, coalesce(p.parent_id, 0), coalesce(pp.slug, ''), p.title, p.body, p.body_html, p.body_text,
	p.status, p.position, p.created_at, p.updated_at, p.version`

// pageListColumns are pageColumns without the bodies.
const pageListColumns = `p.id, p.slug, coalesce(p.parent_id, 0), coalesce(pp.slug, ''), p.title, '', '', '',
	p.status, p.position, p.created_at, p.updated_at, p.version`

const pageFrom = ` FROM pages p LEFT JOIN pages pp ON pp.id = p.parent_id`

func scanPage(row rowScanner) (*byline.Page, error) {
	var (
		p                byline.Page
		status           string
		created, updated int64
	)
	if err := row.Scan(&p.ID, &p.Slug, &p.ParentID, &p.ParentSlug, &p.Title, &p.Body, &p.BodyHTML, &p.BodyText,
		&status, &p.Position, &created, &updated, &p.Version); err != nil {
		return nil, err
	}
	p.Status = byline.Status(status)
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return &p, nil
}

func queryPages(ctx context.Context, q querier, query string, args ...any) ([]*byline.Page, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query pages: %w", err)
	}
	defer rows.Close()
	var pages []*byline.Page
	for rows.Next() {
		p, err := scanPage(rows)
		if err != nil {
			return nil, fmt.Errorf("scan page: %w", err)
		}
		pages = append(pages, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query pages: %w", err)
	}
	return pages, nil
}

// List returns every page without its body.
func (s *PageService) List(ctx context.Context) ([]*byline.Page, error) {
	return queryPages(ctx, s.db.read, `SELECT `+pageListColumns+pageFrom+`
		ORDER BY coalesce(pp.position, p.position), coalesce(pp.title, p.title), coalesce(p.parent_id, p.id), p.parent_id IS NOT NULL, p.position, p.title, p.id`)
}

func (s *PageService) findOne(row *sql.Row, what string, key any) (*byline.Page, error) {
	p, err := scanPage(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, what, key)
	} else if err != nil {
		return nil, fmt.Errorf("find page %v: %w", key, err)
	}
	return p, nil
}

// FindByPath returns the published page at path.
func (s *PageService) FindByPath(ctx context.Context, path string) (*byline.Page, error) {
	parent, slug, ok := byline.SplitPagePath(path)
	if !ok {
		return nil, byline.Errorf(byline.NotFound, "No page at %q.", path)
	}
	return s.findOne(s.db.read.QueryRowContext(ctx, `SELECT `+pageColumns+pageFrom+`
		WHERE p.slug = ? AND coalesce(pp.slug, '') = ? AND (pp.id IS NULL) = (? = '') AND p.status = 'published'`, slug, parent, parent),
		"No page at %q.", path)
}

// FindByID returns the page with the given ID.
func (s *PageService) FindByID(ctx context.Context, id int64) (*byline.Page, error) {
	return s.findOne(s.db.read.QueryRowContext(ctx, `SELECT `+pageColumns+pageFrom+` WHERE p.id = ?`, id), "No page with ID %v.", id)
}

// prepare validates p and renders its body, before the transaction.
func (s *PageService) prepare(p *byline.Page) error {
	if p.Status == "" {
		p.Status = byline.Draft
	}
	if err := p.Validate(); err != nil {
		return err
	}
	r, err := s.db.markdown.Render(p.Body)
	if err != nil {
		return fmt.Errorf("render page body: %w", err)
	}
	p.BodyHTML, p.BodyText = r.HTML, r.Text
	return nil
}

// Create stores a new page.
func (s *PageService) Create(ctx context.Context, p *byline.Page, by int64) error {
	if err := s.prepare(p); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		return s.save(ctx, tx, p, nil, by, "")
	})
}

// Update stores p over its page if the version is still expectedVersion.
func (s *PageService) Update(ctx context.Context, p *byline.Page, expectedVersion int, by int64) error {
	if err := s.prepare(p); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		current, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageColumns+pageFrom+` WHERE p.id = ?`, p.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "No page with ID %d.", p.ID)
		} else if err != nil {
			return fmt.Errorf("load page %d: %w", p.ID, err)
		}
		if current.Version != expectedVersion {
			return byline.Errorf(byline.Conflict, "Someone saved this page since you opened it (version %d, yours %d).", current.Version, expectedVersion)
		}
		return s.save(ctx, tx, p, current, by, "")
	})
}

// save inserts p (current nil) or updates it over current, checking its
// place among the pages and sections, and records a revision.
func (s *PageService) save(ctx context.Context, tx *sql.Tx, p *byline.Page, current *byline.Page, by int64, importKey string) error {
	now := s.db.now()
	if p.Slug == "" && current != nil {
		p.Slug = current.Slug
	} else if p.Slug == "" {
		p.Slug = byline.SlugOrUntitled(p.Title)
	}
	p.ParentSlug = ""
	if p.ParentID != 0 {
		var grand sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT slug, parent_id FROM pages WHERE id = ?`, p.ParentID).Scan(&p.ParentSlug, &grand)
		switch {
		case errors.Is(err, sql.ErrNoRows), err == nil && current != nil && p.ParentID == current.ID:
			return byline.Errorf(byline.Invalid, "There is no other page with ID %d to put this one under.", p.ParentID)
		case err != nil:
			return fmt.Errorf("load parent page %d: %w", p.ParentID, err)
		case grand.Valid:
			return byline.Errorf(byline.Invalid, "Pages nest one level deep: /%s/ is itself under another page.", p.ParentSlug)
		}
		if current != nil {
			var children int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE parent_id = ?`, current.ID).Scan(&children); err != nil {
				return fmt.Errorf("count subpages: %w", err)
			}
			if children > 0 {
				return byline.Errorf(byline.Invalid, "This page has pages under it, so it cannot go under another: pages nest one level deep.")
			}
		}
	} else {
		if err := p.Validate(); err != nil { // a reserved slug, now that it is known
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sections WHERE slug = ?`, p.Slug).Scan(&n); err != nil {
			return fmt.Errorf("check sections: %w", err)
		}
		if n > 0 {
			return byline.Errorf(byline.Conflict, "A section has the slug %q: give the page another one, so readers can tell them apart.", p.Slug)
		}
	}
	var err error
	if current == nil {
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages`).Scan(&count); err != nil {
			return fmt.Errorf("count pages: %w", err)
		}
		if count >= byline.MaxPages {
			return byline.Errorf(byline.Invalid, "A site can have at most %d pages.", byline.MaxPages)
		}
		p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
		err = tx.QueryRowContext(ctx, `INSERT INTO pages (slug, parent_id, title, body, body_html, body_text, status, position,
			created_at, updated_at, version, import_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			p.Slug, nullID(p.ParentID), p.Title, p.Body, p.BodyHTML, p.BodyText, string(p.Status), p.Position,
			now.UnixMilli(), now.UnixMilli(), 1, nullString(importKey)).Scan(&p.ID)
	} else {
		p.ID, p.CreatedAt, p.UpdatedAt, p.Version = current.ID, current.CreatedAt, now, current.Version+1
		_, err = tx.ExecContext(ctx, `UPDATE pages SET slug = ?, parent_id = ?, title = ?, body = ?, body_html = ?, body_text = ?,
			status = ?, position = ?, updated_at = ?, version = ?, import_key = coalesce(?, import_key) WHERE id = ?`,
			p.Slug, nullID(p.ParentID), p.Title, p.Body, p.BodyHTML, p.BodyText, string(p.Status), p.Position,
			now.UnixMilli(), p.Version, nullString(importKey), p.ID)
	}
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another page is already at %s.", p.URL())
	} else if err != nil {
		return fmt.Errorf("save page %q: %w", p.Slug, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO page_revisions (page_id, version, title, slug, body, status, user_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Version, p.Title, p.Slug, p.Body, string(p.Status), nullID(by), now.UnixMilli()); err != nil {
		return fmt.Errorf("save revision of page %d: %w", p.ID, err)
	}
	return touchSite(ctx, tx, now)
}

// Delete removes a page; its subpages move to the top level.
func (s *PageService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pages WHERE id = ?`, id)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "A page under this one has the slug of a top-level page: move or rename it first.")
		} else if err != nil {
			return fmt.Errorf("delete page %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return byline.Errorf(byline.NotFound, "No page with ID %d.", id)
		}
		return touchSite(ctx, tx, s.db.now())
	})
}

// Revisions returns the page's revisions, newest first.
func (s *PageService) Revisions(ctx context.Context, pageID int64) ([]*byline.PageRevision, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT r.id, r.page_id, r.version, r.title, r.slug, r.body, r.status,
		coalesce(r.user_id, 0), coalesce(u.name, ''), r.created_at FROM page_revisions r
		LEFT JOIN users u ON u.id = r.user_id WHERE r.page_id = ? ORDER BY r.id DESC`, pageID)
	if err != nil {
		return nil, fmt.Errorf("page revisions: %w", err)
	}
	defer rows.Close()
	var revs []*byline.PageRevision
	for rows.Next() {
		var (
			r       byline.PageRevision
			status  string
			created int64
		)
		if err := rows.Scan(&r.ID, &r.PageID, &r.Version, &r.Title, &r.Slug, &r.Body, &status, &r.UserID, &r.UserName, &created); err != nil {
			return nil, fmt.Errorf("scan page revision: %w", err)
		}
		r.Status, r.CreatedAt = byline.Status(status), time.UnixMilli(created).UTC()
		revs = append(revs, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("page revisions: %w", err)
	}
	return revs, nil
}

// Import creates or updates the records' pages, parents before children.
func (s *PageService) Import(ctx context.Context, records iter.Seq[*byline.PageRecord]) error {
	var list []*byline.PageRecord
	for rec := range records {
		if p := rec.Page; p.ParentSlug == "" {
			if p.Slug == "" {
				p.Slug = byline.SlugOrUntitled(p.Title)
			}
			byline.MovePageOffReserved(rec, false)
		}
		if err := s.prepare(rec.Page); err != nil {
			return fmt.Errorf("page %q: %w", rec.Page.Title, err)
		}
		list = append(list, rec)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		for _, rec := range byline.PagesParentsFirst(list) {
			p := rec.Page
			if p.Slug == "" {
				p.Slug = byline.SlugOrUntitled(p.Title)
			}
			p.ParentID = 0
			if p.ParentSlug != "" {
				err := tx.QueryRowContext(ctx, `SELECT id FROM pages WHERE slug = ? AND parent_id IS NULL`, p.ParentSlug).Scan(&p.ParentID)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("find parent page %q: %w", p.ParentSlug, err)
				}
			}
			if p.ParentID == 0 {
				var taken int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sections WHERE slug = ?`, p.Slug).Scan(&taken); err != nil {
					return fmt.Errorf("check sections: %w", err)
				}
				byline.MovePageOffReserved(rec, taken > 0)
			}
			current, err := scanPage(tx.QueryRowContext(ctx, `SELECT `+pageColumns+pageFrom+`
				WHERE (p.import_key = ?1 AND ?1 != '') OR (p.slug = ?2 AND coalesce(p.parent_id, 0) = ?3) ORDER BY p.import_key = ?1 DESC LIMIT 1`,
				rec.ImportKey, p.Slug, p.ParentID))
			if errors.Is(err, sql.ErrNoRows) {
				current = nil
			} else if err != nil {
				return fmt.Errorf("match page %q: %w", p.Slug, err)
			}
			if err := s.save(ctx, tx, p, current, 0, rec.ImportKey); err != nil {
				return fmt.Errorf("page %q: %w", p.Title, err)
			}
			for _, old := range rec.OldPaths {
				if old = byline.RedirectPath(old); old == "" || old == p.URL() {
					continue
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO page_redirects (path, page_id) VALUES (?, ?)
					ON CONFLICT (path) DO UPDATE SET page_id = excluded.page_id`, old, p.ID); err != nil {
					return fmt.Errorf("save old path %q: %w", old, err)
				}
			}
		}
		return nil
	})
}

// Export calls each with every page, parents first.
func (s *PageService) Export(ctx context.Context, each func(*byline.PageRecord) error) error {
	tx, err := s.db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("export pages: %w", err)
	}
	defer tx.Rollback()
	pages, err := queryPages(ctx, tx, `SELECT `+pageColumns+pageFrom+` ORDER BY p.parent_id IS NOT NULL, p.position, p.id`)
	if err != nil {
		return err
	}
	for _, p := range pages {
		rec := &byline.PageRecord{Page: p}
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(import_key, '') FROM pages WHERE id = ?`, p.ID).Scan(&rec.ImportKey); err != nil {
			return fmt.Errorf("export page %d: %w", p.ID, err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT path FROM page_redirects WHERE page_id = ? ORDER BY path`, p.ID)
		if err != nil {
			return fmt.Errorf("export page %d: %w", p.ID, err)
		}
		for rows.Next() {
			var path string
			if err := rows.Scan(&path); err != nil {
				rows.Close()
				return fmt.Errorf("export page %d: %w", p.ID, err)
			}
			rec.OldPaths = append(rec.OldPaths, path)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("export page %d: %w", p.ID, err)
		}
		if err := each(rec); err != nil {
			return err
		}
	}
	return nil
}

// FindRedirect returns the published page an old address leads to.
func (s *PageService) FindRedirect(ctx context.Context, path string) (*byline.Page, error) {
	return s.findOne(s.db.read.QueryRowContext(ctx, `SELECT `+pageColumns+pageFrom+`
		JOIN page_redirects r ON r.page_id = p.id WHERE r.path = ? AND p.status = 'published'`, path), "Nothing was ever at %q.", path)
}
