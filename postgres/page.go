package postgres

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.PageService = (*PageService)(nil)

// PageService implements byline.PageService on PostgreSQL.
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

func scanPage(row pgx.Row) (*byline.Page, error) {
	var (
		p      byline.Page
		status string
	)
	if err := row.Scan(&p.ID, &p.Slug, &p.ParentID, &p.ParentSlug, &p.Title, &p.Body, &p.BodyHTML, &p.BodyText,
		&status, &p.Position, &p.CreatedAt, &p.UpdatedAt, &p.Version); err != nil {
		return nil, err
	}
	p.Status = byline.Status(status)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

func queryPages(ctx context.Context, q rowsQuerier, query string, args ...any) ([]*byline.Page, error) {
	rows, err := q.Query(ctx, query, args...)
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
	return queryPages(ctx, s.db.pool, `SELECT `+pageListColumns+pageFrom+`
		ORDER BY coalesce(pp.position, p.position), coalesce(pp.title, p.title) COLLATE "C", coalesce(p.parent_id, p.id), p.parent_id IS NOT NULL, p.position, p.title COLLATE "C", p.id`)
}

func (s *PageService) findOne(row pgx.Row, what string, key any) (*byline.Page, error) {
	p, err := scanPage(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, what, key)
	} else if err != nil {
		return nil, fmt.Errorf("find page %v: %w", key, err)
	}
	return p, nil
}

// FindByPath returns the published page at path.
func (s *PageService) FindByPath(ctx context.Context, path string) (*byline.Page, error) {
	parent, slug, ok := byline.SplitPagePath(path)
	if !ok || !textOK(path) {
		return nil, byline.Errorf(byline.NotFound, "No page at %q.", path)
	}
	return s.findOne(s.db.pool.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+`
		WHERE p.slug = $1 AND coalesce(pp.slug, '') = $2 AND p.status = 'published'`, slug, parent),
		"No page at %q.", path)
}

// FindByID returns the page with the given ID.
func (s *PageService) FindByID(ctx context.Context, id int64) (*byline.Page, error) {
	return s.findOne(s.db.pool.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+` WHERE p.id = $1`, id), "No page with ID %v.", id)
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
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		return s.save(ctx, &writer{Tx: tx}, p, nil, by, "")
	})
}

// Update stores p over its page if the version is still expectedVersion.
func (s *PageService) Update(ctx context.Context, p *byline.Page, expectedVersion int, by int64) error {
	if err := s.prepare(p); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		if err := lockPages(ctx, w); err != nil {
			return err
		}
		current, err := scanPage(w.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+` WHERE p.id = $1 FOR UPDATE OF p`, p.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "No page with ID %d.", p.ID)
		} else if err != nil {
			return fmt.Errorf("load page %d: %w", p.ID, err)
		}
		if current.Version != expectedVersion {
			return byline.Errorf(byline.Conflict, "Someone saved this page since you opened it (version %d, yours %d).", current.Version, expectedVersion)
		}
		return s.save(ctx, w, p, current, by, "")
	})
}

// lockPages serializes the writers of pages for the transaction, so that
// the checks on parents, sections and the count see every page and
// section another writer saved. Sections take the same lock.
func lockPages(ctx context.Context, w *writer) error {
	return lockSections(ctx, w)
}

