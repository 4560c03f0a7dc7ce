package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// maxBulk bounds the articles one bulk action changes: a page of the list.
const maxBulk = deskPageSize

// bulkActions are the article list's bulk actions, with what the
// confirmation asks.
var bulkActions = map[string]string{
	"publish":   "Publish",
	"unpublish": "Unpublish",
	"delete":    "Delete",
	"tag":       "Tag",
}

// bulkResult is what a bulk action did to one article.
type bulkResult struct {
	Article *byline.DeskArticle
	Done    bool
	Problem string
}

// bulkPage asks to confirm a bulk action, then says what it did.
type bulkPage struct {
	newsroomLayout
	Action   string
	Verb     string
	Tag      string
	Articles []*byline.DeskArticle // to confirm
	Results  []bulkResult          // once done
	Done     int
}

// bulkArticles applies one action to the articles ticked in the list,
// after a confirmation page: publish, unpublish, delete, or add a tag.
// Each article is checked against the user's role on its own; those it
// may not change are named, and the rest go ahead.
func (s *Server) bulkArticles(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	action, tag := f.Get("bulk_action"), strings.TrimSpace(f.Get("bulk_tag"))
	verb, ok := bulkActions[action]
	if !ok {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Choose what to do with the ticked articles."))
		return
	}
	if action == "tag" && byline.Slugify(tag) == "" {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Give the tag to add to the ticked articles."))
		return
	}
	if (action == "publish" || action == "unpublish") && !u.CanPublish() {
		s.newsroomError(w, r, u, forbidden("publish or unpublish articles"))
		return
	}
	ids := f["id"]
	if len(ids) == 0 {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "Tick the articles to %s first.", strings.ToLower(verb)))
		return
	}
	if len(ids) > maxBulk {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "At most %d articles at a time.", maxBulk))
		return
	}
	var list []*byline.DeskArticle
	seen := map[int64]bool{}
	for _, v := range ids {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 || seen[id] {
			continue
		}
		seen[id] = true
		d, err := s.Desk.FindDeskArticle(r.Context(), id)
		if byline.ErrorKind(err) == byline.NotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			s.newsroomError(w, r, u, err)
			return
		}
		if !u.CanSeeArticle(d) {
			s.newsroomError(w, r, u, forbidden("change another writer's article"))
			return
		}
		list = append(list, d)
	}
	page := bulkPage{Action: action, Verb: verb, Tag: tag, Articles: list}
	if f.Get("confirm") == "" {
		page.newsroomLayout = s.newNewsroomLayout(r, u, verb+" articles", "articles")
		s.renderNewsroom(w, r, http.StatusOK, "bulk", page)
		return
	}
	for _, d := range list {
		err := s.bulkOne(r, u, d, action, tag)
		res := bulkResult{Article: d, Done: err == nil}
		if err != nil {
			if kind := byline.ErrorKind(err); kind == byline.Internal {
				s.newsroomError(w, r, u, err)
				return
			}
			res.Problem = byline.ErrorMessage(err)
		} else {
			page.Done++
		}
		page.Results = append(page.Results, res)
	}
	s.Logger.Info("bulk action", "action", action, "articles", len(list), "done", page.Done, "user_id", u.ID)
	page.Articles = nil
	page.newsroomLayout = s.newNewsroomLayout(r, u, verb+" articles", "articles")
	s.renderNewsroom(w, r, http.StatusOK, "bulk", page)
}

// bulkOne applies the action to one article, if the user may.
func (s *Server) bulkOne(r *http.Request, u *byline.User, d *byline.DeskArticle, action, tag string) error {
	if action == "delete" {
		if !u.CanDeleteArticle(d) {
			return forbidden("delete this article")
		}
		return s.Articles.Delete(r.Context(), d.ID)
	}
	if !u.CanEditArticle(d) {
		return forbidden("change this article")
	}
	var upd byline.ArticleUpdate
	switch action {
	case "publish":
		if d.IsVisible(s.now()) {
			return nil // live already
		}
		if err := checkAltText(d.Body, byline.Published); err != nil {
			return err
		}
		now := s.now()
		st := byline.Published
		upd.Status, upd.PublishedAt = &st, &now
	case "unpublish":
		if d.Status == byline.Draft {
			return nil
		}
		st := byline.Draft
		upd.Status = &st
	case "tag":
		tags := append([]byline.Tag(nil), d.Tags...)
		for _, t := range tags {
			if t.Slug == byline.Slugify(tag) {
				return nil // tagged already
			}
		}
		tags = append(tags, byline.Tag{Name: tag})
		upd.Tags = &tags
	}
	saved, err := s.Desk.UpdateArticle(r.Context(), d.ID, upd, d.Version, u.ID)
	if err != nil {
		return err
	}
	if saved.Status != byline.Draft && d.Submitted() {
		return s.Desk.SetSubmitted(r.Context(), d.ID, false)
	}
	return nil
}
