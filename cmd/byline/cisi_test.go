package main

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/internal/shareddata"
	"github.com/bylinenews/byline/query"
	"github.com/bylinenews/byline/web"
)

// The CISI collection (shared/data/cisi, see its README) is a public
// relevance benchmark: 1,460 abstracts and 76 questions with the documents
// judged relevant to each. These tests import it with `byline import`, ask
// every judged question through the search API, and score the rankings
// beside plain FTS5 bm25() on the same documents, measured in the same run:
//
//	go test ./cmd/byline -run TestCISIRelevance -v
//	BYLINE_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/postgres go test ./cmd/byline -run TestCISIRelevance -v
//	go test ./cmd/byline -run '^$' -bench BenchmarkCISIRelevance -benchtime 1x

// cisiDoc is a document of CISI.ALL.
type cisiDoc struct {
	id              int
	title, abstract string
}

// cisiQuery is a question of CISI.QRY with its judgments from CISI.REL.
type cisiQuery struct {
	id       int
	text     string
	relevant map[int]bool // document IDs
}

// readCISI parses the collection's documents and its judged questions.
func readCISI(t testing.TB) ([]cisiDoc, []cisiQuery) {
	t.Helper()
	dir := shareddata.Path(t, "cisi")
	var docs []cisiDoc
	for _, rec := range readCISIRecords(t, filepath.Join(dir, "CISI.ALL")) {
		docs = append(docs, cisiDoc{id: rec.id, title: rec.fields["T"], abstract: rec.fields["W"]})
	}
	judged := map[int]map[int]bool{}
	f, err := os.Open(filepath.Join(dir, "CISI.REL"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			continue
		}
		q, err1 := strconv.Atoi(fields[0])
		d, err2 := strconv.Atoi(fields[1])
		if err1 != nil || err2 != nil {
			t.Fatalf("CISI.REL: bad line %q", sc.Text())
		}
		if judged[q] == nil {
			judged[q] = map[int]bool{}
		}
		judged[q][d] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var queries []cisiQuery
	for _, rec := range readCISIRecords(t, filepath.Join(dir, "CISI.QRY")) {
		if rel := judged[rec.id]; len(rel) > 0 {
			queries = append(queries, cisiQuery{id: rec.id, text: rec.fields["W"], relevant: rel})
		}
	}
	if len(docs) != 1460 || len(queries) != 76 {
		t.Fatalf("CISI: %d documents and %d judged queries, want 1460 and 76", len(docs), len(queries))
	}
	return docs, queries
}

type cisiRecord struct {
	id     int
	fields map[string]string // by field letter: T, A, W, X, ...
}

// readCISIRecords reads the ".I id" records of a CISI file, each field
// (".W", ".T", ...) running to the next field line. A record's text may
// itself hold lines such as ".I." no field line looks like, so only
// ".I <number>" starts a record and only a lone letter names a field.
func readCISIRecords(t testing.TB, path string) []cisiRecord {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var (
		out   []cisiRecord
		field string
		text  strings.Builder
	)
	flush := func() {
		if len(out) > 0 && field != "" {
			out[len(out)-1].fields[field] = strings.TrimSpace(text.String())
		}
		field = ""
		text.Reset()
	}
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimRight(line, "\r\n")
		if rest, ok := strings.CutPrefix(line, ".I "); ok {
			if id, err := strconv.Atoi(strings.TrimSpace(rest)); err == nil {
				flush()
				out = append(out, cisiRecord{id: id, fields: map[string]string{}})
				continue
			}
		}
		if f := strings.TrimSpace(line); len(f) == 2 && f[0] == '.' && unicode.IsUpper(rune(f[1])) {
			flush()
			field = f[1:]
			continue
		}
		text.WriteString(line)
		text.WriteByte('\n')
	}
	flush()
	return out
}

// cisiSlug is the permalink slug of a CISI document.
func cisiSlug(id int) string { return "cisi-" + strconv.Itoa(id) }

