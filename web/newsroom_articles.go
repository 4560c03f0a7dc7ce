package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// deskPageSize is the length of a page of the newsroom's article list.
const deskPageSize = 50

// deskPage is the data of the article list.
type deskPage struct {
	newsroomLayout
	Articles []*byline.DeskArticle
	Total    int
	Status   string // "", draft, scheduled, published, submitted
	Query    string
	Sort     string
	Mine     bool
	Page     int
	PrevURL  string
	NextURL  string
	Now      time.Time
}

// showDesk lists articles with status filters, a headline search and a
// sort. Authors see their own; editors see everyone's.
func (s *Server) showDesk(w http.ResponseWriter, r *http.Request, u *byline.User) {
	q := r.URL.Query()
	page := deskPage{Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"),
		Mine: q.Get("mine") != "" || !u.CanPublish(), Page: 1}
	f := byline.DeskFilter{Query: page.Query, Sort: byline.DeskSort(page.Sort), Limit: deskPageSize}
	switch page.Status {
	case "":
	case "draft", "scheduled", "published":
		st := byline.Status(page.Status)
		f.Status = &st
	case "submitted":
		yes, draft := true, byline.Draft
		f.Submitted, f.Status = &yes, &draft
	default:
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Unknown status filter %q.", page.Status))
		return
	}
	if !f.Sort.Valid() {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Unknown sort %q.", page.Sort))
		return
	}
	if page.Mine {
		f.OwnerID = &u.ID
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		page.Page = n
	}
	f.Offset = (page.Page - 1) * deskPageSize
	list, total, err := s.Desk.FindDesk(r.Context(), f)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	page.Articles, page.Total, page.Now = list, total, s.now()
	link := func(p int) string {
		v := url.Values{}
		for _, k := range []string{"status", "q", "sort", "mine"} {
			if q.Get(k) != "" {
				v.Set(k, q.Get(k))
			}
		}
		if p > 1 {
			v.Set("page", strconv.Itoa(p))
		}
		if len(v) == 0 {
			return "/newsroom/"
		}
		return "/newsroom/?" + v.Encode()
	}
	if page.Page > 1 {
		page.PrevURL = link(page.Page - 1)
	}
	if page.Page*deskPageSize < total {
		page.NextURL = link(page.Page + 1)
	}
	page.newsroomLayout = s.newNewsroomLayout(r, u, "Articles", "articles")
	s.renderNewsroom(w, r, http.StatusOK, "desk", page)
}

// editorForm is what the editor's form holds, as typed.
type editorForm struct {
	Headline, Dek, Slug, Body string
	Tags, Authors             string // comma-separated names
	// Sections are the slugs of the article's sections, comma-separated,
	// the primary first; SectionsShown says the form had the section
	// fields (without them a save leaves the sections as they are).
	Sections        string
	SectionsShown   bool
	FeatureImageURL string
	PublishAt       string // datetime-local, in the site's zone
	Version         int
	// CreateAuthors and CreateTags are the new names the user chose to
	// create; any other name must be an existing author or tag.
	CreateAuthors, CreateTags []string
}

func formFromArticle(a *byline.Article, dates *dateStyle) editorForm {
	f := editorForm{Headline: a.Headline, Dek: a.Dek, Slug: a.Slug, Body: a.Body, FeatureImageURL: a.FeatureImageURL, Version: a.Version}
	var names []string
	for _, au := range a.Authors {
		names = append(names, au.Name)
	}
	f.Authors = strings.Join(names, ", ")
	names = nil
	for _, t := range a.Tags {
		names = append(names, t.Name)
	}
	f.Tags = strings.Join(names, ", ")
	names = nil
	for _, sec := range a.Sections {
		names = append(names, sec.Slug)
	}
	f.Sections, f.SectionsShown = strings.Join(names, ","), true
	if !a.PublishedAt.IsZero() {
		f.PublishAt = dates.InputValue(a.PublishedAt)
	}
	return f
}