// save inserts p (current nil) or updates it over current, checking its
// place among the pages and sections, and records a revision.
func (s *PageService) save(ctx context.Context, w *writer, p *byline.Page, current *byline.Page, by int64, importKey string) error {
	if current == nil {
		if err := lockPages(ctx, w); err != nil {
			return err
		}
	}
	now := s.db.now()
	if p.Slug == "" && current != nil {
		p.Slug = current.Slug
	} else if p.Slug == "" {
		p.Slug = byline.SlugOrUntitled(p.Title)
	}
	p.ParentSlug = ""
	if p.ParentID != 0 {
		var grand *int64
		err := w.QueryRow(ctx, `SELECT slug, parent_id FROM pages WHERE id = $1`, p.ParentID).Scan(&p.ParentSlug, &grand)
		switch {
		case errors.Is(err, pgx.ErrNoRows), err == nil && current != nil && p.ParentID == current.ID:
			return byline.Errorf(byline.Invalid, "There is no other page with ID %d to put this one under.", p.ParentID)
		case err != nil:
			return fmt.Errorf("load parent page %d: %w", p.ParentID, err)
		case grand != nil:
			return byline.Errorf(byline.Invalid, "Pages nest one level deep: /%s/ is itself under another page.", p.ParentSlug)
		}
		if current != nil {
			var children int
			if err := w.QueryRow(ctx, `SELECT count(*) FROM pages WHERE parent_id = $1`, current.ID).Scan(&children); err != nil {
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
		if err := w.QueryRow(ctx, `SELECT count(*) FROM sections WHERE slug = $1`, p.Slug).Scan(&n); err != nil {
			return fmt.Errorf("check sections: %w", err)
		}
		if n > 0 {
			return byline.Errorf(byline.Conflict, "A section has the slug %q: give the page another one, so readers can tell them apart.", p.Slug)
		}
	}
	var err error
	if current == nil {
		var count int
		if err := w.QueryRow(ctx, `SELECT count(*) FROM pages`).Scan(&count); err != nil {
			return fmt.Errorf("count pages: %w", err)
		}
		if count >= byline.MaxPages {
			return byline.Errorf(byline.Invalid, "A site can have at most %d pages.", byline.MaxPages)
		}
		p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
		err = w.QueryRow(ctx, `INSERT INTO pages (slug, parent_id, title, body, body_html, body_text, status, position,
			created_at, updated_at, version, import_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 1, $10) RETURNING id`,
			p.Slug, nullID(p.ParentID), p.Title, p.Body, p.BodyHTML, p.BodyText, string(p.Status), p.Position,
			now, nullString(importKey)).Scan(&p.ID)
	} else {
		p.ID, p.CreatedAt, p.UpdatedAt, p.Version = current.ID, current.CreatedAt, now, current.Version+1
		_, err = w.Exec(ctx, `UPDATE pages SET slug = $1, parent_id = $2, title = $3, body = $4, body_html = $5, body_text = $6,
			status = $7, position = $8, updated_at = $9, version = $10, import_key = coalesce($11, import_key) WHERE id = $12`,
			p.Slug, nullID(p.ParentID), p.Title, p.Body, p.BodyHTML, p.BodyText, string(p.Status), p.Position,
			now, p.Version, nullString(importKey), p.ID)
	}
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another page is already at %s.", p.URL())
	} else if err != nil {
		return fmt.Errorf("save page %q: %w", p.Slug, err)
	}
	if _, err := w.Exec(ctx, `INSERT INTO page_revisions (page_id, version, title, slug, body, status, user_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.ID, p.Version, p.Title, p.Slug, p.Body, string(p.Status), nullID(by), now); err != nil {
		return fmt.Errorf("save revision of page %d: %w", p.ID, err)
	}
	return touchSite(ctx, w, now)
}

// Delete removes a page; its subpages move to the top level.
func (s *PageService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		if err := lockPages(ctx, w); err != nil {
			return err
		}
		tag, err := w.Exec(ctx, `DELETE FROM pages WHERE id = $1`, id)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "A page under this one has the slug of a top-level page: move or rename it first.")
		} else if err != nil {
			return fmt.Errorf("delete page %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return byline.Errorf(byline.NotFound, "No page with ID %d.", id)
		}
		return touchSite(ctx, w, s.db.now())
	})
}

// Revisions returns the page's revisions, newest first.
func (s *PageService) Revisions(ctx context.Context, pageID int64) ([]*byline.PageRevision, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT r.id, r.page_id, r.version, r.title, r.slug, r.body, r.status,
		coalesce(r.user_id, 0), coalesce(u.name, ''), r.created_at FROM page_revisions r
		LEFT JOIN users u ON u.id = r.user_id WHERE r.page_id = $1 ORDER BY r.id DESC`, pageID)
	if err != nil {
		return nil, fmt.Errorf("page revisions: %w", err)
	}
	defer rows.Close()
	var revs []*byline.PageRevision
	for rows.Next() {
		var (
			r      byline.PageRevision
			status string
		)
		if err := rows.Scan(&r.ID, &r.PageID, &r.Version, &r.Title, &r.Slug, &r.Body, &status, &r.UserID, &r.UserName, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan page revision: %w", err)
		}
		r.Status, r.CreatedAt = byline.Status(status), r.CreatedAt.UTC()
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
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		if err := lockPages(ctx, w); err != nil {
			return err
		}
		for _, rec := range byline.PagesParentsFirst(list) {
			p := rec.Page
			if p.Slug == "" {
				p.Slug = byline.SlugOrUntitled(p.Title)
			}
			p.ParentID = 0
			if p.ParentSlug != "" {
				err := w.QueryRow(ctx, `SELECT id FROM pages WHERE slug = $1 AND parent_id IS NULL`, p.ParentSlug).Scan(&p.ParentID)
				if err != nil && !errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("find parent page %q: %w", p.ParentSlug, err)
				}
			}
			if p.ParentID == 0 {
				var taken int
				if err := w.QueryRow(ctx, `SELECT count(*) FROM sections WHERE slug = $1`, p.Slug).Scan(&taken); err != nil {
					return fmt.Errorf("check sections: %w", err)
				}
				byline.MovePageOffReserved(rec, taken > 0)
			}
			current, err := scanPage(w.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+`
				WHERE (p.import_key = $1 AND $1 != '') OR (p.slug = $2 AND coalesce(p.parent_id, 0) = $3) ORDER BY p.import_key = $1 DESC NULLS LAST LIMIT 1`,
				rec.ImportKey, p.Slug, p.ParentID))
			if errors.Is(err, pgx.ErrNoRows) {
				current = nil
			} else if err != nil {
				return fmt.Errorf("match page %q: %w", p.Slug, err)
			}
			if err := s.save(ctx, w, p, current, 0, rec.ImportKey); err != nil {
				return fmt.Errorf("page %q: %w", p.Title, err)
			}
			for _, old := range rec.OldPaths {
				if old = byline.RedirectPath(old); old == "" || old == p.URL() {
					continue
				}
				if _, err := w.Exec(ctx, `INSERT INTO page_redirects (path, page_id) VALUES ($1, $2)
					ON CONFLICT (path) DO UPDATE SET page_id = excluded.page_id`, old, p.ID); err != nil {
					return fmt.Errorf("save old path %q: %w", old, err)
				}
			}
		}
		return nil
	})
}