// writeCISIJSONL writes the documents in Byline's JSON-lines format, with
// their titles as "title" (the name other tools give the headline). Each
// is dated a day after the one before, so that the ranking's recency prior
// has dates to work on, as it would on a news site; CISI's own order is
// not related to relevance, so the dates help no question.
func writeCISIJSONL(t testing.TB, docs []cisiDoc) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cisi.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	base := time.Date(2020, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, d := range docs {
		title := strings.Join(strings.Fields(d.title), " ")
		if title == "" {
			title = "CISI document " + strconv.Itoa(d.id)
		}
		line := map[string]any{
			"title":        title,
			"slug":         cisiSlug(d.id),
			"body":         strings.Join(strings.Fields(d.abstract), " "),
			"published_at": base.AddDate(0, 0, d.id).Format(time.RFC3339),
		}
		if err := enc.Encode(line); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// cisiSite imports the documents with `byline import` into a new site (on
// PostgreSQL when pgURL is not empty, else SQLite) and serves it.
func cisiSite(t testing.TB, docs []cisiDoc, pgURL string) *httptest.Server {
	t.Helper()
	data := t.TempDir()
	args := []string{"import", "--data", data}
	if pgURL != "" {
		args = append(args, "--db", pgURL)
	}
	args = append(args, writeCISIJSONL(t, docs))
	var out, errOut strings.Builder
	if code := run(t.Context(), args, strings.NewReader(""), &out, &errOut); code != 0 || !strings.Contains(out.String(), "1460 created") {
		t.Fatalf("byline %s: exit %d, stdout %q, stderr %q; want 1460 created", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	c := Config{DataDir: data, DB: pgURL}
	db, err := c.openBackend(t.Context(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv := &web.Server{Articles: db.Articles, Search: db.Search, Site: web.Site{Title: "CISI"}}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// apiRanking asks the search API for text and returns the document IDs of
// its first 100 hits.
func apiRanking(t testing.TB, ts *httptest.Server, text string) []int {
	t.Helper()
	u := ts.URL + "/api/v1/search?limit=" + strconv.Itoa(byline.MaxSearchLimit) + "&q=" + url.QueryEscape(text)
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", u, resp.Status, body)
	}
	var res struct {
		Hits []struct {
			Slug string `json:"slug"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("GET %s: %v in %s", u, err, body)
	}
	var ids []int
	for _, h := range res.Hits {
		id, err := strconv.Atoi(strings.TrimPrefix(h.Slug, "cisi-"))
		if err != nil {
			t.Fatalf("GET %s: hit %q is no CISI document", u, h.Slug)
		}
		ids = append(ids, id)
	}
	return ids
}

// bm25Baseline is plain SQLite FTS5 over the documents' titles and
// abstracts, in a database of its own: bm25() with its default weights
// and Porter stemming, any of the question's words matched, English stop
// words (the query package's list) dropped.
type bm25Baseline struct{ db *sql.DB }

func newBM25Baseline(t testing.TB, docs []cisiDoc) *bm25Baseline {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "baseline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE VIRTUAL TABLE docs USING fts5(title, abstract, tokenize = 'porter unicode61 remove_diacritics 2')`); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if _, err := tx.Exec(`INSERT INTO docs (rowid, title, abstract) VALUES (?, ?, ?)`, d.id, d.title, d.abstract); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return &bm25Baseline{db}
}

// rank returns the first 100 documents for text, each of its words asked
// for once.
func (b *bm25Baseline) rank(t testing.TB, text string) []int { return b.rankWords(t, text, false) }

// rankRepeats is rank with a word given twice asked for twice (FTS5 then
// scores it twice): the baseline of the weighting of repeated words.
func (b *bm25Baseline) rankRepeats(t testing.TB, text string) []int {
	return b.rankWords(t, text, true)
}

func (b *bm25Baseline) rankWords(t testing.TB, text string, repeats bool) []int {
	t.Helper()
	var words []string
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !query.IsStopWord(w) && (repeats || !slices.Contains(words, `"`+w+`"`)) {
			words = append(words, `"`+w+`"`)
		}
	}
	if len(words) == 0 {
		return nil
	}
	rows, err := b.db.Query(`SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 100`, strings.Join(words, " OR "))
	if err != nil {
		t.Fatalf("baseline %q: %v", text, err)
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// ndcgAt10 is the normalized discounted cumulative gain of the first ten
// of ranked, with a gain of 1 for each relevant document.
func ndcgAt10(ranked []int, relevant map[int]bool) float64 {
	var dcg, ideal float64
	for i := range 10 {
		if i < len(ranked) && relevant[ranked[i]] {
			dcg += 1 / math.Log2(float64(i+2))
		}
		if i < len(relevant) {
			ideal += 1 / math.Log2(float64(i+2))
		}
	}
	if ideal == 0 {
		return 0
	}
	return dcg / ideal
}

// apAt100 is the average precision of the first 100 of ranked: the mean,
// over all the relevant documents, of the precision at each one's rank (0
// for one not in the first 100), as trec_eval's map_cut_100 counts it.
func apAt100(ranked []int, relevant map[int]bool) float64 {
	if len(relevant) == 0 {
		return 0
	}
	var hits, sum float64
	for i, id := range ranked[:min(100, len(ranked))] {
		if relevant[id] {
			hits++
			sum += hits / float64(i+1)
		}
	}
	return sum / float64(len(relevant))
}

// cisiScores is a system's mean nDCG@10 and MAP@100 over the questions.
type cisiScores struct{ ndcg, mapx float64 }

func (s cisiScores) String() string { return fmt.Sprintf("nDCG@10 %.3f  MAP@100 %.3f", s.ndcg, s.mapx) }

func scoreCISI(queries []cisiQuery, rank func(text string) []int) cisiScores {
	var s cisiScores
	for _, q := range queries {
		ranked := rank(q.text)
		s.ndcg += ndcgAt10(ranked, q.relevant)
		s.mapx += apAt100(ranked, q.relevant)
	}
	n := float64(len(queries))
	return cisiScores{s.ndcg / n, s.mapx / n}
}

// cisiStores are the stores the benchmark runs on: SQLite always, and
// PostgreSQL when BYLINE_TEST_POSTGRES names a server.
func cisiStores() []string {
	stores := []string{"sqlite"}
	if os.Getenv(dbtest.PostgresEnv) != "" {
		stores = append(stores, "postgres")
	}
	return stores
}

// TestCISIRelevance fails if Byline's search API ranks the CISI questions
// worse than plain FTS5 bm25() does on the same documents.
func TestCISIRelevance(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and searches the 1,460 CISI documents")
	}
	docs, queries := readCISI(t)
	baseline := newBM25Baseline(t, docs)
	base := scoreCISI(queries, func(text string) []int { return baseline.rank(t, text) })
	t.Logf("plain FTS5 bm25(), stop words dropped: %v", base)
	t.Logf("the same, a word given twice asked for twice: %v", scoreCISI(queries, func(text string) []int { return baseline.rankRepeats(t, text) }))
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			pgURL := ""
			if store == "postgres" {
				pgURL = dbtest.PostgresURL(t)
			}
			ts := cisiSite(t, docs, pgURL)
			ours := scoreCISI(queries, func(text string) []int { return apiRanking(t, ts, text) })
			t.Logf("Byline's search API on %s: %v (nDCG@10 %+.1f%% against bm25)", store, ours, 100*(ours.ndcg/base.ndcg-1))
			// Both stores rank by BM25 with the reader's repeated words
			// weighted (issue 17's goal: 5% above plain bm25).
			const floor = 1.05
			if ours.ndcg < floor*base.ndcg {
				t.Errorf("%s: %v, below %.0f%% of plain FTS5 bm25()'s nDCG@10 on the same documents (%v)", store, ours, 100*floor, base)
			}
		})
	}
}

// BenchmarkCISIRelevance reports nDCG@10 and MAP@100 of Byline's search
// API on each store and of plain FTS5 bm25(), and the API's time per
// question.
func BenchmarkCISIRelevance(b *testing.B) {
	docs, queries := readCISI(b)
	baseline := newBM25Baseline(b, docs)
	base := scoreCISI(queries, func(text string) []int { return baseline.rank(b, text) })
	for _, store := range cisiStores() {
		b.Run(store, func(b *testing.B) {
			pgURL := ""
			if store == "postgres" {
				pgURL = dbtest.PostgresURL(b)
			}
			ts := cisiSite(b, docs, pgURL)
			var ours cisiScores
			for b.Loop() {
				ours = scoreCISI(queries, func(text string) []int { return apiRanking(b, ts, text) })
			}
			b.ReportMetric(ours.ndcg, "nDCG@10")
			b.ReportMetric(ours.mapx, "MAP@100")
			b.ReportMetric(base.ndcg, "bm25-nDCG@10")
			b.ReportMetric(base.mapx, "bm25-MAP@100")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(queries)), "µs/question")
			b.ReportMetric(0, "ns/op")
		})
	}
}