// editorPage is the data of the article editor.
type editorPage struct {
	newsroomLayout
	Article   *byline.DeskArticle // nil for a new article
	Form      editorForm
	Preview   template.HTML // the body rendered by the public page's renderer
	Revisions []*byline.Revision
	CanEdit   bool
	// Current is the article as someone else saved it, after an edit
	// conflict, for the user to merge their changes into.
	Current *byline.Article
	// Conflict compares Current (old) with the form (new), field by field;
	// only the fields that differ.
	Conflict []fieldDiff
	Live     bool // visible on the site now
	Uploads  bool // the site takes image uploads: offer them in the editor
	// AutosaveURL is where the editor's script sends the form while the
	// user types; "" when the site keeps no autosaves or the user may not
	// change the article.
	AutosaveURL string
	// Autosave offers the text autosaved and never saved, if any.
	Autosave *autosaveOffer
	// Sections are the site's sections to choose from, nested; nil
	// without a section service.
	Sections []sectionRow
	// NewAuthors and NewTags are the form's names that are no author or
	// tag yet, each with a box to tick to create it.
	NewAuthors, NewTags []newName
}

// PrimarySection is the slug of the form's primary section.
func (f editorForm) PrimarySection() string {
	primary, _, _ := strings.Cut(f.Sections, ",")
	return primary
}

// InMoreSections reports whether the form puts the article in the section
// with this slug besides its primary one.
func (f editorForm) InMoreSections(slug string) bool {
	list := strings.Split(f.Sections, ",")
	return len(list) > 1 && slices.Contains(list[1:], slug)
}

// newArticle serves an empty editor, credited to the user, with the offer
// to restore the new article they were typing, if it was autosaved.
func (s *Server) newArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	blank := editorForm{Authors: u.Name}
	if _, err := s.Articles.FindAuthor(r.Context(), byline.SlugOrUntitled(u.Name)); byline.ErrorKind(err) == byline.NotFound {
		// The user's first article: their byline is new, and shown as
		// such, ticked, for them to see and untick.
		blank.CreateAuthors = []string{u.Name}
	} else if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f, offer, err := s.offerAutosave(r, u, nil, blank, r.URL.Query().Get("autosave") == "restore")
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.renderEditorOffering(w, r, u, http.StatusOK, nil, f, "", nil, offer)
}

// editArticle serves the editor for an article, with its revisions and
// the offer to restore what the user typed and did not save, if it was
// autosaved.
func (s *Server) editArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	f, offer, err := s.offerAutosave(r, u, d, formFromArticle(d.Article, s.siteConfig(r.Context()).Dates), r.URL.Query().Get("autosave") == "restore")
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.renderEditorOffering(w, r, u, http.StatusOK, d, f, "", nil, offer)
}

// deskArticle loads the article named in the path, if u may see it;
// otherwise it serves the error and returns false.
func (s *Server) deskArticle(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.DeskArticle, bool) {
	id, err := pathID(r, "id")
	if err == nil {
		var d *byline.DeskArticle
		if d, err = s.Desk.FindDeskArticle(r.Context(), id); err == nil {
			if u.CanSeeArticle(d) {
				return d, true
			}
			err = forbidden("open another writer's article")
		}
	}
	s.newsroomError(w, r, u, err)
	return nil, false
}

// deletableArticle is deskArticle for an article u may delete.
func (s *Server) deletableArticle(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.DeskArticle, bool) {
	d, ok := s.deskArticle(w, r, u)
	if ok && !u.CanDeleteArticle(d) {
		s.newsroomError(w, r, u, forbidden("delete this article"))
		return nil, false
	}
	return d, ok
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, u *byline.User, status int, d *byline.DeskArticle, f editorForm, problem string, current *byline.Article) {
	s.renderEditorOffering(w, r, u, status, d, f, problem, current, nil)
}

