package web

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// blankMenuRows is how many empty rows the menu editor offers for new
// items: without JavaScript a row cannot be added in the page, so there
// are always a few, and more after each save.
const blankMenuRows = 4

// menusPage is the editor of one menu: its items as ordered rows, then
// blank rows for new ones.
type menusPage struct {
	newsroomLayout
	Location  byline.MenuLocation
	Locations []byline.MenuLocation
	Rows      []menuRow
	Sections  []sectionRow
	Pages     []*byline.Page
	// Dropped counts the items whose section, page or tag is deleted:
	// they are not in the form, so saving drops them.
	Dropped int
	// Fallback says the header menu is empty, so the site's header lists
	// the top-level sections.
	Fallback bool
}

// Nests reports whether the menu has submenus (the header's).
func (p menusPage) Nests() bool { return p.Location == byline.HeaderMenu }

// menuRow is one row of the menu editor, as stored or as typed.
type menuRow struct {
	Position int
	Sub      bool   // in the submenu of the nearest top-level row above
	Choice   string // "section:{slug}", "page:{path}", "tag" or "link"; "" for a blank row
	Ref      string // the tag's slug or the link's address
	Label    string
	Note     string // what readers see of it, if not the item: a draft page
}

// menuRows turns a stored menu into rows, numbered 10, 20, ... so that an
// editor can slot one in between; items whose target is gone are counted,
// not shown.
func menuRows(items []*byline.MenuItem) (rows []menuRow, dropped int) {
	add := func(it *byline.MenuItem, sub bool) {
		row := menuRow{Position: (len(rows) + 1) * 10, Sub: sub, Label: it.Label}
		switch it.Kind {
		case byline.MenuSection, byline.MenuPage:
			row.Choice = string(it.Kind) + ":" + it.Target
		default:
			row.Choice, row.Ref = string(it.Kind), it.Target
		}
		if !it.Visible {
			row.Note = "Hidden from readers: the page is not published."
		}
		rows = append(rows, row)
	}
	for _, it := range items {
		if it.Target == "" {
			dropped += 1 + len(it.Children)
			continue
		}
		add(it, false)
		for _, c := range it.Children {
			if c.Target == "" {
				dropped++
				continue
			}
			add(c, true)
		}
	}
	return rows, dropped
}

// readMenuRows reads the editor's rows: rows=N, then for each i the fields
// item-{i}-position, -sub, -choice, -ref, -label and -remove.
func readMenuRows(r *http.Request) ([]menuRow, error) {
	f := r.PostForm
	n, err := strconv.Atoi(f.Get("rows"))
	if err != nil || n < 0 || n > byline.MaxMenuItems+2*blankMenuRows {
		return nil, byline.Errorf(byline.Invalid, "The form's number of rows is missing or more than %d.", byline.MaxMenuItems+2*blankMenuRows)
	}
	var rows []menuRow
	for i := range n {
		field := func(name string) string { return strings.TrimSpace(f.Get("item-" + strconv.Itoa(i) + "-" + name)) }
		row := menuRow{Sub: field("sub") != "", Choice: field("choice"), Ref: field("ref"), Label: field("label")}
		if row.Choice == "" || field("remove") != "" {
			continue
		}
		if p := field("position"); p != "" {
			if row.Position, err = strconv.Atoi(p); err != nil {
				return nil, byline.Errorf(byline.Invalid, "Row %d's order, %q, is not a whole number.", i+1, p)
			}
		} else {
			row.Position = (i + 1) * 10
		}
		rows = append(rows, row)
	}
	slices.SortStableFunc(rows, func(a, b menuRow) int { return cmp.Compare(a.Position, b.Position) })
	return rows, nil
}

