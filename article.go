package byline

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where an article stands in its life.
type Status string

// Article statuses. A scheduled article becomes visible on its own once its
// PublishedAt has passed; no job has to flip it.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Published Status = "published"
)

// Valid reports whether s is one of the known statuses.
func (s Status) Valid() bool {
	switch s {
	case Draft, Scheduled, Published:
		return true
	}
	return false
}

// Article is a story: the unit a reader reads and an editor publishes.
type Article struct {
	ID       int64
	Slug     string
	Headline string
	Dek      string // the standfirst or excerpt shown under the headline and on lists

	// Body is the Markdown source; BodyHTML is its sanitized rendering,
	// made by the store when the article is saved. BodyText is the plain
	// text, for excerpts, search and reading time.
	Body     string
	BodyHTML string
	BodyText string

	Authors []Author
	Tags    []Tag
	// Sections are the article's sections, the primary one first; it is
	// the kicker over the headline. They are matched by slug when saved
	// (one not on the site is created with its name).
	Sections []Section

	Status      Status
	PublishedAt time.Time // when it is (or was, or will be) public; zero for a draft never scheduled
	CreatedAt   time.Time
	UpdatedAt   time.Time

	SourceURL       string // where an imported article came from; unique when set
	FeatureImageURL string
	Version         int // incremented on each update, for edit-conflict checks
}

// PrimarySection returns the article's first section, or nil.
func (a *Article) PrimarySection() *Section {
	if len(a.Sections) == 0 {
		return nil
	}
	return &a.Sections[0]
}

// Tag labels articles on a subject.
type Tag struct {
	ID   int64
	Slug string
	Name string
}

// URL returns the article's permalink path, e.g.
// /2015/10/russian-us-relationship-in-syria-remains-complicated/. The year
// and month are those of publication (UTC), or of creation for an article
// never published.
func (a *Article) URL() string {
	t := a.PublishedAt
	if t.IsZero() {
		t = a.CreatedAt
	}
	t = t.UTC()
	return fmt.Sprintf("/%04d/%02d/%s/", t.Year(), int(t.Month()), a.Slug)
}

// IsVisible reports whether readers can see the article at time now.
func (a *Article) IsVisible(now time.Time) bool {
	return (a.Status == Published || a.Status == Scheduled) && !a.PublishedAt.IsZero() && !a.PublishedAt.After(now)
}

// WordsPerMinute is the reading speed behind ReadingTime.
const WordsPerMinute = 230

// ReadingTime returns the minutes an average reader needs, at least one.
func (a *Article) ReadingTime() int {
	words := len(strings.Fields(a.BodyText))
	m := (words + WordsPerMinute - 1) / WordsPerMinute
	return max(m, 1)
}

