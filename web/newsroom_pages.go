package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// pagesPage is the newsroom's list of pages.
type pagesPage struct {
	newsroomLayout
	Pages []*byline.Page
}

// pageEditorPage is the page editor: the same body field, toolbar and
// preview as the article editor's.
type pageEditorPage struct {
	newsroomLayout
	Page      *byline.Page // as saved; nil for a new page
	Form      pageForm
	Parents   []*byline.Page // the top-level pages it may go under
	Preview   template.HTML
	Revisions []*byline.PageRevision
	Uploads   bool
}

// pageForm is the page editor's form, as typed.
type pageForm struct {
	Title, Slug, Body string
	ParentID          int64
	Position          int
	Version           int
}

func formFromPage(p *byline.Page) pageForm {
	return pageForm{Title: p.Title, Slug: p.Slug, Body: p.Body, ParentID: p.ParentID, Position: p.Position, Version: p.Version}
}

func readPageForm(r *http.Request) pageForm {
	f := r.PostForm
	parent, _ := strconv.ParseInt(f.Get("parent_id"), 10, 64)
	position, _ := strconv.Atoi(strings.TrimSpace(f.Get("position")))
	version, _ := strconv.Atoi(f.Get("version"))
	return pageForm{Title: strings.TrimSpace(f.Get("title")), Slug: byline.Slugify(f.Get("slug")),
		Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n"), ParentID: parent, Position: position, Version: version}
}

// showPages lists the pages.
func (s *Server) showPages(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	pages, err := s.Pages.List(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.renderNewsroom(w, r, http.StatusOK, "pages", pagesPage{newsroomLayout: s.newNewsroomLayout(r, u, "Pages", "pages"), Pages: pages})
}

// newPage serves an empty page editor.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	s.renderPageEditor(w, r, u, http.StatusOK, nil, pageForm{}, "")
}

func (s *Server) renderPageEditor(w http.ResponseWriter, r *http.Request, u *byline.User, status int, p *byline.Page, f pageForm, problem string) {
	title := "New page"
	if p != nil {
		title = "Edit: " + p.Title
	}
	l := s.newNewsroomLayout(r, u, title, "pages")
	l.Error = problem
	page := pageEditorPage{newsroomLayout: l, Page: p, Form: f, Uploads: s.takesUploads()}
	all, err := s.Pages.List(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	for _, c := range all {
		if c.ParentID == 0 && (p == nil || c.ID != p.ID) {
			page.Parents = append(page.Parents, c)
		}
	}
	if p != nil {
		if page.Revisions, err = s.Pages.Revisions(r.Context(), p.ID); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	if f.Body != "" {
		page.Preview = s.previewHTML(f.Body)
	}
	s.renderNewsroom(w, r, status, "page_editor", page)
}

// pathPage loads the page named by the path's ID.
func (s *Server) pathPage(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.Page, bool) {
	id, err := pathID(r, "id")
	if err == nil {
		var p *byline.Page
		if p, err = s.Pages.FindByID(r.Context(), id); err == nil {
			return p, true
		}
	}
	s.newsroomError(w, r, u, err)
	return nil, false
}

// editPage serves the editor of a page, with its revisions.
func (s *Server) editPage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	p, ok := s.pathPage(w, r, u)
	if !ok {
		return
	}
	s.renderPageEditor(w, r, u, http.StatusOK, p, formFromPage(p), "")
}

// pageStatus is what the pressed button makes of the page's status.
func pageStatus(action string, current *byline.Page) byline.Status {
	switch action {
	case "publish":
		return byline.Published
	case "unpublish":
		return byline.Draft
	}
	if current != nil {
		return current.Status
	}
	return byline.Draft
}

// savePageForm creates (current nil) or updates a page from the form, as
// the pressed button asks: preview, save, publish or unpublish.
func (s *Server) savePageForm(w http.ResponseWriter, r *http.Request, u *byline.User, current *byline.Page) {
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f, action := readPageForm(r), r.PostForm.Get("action")
	if action == "preview" {
		s.renderPageEditor(w, r, u, http.StatusOK, current, f, "")
		return
	}
	if err := checkAltText(f.Body, pageStatus(action, current)); err != nil {
		s.renderPageEditor(w, r, u, http.StatusBadRequest, current, f, byline.ErrorMessage(err))
		return
	}
	p := &byline.Page{Title: f.Title, Slug: f.Slug, Body: f.Body, ParentID: f.ParentID, Position: f.Position, Status: pageStatus(action, current)}
	var err error
	if current == nil {
		err = s.Pages.Create(r.Context(), p, u.ID)
	} else {
		p.ID = current.ID
		err = s.Pages.Update(r.Context(), p, f.Version, u.ID)
	}
	if err != nil {
		switch k := byline.ErrorKind(err); k {
		case byline.Invalid, byline.Conflict:
			if current != nil && k == byline.Conflict {
				if now, ferr := s.Pages.FindByID(r.Context(), current.ID); ferr == nil && now.Version != f.Version {
					// Someone saved it meanwhile: keep this text, and let
					// the next save go over the version saved now.
					current, f.Version = now, now.Version
				}
			}
			s.renderPageEditor(w, r, u, statusOf(k), current, f, byline.ErrorMessage(err))
		default:
			s.newsroomError(w, r, u, err)
		}
		return
	}
	s.Logger.Info("page saved", "page_id", p.ID, "user_id", u.ID, "version", p.Version, "status", string(p.Status))
	done := "saved"
	if action == "publish" || action == "unpublish" {
		done = action + "ed-page"
	}
	redirectDone(w, r, "/newsroom/pages/"+strconv.FormatInt(p.ID, 10), done)
}

// createPage stores a new page from the editor.
func (s *Server) createPage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	s.savePageForm(w, r, u, nil)
}

// savePage saves the editor over a page.
func (s *Server) savePage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	p, ok := s.pathPage(w, r, u)
	if !ok {
		return
	}
	s.savePageForm(w, r, u, p)
}

