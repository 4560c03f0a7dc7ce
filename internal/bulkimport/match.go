package bulkimport

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/bylinenews/byline"
)

// Lookup finds a stored article by what a re-import matches it on. Each
// method returns the article's ID, or 0 when there is none.
type Lookup interface {
	// ByImportKey finds the article with the import key.
	ByImportKey(ctx context.Context, key string) (int64, error)
	// BySourceURL finds the article with the source URL.
	BySourceURL(ctx context.Context, url string) (int64, error)
	// ByNewsroomSlug finds the article with the slug and neither an import
	// key nor a source URL: one made in the newsroom.
	ByNewsroomSlug(ctx context.Context, slug string) (int64, error)
	// ImportedBetween lists the imported articles (those with an import
	// key or a source URL) published or scheduled in [from, to), by
	// ascending ID: the stories a record of that day may be.
	ImportedBetween(ctx context.Context, from, to time.Time) ([]Candidate, error)
}

// Candidate is a stored article a record may be the same story as.
type Candidate struct {
	ID                   int64
	Headline             string
	ImportKey, SourceURL string
	URL                  string // its permalink (Article.URL)
}

// Match is the stored article a record updates.
type Match struct {
	ID int64 // 0: there is none, the record is a new article
	By byline.ImportMatch
	// URL is, for MatchSameStory, the article's permalink before the
	// record updates it: it redirects to the article if the record's
	// slug or date moves it.
	URL string
}

// FindMatch returns the article a re-import of rec updates: the one with
// its import key, else its source URL, else (with neither, or with a key
// KeyBySlug made) an article made in the newsroom with its slug, else,
// unless opts.AllowDuplicates, the same story from another source
// ([SameStory]), the first by ID: what would otherwise become a "-2" copy.
func FindMatch(ctx context.Context, l Lookup, rec *byline.ArticleRecord, opts byline.ImportOptions) (Match, error) {
	a := rec.Article
	if rec.ImportKey != "" {
		if id, err := l.ByImportKey(ctx, rec.ImportKey); id != 0 || err != nil {
			return Match{ID: id, By: byline.MatchImportKey}, err
		}
	}
	switch {
	case a.SourceURL != "":
		if id, err := l.BySourceURL(ctx, a.SourceURL); id != 0 || err != nil {
			return Match{ID: id, By: byline.MatchSourceURL}, err
		}
	case rec.ImportKey != "" && !IsSlugKey(rec.ImportKey):
	default:
		slug := a.Slug
		if slug == "" {
			slug = byline.SlugOrUntitled(a.Headline)
		}
		if id, err := l.ByNewsroomSlug(ctx, slug); id != 0 || err != nil {
			return Match{ID: id, By: byline.MatchSlug}, err
		}
	}
	if opts.AllowDuplicates {
		return Match{}, nil
	}
	from, to, ok := storyDay(rec, opts.Zone)
	if !ok {
		return Match{}, nil
	}
	candidates, err := l.ImportedBetween(ctx, from, to)
	if err != nil {
		return Match{}, err
	}
	for _, c := range candidates {
		if SameStory(rec, c) {
			return Match{ID: c.ID, By: byline.MatchSameStory, URL: c.URL}, nil
		}
	}
	return Match{}, nil
}

// SameStory reports whether rec is the story of the stored article c from
// another source: the same headline ([NormalHeadline]), c imported (not
// made in the newsroom, whose work an import does not take over by a
// headline) from another source ([Source]). c is of rec's day, as
// Lookup.ImportedBetween lists it. Two records of one source are two
// stories whatever their headlines: the source tells them apart by their
// import keys and addresses, e.g. two "Letters to the editor" of one day.
func SameStory(rec *byline.ArticleRecord, c Candidate) bool {
	if c.ImportKey == "" && c.SourceURL == "" {
		return false
	}
	want := NormalHeadline(rec.Article.Headline)
	return want != "" && NormalHeadline(c.Headline) == want &&
		Source(rec.ImportKey, rec.Article.SourceURL) != Source(c.ImportKey, c.SourceURL)
}

// StoryKey is what two records of the same story, from any sources, have
// alike: the headline and the day; "" when rec cannot be the same story
// as another (a draft, no date, no letters in the headline).
func StoryKey(rec *byline.ArticleRecord, zone *time.Location) string {
	from, _, ok := storyDay(rec, zone)
	h := NormalHeadline(rec.Article.Headline)
	if !ok || h == "" {
		return ""
	}
	return from.Format(time.DateOnly) + " " + h
}

// storyDay is the day, in zone (nil: UTC), of rec's publication: only a
// published or scheduled article is a story on the site.
func storyDay(rec *byline.ArticleRecord, zone *time.Location) (from, to time.Time, ok bool) {
	a := rec.Article
	if a.PublishedAt.IsZero() || (a.Status != byline.Published && a.Status != byline.Scheduled) {
		return time.Time{}, time.Time{}, false
	}
	if zone == nil {
		zone = time.UTC
	}
	y, m, d := a.PublishedAt.In(zone).Date()
	from = time.Date(y, m, d, 0, 0, 0, 0, zone)
	return from, from.AddDate(0, 0, 1), true
}

// Source names where an article with the import key and source URL came
// from: the kind of key ("wxr", "slug", ...) and the host of the URL
// (lower case, without "www.").
func Source(importKey, sourceURL string) string {
	kind, _, _ := strings.Cut(importKey, ":")
	host := ""
	if u, err := url.Parse(sourceURL); err == nil {
		host = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	return kind + " " + host
}

// NormalHeadline is a headline as two sources of the same story agree on
// it: letters and digits in lower case, everything else (punctuation,
// typographic or straight quotes, dashes, runs of space) one space.
func NormalHeadline(h string) string {
	var b strings.Builder
	space := false
	for _, r := range h {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		space = true
	}
	return b.String()
}
