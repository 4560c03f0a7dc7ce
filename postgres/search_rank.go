package postgres

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

// Ranking: every search is ranked as on SQLite, by BM25 over the
// headline, dek and body (weights 10, 4, 1), each word weighted by how
// often the reader gave it, times the same mild recency prior
// (recencyPrior). PostgreSQL ships no BM25, so it is computed here in SQL
// from parts that stock PostgreSQL has (see bm25SQL):
//
//   - a word's weighted frequency in an article, tf = Σ weight × count
//     over the three fields, is ts_rank_cd with the weights {0.1, 0.4, 1}
//     (times 10) and no normalization: for a one-word (or one-phrase)
//     query each match is a cover of its own, worth its field's weight;
//   - a word's document frequency, for its idf, is counted through the GIN
//     index once and kept in memory (termStats) until the site changes and
//     a minute has passed; so are the number of articles and their mean
//     length;
//   - an article's length is its text's length in bytes, read from the
//     stored value's header without decompressing it: BM25 needs only
//     length / mean length, which bytes give as well as words.
//
// What costs is reading each candidate's tsvector, stored compressed
// apart from its row (TOAST), some microseconds an article; a common word
// is in half the archive. So, as on SQLite, no search scores every match,
// but a bounded set of candidates, chosen as a tiered index would hold
// them:
//
//   - every match, if the group has no more than rankWindow (or than the
//     page needs): the ranking is then exact;
//   - else the newest rankWindow matches, and
//   - every older match of the query's rarest words, as many of them as
//     hold rareBudget matches in all: the words that weigh most in BM25,
//     so an article lacking all of them can only outrank the candidates
//     through common words (MaxScore's "essential" lists).
//
// Each candidate's tsvector is decompressed once and then looked up once
// per word.
const (
	rankWindow = 200
	rareBudget = 500
)

// BM25's parameters, FTS5's: k1 (how fast a word's repeats stop adding)
// and b (how much a long article is discounted).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// recencyPrior is how much a fresh story gains over an old one of the same
// relevance, as on SQLite: its bm25 score times
// 1 + recencyBoost × 2^(−age/recencyHalfLife).
const (
	recencyBoost    = 0.1
	recencyHalfLife = 30 * 24 * time.Hour
)

// tfWeights weigh a match in the body (C), the dek (B) and the headline
// (A), in ts_rank_cd's order {D, C, B, A}: SQLite's bm25 weights 1, 4 and
// 10, divided by 10 (ts_rank_cd takes no weight above 1).
const tfWeights = `'{0.1, 0.1, 0.4, 1.0}'::float4[]`

// lengthSQL is the length of article a for BM25: the bytes of its text,
// which octet_length reads from a stored value's header.
const lengthSQL = `(octet_length(a.headline) + octet_length(a.dek) + octet_length(a.body_text))`

// window returns the service's rankWindow (tests lower it).
func (s *SearchService) window() int {
	if s.rankWindow > 0 {
		return s.rankWindow
	}
	return rankWindow
}

// rare returns the service's rareBudget (tests lower it; below 0 means 0).
func (s *SearchService) rare() int {
	if s.rareBudget != 0 {
		return max(s.rareBudget, 0)
	}
	return rareBudget
}

// scoredID is a ranked article: its ID and byline.SearchHit.Score.
type scoredID struct {
	id    int64
	score float64
}

// score maps a group and a bm25 score (times the recency prior) onto
// [0, 2), as on SQLite: the group holding every word scores 1 or more.
func score(grp int, bm float64) float64 {
	x := max(bm, 0)
	sc := x / (1 + x)
	if grp == 0 {
		sc++
	}
	return sc
}

// condition writes a fragment of SQL on articles a, adding its arguments.
type condition func(a *args) string

// visibility is the condition that keeps the articles live now that q's
// filters select, leaving out excludeID (0: none). Exclusions are not here
// but in the tsqueries.
func (s *SearchService) visibility(q byline.Query, excludeID int64) condition {
	now := s.db.now()
	return func(a *args) string {
		sql := "a.live_at <= " + a.add(now)
		if q.Tag != nil {
			sql += " AND EXISTS (SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id AND t.slug = " + a.add(cleanText(*q.Tag)) + ")"
		}
		if q.Author != nil {
			sql += " AND EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = " + a.add(cleanText(*q.Author)) + ")"
		}
		if q.Since != nil {
			sql += " AND a.live_at >= " + a.add(q.Since.UTC())
		}
		if q.Before != nil {
			sql += " AND a.live_at < " + a.add(q.Before.UTC())
		}
		if excludeID != 0 {
			sql += " AND a.id <> " + a.add(excludeID)
		}
		return sql
	}
}

