package byline

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Autosave is the editor's form as a user last typed it over an article,
// kept by the server every few seconds while they type, so that a crash or
// a closed tab loses nothing. It is not a revision: there is one per
// article and user, replaced by each autosave and removed when that user
// saves the article; revisions are made only by saving, publishing and
// scheduling.
type Autosave struct {
	ArticleID int64 // 0 for a new article not yet saved once
	UserID    int64
	// BaseVersion is the article's version the text was typed over (0 for
	// a new article). Restored, it is the version the next save checks, so
	// a save over someone else's later changes is an edit conflict.
	BaseVersion int
	// Fields holds the editor's form fields as typed, by field name
	// ("headline", "body", "authors", ...); the editor decides which.
	Fields  map[string]string
	SavedAt time.Time
}

// Limits of an autosave: one body and room for the other fields.
const (
	MaxAutosaveFields = 40
	MaxAutosaveBytes  = MaxBodyBytes + 256<<10
)

// Validate checks what a browser sent and returns an Invalid error naming
// the problem.
func (as *Autosave) Validate() error {
	if as.UserID == 0 {
		return Errorf(Invalid, "An autosave needs the user who typed it.")
	}
	if as.ArticleID < 0 || as.BaseVersion < 0 {
		return Errorf(Invalid, "An autosave needs a valid article and version.")
	}
	if len(as.Fields) > MaxAutosaveFields {
		return Errorf(Invalid, "An autosave holds at most %d fields.", MaxAutosaveFields)
	}
	size := 0
	for k, v := range as.Fields {
		size += len(k) + len(v)
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return Errorf(Invalid, "The autosaved text is not valid UTF-8.")
		}
		if strings.ContainsRune(k+v, 0) {
			// PostgreSQL cannot store NUL in text; no real article has one.
			return Errorf(Invalid, "The autosaved text contains a NUL character.")
		}
	}
	if size > MaxAutosaveBytes {
		return Errorf(Invalid, "The autosaved text is larger than %d MB.", MaxAutosaveBytes>>20)
	}
	return nil
}

// AutosaveService keeps the editor's autosaves, one per article and user.
// Implementations are safe for concurrent use. [DeskService] removes the
// saving user's autosave of an article in the same transaction as
// CreateArticle (their autosave of a new article), UpdateArticle and
// RestoreRevision.
type AutosaveService interface {
	// Save stores as as its user's autosave of its article, replacing the
	// one before, and sets as.SavedAt. It returns Invalid for what
	// [Autosave.Validate] refuses, and NotFound if the article or the user
	// does not exist.
	Save(ctx context.Context, as *Autosave) error

	// Find returns the user's autosave of the article (articleID 0: of a
	// new article), or a NotFound error.
	Find(ctx context.Context, userID, articleID int64) (*Autosave, error)

	// Delete removes the user's autosave of the article, if there is one.
	Delete(ctx context.Context, userID, articleID int64) error
}
