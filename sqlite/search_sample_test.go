package sqlite_test

import (
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/shareddata"
	"github.com/bylinenews/byline/sqlite"
)

// sampleArticle is one row of the sample, as the newsroom would import it.
type sampleArticle struct {
	SampleID string // the CSV's id column, which relevance.json uses
	Article  *byline.Article
}

// readSample reads the sample CSV, skipping the test if it is not there.
func readSample(t testing.TB) []sampleArticle {
	t.Helper()
	// The shared sample of 250 scraped news articles.
	f, err := os.Open(shareddata.Path(t, "news_sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read the news sample: %v", err)
	}
	col := make(map[string]int)
	for i, name := range records[0] {
		col[name] = i
	}
	var out []sampleArticle
	for _, rec := range records[1:] {
		get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
		a := &byline.Article{
			Headline: clipRunes(get("title"), byline.MaxHeadlineRunes),
			Dek:      clipRunes(get("meta_description"), byline.MaxDekRunes),
			Body:     get("content"),
			Status:   byline.Published,
		}
		if a.Headline == "" {
			a.Headline = "Untitled"
		}
		if u := get("url"); len(u) <= byline.MaxURLBytes {
			a.SourceURL = u
		}
		if t, err := time.Parse("2006-01-02 15:04:05.999999", get("scraped_at")); err == nil {
			a.PublishedAt = t
		} else {
			a.PublishedAt = time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		for _, name := range splitList(get("authors"), 3) {
			a.Authors = append(a.Authors, byline.Author{Name: name})
		}
		for _, name := range splitList(get("tags"), 10) {
			a.Tags = append(a.Tags, byline.Tag{Name: name})
		}
		out = append(out, sampleArticle{SampleID: get("id"), Article: a})
	}
	return out
}

// splitList splits a comma-separated list, keeping at most n usable names.
func splitList(s string, n int) []string {
	var out []string
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		slug := byline.Slugify(part)
		if slug == "" || seen[slug] || utf8.RuneCountInString(part) > byline.MaxNameRunes {
			continue
		}
		seen[slug] = true
		out = append(out, part)
		if len(out) == n {
			break
		}
	}
	return out
}

func clipRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// loadSample imports the sample into a fresh database and returns the
// search service and the article ID of each sample ID.
func loadSample(t testing.TB) (*sqlite.SearchService, *sqlite.DB, map[string]int64, []sampleArticle) {
	t.Helper()
	sample := readSample(t)
	db := dbtest.OpenSQLite(t)
	articles := make([]*byline.Article, len(sample))
	for i, s := range sample {
		articles[i] = s.Article
	}
	if _, err := byline.ImportArticles(t.Context(), sqlite.NewArticleService(db), articles); err != nil {
		t.Fatalf("import sample: %v", err)
	}
	ids := make(map[string]int64, len(sample))
	for _, s := range sample {
		ids[s.SampleID] = s.Article.ID
	}
	return sqlite.NewSearchService(db), db, ids, sample
}
