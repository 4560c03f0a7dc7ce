package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.MenuService = (*MenuService)(nil)

// MenuService implements byline.MenuService on PostgreSQL.
type MenuService struct {
	db *DB
}

// NewMenuService returns the menu service of db.
func NewMenuService(db *DB) *MenuService { return &MenuService{db: db} }

// Get returns the menu at loc, each item resolved to its target's current
// slug, name and visibility.
func (s *MenuService) Get(ctx context.Context, loc byline.MenuLocation) ([]*byline.MenuItem, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT m.id, coalesce(m.parent_id, 0), m.kind, m.label, m.url,
		coalesce(sec.slug, ''), coalesce(sec.name, ''),
		coalesce(p.slug, ''), coalesce(pp.slug, ''), coalesce(p.title, ''), coalesce(p.status, ''),
		coalesce(t.slug, ''), coalesce(t.name, '')
		FROM menu_items m
		LEFT JOIN sections sec ON sec.id = m.section_id
		LEFT JOIN pages p ON p.id = m.page_id LEFT JOIN pages pp ON pp.id = p.parent_id
		LEFT JOIN tags t ON t.id = m.tag_id
		WHERE m.location = $1 ORDER BY m.parent_id IS NOT NULL, m.position, m.id`, string(loc))
	if err != nil {
		return nil, fmt.Errorf("read the %s menu: %w", loc, err)
	}
	defer rows.Close()
	var (
		top  []*byline.MenuItem
		byID = map[int64]*byline.MenuItem{}
	)
	for rows.Next() {
		var (
			id, parent                                                     int64
			kind                                                           string
			it                                                             byline.MenuItem
			secSlug, secName, pSlug, ppSlug, pTitle, pStatus, tSlug, tName string
		)
		if err := rows.Scan(&id, &parent, &kind, &it.Label, &it.Target, &secSlug, &secName,
			&pSlug, &ppSlug, &pTitle, &pStatus, &tSlug, &tName); err != nil {
			return nil, fmt.Errorf("scan menu item: %w", err)
		}
		it.Kind = byline.MenuItemKind(kind)
		found, published := true, true
		switch it.Kind {
		case byline.MenuSection:
			it.Target, it.Name, found = secSlug, secName, secSlug != ""
		case byline.MenuPage:
			p := byline.Page{Slug: pSlug, ParentSlug: ppSlug}
			it.Target, it.Name, found, published = p.URL(), pTitle, pSlug != "", byline.Status(pStatus) == byline.Published
			if !found {
				it.Target = ""
			}
		case byline.MenuTag:
			it.Target, it.Name, found = tSlug, tName, tSlug != ""
		}
		it.Resolve(found, published)
		if parent == 0 {
			top = append(top, &it)
			byID[id] = &it
		} else if p := byID[parent]; p != nil {
			p.Children = append(p.Children, &it)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the %s menu: %w", loc, err)
	}
	return top, nil
}

// lockMenus serializes the writers of menus for the transaction, so that
// two replacements of one menu do not interleave.
func lockMenus(ctx context.Context, w *writer) error {
	if _, err := w.Exec(ctx, `LOCK TABLE menu_items IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return fmt.Errorf("lock menus: %w", err)
	}
	return nil
}

// Replace stores items as the whole menu at loc.
func (s *MenuService) Replace(ctx context.Context, loc byline.MenuLocation, items []*byline.MenuItem) error {
	if err := byline.ValidateMenu(loc, items); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		if err := lockMenus(ctx, w); err != nil {
			return err
		}
		_, err := s.replace(ctx, w, loc, items)
		return err
	})
}

// Import stores what it can of items as the menu at loc.
func (s *MenuService) Import(ctx context.Context, loc byline.MenuLocation, items []*byline.MenuItem) (int, error) {
	if _, err := byline.ParseMenuLocation(string(loc)); err != nil {
		return 0, err
	}
	var n int
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		w := &writer{Tx: tx}
		if err := lockMenus(ctx, w); err != nil {
			return err
		}
		var lookErr error
		kept := byline.SanitizeMenu(loc, items, func(it *byline.MenuItem) bool {
			id, err := menuTargetID(ctx, w, it)
			if err != nil && byline.ErrorKind(err) != byline.Invalid {
				lookErr = err
			}
			return id != 0
		})
		if lookErr != nil {
			return lookErr
		}
		var err error
		n, err = s.replace(ctx, w, loc, kept)
		return err
	})
	return n, err
}

// replace deletes the menu at loc and inserts items, which are valid; a
// section, page or tag not on the site is Invalid.
func (s *MenuService) replace(ctx context.Context, w *writer, loc byline.MenuLocation, items []*byline.MenuItem) (int, error) {
	if _, err := w.Exec(ctx, `DELETE FROM menu_items WHERE location = $1`, string(loc)); err != nil {
		return 0, fmt.Errorf("clear the %s menu: %w", loc, err)
	}
	n := 0
	var insert func(it *byline.MenuItem, parent int64, position int) error
	insert = func(it *byline.MenuItem, parent int64, position int) error {
		target, err := menuTargetID(ctx, w, it)
		if err != nil {
			return err
		}
		var sectionID, pageID, tagID int64
		url := ""
		switch it.Kind {
		case byline.MenuSection:
			sectionID = target
		case byline.MenuPage:
			pageID = target
		case byline.MenuTag:
			tagID = target
		case byline.MenuLink:
			url = it.Target
		}
		var id int64
		if err := w.QueryRow(ctx, `INSERT INTO menu_items (location, parent_id, position, kind, section_id, page_id, tag_id, url, label)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, string(loc), nullID(parent), position, string(it.Kind),
			nullID(sectionID), nullID(pageID), nullID(tagID), url, it.Label).Scan(&id); err != nil {
			return fmt.Errorf("save %s menu item: %w", loc, err)
		}
		n++
		for i, c := range it.Children {
			if err := insert(c, id, i+1); err != nil {
				return err
			}
		}
		return nil
	}
	for i, it := range items {
		if err := insert(it, 0, i+1); err != nil {
			return 0, err
		}
	}
	return n, touchSite(ctx, w, s.db.now())
}

// menuTargetID returns the ID of the section, page or tag it names (0 for
// a link), or an Invalid error if there is none.
func menuTargetID(ctx context.Context, w *writer, it *byline.MenuItem) (int64, error) {
	var (
		row  pgx.Row
		what string
	)
	switch it.Kind {
	case byline.MenuSection:
		row, what = w.QueryRow(ctx, `SELECT id FROM sections WHERE slug = $1`, it.Target), "section"
	case byline.MenuTag:
		row, what = w.QueryRow(ctx, `SELECT id FROM tags WHERE slug = $1`, it.Target), "tag"
	case byline.MenuPage:
		parent, slug, ok := byline.SplitPagePath(it.Target)
		if !ok {
			return 0, byline.Errorf(byline.Invalid, "There is no page at %q.", it.Target)
		}
		row, what = w.QueryRow(ctx, `SELECT p.id FROM pages p LEFT JOIN pages pp ON pp.id = p.parent_id
			WHERE p.slug = $1 AND coalesce(pp.slug, '') = $2 AND (pp.id IS NULL) = ($2 = '')`, slug, parent), "page"
	default:
		return 0, nil
	}
	var id int64
	err := row.Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, byline.Errorf(byline.Invalid, "There is no %s %q on the site for the menu to lead to.", what, it.Target)
	} else if err != nil {
		return 0, fmt.Errorf("find menu %s %q: %w", what, it.Target, err)
	}
	return id, nil
}