// Byline returns the authors' names joined for display: "A", "A and B",
// "A, B and C". It returns "" when there are no authors.
func (a *Article) Byline() string {
	names := make([]string, len(a.Authors))
	for i, au := range a.Authors {
		names[i] = au.Name
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Field limits, generous enough for any real article and small enough that a
// hostile import cannot fill the disk with one row.
const (
	MaxHeadlineRunes = 500
	MaxDekRunes      = 5_000
	MaxBodyBytes     = 5 << 20
	MaxNameRunes     = 200
	MaxURLBytes      = 2_048
)

// Validate checks the fields a writer controls and returns an Invalid error
// naming the first problem.
func (a *Article) Validate() error {
	switch {
	case strings.TrimSpace(a.Headline) == "":
		return Errorf(Invalid, "An article needs a headline.")
	case !utf8.ValidString(a.Headline) || !utf8.ValidString(a.Dek) || !utf8.ValidString(a.Body) ||
		!utf8.ValidString(a.Slug) || !utf8.ValidString(a.SourceURL) || !utf8.ValidString(a.FeatureImageURL):
		return Errorf(Invalid, "The article's text is not valid UTF-8.")
	case strings.ContainsRune(a.Headline+a.Dek+a.Body+a.Slug+a.SourceURL+a.FeatureImageURL, 0):
		// PostgreSQL cannot store NUL in text; no real article has one.
		return Errorf(Invalid, "The article's text contains a NUL character.")
	case utf8.RuneCountInString(a.Headline) > MaxHeadlineRunes:
		return Errorf(Invalid, "The headline is longer than %d characters.", MaxHeadlineRunes)
	case utf8.RuneCountInString(a.Dek) > MaxDekRunes:
		return Errorf(Invalid, "The excerpt is longer than %d characters.", MaxDekRunes)
	case len(a.Body) > MaxBodyBytes:
		return Errorf(Invalid, "The body is larger than %d MB.", MaxBodyBytes>>20)
	case !a.Status.Valid():
		return Errorf(Invalid, "Unknown status %q: use draft, scheduled or published.", a.Status)
	case a.Status == Scheduled && a.PublishedAt.IsZero():
		return Errorf(Invalid, "A scheduled article needs a publication time.")
	case len(a.SourceURL) > MaxURLBytes || len(a.FeatureImageURL) > MaxURLBytes:
		return Errorf(Invalid, "A URL is longer than %d bytes.", MaxURLBytes)
	case a.Slug != "" && Slugify(a.Slug) != a.Slug:
		return Errorf(Invalid, "The slug %q may hold only lower-case letters, digits and single hyphens.", a.Slug)
	}
	for _, au := range a.Authors {
		if strings.TrimSpace(au.Name) == "" || utf8.RuneCountInString(au.Name) > MaxNameRunes {
			return Errorf(Invalid, "An author's name must be 1 to %d characters.", MaxNameRunes)
		}
	}
	for _, t := range a.Tags {
		if strings.TrimSpace(t.Name) == "" || utf8.RuneCountInString(t.Name) > MaxNameRunes {
			return Errorf(Invalid, "A tag must be 1 to %d characters.", MaxNameRunes)
		}
	}
	for _, s := range a.Sections {
		if strings.TrimSpace(s.Name) == "" && s.Slug == "" || utf8.RuneCountInString(s.Name) > MaxNameRunes {
			return Errorf(Invalid, "A section's name must be 1 to %d characters.", MaxNameRunes)
		}
	}
	return nil
}

// ArticleFilter selects articles. Nil fields do not filter. Without
// IncludeHidden only articles visible to readers are returned.
type ArticleFilter struct {
	Tag *string // tag slug
	// Section is a section's slug: its articles and its subsections'.
	Section       *string
	Author        *string // author slug
	Status        *Status
	IncludeHidden bool // drafts and not-yet-due scheduled articles too (the newsroom)
	ExcludeID     int64
	Limit, Offset int
	// MetadataOnly leaves out the bodies, authors and tags, for long lists
	// such as sitemaps.
	MetadataOnly bool
	// OrderByID lists oldest first by ID, a stable order for paging
	// through every article (sitemaps, exports).
	OrderByID bool
}

// ImportResult says what happened to one imported article.
type ImportResult struct {
	Article *Article
	Created bool // false: an existing article was updated in place
	// Match is how the article updated was found; MatchNone when Created.
	Match ImportMatch
	// Err, with ImportOptions.SkipBad, is why the store refused the
	// article (kind Invalid or Conflict); it was left out.
	Err error
}

// ImportMatch is how an imported record found the article it updates.
type ImportMatch int

const (
	MatchNone      ImportMatch = iota // none: the record is a new article
	MatchImportKey                    // the same import key: a re-import of the same source
	MatchSourceURL                    // the same source URL
	MatchSlug                         // the same slug, of an article made in the newsroom
	// MatchSameStory is the same story from another source: the same
	// headline on the same day (see ImportOptions.AllowDuplicates).
	MatchSameStory
)

// ArticleRecord is an article with what the store keeps about where it came
// from: what an import writes and an export reads back, so that exporting a
// site and importing the records elsewhere rebuilds the same articles.
type ArticleRecord struct {
	Article *Article
	// ImportKey is the article's identity in the system it was imported
	// from, e.g. "wxr:" and a WordPress post's guid; unique when set.
	ImportKey string
	// OldPaths are addresses the article had on the old site, as made by
	// [RedirectPath]; each answers with a 301 to the article's permalink.
	OldPaths []string
}

// ImportOptions control [ArticleService.Import].
type ImportOptions struct {
	// SkipBad reports an article the store refuses (Invalid, Conflict) in
	// its ImportResult.Err and goes on without it, instead of ending the
	// import with nothing stored.
	SkipBad bool
	// DryRun looks up what each article would do (create or update) and
	// writes nothing.
	DryRun bool
	// AllowDuplicates creates a record that matches no article by its
	// import key, source URL or slug even when the site has the same story
	// from another source; without it the record updates that article
	// (MatchSameStory) instead of becoming a copy with a "-2" slug. The
	// same story is a published or scheduled article with the same
	// headline (letters and digits alike, in any case; punctuation, quotes
	// and spacing aside) on the same day in Zone, that was imported
	// (made in the newsroom, it is left alone) from another source: another
	// kind of import key ("wxr:", "slug:", ...) or another host of the
	// source URL. Two records of one source are two stories, whatever
	// their headlines: the source tells them apart by their addresses.
	AllowDuplicates bool
	// Zone is the time zone whose days the same story is looked for in:
	// the site's (Settings.TimeZone). Nil is UTC.
	Zone *time.Location
}

// ArticleService reads and writes articles. Implementations are safe for
// concurrent use. Times are UTC.
type ArticleService interface {
	// FindBySlug returns the visible article with the given slug.
	// It returns an error of kind NotFound if there is none.
	FindBySlug(ctx context.Context, slug string) (*Article, error)

	// FindByID returns the article with the given ID, visible or not.
	// It returns an error of kind NotFound if there is none.
	FindByID(ctx context.Context, id int64) (*Article, error)

	// Find returns the articles matching f, newest first, and how many
	// match in all, ignoring f.Limit and f.Offset.
	Find(ctx context.Context, f ArticleFilter) ([]*Article, int, error)

	// Recent returns up to n of the latest visible articles, leaving out
	// the article with ID excludeID (0 leaves out none).
	Recent(ctx context.Context, n int, excludeID int64) ([]*Article, error)

	// Create validates and stores a new article, rendering its body and
	// giving it a unique slug (from the headline when Slug is empty; a
	// clash gets a numbered suffix). It sets a's ID, slug, HTML and times.
	Create(ctx context.Context, a *Article) error

	// Import stores the records that records yields, all in one
	// transaction, calling report after each with what happened to it.
	// A record updates in place the article with the same ImportKey, else
	// the same SourceURL, else (with neither) the same slug and no source,
	// else (unless opts.AllowDuplicates) the same story from another
	// source, imported before or earlier in this import, and is otherwise
	// created; its OldPaths are added as redirects. The
	// first error, from records, from storing (unless opts.SkipBad) or from
	// report, ends the import with nothing stored. Records are consumed as
	// they come, so memory does not grow with their number.
	Import(ctx context.Context, records iter.Seq2[*ArticleRecord, error], opts ImportOptions, report func(ImportResult) error) error

	// Export calls each with every article, visible or not, by ascending
	// ID, with its authors, tags, import key and old paths, from one
	// consistent snapshot. An error from each ends the export and is
	// returned.
	Export(ctx context.Context, each func(*ArticleRecord) error) error

	// FindRedirect returns the visible article that an old address now
	// leads to; path is as made by [RedirectPath]. It returns an error of
	// kind NotFound if there is none.
	FindRedirect(ctx context.Context, path string) (*Article, error)

	// Delete removes an article. It returns NotFound if there is none.
	Delete(ctx context.Context, id int64) error

	// LastModified returns the time of the last change readers can see:
	// an edit, a deletion, or a scheduled article coming due. Pages use it
	// for ETag and Last-Modified.
	LastModified(ctx context.Context) (time.Time, error)

	// NextDue returns the earliest time after after at which a scheduled
	// article comes due, or the zero time if none is scheduled: the moment
	// LastModified moves with no write, so a cache of it must ask again.
	NextDue(ctx context.Context, after time.Time) (time.Time, error)

	// FindAuthor and FindTag return the author or tag with the given slug,
	// or an error of kind NotFound.
	FindAuthor(ctx context.Context, slug string) (*Author, error)
	FindTag(ctx context.Context, slug string) (*Tag, error)
}

// ImportArticles imports articles through s, with no options, as records
// without import keys or old paths, and returns their results in order:
// each updates in place the article with the same SourceURL (or, without
// one, the same slug and no source), else the same story from another
// source (see ImportOptions.AllowDuplicates), or is created. Either all are
// stored or none is.
func ImportArticles(ctx context.Context, s ArticleService, articles []*Article) ([]ImportResult, error) {
	records := func(yield func(*ArticleRecord, error) bool) {
		for _, a := range articles {
			if !yield(&ArticleRecord{Article: a}, nil) {
				return
			}
		}
	}
	results := make([]ImportResult, 0, len(articles))
	err := s.Import(ctx, records, ImportOptions{}, func(r ImportResult) error {
		results = append(results, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}
