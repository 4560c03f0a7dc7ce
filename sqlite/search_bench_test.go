package sqlite_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
	"github.com/bylinenews/byline/sqlite"
)

// The search benchmarks run on a generated archive of 100,000 articles
// (BYLINE_BENCH_ARTICLES to change it) whose words are drawn from the
// sample's, so their frequencies are those of real news text. Building it
// takes a minute or two; it is kept in the system's temporary directory,
// named after its size and the search migration, and reused.
//
//	go test ./sqlite -run '^$' -bench 'Search|Suggest|Related' -benchtime 2000x
//
// Each benchmark reports the median and 99th percentile of one call, and
// BenchmarkSearch the size of the database and of each index.

const benchSeed = 2015

// benchGenerator names the generator's version: change it when article()
// changes, so a cached archive made by the old one is not reused.
const benchGenerator = "topics-v1-tidied"

func benchArticles() int {
	if n, err := strconv.Atoi(os.Getenv("BYLINE_BENCH_ARTICLES")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchCorpus is the words of the sample, by article and in all.
type benchCorpus struct {
	headlines, bodies [][]string // each sample article's words
	headline, body    []string   // all of them
	content           []string   // headline words worth a search: no stop words, 3 letters or more
}

func newBenchCorpus(tb testing.TB) *benchCorpus {
	c := &benchCorpus{}
	for _, s := range readSample(tb) {
		h, b := strings.Fields(s.Article.Headline), strings.Fields(s.Article.Body)
		if len(b) == 0 {
			b = h
		}
		c.headlines, c.bodies = append(c.headlines, h), append(c.bodies, b)
		c.headline, c.body = append(c.headline, h...), append(c.body, b...)
		for _, w := range h {
			if t := strings.ToLower(strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })); len(t) >= 3 && !isEnglishStopWord(t) {
				c.content = append(c.content, t)
			}
		}
	}
	return c
}

func (c *benchCorpus) words(r *rand.Rand, stream []string, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = stream[r.IntN(len(stream))]
	}
	return strings.Join(out, " ")
}

// mixed draws n words, each from topic with probability p, else from all.
func (c *benchCorpus) mixed(r *rand.Rand, topic, all []string, p float64, n int) string {
	out := make([]string, n)
	for i := range out {
		if r.Float64() < p {
			out[i] = topic[r.IntN(len(topic))]
		} else {
			out[i] = all[r.IntN(len(all))]
		}
	}
	return strings.Join(out, " ")
}

// article makes one article about the same subject as a sample article,
// as news is: most of its words (85%) come from that article, the rest
// from the whole sample, so a subject's words cluster in the articles
// about it rather than spreading evenly over the archive. A headline has
// 5 to 12 words, a dek 20, a body 200 to 600 in paragraphs.
func (c *benchCorpus) article(r *rand.Rand, i int) *byline.Article {
	topic := r.IntN(len(c.bodies))
	var body strings.Builder
	for n := 200 + r.IntN(400); n > 0; n -= 60 {
		body.WriteString(c.mixed(r, c.bodies[topic], c.body, 0.85, min(n, 60)))
		body.WriteString("\n\n")
	}
	return &byline.Article{
		Headline:    c.mixed(r, c.headlines[topic], c.headline, 0.7, 5+r.IntN(8)),
		Dek:         c.mixed(r, c.bodies[topic], c.body, 0.85, 20),
		Body:        body.String(),
		Slug:        "bench-" + strconv.Itoa(i),
		Status:      byline.Published,
		PublishedAt: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 47 * time.Minute),
		Authors:     []byline.Author{{Name: fmt.Sprintf("Writer %d", r.IntN(200))}},
		Tags:        []byline.Tag{{Name: fmt.Sprintf("Desk %d", r.IntN(40))}},
	}
}