// Export calls each with every page, parents first, from one snapshot.
func (s *PageService) Export(ctx context.Context, each func(*byline.PageRecord) error) error {
	tx, err := s.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("export pages: %w", err)
	}
	defer tx.Rollback(ctx)
	pages, err := queryPages(ctx, tx, `SELECT `+pageColumns+pageFrom+` ORDER BY p.parent_id IS NOT NULL, p.position, p.id`)
	if err != nil {
		return err
	}
	for _, p := range pages {
		rec := &byline.PageRecord{Page: p}
		if err := tx.QueryRow(ctx, `SELECT coalesce(import_key, ''), coalesce(array(SELECT path FROM page_redirects WHERE page_id = $1 ORDER BY path COLLATE "C"), '{}')
			FROM pages WHERE id = $1`, p.ID).Scan(&rec.ImportKey, &rec.OldPaths); err != nil {
			return fmt.Errorf("export page %d: %w", p.ID, err)
		}
		if len(rec.OldPaths) == 0 {
			rec.OldPaths = nil
		}
		if err := each(rec); err != nil {
			return err
		}
	}
	return nil
}

// FindRedirect returns the published page an old address leads to.
func (s *PageService) FindRedirect(ctx context.Context, path string) (*byline.Page, error) {
	if !textOK(path) {
		return nil, byline.Errorf(byline.NotFound, "Nothing was ever at %q.", path)
	}
	return s.findOne(s.db.pool.QueryRow(ctx, `SELECT `+pageColumns+pageFrom+`
		JOIN page_redirects r ON r.page_id = p.id WHERE r.path = $1 AND p.status = 'published'`, path), "Nothing was ever at %q.", path)
}
