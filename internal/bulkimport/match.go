package bulkimport

import (
	"context"

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
}

// FindMatch returns the ID of the article a re-import of rec updates, or 0:
// the one with its import key, else its source URL, else (with neither, or
// with a key KeyBySlug made) an article made in the newsroom with its slug.
func FindMatch(ctx context.Context, l Lookup, rec *byline.ArticleRecord) (int64, error) {
	a := rec.Article
	if rec.ImportKey != "" {
		if id, err := l.ByImportKey(ctx, rec.ImportKey); id != 0 || err != nil {
			return id, err
		}
	}
	switch {
	case a.SourceURL != "":
		return l.BySourceURL(ctx, a.SourceURL)
	case rec.ImportKey != "" && !IsSlugKey(rec.ImportKey):
		return 0, nil
	default:
		slug := a.Slug
		if slug == "" {
			slug = byline.SlugOrUntitled(a.Headline)
		}
		return l.ByNewsroomSlug(ctx, slug)
	}
}