// matching returns a WITH clause that gathers the IDs of the articles
// matching the tsquery text expr into a table of the given name. It is
// MATERIALIZED so that the planner answers it from the GIN index alone:
// combined with the other conditions, it would rather walk another index
// and test each row's whole tsvector (see searchTx).
func matching(a *args, name, expr string) string {
	return name + ` AS MATERIALIZED (SELECT id FROM articles WHERE search @@ to_tsquery('byline', ` + a.add(expr) + `))`
}

// countMatches counts the visible articles matching expr. The GIN index
// answers without reading the tsvectors (unless expr has phrases).
func (s *searchTx) countMatches(ctx context.Context, expr string, vis condition) (int, error) {
	var a args
	sql := `WITH ` + matching(&a, "m", expr) + ` SELECT count(*) FROM m JOIN articles a ON a.id = m.id WHERE ` + vis(&a)
	var n int
	err := s.tx.QueryRow(ctx, sql, a...).Scan(&n)
	return n, err
}

// weighted is a term a search scores: a tsquery operand (a word or a
// phrase) and how many times the reader gave it.
type weighted struct {
	operand string
	times   int
}

// walkCount counts the matches of expr under vis, newest (highest ID)
// first, up to limit, and returns the lowest ID reached.
func (s *searchTx) walkCount(ctx context.Context, expr string, vis condition, limit int) (n int, lowest int64, err error) {
	var a args
	sql := `WITH ` + matching(&a, "m", expr) + ` SELECT count(*), coalesce(min(id), 0) FROM (
		SELECT id FROM (SELECT a.id FROM m JOIN articles a ON a.id = m.id WHERE ` + vis(&a) + ` OFFSET 0) x
		ORDER BY id DESC LIMIT ` + a.add(limit) + `) y`
	if s.walk {
		a = nil
		sql = `SELECT count(*), coalesce(min(id), 0) FROM (SELECT a.id FROM articles a
			WHERE a.search @@ to_tsquery('byline', ` + a.add(expr) + `) AND ` + vis(&a) + ` ORDER BY a.id DESC LIMIT ` + a.add(limit) + `) y`
	}
	err = s.tx.QueryRow(ctx, sql, a...).Scan(&n, &lowest)
	return n, lowest, err
}

// walkShare is the share of the archive a word must be in for a search
// to walk: then the newest articles hold its newest matches densely, and
// testing them one by one (decompressing each tsvector, some microseconds)
// costs less than the GIN index's list of every match (20 ms for a word
// in three quarters of 100,000 articles).
const walkShare = 0.05

// common reports whether a search of words should walk the newest
// articles: its rarest word or phrase is in more than walkShare of the archive, and
// no tag or author keeps only a few of them.
func (s *searchTx) common(ctx context.Context, q byline.Query, words []weighted) (bool, error) {
	if q.Tag != nil || q.Author != nil || len(words) == 0 {
		return false, nil
	}
	fig, err := s.termStats(ctx, words)
	if err != nil {
		return false, err
	}
	return fig.articles >= smallArchive && float64(slices.Min(fig.docs)) > walkShare*float64(fig.articles), nil
}

// countGroup counts the visible matches of a group: exactly, unless the
// search walks and the group has more than rankWindow; then from how
// densely the newest rankWindow fall among the IDs.
func (s *searchTx) countGroup(ctx context.Context, expr string, vis condition) (int, bool, error) {
	if !s.walk {
		n, err := s.countMatches(ctx, expr, vis)
		return n, false, err
	}
	n, lowest, err := s.walkCount(ctx, expr, vis, s.window()+1)
	if err != nil || n <= s.window() {
		return n, false, err
	}
	var first, last int64
	if err := s.tx.QueryRow(ctx, `SELECT coalesce(min(id), 0), coalesce(max(id), 0) FROM articles`).Scan(&first, &last); err != nil {
		return 0, false, err
	}
	span := float64(max(last-max(lowest, first)+1, 1))
	return max(n, int(float64(n)/span*float64(max(last-first+1, 1))+0.5)), true, nil
}

