package bulkimport

import (
	"context"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// stored is a site's articles as FindMatch's lookups see them: by import
// key, by source URL and by the slug of articles made in the newsroom.
type stored struct{ keys, urls, slugs map[string]int64 }

func (s stored) ByImportKey(_ context.Context, k string) (int64, error)    { return s.keys[k], nil }
func (s stored) BySourceURL(_ context.Context, u string) (int64, error)    { return s.urls[u], nil }
func (s stored) ByNewsroomSlug(_ context.Context, v string) (int64, error) { return s.slugs[v], nil }

func TestFindMatch(t *testing.T) {
	site := stored{
		keys:  map[string]int64{"wxr:1": 1, "slug:kept": 4},
		urls:  map[string]int64{"https://old.example/a": 2},
		slugs: map[string]int64{"made-here": 3, "kept": 5},
	}
	for _, tc := range []struct {
		name string
		rec  byline.ArticleRecord
		want int64
	}{
		{"import key first", byline.ArticleRecord{ImportKey: "wxr:1", Article: &byline.Article{SourceURL: "https://old.example/a"}}, 1},
		{"then source URL", byline.ArticleRecord{ImportKey: "wxr:9", Article: &byline.Article{SourceURL: "https://old.example/a"}}, 2},
		{"a foreign key without a match is new", byline.ArticleRecord{ImportKey: "wxr:9", Article: &byline.Article{Slug: "made-here"}}, 0},
		{"neither: the newsroom's slug", byline.ArticleRecord{Article: &byline.Article{Slug: "made-here"}}, 3},
		{"neither: the headline's slug", byline.ArticleRecord{Article: &byline.Article{Headline: "Made here"}}, 3},
		{"a slug key matches its article", byline.ArticleRecord{ImportKey: "slug:kept", Article: &byline.Article{Slug: "kept"}}, 4},
		{"a slug key unmatched falls back to the slug", byline.ArticleRecord{ImportKey: "slug:made-here", Article: &byline.Article{Slug: "made-here"}}, 3},
		{"a source URL unmatched is new", byline.ArticleRecord{Article: &byline.Article{Slug: "made-here", SourceURL: "https://old.example/b"}}, 0},
	} {
		if got, err := FindMatch(t.Context(), site, &tc.rec); err != nil || got != tc.want {
			t.Errorf("%s: FindMatch = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

func TestRefuse(t *testing.T) {
	rec := &byline.ArticleRecord{Article: &byline.Article{Headline: "Bad"}}
	invalid := byline.Errorf(byline.Invalid, "The headline is too long.")
	if res, err := Refuse(rec, 3, invalid, byline.ImportOptions{SkipBad: true}); err != nil || res.Err == nil || res.Article != rec.Article {
		t.Errorf("Refuse(invalid, SkipBad) = %+v, %v; want a result to report", res, err)
	} else if got := res.Err.Error(); !strings.HasPrefix(got, `article 3 ("Bad"): `) || byline.ErrorKind(res.Err) != byline.Invalid {
		t.Errorf("Refuse names the article as %q", got)
	}
	if _, err := Refuse(rec, 3, invalid, byline.ImportOptions{}); byline.ErrorKind(err) != byline.Invalid {
		t.Errorf("Refuse(invalid) = %v; want the error that ends the import", err)
	}
	internal := context.DeadlineExceeded
	if _, err := Refuse(rec, 3, internal, byline.ImportOptions{SkipBad: true}); err == nil {
		t.Error("Refuse(internal error, SkipBad) went on; want it to end the import")
	}
}