// menuItems builds a menu from rows in order: a Sub row goes under the
// nearest top-level row above it.
func menuItems(rows []menuRow) ([]*byline.MenuItem, error) {
	var items []*byline.MenuItem
	for i, row := range rows {
		it := &byline.MenuItem{Label: row.Label}
		kind, target, _ := strings.Cut(row.Choice, ":")
		switch byline.MenuItemKind(kind) {
		case byline.MenuSection, byline.MenuPage:
			it.Kind, it.Target = byline.MenuItemKind(kind), target
		case byline.MenuTag:
			// A tag is typed: its slug, its name or its address all do.
			slug := strings.TrimSuffix(strings.TrimPrefix(row.Ref, "/tag/"), "/")
			it.Kind, it.Target = byline.MenuTag, byline.Slugify(slug)
			if it.Target == "" {
				return nil, byline.Errorf(byline.Invalid, "Item %d is a tag: type the tag's name or slug.", i+1)
			}
		case byline.MenuLink:
			it.Kind, it.Target = byline.MenuLink, row.Ref
		default:
			return nil, byline.Errorf(byline.Invalid, "Item %d leads to %q, which is not a section, a page, a tag or a link.", i+1, row.Choice)
		}
		if row.Sub {
			if len(items) == 0 {
				return nil, byline.Errorf(byline.Invalid, "Item %d is marked as in a submenu, but no item comes before it to hold the submenu.", i+1)
			}
			parent := items[len(items)-1]
			parent.Children = append(parent.Children, it)
			continue
		}
		items = append(items, it)
	}
	return items, nil
}

// pathMenu reads the menu's location from the path, serving a 404 for an
// unknown one.
func (s *Server) pathMenu(w http.ResponseWriter, r *http.Request, u *byline.User) (byline.MenuLocation, bool) {
	loc, err := byline.ParseMenuLocation(r.PathValue("location"))
	if err != nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "%s", byline.ErrorMessage(err)))
		return "", false
	}
	return loc, true
}

// showMenus redirects to the header menu's editor.
func (s *Server) showMenus(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "edit menus") {
		return
	}
	http.Redirect(w, r, "/newsroom/menus/header", http.StatusSeeOther)
}

// editMenu serves a menu's editor.
func (s *Server) editMenu(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "edit menus") {
		return
	}
	loc, ok := s.pathMenu(w, r, u)
	if !ok {
		return
	}
	items, err := s.Menus.Get(r.Context(), loc)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	rows, dropped := menuRows(items)
	s.renderMenu(w, r, u, http.StatusOK, loc, rows, dropped, items == nil, "")
}

func (s *Server) renderMenu(w http.ResponseWriter, r *http.Request, u *byline.User, status int, loc byline.MenuLocation, rows []menuRow, dropped int, empty bool, problem string) {
	page := menusPage{Location: loc, Locations: byline.MenuLocations, Dropped: dropped,
		Fallback: empty && loc == byline.HeaderMenu && s.Sections != nil}
	var err error
	if s.Sections != nil {
		if page.Sections, err = s.sectionRows(r); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	if s.Pages != nil {
		if page.Pages, err = s.Pages.List(r.Context()); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	next := 10
	if len(rows) > 0 {
		next = rows[len(rows)-1].Position + 10
	}
	for i := range blankMenuRows {
		rows = append(rows, menuRow{Position: next + i*10})
	}
	page.Rows = rows
	title := "Header menu"
	if loc == byline.FooterMenu {
		title = "Footer menu"
	}
	page.newsroomLayout = s.newNewsroomLayout(r, u, title, "menus")
	page.Error = problem
	s.renderNewsroom(w, r, status, "menus", page)
}

// saveMenu stores a menu's editor.
func (s *Server) saveMenu(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "edit menus") {
		return
	}
	loc, ok := s.pathMenu(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	rows, err := readMenuRows(r)
	var items []*byline.MenuItem
	if err == nil {
		items, err = menuItems(rows)
	}
	if err == nil {
		err = s.Menus.Replace(r.Context(), loc, items)
	}
	if err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			s.renderMenu(w, r, u, http.StatusBadRequest, loc, rows, 0, false, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("menu saved", "menu", string(loc), "items", byline.CountMenuItems(items), "user_id", u.ID)
	redirectDone(w, r, "/newsroom/menus/"+string(loc), "menu-saved")
}
