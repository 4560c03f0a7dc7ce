package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/bylinenews/byline"
)

// nameJSON is one suggestion of the editor's author and tag pickers.
type nameJSON struct {
	Name string `json:"name"`
	Slug string `json:"slug"`
}

// namesJSON is the answer of the pickers' suggestions.
type namesJSON struct {
	Items []nameJSON `json:"items"`
}

// suggestAuthors answers the authors picker: the existing authors matching
// ?q=, most credited first, as JSON.
func (s *Server) suggestAuthors(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.suggestNames(w, r, u, func(ctx context.Context, f byline.NameFilter) ([]nameJSON, error) {
		list, err := s.Desk.FindAuthors(ctx, f)
		out := make([]nameJSON, 0, len(list))
		for _, a := range list {
			out = append(out, nameJSON{Name: a.Name, Slug: a.Slug})
		}
		return out, err
	})
}

// suggestTags answers the tags picker as suggestAuthors does authors.
func (s *Server) suggestTags(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.suggestNames(w, r, u, func(ctx context.Context, f byline.NameFilter) ([]nameJSON, error) {
		list, err := s.Desk.FindTags(ctx, f)
		out := make([]nameJSON, 0, len(list))
		for _, t := range list {
			out = append(out, nameJSON{Name: t.Name, Slug: t.Slug})
		}
		return out, err
	})
}

func (s *Server) suggestNames(w http.ResponseWriter, r *http.Request, u *byline.User, find func(context.Context, byline.NameFilter) ([]nameJSON, error)) {
	w.Header().Set("Cache-Control", "no-store")
	if !u.CanWriteArticles() {
		s.apiServeError(w, r, forbidden("see the authors and tags"))
		return
	}
	q := r.URL.Query().Get("q")
	if len(q) > byline.MaxNameRunes*4 {
		s.apiError(w, http.StatusBadRequest, "The text to complete is too long.")
		return
	}
	items, err := find(r.Context(), byline.NameFilter{Query: q, Limit: 10})
	if err != nil {
		s.apiServeError(w, r, err)
		return
	}
	s.apiJSON(w, http.StatusOK, namesJSON{Items: items})
}

// newName is a name in the editor's authors or tags that is no author or
// tag yet: created only if the user ticks it (or picks "Create new ..."
// in the picker, which ticks it for them).
type newName struct {
	Name    string
	Checked bool
}

// newNames returns the names of f's authors and tags that do not exist
// yet, each ticked if the form asks to create it.
func (s *Server) newNames(ctx context.Context, f editorForm) (authors, tags []newName, err error) {
	authors, err = s.unknownNames(ctx, splitNames(f.Authors), f.CreateAuthors, func(ctx context.Context, slug string) error {
		_, err := s.Articles.FindAuthor(ctx, slug)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	tags, err = s.unknownNames(ctx, splitNames(f.Tags), f.CreateTags, func(ctx context.Context, slug string) error {
		_, err := s.Articles.FindTag(ctx, slug)
		return err
	})
	return authors, tags, err
}

// unknownNames returns the names that find does not find by the slug the
// store would give them, ticked if create has them (by slug, so that the
// case of a letter does not matter).
func (s *Server) unknownNames(ctx context.Context, names, create []string, find func(context.Context, string) error) ([]newName, error) {
	ticked := map[string]bool{}
	for _, n := range create {
		ticked[byline.SlugOrUntitled(n)] = true
	}
	var out []newName
	seen := map[string]bool{}
	for _, n := range names {
		slug := byline.SlugOrUntitled(n)
		if seen[slug] {
			continue
		}
		seen[slug] = true
		err := find(ctx, slug)
		if byline.ErrorKind(err) == byline.NotFound {
			out = append(out, newName{Name: n, Checked: ticked[slug]})
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// checkNewNames refuses a save that would create an author or a tag the
// user did not choose to create: a name typed into a pre-filled field
// ("Eda EditorEda Editor") must not become a new author without a word.
func (s *Server) checkNewNames(ctx context.Context, f editorForm) error {
	authors, tags, err := s.newNames(ctx, f)
	if err != nil {
		return err
	}
	refuse := func(kind string, names []newName) error {
		var missing []string
		for _, n := range names {
			if !n.Checked {
				missing = append(missing, "“"+n.Name+"”")
			}
		}
		switch len(missing) {
		case 0:
			return nil
		case 1:
			return byline.Errorf(byline.Invalid, "There is no %s %s yet. Pick an existing %s, or tick “Create new %s” under the field to add it.",
				kind, missing[0], kind, kind)
		}
		return byline.Errorf(byline.Invalid, "There are no %ss %s yet. Pick existing %ss, or tick “Create new %s” under the field for each to add.",
			kind, strings.Join(missing, ", "), kind, kind)
	}
	if err := refuse("author", authors); err != nil {
		return err
	}
	return refuse("tag", tags)
}