// renderEditorOffering is renderEditor with an autosave to offer.
func (s *Server) renderEditorOffering(w http.ResponseWriter, r *http.Request, u *byline.User, status int, d *byline.DeskArticle, f editorForm, problem string, current *byline.Article, offer *autosaveOffer) {
	title, section := "New article", "new"
	if d != nil {
		title, section = "Edit: "+d.Headline, "articles"
	}
	l := s.newNewsroomLayout(r, u, title, section)
	l.Error = problem
	page := editorPage{newsroomLayout: l, Article: d, Form: f, CanEdit: d == nil || u.CanEditArticle(d), Current: current,
		Uploads: s.takesUploads(), Autosave: offer}
	if s.Autosaves != nil && page.CanEdit {
		page.AutosaveURL = autosavePath(d)
	}
	if s.Sections != nil {
		rows, err := s.sectionRows(r)
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		page.Sections = rows
	}
	if page.CanEdit {
		var err error
		if page.NewAuthors, page.NewTags, err = s.newNames(r.Context(), f); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	if d != nil {
		page.Live = d.IsVisible(s.now())
		revs, err := s.Desk.Revisions(r.Context(), d.ID)
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		page.Revisions = revs
	}
	if f.Body != "" {
		page.Preview = s.previewHTML(f.Body)
	}
	if current != nil {
		mine := f
		if mine.Slug == "" {
			mine.Slug = current.Slug // an empty slug keeps the saved one
		}
		for _, d := range diffForms(formFromArticle(current, s.siteConfig(r.Context()).Dates), mine) {
			if d.Changed {
				page.Conflict = append(page.Conflict, d)
			}
		}
	}
	s.renderNewsroom(w, r, status, "editor", page)
}

// previewRenderer renders previews exactly as the store renders a saved
// body: the same package, the same options and sanitizing policy.
var previewRenderer = markdown.New()

// previewHTML renders a Markdown body as the public page would show it.
func (s *Server) previewHTML(body string) template.HTML {
	out, err := previewRenderer.Render(body)
	if err != nil {
		return template.HTML("<p>The preview could not be rendered.</p>")
	}
	// Safe: the markdown package's sanitizer made it, as for a saved article.
	return template.HTML(out.HTML)
}

// previewMarkdown answers the editor's live preview: the posted body
// rendered by the same code as the public page, as an HTML fragment.
func (s *Server) previewMarkdown(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if err := parseForm(w, r); err != nil {
		http.Error(w, byline.ErrorMessage(err), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(s.previewHTML(r.PostForm.Get("body"))))
}

// readEditorForm reads the editor's form.
func readEditorForm(r *http.Request) editorForm {
	f := r.PostForm
	v, _ := strconv.Atoi(f.Get("version"))
	return editorForm{
		Headline: strings.TrimSpace(f.Get("headline")), Dek: strings.TrimSpace(f.Get("dek")),
		Slug: strings.TrimSpace(f.Get("slug")), Body: strings.ReplaceAll(f.Get("body"), "\r\n", "\n"),
		Tags: f.Get("tags"), Authors: f.Get("authors"), FeatureImageURL: strings.TrimSpace(f.Get("feature_image_url")),
		PublishAt: strings.TrimSpace(f.Get("publish_at")), Version: v,
		Sections: formSections(f.Get("section"), f["sections"]), SectionsShown: f.Get("sections_shown") != "",
		CreateAuthors: trimmedValues(f["create_author"]), CreateTags: trimmedValues(f["create_tag"]),
	}
}

// formSections joins the primary section's slug and the others' into the
// form's list, the primary first, each once.
func formSections(primary string, more []string) string {
	var list []string
	for _, slug := range append([]string{primary}, more...) {
		if slug = byline.Slugify(slug); slug != "" && !slices.Contains(list, slug) {
			list = append(list, slug)
		}
	}
	return strings.Join(list, ",")
}

// trimmedValues returns the values that are not blank, trimmed.
func trimmedValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// readEditorPost reads the editor's posted form over d (nil for a new
// article) and the button pressed. For "preview", or a form that cannot be
// read, it answers itself and returns false.
func (s *Server) readEditorPost(w http.ResponseWriter, r *http.Request, u *byline.User, d *byline.DeskArticle) (editorForm, string, bool) {
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return editorForm{}, "", false
	}
	f, action := readEditorForm(r), r.PostForm.Get("action")
	if action == "preview" {
		s.renderEditor(w, r, u, http.StatusOK, d, f, "", nil)
		return f, action, false
	}
	return f, action, true
}

func splitNames(s string) []string {
	var out []string
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// update turns the form into an article update, without its status.
func (f editorForm) update() byline.ArticleUpdate {
	slug := byline.Slugify(f.Slug)
	upd := byline.ArticleUpdate{Headline: &f.Headline, Dek: &f.Dek, Slug: &slug, Body: &f.Body, FeatureImageURL: &f.FeatureImageURL}
	authors := []byline.Author{}
	for _, n := range splitNames(f.Authors) {
		authors = append(authors, byline.Author{Name: n})
	}
	tags := []byline.Tag{}
	for _, n := range splitNames(f.Tags) {
		tags = append(tags, byline.Tag{Name: n})
	}
	upd.Authors, upd.Tags = &authors, &tags
	if f.SectionsShown {
		sections := []byline.Section{}
		for _, slug := range splitNames(f.Sections) {
			sections = append(sections, byline.Section{Slug: slug})
		}
		upd.Sections = &sections
	}
	return upd
}

// publication reads what the pressed button asks of the article's place on
// the site: nil for no change. now is the time of "publish now".
func publication(action string, f editorForm, current *byline.Article, now time.Time, dates *dateStyle) (*byline.Status, *time.Time, error) {
	st := func(s byline.Status) *byline.Status { return &s }
	switch action {
	case "", "save", "submit", "preview":
		return nil, nil, nil
	case "publish":
		if current != nil && current.IsVisible(now) {
			return st(byline.Published), nil, nil // already live: keep its date
		}
		return st(byline.Published), &now, nil
	case "schedule":
		if f.PublishAt == "" {
			return nil, nil, byline.Errorf(byline.Invalid, "Give the publication date and time to schedule the article for.")
		}
		t, err := dates.ParseInput(f.PublishAt)
		if err != nil {
			return nil, nil, err
		}
		if !t.After(now) {
			return nil, nil, byline.Errorf(byline.Invalid, "The scheduled time %s has passed; use Publish now, or pick a later time.", dates.DateTime(t))
		}
		return st(byline.Scheduled), &t, nil
	case "unpublish":
		return st(byline.Draft), nil, nil
	}
	return nil, nil, byline.Errorf(byline.Invalid, "Unknown action %q.", action)
}

// checkAltText refuses to put an article with an undescribed image on the
// site, or keep one there: readers who cannot see the image get nothing.
// Drafts may have them.
func checkAltText(body string, status byline.Status) error {
	if status == byline.Draft {
		return nil
	}
	missing := previewRenderer.ImagesWithoutAlt(body)
	switch len(missing) {
	case 0:
		return nil
	case 1:
		return byline.Errorf(byline.Invalid, "Describe the image %s before publishing: its alt text, between ![ and ], is empty.", missing[0])
	}
	return byline.Errorf(byline.Invalid, "Describe every image before publishing: %d images have no alt text (the first is %s).", len(missing), missing[0])
}

// createArticle stores a new article from the editor's form. Authors may
// only save a draft (and submit it); editors may publish at once.
func (s *Server) createArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	f, action, ok := s.readEditorPost(w, r, u, nil)
	if !ok {
		return
	}
	status, at, err := publication(action, f, nil, s.now(), s.siteConfig(r.Context()).Dates)
	if err == nil && status != nil && !u.CanPublish() {
		err = forbidden("publish or schedule articles; save it and submit it to the editors")
	}
	if err == nil && status != nil {
		err = checkAltText(f.Body, *status)
	}
	if err == nil {
		err = s.checkNewNames(r.Context(), f)
	}
	if err != nil {
		s.formError(w, r, u, nil, f, err)
		return
	}
	a := &byline.Article{Status: byline.Draft}
	f.update().Apply(a)
	if status != nil {
		a.Status, a.PublishedAt = *status, *at
	}
	if err := s.Desk.CreateArticle(r.Context(), a, u.ID); err != nil {
		s.formError(w, r, u, nil, f, err)
		return
	}
	if action == "submit" {
		if err := s.Desk.SetSubmitted(r.Context(), a.ID, true); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	s.Logger.Info("article created", "article_id", a.ID, "user_id", u.ID, "status", string(a.Status))
	redirectDone(w, r, "/newsroom/articles/"+strconv.FormatInt(a.ID, 10), doneCode(action))
}

func doneCode(action string) string {
	switch action {
	case "publish", "unpublish", "submit":
		return action + "ed"
	case "schedule":
		return "scheduled"
	}
	return "saved"
}

// formError shows the editor again with the user's text and why it was
// not saved; invalid input and forbidden actions keep the form.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, u *byline.User, d *byline.DeskArticle, f editorForm, err error) {
	switch byline.ErrorKind(err) {
	case byline.Invalid, byline.Forbidden, byline.Conflict:
		s.renderEditor(w, r, u, statusOf(byline.ErrorKind(err)), d, f, byline.ErrorMessage(err), nil)
	default:
		s.newsroomError(w, r, u, err)
	}
}

// saveArticle saves the editor's form over an article, if nobody saved it
// since the form was opened, and moves it on or off the site as the pressed
// button asks and the user's role allows.
func (s *Server) saveArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	f, action, ok := s.readEditorPost(w, r, u, d)
	if !ok {
		return
	}
	if take := r.PostForm.Get("take"); take != "" {
		// After a conflict: one field of the version saved now replaces
		// the user's, and the rest stay as typed, to merge and save.
		if !f.takeField(take, formFromArticle(d.Article, s.siteConfig(r.Context()).Dates)) {
			s.formError(w, r, u, d, f, byline.Errorf(byline.Invalid, "There is no field %q to take.", take))
			return
		}
		f.Version = d.Version
		s.renderEditor(w, r, u, http.StatusOK, d, f, "", d.Article)
		return
	}
	if !u.CanEditArticle(d) {
		s.formError(w, r, u, d, f, forbidden("change this article: it is no longer a draft, or not yours"))
		return
	}
	status, at, err := publication(action, f, d.Article, s.now(), s.siteConfig(r.Context()).Dates)
	if err != nil {
		s.formError(w, r, u, d, f, err)
		return
	}
	next := d.Status
	if status != nil {
		next = *status
	}
	if err := checkAltText(f.Body, next); err != nil {
		s.formError(w, r, u, d, f, err)
		return
	}
	if err := s.checkNewNames(r.Context(), f); err != nil {
		s.formError(w, r, u, d, f, err)
		return
	}
	upd := f.update()
	upd.Status, upd.PublishedAt = status, at
	if status == nil && f.PublishAt != "" && d.Status != byline.Draft {
		// Editing the date of an article already on the site or scheduled.
		if t, err := s.siteConfig(r.Context()).Dates.ParseInput(f.PublishAt); err == nil && !t.Equal(d.PublishedAt.Truncate(time.Minute)) {
			upd.PublishedAt = &t
		}
	}
	if upd.ChangesPublication(d.Article) && !u.CanPublish() {
		s.formError(w, r, u, d, f, forbidden("publish, schedule or unpublish articles; submit it to the editors instead"))
		return
	}
	saved, err := s.Desk.UpdateArticle(r.Context(), d.ID, upd, f.Version, u.ID)
	if byline.ErrorKind(err) == byline.Conflict {
		current, ferr := s.Desk.FindDeskArticle(r.Context(), d.ID)
		if ferr != nil {
			s.newsroomError(w, r, u, ferr)
			return
		}
		if current.Version == f.Version {
			s.formError(w, r, u, d, f, err) // a conflict of another kind
			return
		}
		// Keep the user's text; the next save starts from the version now
		// stored, so it goes through once they have merged.
		f.Version = current.Version
		s.renderEditor(w, r, u, http.StatusConflict, current, f, byline.ErrorMessage(err), current.Article)
		return
	}
	if err != nil {
		s.formError(w, r, u, d, f, err)
		return
	}
	if action == "submit" || (saved.Status != byline.Draft && d.Submitted()) {
		if err := s.Desk.SetSubmitted(r.Context(), d.ID, action == "submit"); err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
	}
	s.Logger.Info("article saved", "article_id", d.ID, "user_id", u.ID, "version", saved.Version, "status", string(saved.Status))
	redirectDone(w, r, "/newsroom/articles/"+strconv.FormatInt(d.ID, 10), doneCode(action))
}

