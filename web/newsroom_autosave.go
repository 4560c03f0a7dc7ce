package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// fields is the form as an autosave keeps it, by the form's field names.
func (f editorForm) fields() map[string]string {
	return map[string]string{
		"headline": f.Headline, "dek": f.Dek, "slug": f.Slug, "body": f.Body,
		"authors": f.Authors, "tags": f.Tags, "feature_image_url": f.FeatureImageURL, "publish_at": f.PublishAt,
		"create_authors": strings.Join(f.CreateAuthors, "\n"), "create_tags": strings.Join(f.CreateTags, "\n"),
	}
}

// formFromAutosave is the editor's form as the autosave kept it, at the
// version it was typed over: restored and saved, it goes through the
// same conflict check as the form it came from.
func formFromAutosave(as *byline.Autosave) editorForm {
	v := as.Fields
	return editorForm{
		Headline: v["headline"], Dek: v["dek"], Slug: v["slug"], Body: v["body"],
		Authors: v["authors"], Tags: v["tags"], FeatureImageURL: v["feature_image_url"], PublishAt: v["publish_at"],
		Version:       as.BaseVersion,
		CreateAuthors: trimmedValues(strings.Split(v["create_authors"], "\n")),
		CreateTags:    trimmedValues(strings.Split(v["create_tags"], "\n")),
	}
}

// autosaveOffer is the editor's offer to bring back what was autosaved and
// not saved: after a crash, a closed tab or a lost connection.
type autosaveOffer struct {
	SavedAt     time.Time
	BaseVersion int
	// Stale: the article was saved (by anyone) after the text was typed
	// over its version; saving the restored text shows the conflict.
	Stale    bool
	Diffs    []fieldDiff // what restoring would change in the form, changed fields only
	Restored bool        // the form holds the autosaved text now
	Discard  string      // where the discarding form posts
	Restore  string      // the editor's address with the autosave restored
}

// autosavePath is the editor's autosave address: of the article d, or of a
// new article for nil.
func autosavePath(d *byline.DeskArticle) string {
	if d == nil {
		return "/newsroom/articles/new/autosave"
	}
	return "/newsroom/articles/" + strconv.FormatInt(d.ID, 10) + "/autosave"
}

// editorPath is the editor's address of d, or of a new article for nil.
func editorPath(d *byline.DeskArticle) string {
	if d == nil {
		return "/newsroom/articles/new"
	}
	return "/newsroom/articles/" + strconv.FormatInt(d.ID, 10)
}

// offerAutosave looks for u's autosave of d (nil: of a new article) that
// differs from the form f, the article as saved. With restore, the form
// takes its text. It returns the form to show, and the offer or nil.
func (s *Server) offerAutosave(r *http.Request, u *byline.User, d *byline.DeskArticle, f editorForm, restore bool) (editorForm, *autosaveOffer, error) {
	if s.Autosaves == nil || (d != nil && !u.CanEditArticle(d)) {
		return f, nil, nil
	}
	var id int64
	if d != nil {
		id = d.ID
	}
	as, err := s.Autosaves.Find(r.Context(), u.ID, id)
	if byline.ErrorKind(err) == byline.NotFound {
		return f, nil, nil
	} else if err != nil {
		return f, nil, err
	}
	typed := formFromAutosave(as)
	offer := &autosaveOffer{SavedAt: as.SavedAt, BaseVersion: as.BaseVersion, Discard: autosavePath(d) + "/discard",
		Restore: editorPath(d) + "?autosave=restore"}
	if d != nil {
		offer.Stale = as.BaseVersion != d.Version
	}
	compared := typed
	if compared.Slug == "" {
		compared.Slug = f.Slug // an empty slug keeps the saved one
	}
	for _, diff := range diffForms(f, compared) {
		if diff.Changed {
			offer.Diffs = append(offer.Diffs, diff)
		}
	}
	if len(offer.Diffs) == 0 && !offer.Stale {
		// Nothing to bring back: an autosave that reached the server
		// after the save of the same text.
		return f, nil, nil
	}
	if restore {
		offer.Restored = true
		return typed, offer, nil
	}
	return f, offer, nil
}

