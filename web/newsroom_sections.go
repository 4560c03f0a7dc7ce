package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// sectionsPage is the newsroom's list of sections, nested, with the form
// to add one.
type sectionsPage struct {
	newsroomLayout
	Sections []sectionRow
	New      byline.Section // the add form, as typed
}

// sectionRow is a section in the list, with its depth for indenting.
type sectionRow struct {
	*byline.Section
	Depth int
}

// Indent is the section's name prefixed by its depth, for <option>s.
func (r sectionRow) Indent() string { return strings.Repeat("— ", r.Depth) + r.Name }

// sectionPage is the form of one section.
type sectionPage struct {
	newsroomLayout
	Form     *byline.Section // not Section: the layout's Section is the navigation entry
	Sections []sectionRow    // the possible parents
}

func (s *Server) sectionRows(r *http.Request) ([]sectionRow, error) {
	all, err := s.Sections.List(r.Context())
	if err != nil {
		return nil, err
	}
	ordered, depth := byline.SectionTree(all)
	rows := make([]sectionRow, len(ordered))
	for i, sec := range ordered {
		rows[i] = sectionRow{Section: sec, Depth: depth[sec.ID]}
	}
	return rows, nil
}

// structureUser serves the refusal and returns false unless u may change
// the site's sections, pages and menus.
func (s *Server) structureUser(w http.ResponseWriter, r *http.Request, u *byline.User, what string) bool {
	if !u.CanManageStructure() {
		s.newsroomError(w, r, u, forbidden(what))
		return false
	}
	return true
}

// showSections lists the sections for editors.
func (s *Server) showSections(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	s.renderSections(w, r, u, http.StatusOK, byline.Section{}, "")
}

func (s *Server) renderSections(w http.ResponseWriter, r *http.Request, u *byline.User, status int, form byline.Section, problem string) {
	rows, err := s.sectionRows(r)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	l := s.newNewsroomLayout(r, u, "Sections", "sections")
	l.Error = problem
	s.renderNewsroom(w, r, status, "sections", sectionsPage{newsroomLayout: l, Sections: rows, New: form})
}

// readSectionForm reads a section's form: name, slug, description,
// parent and position.
func readSectionForm(r *http.Request) byline.Section {
	f := r.PostForm
	parent, _ := strconv.ParseInt(f.Get("parent_id"), 10, 64)
	position, _ := strconv.Atoi(strings.TrimSpace(f.Get("position")))
	return byline.Section{Name: strings.TrimSpace(f.Get("name")), Slug: byline.Slugify(f.Get("slug")),
		Description: strings.TrimSpace(f.Get("description")), ParentID: parent, Position: position}
}

// createSection adds a section.
func (s *Server) createSection(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	sec := readSectionForm(r)
	if err := s.Sections.Create(r.Context(), &sec); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.Conflict {
			s.renderSections(w, r, u, statusOf(k), sec, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("section created", "section_id", sec.ID, "slug", sec.Slug, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/sections", "section-saved")
}

// pathSection loads the section named by the path's ID.
func (s *Server) pathSection(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.Section, bool) {
	id, err := pathID(r, "id")
	if err == nil {
		var all []*byline.Section
		if all, err = s.Sections.List(r.Context()); err == nil {
			for _, sec := range all {
				if sec.ID == id {
					return sec, true
				}
			}
			err = byline.Errorf(byline.NotFound, "There is no section with ID %d.", id)
		}
	}
	s.newsroomError(w, r, u, err)
	return nil, false
}

// editSection serves a section's form.
func (s *Server) editSection(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	sec, ok := s.pathSection(w, r, u)
	if !ok {
		return
	}
	s.renderSection(w, r, u, http.StatusOK, sec, "")
}

func (s *Server) renderSection(w http.ResponseWriter, r *http.Request, u *byline.User, status int, sec *byline.Section, problem string) {
	rows, err := s.sectionRows(r)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	l := s.newNewsroomLayout(r, u, "Section: "+sec.Name, "sections")
	l.Error = problem
	s.renderNewsroom(w, r, status, "section", sectionPage{newsroomLayout: l, Form: sec, Sections: rows})
}

// saveSection saves a section's form.
func (s *Server) saveSection(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	current, ok := s.pathSection(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	sec := readSectionForm(r)
	sec.ID = current.ID
	if err := s.Sections.Update(r.Context(), &sec); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.Conflict {
			s.renderSection(w, r, u, statusOf(k), &sec, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("section saved", "section_id", sec.ID, "slug", sec.Slug, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/sections", "section-saved")
}

// confirmDeleteSection asks before deleting a section.
func (s *Server) confirmDeleteSection(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	sec, ok := s.pathSection(w, r, u)
	if !ok {
		return
	}
	s.confirmDelete(w, r, u, "Delete section", "sections", "/newsroom/sections/"+strconv.FormatInt(sec.ID, 10), confirmPage{
		Question: "Delete the section “" + sec.Name + "”?",
		Detail:   "Its articles stay on the site, without this section; its subsections move up a level. Its front, " + sec.URL() + ", will answer “not found”.",
		Button:   "Delete section",
	})
}

// deleteSection deletes a section.
func (s *Server) deleteSection(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage sections") {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Sections.Delete(r.Context(), id)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("section deleted", "section_id", id, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/sections", "deleted")
}