// confirmPage asks before something that cannot be undone.
type confirmPage struct {
	newsroomLayout
	Question string
	Detail   string
	Action   string // where the confirming form posts
	Button   string
	Cancel   string
}

// confirmDelete asks before deleting what lives at base, the newsroom page
// of it: the confirming form posts to base/delete, and cancelling goes back.
func (s *Server) confirmDelete(w http.ResponseWriter, r *http.Request, u *byline.User, title, section, base string, page confirmPage) {
	page.newsroomLayout = s.newNewsroomLayout(r, u, title, section)
	page.Action, page.Cancel = base+"/delete", base
	s.renderNewsroom(w, r, http.StatusOK, "confirm", page)
}

// confirmDeleteArticle asks whether to delete the article.
func (s *Server) confirmDeleteArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deletableArticle(w, r, u)
	if !ok {
		return
	}
	s.confirmDelete(w, r, u, "Delete article", "articles", "/newsroom/articles/"+strconv.FormatInt(d.ID, 10), confirmPage{
		Question: "Delete “" + d.Headline + "”?",
		Detail:   "The article and all its revisions are removed for good; its address stops working.",
		Button:   "Delete the article",
	})
}

// deleteArticle deletes the article.
func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deletableArticle(w, r, u)
	if !ok {
		return
	}
	if err := s.Articles.Delete(r.Context(), d.ID); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("article deleted", "article_id", d.ID, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/", "deleted")
}