// benchDB returns the generated archive, building it if it is not cached.
func benchDB(b *testing.B) (*sqlite.DB, string, *benchCorpus) {
	b.Helper()
	corpus := newBenchCorpus(b)
	migration, err := os.ReadFile("migrations/0002_search.sql")
	if err != nil {
		b.Fatal(err)
	}
	sum := sha256.Sum256(append(migration, benchGenerator...))
	n := benchArticles()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("byline-search-bench-%d-%s.db", n, hex.EncodeToString(sum[:6])))
	_, statErr := os.Stat(path)
	db, err := sqlite.Open(b.Context(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if statErr == nil {
		return db, path, corpus
	}
	b.Logf("building %d articles in %s", n, path)
	start := time.Now()
	r := rand.New(rand.NewPCG(benchSeed, 1))
	articles := sqlite.NewArticleService(db)
	const batch = 2000
	for i := 0; i < n; i += batch {
		var list []*byline.Article
		for j := i; j < min(i+batch, n); j++ {
			list = append(list, corpus.article(r, j))
		}
		if _, err := byline.ImportArticles(b.Context(), articles, list); err != nil {
			os.Remove(path)
			b.Fatalf("import: %v", err)
		}
	}
	// As `byline import` leaves an imported archive: its search index
	// merged into one piece (serve keeps it in a few).
	if _, err := db.TidySearch(b.Context(), 1); err != nil {
		os.Remove(path)
		b.Fatalf("tidy the search index: %v", err)
	}
	b.Logf("built in %v", time.Since(start).Round(time.Second))
	return db, path, corpus
}

// searchQueries mixes the relevance set's questions with words drawn from
// the sample's headlines (what readers look for is what news is about),
// alone and in twos and threes.
func searchQueries(c *benchCorpus) []string {
	r := rand.New(rand.NewPCG(benchSeed, 2))
	qs := []string{"syria", "trump syria plan", "what did russia offer the united states in syria", "bitcoin price",
		"cancer treatment", "hillary clinton emails", "gold prices", "north korea nuclear war", "hurricanes flooding",
		"russia nato", "free speech on campus", "federal reserve interest rates", `"north korea"`, "syria -russia",
		"government shutdown", "legalize marijuana", "obama tag:desk-3", "police author:writer-7", "stem cells after:2012"}
	for len(qs) < 200 {
		qs = append(qs, c.words(r, c.content, 1+r.IntN(3)))
	}
	return qs
}

// suggestQueries are what a reader has typed so far: some words of a
// headline and the beginning of the next.
func suggestQueries(c *benchCorpus) []string {
	r := rand.New(rand.NewPCG(benchSeed, 3))
	var qs []string
	for len(qs) < 200 {
		words := strings.Fields(strings.ToLower(c.words(r, c.content, 1+r.IntN(2))))
		last := words[len(words)-1]
		words[len(words)-1] = last[:2+r.IntN(len(last)-1)]
		qs = append(qs, strings.Join(words, " "))
	}
	return qs
}

// timeLoop runs call over the inputs round-robin until b.Loop is done, and
// reports the median and 99th percentile in milliseconds: of the wall
// clock, and of the CPU time of the calling thread, which a machine busy
// with other work does not inflate. (The pure-Go SQLite runs a query on
// the goroutine that asks, here locked to its thread.)
func timeLoop(b *testing.B, inputs []string, call func(string) error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wall, cpu []time.Duration
	i := 0
	for b.Loop() {
		in := inputs[i%len(inputs)]
		i++
		start, startCPU := time.Now(), threadCPU()
		if err := call(in); err != nil {
			b.Fatalf("%q: %v", in, err)
		}
		cpu = append(cpu, threadCPU()-startCPU)
		wall = append(wall, time.Since(start))
	}
	report := func(times []time.Duration, unit string) {
		slices.Sort(times)
		pct := func(p float64) float64 {
			return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-"+unit)
		b.ReportMetric(pct(0.99), "p99-"+unit)
	}
	report(wall, "ms")
	report(cpu, "cpu-ms")
}

// rusageThread is Linux's RUSAGE_THREAD, which package syscall does not
// name: getrusage(2) for the calling thread alone.
const rusageThread = 1

// threadCPU returns the CPU time the calling thread has used, user and
// system, to the microsecond; 0 where the system cannot tell.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkSearch(b *testing.B) {
	db, path, corpus := benchDB(b)
	s := sqlite.NewSearchService(db)
	queries := searchQueries(corpus)
	// How many articles the queries match, for scale: the work of a
	// search grows with it.
	var matches []int
	for _, text := range queries {
		res, err := s.Search(b.Context(), query.Parse(text+" "))
		if err != nil {
			b.Fatalf("Search(%q): %v", text, err)
		}
		matches = append(matches, res.Total)
	}
	slices.Sort(matches)
	timeLoop(b, queries, func(text string) error {
		_, err := s.Search(b.Context(), query.Parse(text+" "))
		return err
	})
	// Reported after the loop, which resets what came before.
	b.ReportMetric(float64(matches[len(matches)/2]), "p50-matches")
	b.ReportMetric(float64(matches[len(matches)*9/10]), "p90-matches")
	reportIndexSize(b, path)
}

func BenchmarkSuggest(b *testing.B) {
	db, _, corpus := benchDB(b)
	s := sqlite.NewSearchService(db)
	timeLoop(b, suggestQueries(corpus), func(text string) error {
		_, err := s.Suggest(b.Context(), query.Parse(text), byline.MaxSuggestions)
		return err
	})
}

func BenchmarkRelated(b *testing.B) {
	db, _, _ := benchDB(b)
	s := sqlite.NewSearchService(db)
	articles := sqlite.NewArticleService(db)
	r := rand.New(rand.NewPCG(benchSeed, 4))
	var slugs []string
	for range 200 {
		slugs = append(slugs, "bench-"+strconv.Itoa(r.IntN(benchArticles())))
	}
	timeLoop(b, slugs, func(slug string) error {
		a, err := articles.FindBySlug(b.Context(), slug)
		if err != nil {
			return err
		}
		_, err = s.Related(b.Context(), a, 5)
		return err
	})
}

func BenchmarkDidYouMean(b *testing.B) {
	db, _, corpus := benchDB(b)
	s := sqlite.NewSearchService(db)
	r := rand.New(rand.NewPCG(benchSeed, 5))
	var typos []string
	for range 200 {
		w := []rune(corpus.content[r.IntN(len(corpus.content))])
		i := r.IntN(len(w) - 1)
		w[i], w[i+1] = w[i+1], w[i]
		typos = append(typos, string(w))
	}
	timeLoop(b, typos, func(text string) error {
		_, err := s.DidYouMean(b.Context(), query.Parse(text))
		return err
	})
}

// reportIndexSize reports the database's size and the search indexes'
// share of it, from SQLite's dbstat table.
func reportIndexSize(b *testing.B, path string) {
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var total float64
	if err := raw.QueryRow(`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&total); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(total/(1<<20), "db-MB")
	var fts, words float64
	err = raw.QueryRow(`SELECT
		coalesce(sum(CASE WHEN name LIKE 'articles_fts%' THEN pgsize END), 0),
		coalesce(sum(CASE WHEN name LIKE 'article_words%' THEN pgsize END), 0) FROM dbstat`).Scan(&fts, &words)
	if err != nil {
		b.Logf("no dbstat (%v): index sizes not reported", err)
		return
	}
	b.ReportMetric(fts/(1<<20), "fts-MB")
	b.ReportMetric(words/(1<<20), "words-MB")
}

// isEnglishStopWord mirrors the store's list closely enough for drawing
// query words.
func isEnglishStopWord(w string) bool {
	switch w {
	case "the", "and", "for", "that", "this", "with", "are", "was", "were", "have", "has", "had", "not", "but",
		"from", "they", "you", "his", "her", "she", "him", "its", "who", "what", "which", "their", "will", "would",
		"there", "been", "about", "more", "when", "can", "all", "one", "our", "out", "also", "than", "into", "them":
		return true
	}
	return false
}
