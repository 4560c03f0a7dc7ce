package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bylinenews/byline"
)

var _ byline.SectionService = (*SectionService)(nil)

// SectionService implements byline.SectionService on SQLite.
type SectionService struct {
	db *DB
}

// NewSectionService returns the section service of db.
func NewSectionService(db *DB) *SectionService { return &SectionService{db: db} }

const sectionColumns = `s.id, s.slug, s.name, s.description, coalesce(s.parent_id, 0), coalesce(p.slug, ''), s.position`

func scanSection(row rowScanner) (*byline.Section, error) {
	var s byline.Section
	if err := row.Scan(&s.ID, &s.Slug, &s.Name, &s.Description, &s.ParentID, &s.ParentSlug, &s.Position); err != nil {
		return nil, err
	}
	return &s, nil
}

// List returns every section by position and name.
func (s *SectionService) List(ctx context.Context) ([]*byline.Section, error) {
	return listSections(ctx, s.db.read)
}

func listSections(ctx context.Context, q querier) ([]*byline.Section, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+sectionColumns+` FROM sections s
		LEFT JOIN sections p ON p.id = s.parent_id ORDER BY s.position, s.name, s.id`)
	if err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	defer rows.Close()
	var list []*byline.Section
	for rows.Next() {
		sec, err := scanSection(rows)
		if err != nil {
			return nil, fmt.Errorf("scan section: %w", err)
		}
		list = append(list, sec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list sections: %w", err)
	}
	return list, nil
}

// FindBySlug returns the section with the given slug.
func (s *SectionService) FindBySlug(ctx context.Context, slug string) (*byline.Section, error) {
	sec, err := scanSection(s.db.read.QueryRowContext(ctx, `SELECT `+sectionColumns+` FROM sections s
		LEFT JOIN sections p ON p.id = s.parent_id WHERE s.slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No section at %q.", slug)
	} else if err != nil {
		return nil, fmt.Errorf("find section %q: %w", slug, err)
	}
	return sec, nil
}

// Create stores a new section.
func (s *SectionService) Create(ctx context.Context, sec *byline.Section) error {
	if err := sec.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		return s.save(ctx, tx, sec, true)
	})
}

// Update stores sec over the section with its ID.
func (s *SectionService) Update(ctx context.Context, sec *byline.Section) error {
	if err := sec.Validate(); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		return s.save(ctx, tx, sec, false)
	})
}

// save inserts (fresh) or updates sec, checking its parent against the
// sections in tx.
func (s *SectionService) save(ctx context.Context, tx *sql.Tx, sec *byline.Section, fresh bool) error {
	all, err := listSections(ctx, tx)
	if err != nil {
		return err
	}
	if fresh && len(all) >= byline.MaxSections {
		return byline.Errorf(byline.Invalid, "A site can have at most %d sections.", byline.MaxSections)
	}
	var current *byline.Section
	for _, c := range all {
		if c.ID == sec.ID && !fresh {
			current = c
		}
	}
	if !fresh && current == nil {
		return byline.Errorf(byline.NotFound, "No section with ID %d.", sec.ID)
	}
	if err := byline.CheckSectionParent(all, sec.ID, sec.ParentID); err != nil {
		return err
	}
	switch {
	case sec.Slug != "":
	case current != nil:
		sec.Slug = current.Slug
	default:
		sec.Slug = byline.SlugOrUntitled(sec.Name)
	}
	if err := checkSectionSlugFree(ctx, tx, sec.Slug); err != nil {
		return err
	}
	var res sql.Result
	if fresh {
		res, err = tx.ExecContext(ctx, `INSERT INTO sections (slug, name, description, parent_id, position) VALUES (?, ?, ?, ?, ?)`,
			sec.Slug, sec.Name, sec.Description, nullID(sec.ParentID), sec.Position)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE sections SET slug = ?, name = ?, description = ?, parent_id = ?, position = ? WHERE id = ?`,
			sec.Slug, sec.Name, sec.Description, nullID(sec.ParentID), sec.Position, sec.ID)
	}
	if isUniqueViolation(err) {
		return byline.Errorf(byline.Conflict, "Another section already has the slug %q.", sec.Slug)
	} else if err != nil {
		return fmt.Errorf("save section %q: %w", sec.Slug, err)
	}
	if fresh {
		if sec.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("save section %q: %w", sec.Slug, err)
		}
	}
	sec.ParentSlug = ""
	for _, c := range all {
		if c.ID == sec.ParentID {
			sec.ParentSlug = c.Slug
		}
	}
	return touchSite(ctx, tx, s.db.now())
}