// revisionPage is the data of one revision's page.
type revisionPage struct {
	newsroomLayout
	Article  *byline.DeskArticle
	Revision *byline.Revision
	Preview  template.HTML
	CanEdit  bool
	// Diffs compare the revision with the one before it (Compare
	// "previous", from version BaseVersion), or show what restoring it
	// would change in the current version (Compare "current").
	Diffs       []fieldDiff
	Compare     string
	BaseVersion int
	AnyChange   bool
}

// showRevision shows an earlier state of an article, with a button to
// bring it back.
func (s *Server) showRevision(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	revID, err := pathID(r, "rev")
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	rev, err := s.Desk.FindRevision(r.Context(), d.ID, revID)
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	page := revisionPage{
		newsroomLayout: s.newNewsroomLayout(r, u, "Revision "+strconv.Itoa(rev.Version)+" of "+d.Headline, "articles"),
		Article:        d, Revision: rev, Preview: s.previewHTML(rev.Body), CanEdit: u.CanEditArticle(d),
		Compare: "previous",
	}
	this := formFromRevision(rev)
	if r.URL.Query().Get("with") == "current" {
		page.Compare, page.BaseVersion = "current", d.Version
		page.Diffs = diffForms(formFromArticle(d.Article, s.siteConfig(r.Context()).Dates), this)
	} else {
		// The revision saved just before this one, if any: the list is
		// newest first, without bodies.
		revs, err := s.Desk.Revisions(r.Context(), d.ID)
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		var prev editorForm
		for i, x := range revs {
			if x.ID == rev.ID && i+1 < len(revs) {
				p, err := s.Desk.FindRevision(r.Context(), d.ID, revs[i+1].ID)
				if err != nil {
					s.newsroomError(w, r, u, err)
					return
				}
				prev, page.BaseVersion = formFromRevision(p), p.Version
			}
		}
		page.Diffs = diffForms(prev, this)
	}
	page.AnyChange = anyChanged(page.Diffs)
	s.renderNewsroom(w, r, http.StatusOK, "revision", page)
}

// restoreRevision brings a revision's text back as a new save.
func (s *Server) restoreRevision(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deskArticle(w, r, u)
	if !ok {
		return
	}
	if !u.CanEditArticle(d) {
		s.newsroomError(w, r, u, forbidden("change this article"))
		return
	}
	revID, err := pathID(r, "rev")
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if _, err := s.Desk.RestoreRevision(r.Context(), d.ID, revID, version, u.ID); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("revision restored", "article_id", d.ID, "revision_id", revID, "user_id", u.ID)
	redirectDone(w, r, "/newsroom/articles/"+strconv.FormatInt(d.ID, 10), "restored")
}

// now is the server's clock, to the second: the time "publish now" gives.
func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Second)
	}
	return time.Now().UTC().Truncate(time.Second)
}
