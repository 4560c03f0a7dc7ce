package byline

import (
	"context"
	"time"
)

// DeskArticle is an article as the newsroom sees it: with who owns it, and
// whether its author has submitted it for an editor.
type DeskArticle struct {
	*Article
	OwnerID     int64  // the user who created it; 0 for imported articles or a deleted user
	OwnerName   string // "" when OwnerID is 0
	SubmittedAt time.Time
}

// Submitted reports whether the article's author has handed it to the
// editors.
func (d *DeskArticle) Submitted() bool { return !d.SubmittedAt.IsZero() }

// DeskSort orders the newsroom's article list.
type DeskSort string

// Desk orders. The zero value is SortUpdated.
const (
	SortUpdated   DeskSort = "updated"   // last changed first
	SortPublished DeskSort = "published" // newest publication first, drafts last
	SortHeadline  DeskSort = "headline"  // A to Z
)

// Valid reports whether s is a known order ("" counts as SortUpdated).
func (s DeskSort) Valid() bool {
	return s == "" || s == SortUpdated || s == SortPublished || s == SortHeadline
}

// DeskFilter selects the newsroom's articles. Nil and zero fields do not
// filter. Status Scheduled means articles due in the future; Published
// means those visible now (whether published or come due).
type DeskFilter struct {
	Status    *Status
	OwnerID   *int64
	Submitted *bool
	Query     string // words the headline contains, ignoring case
	Sort      DeskSort
	Limit     int
	Offset    int
}

// ArticleUpdate changes some of an article's fields; nil fields stay as
// they are.
type ArticleUpdate struct {
	Headline        *string
	Dek             *string
	Slug            *string // "" keeps the current slug
	Body            *string
	FeatureImageURL *string
	Authors         *[]Author
	Tags            *[]Tag
	Sections        *[]Section
	Status          *Status
	PublishedAt     *time.Time
}

// Apply copies the set fields of upd into a.
func (upd ArticleUpdate) Apply(a *Article) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Headline, upd.Headline)
	set(&a.Dek, upd.Dek)
	set(&a.Slug, upd.Slug)
	set(&a.Body, upd.Body)
	set(&a.FeatureImageURL, upd.FeatureImageURL)
	if upd.Authors != nil {
		a.Authors = append([]Author(nil), (*upd.Authors)...)
	}
	if upd.Tags != nil {
		a.Tags = append([]Tag(nil), (*upd.Tags)...)
	}
	if upd.Sections != nil {
		a.Sections = append([]Section(nil), (*upd.Sections)...)
	}
	if upd.Status != nil {
		a.Status = *upd.Status
	}
	if upd.PublishedAt != nil {
		a.PublishedAt = *upd.PublishedAt
	}
}

// ChangesPublication reports whether upd would move the article onto or off
// the public site, or move its publication time: what only an editor may do.
// current is the article as stored.
func (upd ArticleUpdate) ChangesPublication(current *Article) bool {
	if upd.Status != nil && *upd.Status != current.Status && (*upd.Status != Draft || current.Status != Draft) {
		return true
	}
	if current.Status != Draft && upd.PublishedAt != nil && !upd.PublishedAt.Equal(current.PublishedAt) {
		return true
	}
	return false
}

// Revision is the state of an article as one save left it: its text and
// credits, who saved it and when. Revisions are kept for every save.
type Revision struct {
	ID              int64
	ArticleID       int64
	Version         int // the article's version this save made
	Headline        string
	Dek             string
	Slug            string
	Body            string
	FeatureImageURL string
	Authors         []Author // names and slugs
	Tags            []Tag
	Status          Status
	PublishedAt     time.Time
	UserID          int64  // who saved it; 0 for an import or a deleted user
	UserName        string // "" when UserID is 0
	CreatedAt       time.Time
}

// DeskService is the newsroom's side of the articles: ownership, saving
// with a version check, revisions. Implementations are safe for concurrent
// use. Reading and deleting go through [ArticleService].
type DeskService interface {
	// FindDesk returns the articles matching f and how many match in all.
	FindDesk(ctx context.Context, f DeskFilter) ([]*DeskArticle, int, error)

	// FindDeskArticle returns the article with the given ID, visible or
	// not, with its owner. It returns NotFound if there is none.
	FindDeskArticle(ctx context.Context, id int64) (*DeskArticle, error)

	// CreateArticle stores a new article (as [ArticleService.Create] does)
	// owned by the user with ID by, and its first revision.
	CreateArticle(ctx context.Context, a *Article, by int64) error

	// UpdateArticle applies upd to the article if its version is still
	// expectedVersion, stores a revision of the result and returns the
	// article as saved. If someone saved it in between it returns a
	// Conflict error and changes nothing. It returns NotFound or Invalid.
	UpdateArticle(ctx context.Context, id int64, upd ArticleUpdate, expectedVersion int, by int64) (*Article, error)

	// FindAuthors and FindTags return the authors or tags matching f, for
	// the editor's pickers: those credited most first.
	FindAuthors(ctx context.Context, f NameFilter) ([]Author, error)
	FindTags(ctx context.Context, f NameFilter) ([]Tag, error)

	// SetSubmitted marks an article as handed to the editors, or not.
	SetSubmitted(ctx context.Context, id int64, submitted bool) error

	// Revisions returns the article's revisions, newest first, without
	// their bodies.
	Revisions(ctx context.Context, articleID int64) ([]*Revision, error)

	// FindRevision returns a revision of the article, or NotFound.
	FindRevision(ctx context.Context, articleID, revisionID int64) (*Revision, error)

	// RestoreRevision brings back a revision's headline, dek, slug, body,
	// feature image, authors and tags (not its status or times), with the
	// same version check and a new revision, as UpdateArticle does.
	RestoreRevision(ctx context.Context, articleID, revisionID int64, expectedVersion int, by int64) (*Article, error)
}

// EditConflict is the error of a save made from version expected of an
// article that is now at version current: someone else saved it meanwhile.
func EditConflict(expected, current int) error {
	return Errorf(Conflict, "Someone else saved this article while you were editing it "+
		"(you started from version %d; it is now at version %d). Your changes were not saved: "+
		"they are kept in the form below. Open the article again in another tab to see the other changes, then merge yours.",
		expected, current)
}