// autosaveArticle keeps what the editor's script sends of an article's
// form while its user types: not a save and not a revision, only the
// user's autosave, for them to recover later. It answers JSON.
func (s *Server) autosaveArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.autosaveTarget(w, r, u)
	if ok {
		s.autosave(w, r, u, d)
	}
}

// autosaveNewArticle is autosaveArticle for a new article not saved once.
func (s *Server) autosaveNewArticle(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.autosave(w, r, u, nil)
}

// autosaveTarget loads the article of an autosave request, if u may
// change it; otherwise it answers with the error in JSON.
func (s *Server) autosaveTarget(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.DeskArticle, bool) {
	id, err := pathID(r, "id")
	var d *byline.DeskArticle
	if err == nil {
		d, err = s.Desk.FindDeskArticle(r.Context(), id)
	}
	if err == nil && !u.CanSeeArticle(d) {
		err = forbidden("open another writer's article")
	} else if err == nil && !u.CanEditArticle(d) {
		err = forbidden("change this article: it is no longer a draft, or not yours")
	}
	if err != nil {
		s.apiServeError(w, r, err)
		return nil, false
	}
	return d, true
}

// autosaveJSON is the answer to an autosave.
type autosaveJSON struct {
	SavedAt string `json:"saved_at"` // RFC 3339
	Time    string `json:"time"`     // HH:MM and the zone, the site's, for the editor's status line
}

func (s *Server) autosave(w http.ResponseWriter, r *http.Request, u *byline.User, d *byline.DeskArticle) {
	w.Header().Set("Cache-Control", "no-store")
	if s.Autosaves == nil {
		s.apiError(w, http.StatusNotFound, "This site keeps no autosaves.")
		return
	}
	if err := parseForm(w, r); err != nil {
		s.apiServeError(w, r, err)
		return
	}
	f := readEditorForm(r)
	as := &byline.Autosave{UserID: u.ID, BaseVersion: f.Version, Fields: f.fields()}
	if d != nil {
		as.ArticleID = d.ID
	} else {
		as.BaseVersion = 0
	}
	if err := s.Autosaves.Save(r.Context(), as); err != nil {
		s.apiServeError(w, r, err)
		return
	}
	s.Logger.Debug("article autosaved", "article_id", as.ArticleID, "user_id", u.ID)
	local := as.SavedAt.In(s.siteConfig(r.Context()).Dates.Location())
	s.apiJSON(w, http.StatusOK, autosaveJSON{SavedAt: as.SavedAt.UTC().Format(time.RFC3339), Time: local.Format("15:04 MST")})
}

// discardArticleAutosave throws away u's autosave of the article and goes
// back to the editor with the article as saved.
func (s *Server) discardArticleAutosave(w http.ResponseWriter, r *http.Request, u *byline.User) {
	d, ok := s.deskArticle(w, r, u)
	if ok {
		s.discardAutosave(w, r, u, d)
	}
}

// discardNewAutosave throws away u's autosave of a new article.
func (s *Server) discardNewAutosave(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.discardAutosave(w, r, u, nil)
}

func (s *Server) discardAutosave(w http.ResponseWriter, r *http.Request, u *byline.User, d *byline.DeskArticle) {
	if s.Autosaves == nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "This site keeps no autosaves."))
		return
	}
	var id int64
	if d != nil {
		id = d.ID
	}
	// Only one's own autosave: the user is part of its key.
	if err := s.Autosaves.Delete(r.Context(), u.ID, id); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("autosave discarded", "article_id", id, "user_id", u.ID)
	if wantsJSON(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	redirectDone(w, r, editorPath(d), "discarded")
}