// rank returns the first k articles of a group (expr) by relevance: BM25
// of terms times the recency prior, over the candidates the comment at
// the top of this file describes. rare is the expression of the query's
// rarest words ("" for none rare enough).
func (s *searchTx) rank(ctx context.Context, expr string, terms []weighted, rare string, vis condition, k, grp int) ([]scoredID, error) {
	window := s.window()
	n, lowest, err := s.walkCount(ctx, expr, vis, window+1)
	if err != nil || n == 0 {
		return nil, err
	}
	stats, err := s.termStats(ctx, terms)
	if err != nil {
		return nil, err
	}
	var a args
	with := `WITH ` + matching(&a, "m", expr)
	cond := vis(&a)
	limit := k
	if n > window {
		limit = min(k, window+1+s.rare())
		if rare == "" {
			cond += " AND a.id >= " + a.add(lowest)
		} else {
			with += `, ` + matching(&a, "r", rare)
			cond += " AND (a.id >= " + a.add(lowest) + " OR a.id IN (SELECT id FROM r))"
		}
	}
	c := `SELECT a.id FROM m JOIN articles a ON a.id = m.id WHERE ` + cond
	if s.walk && n > window {
		// The newest matches, walked; and those of the rare words.
		a = nil
		with = `WITH none AS (SELECT 1)`
		if rare != "" {
			with = `WITH ` + matching(&a, "r", rare)
		}
		match := `a.search @@ to_tsquery('byline', ` + a.add(expr) + `)`
		c = `SELECT a.id FROM articles a WHERE a.id >= ` + a.add(lowest) + ` AND ` + match + ` AND ` + vis(&a)
		if rare != "" {
			c += ` UNION SELECT a.id FROM r JOIN articles a ON a.id = r.id WHERE ` + match + ` AND ` + vis(&a)
		}
	}
	sql := with + `, c AS MATERIALIZED (` + c + ` OFFSET 0)
		` + bm25SQL(&a, terms, stats, s.db.now()) + ` LIMIT ` + a.add(limit)
	ranked, err := s.scored(ctx, grp, sql, a...)
	if err != nil || len(ranked) >= k || n <= window {
		return ranked, err
	}
	// A page past the candidates: the other matches follow, newest first,
	// so that paging on meets every match once.
	a = nil
	rows, err := s.tx.Query(ctx, `WITH `+matching(&a, "m", expr)+`
		SELECT id FROM (SELECT a.id FROM m JOIN articles a ON a.id = m.id WHERE `+vis(&a)+` AND a.id < `+a.add(lowest)+` OFFSET 0) x
		ORDER BY id DESC LIMIT `+a.add(k+len(ranked)), a...)
	if err != nil {
		return nil, err
	}
	rest, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	taken := make(map[int64]bool, len(ranked))
	for _, r := range ranked {
		taken[r.id] = true
	}
	for _, id := range rest {
		if len(ranked) == k {
			break
		}
		if !taken[id] {
			ranked = append(ranked, scoredID{id: id, score: score(grp, 0)})
		}
	}
	return ranked, nil
}

// bm25SQL returns the query that scores the candidates c (a table of
// article IDs) by BM25 of terms times the recency prior at now, best
// first, as (id, score) rows. The one-row table q holds each term's
// tsquery, parsed once; each candidate's tsvector is decompressed once (d:
// ts_delete of nothing makes a plain copy), and looked up once per term
// (f: the term's weighted frequency).
func bm25SQL(a *args, terms []weighted, st corpusFigures, now time.Time) string {
	var tsq, tfs, sum []string
	for i, t := range terms {
		// idf as FTS5 has it: log((N − n + 0.5) / (n + 0.5)), at least 1e-6.
		n := float64(st.docs[i])
		idf := math.Log((float64(st.articles) - n + 0.5) / (n + 0.5))
		if idf <= 0 {
			idf = 1e-6
		}
		i := strconv.Itoa(i)
		tsq = append(tsq, "to_tsquery('byline', "+a.add(t.operand)+") AS t"+i)
		tfs = append(tfs, "10 * ts_rank_cd("+tfWeights+", d.v, q.t"+i+", 0)::float8 AS f"+i)
		sum = append(sum, fmt.Sprintf("%g * f.f%s / (f.f%s + d.k)", idf*float64(t.times)*(bm25K1+1), i, i))
	}
	return `, q AS MATERIALIZED (SELECT ` + strings.Join(tsq, ", ") + `)
		SELECT a.id, (` + strings.Join(sum, " + ") + `)
			* (1 + ` + fmt.Sprintf("%g", recencyBoost) + ` * power(2, -greatest(extract(epoch FROM ` + a.add(now) + `::timestamptz - a.live_at), 0) / ` + fmt.Sprintf("%g", recencyHalfLife.Seconds()) + `))
		FROM c JOIN articles a ON a.id = c.id CROSS JOIN q,
			LATERAL (SELECT ts_delete(a.search, '{}'::text[]) AS v,
				` + fmt.Sprintf("%g * (%g + %g * %s / %g)", bm25K1, 1-bm25B, bm25B, lengthSQL, max(st.avgLen, 1)) + ` AS k OFFSET 0) d,
			LATERAL (SELECT ` + strings.Join(tfs, ", ") + ` OFFSET 0) f
		ORDER BY 2 DESC, a.id DESC`
}

