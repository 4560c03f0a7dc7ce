// Package bulkimport is what every store's ArticleService.Import does
// the same way, whatever its database: the keys and the order that match a
// record to an article already stored, rendering a batch of articles on
// every core while the store writes the one before, writing one record,
// refusing a bad one, and the dry run. Each store supplies its lookups and
// writes (Lookup, Writer).
package bulkimport

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bylinenews/byline"
)

// slugKeyPrefix starts the import key of an article that has neither a key
// of its own nor a source URL: the slug it asked for. An article whose slug
// had to be numbered (a clash) is still found by a re-import.
const slugKeyPrefix = "slug:"

// KeyBySlug gives rec, if it has neither an import key nor a source URL,
// the import key of the slug it asks for.
func KeyBySlug(rec *byline.ArticleRecord) {
	if a := rec.Article; rec.ImportKey == "" && a.SourceURL == "" {
		slug := a.Slug
		if slug == "" {
			slug = byline.SlugOrUntitled(a.Headline)
		}
		rec.ImportKey = slugKeyPrefix + slug
	}
}

// IsSlugKey reports whether key is one KeyBySlug made: the article is then
// also found by its slug among the articles with neither key nor source.
func IsSlugKey(key string) bool { return strings.HasPrefix(key, slugKeyPrefix) }

// MatchKeys are the keys a store looks rec up by, in order: its import
// key, then its source URL.
func MatchKeys(rec *byline.ArticleRecord) []string {
	var keys []string
	if rec.ImportKey != "" {
		keys = append(keys, "key:"+rec.ImportKey)
	}
	if a := rec.Article; a.SourceURL != "" {
		keys = append(keys, "url:"+a.SourceURL)
	}
	return keys
}

// batchSize is how many articles an import renders at once, in parallel,
// while the previous batch is written: enough to keep the cores busy, few
// enough that memory stays flat however long the import.
const batchSize = 256

// Prepared is a record rendered for writing, or why it cannot be.
type Prepared struct {
	Rec *byline.ArticleRecord
	Err error // from prepare: the article is not valid
}

// RenderAhead reads records in a goroutine of its own and runs prepare
// (validation and rendering) on their articles a batch at a time, on every
// core, a batch ahead of write, which gets each record in input order on
// the calling goroutine: parsing, Markdown and the database use the cores
// together. The first error of write, or ctx's cancellation, stops it and
// is returned; else the first error reading the records.
func RenderAhead(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], prepare func(*byline.Article) error, write func(Prepared) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []Prepared, 1)
	var readErr error
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer close(batches)
		readErr = prepareBatches(ctx, records, prepare, batches)
	}()
	var err error
	for batch := range batches {
		for _, p := range batch {
			if err != nil {
				continue // draining after a failure
			}
			if err = ctx.Err(); err == nil {
				err = write(p)
			}
			if err != nil {
				cancel()
			}
		}
	}
	<-read
	if err != nil {
		return err
	}
	return readErr
}

// prepareBatches reads records in batches, prepares each batch on every
// core, and sends it on.
func prepareBatches(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], prepare func(*byline.Article) error, out chan<- []Prepared) error {
	batch := make([]Prepared, 0, batchSize)
	send := func() error {
		prepareAll(batch, prepare)
		select {
		case out <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		batch = make([]Prepared, 0, batchSize)
		return nil
	}
	for rec, err := range records {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if rec == nil || rec.Article == nil {
			return errNoArticle
		}
		batch = append(batch, Prepared{Rec: rec})
		if len(batch) == batchSize {
			if err := send(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

var errNoArticle = fmt.Errorf("import: a record without an article")

// prepareAll prepares the batch's articles in parallel.
func prepareAll(batch []Prepared, prepare func(*byline.Article) error) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range min(runtime.GOMAXPROCS(0), len(batch)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(batch); i = int(next.Add(1)) - 1 {
				batch[i].Err = prepare(batch[i].Rec.Article)
			}
		})
	}
	wg.Wait()
}

// DryRun reports what importing records would do, writing nothing: which
// would be created and which would update the article FindMatch finds in
// l, each with the slug and date it would get. Invalid
// articles stop it, or with opts.SkipBad are reported as refused.
func DryRun(ctx context.Context, records iter.Seq2[*byline.ArticleRecord, error], opts byline.ImportOptions, now time.Time,
	l Lookup, report func(byline.ImportResult) error) error {
	seen := map[string]bool{}
	stories := map[string][]string{} // StoryKey → the Source of each record created
	n := 0
	for rec, err := range records {
		if err != nil {
			return err
		}
		if rec == nil || rec.Article == nil {
			return errNoArticle
		}
		n++
		a := rec.Article
		if a.Status == "" {
			a.Status = byline.Draft
		}
		if err := a.Validate(); err != nil {
			res, err := Refuse(rec, n, err, opts)
			if err != nil {
				return err
			}
			if err := report(res); err != nil {
				return err
			}
			continue
		}
		res := byline.ImportResult{Article: a}
		KeyBySlug(rec)
		m, err := FindMatch(ctx, l, rec, opts)
		if err != nil {
			return fmt.Errorf("article %d (%q): find article to update: %w", n, a.Headline, err)
		}
		if a.Slug == "" {
			a.Slug = byline.SlugOrUntitled(a.Headline)
		}
		if a.PublishedAt.IsZero() && a.Status == byline.Published {
			a.PublishedAt = now
		}
		// An earlier record of this import, written, would be found first
		// by its key or URL, else as the same story.
		res.Match = m.By
		for _, k := range MatchKeys(rec) {
			if seen[k] {
				res.Match = byline.MatchSourceURL
				if strings.HasPrefix(k, "key:") {
					res.Match = byline.MatchImportKey
				}
				break
			}
		}
		for _, k := range MatchKeys(rec) {
			seen[k] = true
		}
		story := StoryKey(rec, opts.Zone)
		source := Source(rec.ImportKey, a.SourceURL)
		if res.Match == byline.MatchNone && story != "" && !opts.AllowDuplicates {
			for _, other := range stories[story] {
				if other != source {
					res.Match = byline.MatchSameStory
					break
				}
			}
		}
		if res.Match == byline.MatchNone && story != "" {
			stories[story] = append(stories[story], source)
		}
		created := res.Match == byline.MatchNone
		res.Created = created
		if err := report(res); err != nil {
			return err
		}
	}
	return nil
}