// restorePageRevision saves a revision's title, slug and body as the
// page's newest version (its status stays), with the version check.
func (s *Server) restorePageRevision(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	p, ok := s.pathPage(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	revID, err := pathID(r, "rev")
	var rev *byline.PageRevision
	if err == nil {
		var revs []*byline.PageRevision
		if revs, err = s.Pages.Revisions(r.Context(), p.ID); err == nil {
			err = byline.Errorf(byline.NotFound, "The page has no revision %d.", revID)
			for _, c := range revs {
				if c.ID == revID {
					rev, err = c, nil
				}
			}
		}
	}
	if err == nil {
		version, _ := strconv.Atoi(r.PostForm.Get("version"))
		restored := *p
		restored.Title, restored.Slug, restored.Body = rev.Title, rev.Slug, rev.Body
		err = s.Pages.Update(r.Context(), &restored, version, u.ID)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	redirectDone(w, r, "/newsroom/pages/"+strconv.FormatInt(p.ID, 10), "restored-page")
}

// confirmDeletePage asks before deleting a page.
func (s *Server) confirmDeletePage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	p, ok := s.pathPage(w, r, u)
	if !ok {
		return
	}
	s.confirmDelete(w, r, u, "Delete page", "pages", "/newsroom/pages/"+strconv.FormatInt(p.ID, 10), confirmPage{
		Question: "Delete the page “" + p.Title + "”?",
		Detail:   "It leaves the site at once, with its revisions; " + p.URL() + " will answer “not found”, and the pages under it move to the top level.",
		Button:   "Delete page",
	})
}

// deletePage deletes a page.
func (s *Server) deletePage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.structureUser(w, r, u, "manage pages") {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Pages.Delete(r.Context(), id)
	}
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("page deleted", "page_id", id, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/pages", "deleted")
}