// newest returns the page of the articles matching expr, newest first,
// unscored.
func (s *searchTx) newest(ctx context.Context, expr string, vis condition, offset, limit int) ([]scoredID, error) {
	var a args
	rows, err := s.tx.Query(ctx, `WITH `+matching(&a, "m", expr)+`
		SELECT id FROM (SELECT a.id, a.live_at FROM m JOIN articles a ON a.id = m.id WHERE `+vis(&a)+` OFFSET 0) x
		ORDER BY live_at DESC, id DESC LIMIT `+a.add(limit)+` OFFSET `+a.add(offset), a...)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make([]scoredID, len(ids))
	for i, id := range ids {
		out[i] = scoredID{id: id}
	}
	return out, nil
}

// scored runs a query of (id, rank) rows.
func (s *searchTx) scored(ctx context.Context, grp int, sql string, args ...any) ([]scoredID, error) {
	rows, err := s.tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var (
		id   int64
		rank float64
		out  []scoredID
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &rank}, func() error {
		out = append(out, scoredID{id: id, score: score(grp, rank)})
		return nil
	})
	return out, err
}

// statsRefresh is how long the figures of termStats are kept once the
// site has changed: an idf a minute old ranks as well. A small archive
// (fewer than smallArchive articles), where counting costs nothing and one
// article moves the figures, is counted again at every change.
const (
	statsRefresh = time.Minute
	smallArchive = 10_000
)

// termStats is what BM25 needs to know of the archive, kept in memory:
// how many articles there are, their mean length (lengthSQL) and, for each
// term asked for, how many articles hold it (all of them, drafts too, as
// FTS5 counts its rows).
type termStats struct {
	mu       sync.Mutex
	version  time.Time // site_state.changed_at when counted
	read     time.Time // when counted, by the store's clock
	articles int
	avgLen   float64
	docs     map[string]int // by tsquery operand
}

// corpusFigures are the figures of one search: docs[i] is for its terms[i].
type corpusFigures struct {
	articles int
	avgLen   float64
	docs     []int
}

// termStats returns the figures for terms, counting what it does not know
// (each term's articles through the GIN index, in one statement).
func (s *searchTx) termStats(ctx context.Context, terms []weighted) (corpusFigures, error) {
	var version time.Time
	if err := s.tx.QueryRow(ctx, `SELECT changed_at FROM site_state WHERE id = 1`).Scan(&version); err != nil {
		return corpusFigures{}, fmt.Errorf("site version: %w", err)
	}
	st := &s.stats
	now := s.db.now()
	st.mu.Lock()
	stale := st.docs == nil || (!version.Equal(st.version) && (now.Sub(st.read) >= statsRefresh || st.articles < smallArchive))
	st.mu.Unlock()
	if stale {
		var (
			articles int
			avgLen   float64
		)
		err := s.tx.QueryRow(ctx, `SELECT count(*), coalesce(avg(`+lengthSQL+`), 0) FROM articles a`).Scan(&articles, &avgLen)
		if err != nil {
			return corpusFigures{}, fmt.Errorf("count the articles: %w", err)
		}
		st.mu.Lock()
		st.version, st.read, st.articles, st.avgLen, st.docs = version, now, articles, avgLen, map[string]int{}
		st.mu.Unlock()
	}
	st.mu.Lock()
	fig := corpusFigures{articles: st.articles, avgLen: st.avgLen, docs: make([]int, len(terms))}
	var missing []string
	for i, t := range terms {
		n, ok := st.docs[t.operand]
		if !ok && !slices.Contains(missing, t.operand) {
			missing = append(missing, t.operand)
		}
		fig.docs[i] = n
	}
	st.mu.Unlock()
	if len(missing) == 0 {
		return fig, nil
	}
	rows, err := s.tx.Query(ctx, `SELECT (SELECT count(*) FROM articles WHERE search @@ to_tsquery('byline', u.w))
		FROM unnest($1::text[]) WITH ORDINALITY AS u(w, i) ORDER BY u.i`, missing)
	if err != nil {
		return corpusFigures{}, fmt.Errorf("count the terms' articles: %w", err)
	}
	counts, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return corpusFigures{}, fmt.Errorf("count the terms' articles: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for i, w := range missing {
		st.docs[w] = counts[i]
	}
	for i, t := range terms {
		fig.docs[i] = st.docs[t.operand]
	}
	return fig, nil
}

// rareWords returns the expression of the rarest of terms that hold no
// more than rareBudget articles in all, rarest first; "" when even the
// rarest holds more.
func (s *searchTx) rareWords(ctx context.Context, terms []weighted) (string, error) {
	fig, err := s.termStats(ctx, terms)
	if err != nil {
		return "", err
	}
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return fig.docs[i] - fig.docs[j] })
	var rare []string
	total := 0
	for _, i := range order {
		if total += fig.docs[i]; total > s.rare() {
			break
		}
		rare = append(rare, terms[i].operand)
	}
	return tsAny(rare), nil
}
