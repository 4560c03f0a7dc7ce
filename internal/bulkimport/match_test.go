package bulkimport

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// stored is a site's articles as FindMatch's lookups see them: by import
// key, by source URL, by the slug of articles made in the newsroom, and
// by day.
type stored struct {
	keys, urls, slugs map[string]int64
	live              []liveArticle
}

type liveArticle struct {
	Candidate
	at time.Time
}

func (s stored) ImportedBetween(_ context.Context, from, to time.Time) ([]Candidate, error) {
	var out []Candidate
	for _, p := range s.live {
		if !p.at.Before(from) && p.at.Before(to) && (p.ImportKey != "" || p.SourceURL != "") {
			out = append(out, p.Candidate)
		}
	}
	return out, nil
}

func (s stored) ByImportKey(_ context.Context, k string) (int64, error)    { return s.keys[k], nil }
func (s stored) BySourceURL(_ context.Context, u string) (int64, error)    { return s.urls[u], nil }
func (s stored) ByNewsroomSlug(_ context.Context, v string) (int64, error) { return s.slugs[v], nil }

func TestFindMatch(t *testing.T) {
	site := stored{
		keys:  map[string]int64{"wxr:1": 1, "slug:kept": 4},
		urls:  map[string]int64{"https://old.example/a": 2},
		slugs: map[string]int64{"made-here": 3, "kept": 5},
		live: []liveArticle{
			{Candidate{6, "Russian, US Relationship In Syria Remains Complicated", "", "https://scraped.example/russia", "/2015/10/russia/"}, time.Date(2015, 10, 14, 9, 30, 0, 0, time.UTC)},
			{Candidate{7, "Budget vote delayed", "wxr:https://old.example/?p=3", "https://old.example/budget/", "/2016/05/budget/"}, time.Date(2016, 5, 2, 23, 59, 0, 0, time.UTC)},
			{Candidate{8, "Storm closes schools", "", "", "/2015/10/storm/"}, time.Date(2015, 10, 14, 8, 0, 0, 0, time.UTC)},
		},
	}
	oct14 := time.Date(2015, 10, 14, 18, 0, 0, 0, time.UTC)
	may2 := time.Date(2016, 5, 2, 12, 0, 0, 0, time.UTC)
	story := func(key, headline, url string, at time.Time) byline.ArticleRecord {
		return byline.ArticleRecord{ImportKey: key, Article: &byline.Article{Headline: headline, SourceURL: url, Status: byline.Published, PublishedAt: at}}
	}
	draft := story("", "Budget vote delayed", "", may2)
	draft.Article.Status = byline.Draft
	for _, tc := range []struct {
		name string
		rec  byline.ArticleRecord
		want int64
		by   byline.ImportMatch
	}{
		{"import key first", byline.ArticleRecord{ImportKey: "wxr:1", Article: &byline.Article{SourceURL: "https://old.example/a"}}, 1, byline.MatchImportKey},
		{"then source URL", byline.ArticleRecord{ImportKey: "wxr:9", Article: &byline.Article{SourceURL: "https://old.example/a"}}, 2, byline.MatchSourceURL},
		{"a foreign key without a match is new", byline.ArticleRecord{ImportKey: "wxr:9", Article: &byline.Article{Slug: "made-here"}}, 0, byline.MatchNone},
		{"neither: the newsroom's slug", byline.ArticleRecord{Article: &byline.Article{Slug: "made-here"}}, 3, byline.MatchSlug},
		{"neither: the headline's slug", byline.ArticleRecord{Article: &byline.Article{Headline: "Made here"}}, 3, byline.MatchSlug},
		{"a slug key matches its article", byline.ArticleRecord{ImportKey: "slug:kept", Article: &byline.Article{Slug: "kept"}}, 4, byline.MatchImportKey},
		{"a slug key unmatched falls back to the slug", byline.ArticleRecord{ImportKey: "slug:made-here", Article: &byline.Article{Slug: "made-here"}}, 3, byline.MatchSlug},
		{"a source URL unmatched is new", byline.ArticleRecord{Article: &byline.Article{Slug: "made-here", SourceURL: "https://old.example/b"}}, 0, byline.MatchNone},
		{"the same headline the same day from another source is the same story",
			story("wxr:9", "Russian, US relationship in Syria remains complicated", "https://other.example/x", oct14), 6, byline.MatchSameStory},
		{"punctuation, quotes and case do not count",
			story("", "  RUSSIAN – US ‘Relationship’ in Syria: remains complicated!", "", oct14), 6, byline.MatchSameStory},
		{"another day is another story", story("", "Russian, US Relationship In Syria Remains Complicated", "", oct14.Add(24*time.Hour)), 0, byline.MatchNone},
		{"the day is UTC's without a zone",
			story("", "Budget vote delayed", "", time.Date(2016, 5, 3, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600))), 7, byline.MatchSameStory},
		{"another headline is another story", story("", "Russia and Syria", "", oct14), 0, byline.MatchNone},
		{"the same source with another address is another story",
			story("wxr:https://old.example/?p=4", "Budget vote delayed", "https://old.example/budget-2/", may2), 0, byline.MatchNone},
		{"a scrape of the same site is another source",
			story("", "Budget vote delayed", "https://www.old.example/2016/budget", may2), 7, byline.MatchSameStory},
		{"an article made in the newsroom is not the story of an import", story("wxr:9", "Storm closes schools", "https://other.example/storm", oct14), 0, byline.MatchNone},
		{"a draft is no story on the site", draft, 0, byline.MatchNone},
		{"no date is no day", story("", "Budget vote delayed", "", time.Time{}), 0, byline.MatchNone},
	} {
		got, err := FindMatch(t.Context(), site, &tc.rec, byline.ImportOptions{})
		if err != nil || got.ID != tc.want || got.By != tc.by {
			t.Errorf("%s: FindMatch = %+v, %v; want %d by %d", tc.name, got, err, tc.want, tc.by)
		}
		if tc.by == byline.MatchSameStory {
			if got.URL == "" {
				t.Errorf("%s: FindMatch = %+v, want the article's permalink to redirect", tc.name, got)
			}
			if got, _ := FindMatch(t.Context(), site, &tc.rec, byline.ImportOptions{AllowDuplicates: true}); got.ID != 0 {
				t.Errorf("%s: FindMatch with AllowDuplicates = %+v, want a new article", tc.name, got)
			}
		}
	}
}

func TestSource(t *testing.T) {
	for _, tc := range []struct{ key, url, want string }{
		{"wxr:https://old.example/?p=1", "https://WWW.Old.example/a/", "wxr old.example"},
		{"", "http://old.example:8080/a", " old.example"},
		{"slug:hello", "", "slug "},
		{"", "", " "},
	} {
		if got := Source(tc.key, tc.url); got != tc.want {
			t.Errorf("Source(%q, %q) = %q, want %q", tc.key, tc.url, got, tc.want)
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