// Delete removes a section; its subsections move up to its parent.
func (s *SectionService) Delete(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sections SET parent_id = (SELECT parent_id FROM sections WHERE id = ?1)
			WHERE parent_id = ?1`, id); err != nil {
			return fmt.Errorf("move subsections of %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sections WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete section %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return byline.Errorf(byline.NotFound, "No section with ID %d.", id)
		}
		return touchSite(ctx, tx, s.db.now())
	})
}

// Import creates or updates the sections by slug, then sets their parents.
func (s *SectionService) Import(ctx context.Context, sections []*byline.Section) error {
	for _, sec := range sections {
		if sec.Slug == "" {
			sec.Slug = byline.SlugOrUntitled(sec.Name)
		}
		if err := sec.Validate(); err != nil {
			return fmt.Errorf("section %q: %w", sec.Slug, err)
		}
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		ids := map[string]int64{}
		for i, sec := range sections {
			if err := checkSectionSlugFree(ctx, tx, sec.Slug); err != nil {
				return fmt.Errorf("section %q: %w", sec.Slug, err)
			}
			position := sec.Position
			if position == 0 {
				position = i + 1
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO sections (slug, name, description, position) VALUES (?, ?, ?, ?)
				ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description,
				position = excluded.position RETURNING id`, sec.Slug, sec.Name, sec.Description, position).Scan(&sec.ID)
			if err != nil {
				return fmt.Errorf("import section %q: %w", sec.Slug, err)
			}
			sec.Position, ids[sec.Slug] = position, sec.ID
		}
		all, err := listSections(ctx, tx)
		if err != nil {
			return err
		}
		if len(all) > byline.MaxSections {
			return byline.Errorf(byline.Invalid, "A site can have at most %d sections; the import would make %d.", byline.MaxSections, len(all))
		}
		for _, c := range all {
			if _, ok := ids[c.Slug]; !ok {
				ids[c.Slug] = c.ID
			}
		}
		for _, sec := range sections {
			parent := ids[sec.ParentSlug]
			if sec.ParentSlug == "" || parent == sec.ID {
				parent = 0
			}
			if err := byline.CheckSectionParent(all, sec.ID, parent); err != nil {
				return fmt.Errorf("section %q under %q: %w", sec.Slug, sec.ParentSlug, err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE sections SET parent_id = ? WHERE id = ?`, nullID(parent), sec.ID); err != nil {
				return fmt.Errorf("import section %q: %w", sec.Slug, err)
			}
			sec.ParentID = parent
			for _, c := range all {
				if c.ID == sec.ID {
					c.ParentID = parent // later checks see this parent
				}
			}
		}
		return touchSite(ctx, tx, s.db.now())
	})
}

// checkSectionSlugFree returns a Conflict if a top-level page has the slug:
// a section and a page of the same name would confuse readers (and menus).
func checkSectionSlugFree(ctx context.Context, tx *sql.Tx, slug string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM pages WHERE slug = ? AND parent_id IS NULL`, slug).Scan(&n); err != nil {
		return fmt.Errorf("check pages: %w", err)
	}
	if n > 0 {
		return byline.Errorf(byline.Conflict, "A page is at /%s/: give the section another slug, so readers can tell them apart.", slug)
	}
	return nil
}
