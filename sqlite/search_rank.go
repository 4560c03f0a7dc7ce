package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// Ranking: every search is ranked by relevance, FTS5's bm25() over the
// headline, dek and body (weights 10, 4, 1), each word weighted by how
// often the reader gave it, times a mild recency prior (recencyPrior). What
// costs is bm25(): FTS5 walks a word's list of articles quickly (a tenth of
// a microsecond an article here) to weigh it, but scores each row it ranks
// at microseconds apiece, and a common word is in half the archive. So no
// search scores every match. It scores a bounded set of candidates, chosen
// as a tiered index would hold them:
//
//   - every match, if the group has no more than rankWindow (or than the
//     page needs): the ranking is then exact;
//   - else the newest rankWindow matches (on a news site the reader's
//     likeliest wish, and a walk newest first stops at its LIMIT), and
//   - every older match of the query's rarest words, as many of them as
//     hold rareBudget matches in all: the words that weigh most in BM25
//     (a rare word's idf is several times a common word's), so an article
//     lacking all of them can only outrank the candidates through common
//     words (the idea of MaxScore's "essential" lists).
//
// The cost then depends on the candidates, not on how many articles match,
// but for FTS5's weighing walk of each word's list, which is cheap.
const (
	rankWindow = 200
	rareBudget = 500
	exactCount = 1000
)

// recencyPrior is how much a fresh story gains over an old one of the same
// relevance: its bm25 score times 1 + recencyBoost × 2^(−age/recencyHalfLife).
// Mild on purpose: a story a day old gains about 10%, one a year old
// nothing, so a much more relevant old story still wins.
const (
	recencyBoost    = 0.1
	recencyHalfLife = 30 * 24 * time.Hour
)

// exact returns the service's exactCount (tests lower it).
func (s *SearchService) exact() int {
	if s.exactCount > 0 {
		return s.exactCount
	}
	return exactCount
}

// sample returns the service's sampleMatches and minSample (tests lower
// them).
func (s *SearchService) sample() (matches, least int) {
	if s.sampleMatches > 0 {
		return s.sampleMatches, s.minSample
	}
	return sampleMatches, minSample
}

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

// score maps a group and a bm25 value (negative, smaller is better) onto
// [0, 2): the group holding every word scores 1 or more.
func score(grp int, bm float64) float64 {
	x := max(-bm, 0)
	sc := x / (1 + x)
	if grp == 0 {
		sc++
	}
	return sc
}

// condition is a fragment of SQL and its arguments.
type condition struct {
	sql  string
	args []any
}

// visibility is the condition on f.rowid (f being articles_fts) that keeps
// the live articles q's filters select, leaving out excludeID (0: none).
// The few articles not live (drafts, scheduled) and the articles of a tag
// or an author are sets SQLite gathers once per statement, so testing a
// match against them is cheap; only a date filter looks each match up.
// The unary + keeps a tag's or an author's set from being handed to FTS5,
// which would look each of its articles up in the index one at a time
// (100 ms for a tag of 2,500 articles, against 3 ms for the walk).
func (s *SearchService) visibility(q byline.Query, excludeID int64) condition {
	c := condition{`f.rowid NOT IN (SELECT id FROM articles WHERE live_at IS NULL OR live_at > ?)`, []any{s.db.now().UnixMilli()}}
	if q.Tag != nil {
		c.sql += " AND +f.rowid IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = ?)"
		c.args = append(c.args, *q.Tag)
	}
	if q.Author != nil {
		c.sql += " AND +f.rowid IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE au.slug = ?)"
		c.args = append(c.args, *q.Author)
	}
	if q.Since != nil || q.Before != nil {
		c.sql += " AND EXISTS (SELECT 1 FROM articles a INDEXED BY articles_search_live WHERE a.id = f.rowid"
		if q.Since != nil {
			c.sql, c.args = c.sql+" AND a.live_at >= ?", append(c.args, q.Since.UnixMilli())
		}
		if q.Before != nil {
			c.sql, c.args = c.sql+" AND a.live_at < ?", append(c.args, q.Before.UnixMilli())
		}
		c.sql += ")"
	}
	if excludeID != 0 {
		c.sql += " AND f.rowid != ?"
		c.args = append(c.args, excludeID)
	}
	return c
}

// filterSQL returns the conditions on articles a that every search shares:
// visible now, and q's filters. Exclusions are not here but in the match.
func (s *SearchService) filterSQL(q byline.Query) (string, []any) {
	where := []string{"a.live_at <= ?"}
	args := []any{s.db.now().UnixMilli()}
	// A tag's or an author's articles as a set, which SQLite reads from
	// the index on (tag_id, article_id) and looks each article up: an
	// EXISTS would be tested on every article, 100 ms at 100,000.
	if q.Tag != nil {
		where = append(where, "a.id IN (SELECT at.article_id FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE t.slug = ?)")
		args = append(args, *q.Tag)
	}
	if q.Author != nil {
		where = append(where, "a.id IN (SELECT aa.article_id FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE au.slug = ?)")
		args = append(args, *q.Author)
	}
	if q.Since != nil {
		where, args = append(where, "a.live_at >= ?"), append(args, q.Since.UnixMilli())
	}
	if q.Before != nil {
		where, args = append(where, "a.live_at < ?"), append(args, q.Before.UnixMilli())
	}
	return strings.Join(where, " AND "), args
}

// newest returns the page of the articles matching expr, newest first.
func (s *SearchService) newest(ctx context.Context, expr string, vis condition, offset, limit int) ([]scoredID, error) {
	ids, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f JOIN articles a INDEXED BY articles_search_live ON a.id = f.rowid
		WHERE articles_fts MATCH ? AND `+vis.sql+` ORDER BY a.live_at DESC, a.id DESC LIMIT ? OFFSET ?`,
		slices.Concat([]any{expr}, vis.args, []any{limit, offset})...)
	if err != nil {
		return nil, err
	}
	out := make([]scoredID, len(ids))
	for i, id := range ids {
		out[i] = scoredID{id: id}
	}
	return out, nil
}

// ids runs a query of article IDs.
func (s *SearchService) ids(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := s.db.prepared.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// matchCount is how many articles a search matches.
type matchCount struct {
	total  int
	approx bool // total is an estimate
}

// Counting a filtered search (a tag, an author, dates) whose words are
// common looks at the newest sampleMatches matches of the words, filters
// aside, and estimates from the share the filters keep, if at least
// minSample: counting exactly would walk the words' whole lists, 7 ms for
// a word in half of 100,000 articles.
const (
	sampleMatches = 8000
	minSample     = 30
)

// countOrEstimate returns how many visible articles match expr: counted
// up to exactCount, newest first; past that estimated from how densely
// those newest matches fall among the IDs of the articles q's dates allow.
// (FTS5 walks a list newest first as cheaply as oldest first, and stops at
// the LIMIT.)
func (s *SearchService) countOrEstimate(ctx context.Context, q byline.Query, expr string, vis condition) (matchCount, error) {
	n, lowest, err := s.walkCount(ctx, expr, vis, 0, s.exact()+1)
	if err != nil || n <= s.exact() {
		return matchCount{total: n}, err
	}
	first, last, err := s.idRange(ctx, q)
	if err != nil {
		return matchCount{}, err
	}
	return estimate(n, lowest, first, last), nil
}

// countFiltered counts a search with filters (vis) whose words, filters
// aside (wide), match common: how many the filters keep among the newest
// sampleMatches, scaled to the IDs q's dates allow. Words in few articles
// are counted exactly.
func (s *SearchService) countFiltered(ctx context.Context, q byline.Query, expr string, vis, wide condition) (matchCount, error) {
	wideN, wideLowest, err := s.walkCount(ctx, expr, wide, 0, s.exact()+1)
	if err != nil {
		return matchCount{}, err
	}
	if wideN <= s.exact() {
		return s.countOrEstimate(ctx, q, expr, vis)
	}
	first, last, err := s.idRange(ctx, q)
	if err != nil {
		return matchCount{}, err
	}
	sampled, least := s.sample()
	// The newest sampleMatches of the words, filters aside, among the IDs
	// the dates allow (the words are spread about as densely there).
	from := last - int64(float64(last-wideLowest+1)*float64(sampled)/float64(wideN))
	if from > first {
		n, lowest, err := s.walkCount(ctx, expr, vis, from, s.exact()+1)
		switch {
		case err != nil:
			return matchCount{}, err
		case n > s.exact():
			return estimate(n, lowest, first, last), nil
		case n >= least:
			total := int(float64(n)*float64(last-first+1)/float64(last-from+1) + 0.5)
			return matchCount{total: max(total, n), approx: true}, nil
		}
	}
	// Too few in the sample to estimate from: count them all.
	n, lowest, err := s.walkCount(ctx, expr, vis, 0, s.exact()+1)
	if err != nil {
		return matchCount{}, err
	}
	if n > s.exact() {
		return estimate(n, lowest, first, last), nil
	}
	return matchCount{total: n}, nil
}

// walkCount counts the matches of expr under vis with IDs from from on,
// newest first, up to limit, and returns the lowest ID reached.
func (s *SearchService) walkCount(ctx context.Context, expr string, vis condition, from int64, limit int) (n int, lowest int64, err error) {
	var low sql.NullInt64
	err = s.db.prepared.QueryRowContext(ctx, `SELECT count(*), min(r) FROM (SELECT f.rowid AS r FROM articles_fts f
		WHERE articles_fts MATCH ? AND f.rowid >= ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?)`,
		slices.Concat([]any{expr, from}, vis.args, []any{limit})...).Scan(&n, &low)
	return n, low.Int64, err
}

// idRange returns the first and last IDs of the articles q's dates allow
// (all of them when it has none): an estimate scales to that span, so that
// "housing after:2024-06-01" counts about the articles of those months.
func (s *SearchService) idRange(ctx context.Context, q byline.Query) (first, last int64, err error) {
	if q.Since == nil && q.Before == nil {
		// Two subqueries: SQLite reads min and max off the ends of the
		// table only when each is alone in its query.
		err = s.db.prepared.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)`).Scan(&first, &last)
		return first, last, err
	}
	// The IDs of the first article from Since on and of the last before
	// Before, each read off the live_at index: IDs follow publication
	// closely (but for an old archive imported out of order, where the
	// span, and so the estimate, is wider than it should be).
	if err = s.db.prepared.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)`).Scan(&first, &last); err != nil {
		return 0, 0, err
	}
	lo, hi := first, last
	if q.Since != nil {
		var id sql.NullInt64
		err = s.db.prepared.QueryRowContext(ctx, `SELECT id FROM articles INDEXED BY articles_search_live_at
			WHERE live_at >= ? ORDER BY live_at LIMIT 1`, q.Since.UnixMilli()).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, err
		}
		lo = id.Int64
	}
	if q.Before != nil {
		var id sql.NullInt64
		err = s.db.prepared.QueryRowContext(ctx, `SELECT id FROM articles INDEXED BY articles_search_live_at
			WHERE live_at < ? ORDER BY live_at DESC LIMIT 1`, q.Before.UnixMilli()).Scan(&id)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, err
		}
		hi = id.Int64
	}
	if lo == 0 || hi == 0 || lo > hi {
		// No article in the dates, or IDs not in their order: the archive.
		return first, last, nil
	}
	return lo, hi, nil
}

// estimate scales n matches found from the last ID down to lowest to the
// span of IDs from first to last.
func estimate(n int, lowest, first, last int64) matchCount {
	span := float64(max(last-max(lowest, first)+1, 1)) // IDs holding the n matches
	return matchCount{
		total:  max(n, int(float64(n)/span*float64(max(last-first+1, 1))+0.5)),
		approx: true,
	}
}

// rank returns the first k articles of a group (expr) by relevance: bm25
// times the recency prior, over the candidates the comment at the top of
// this file describes. rare is the expression of the query's rarest words
// ("" for none rare enough).
func (s *SearchService) rank(ctx context.Context, expr, rare string, vis condition, k, grp int) ([]scoredID, error) {
	window := s.window()
	n, lowest, err := s.walkCount(ctx, expr, vis, 0, window+1)
	if err != nil {
		return nil, err
	}
	q := `SELECT f.rowid, bm25(articles_fts, ` + bm25Weights + `), a.live_at FROM articles_fts f
		JOIN articles a INDEXED BY articles_search_live ON a.id = f.rowid WHERE articles_fts MATCH ? AND ` + vis.sql
	args := slices.Concat([]any{expr}, vis.args)
	if n <= window {
		return s.scored(ctx, grp, k, q, args...)
	}
	if rare == "" {
		// The newest matches: FTS5 walks only the IDs from lowest on.
		q += ` AND f.rowid >= ?`
		args = append(args, lowest)
	} else {
		// The newest matches and the older ones holding a rare word: FTS5
		// walks the group's whole list (as cheaply as bm25 weighs it), and
		// bm25 scores only those.
		q += ` AND (+f.rowid >= ? OR +f.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?))`
		args = append(args, lowest, rare)
	}
	ranked, err := s.scored(ctx, grp, window+1+s.rare(), q, args...)
	if err != nil || len(ranked) >= k {
		return ranked[:min(k, len(ranked))], err
	}
	// A page past the candidates: the other matches follow, newest first,
	// so that paging on meets every match once.
	rest, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f WHERE articles_fts MATCH ? AND f.rowid < ? AND `+vis.sql+`
		ORDER BY f.rowid DESC LIMIT ?`, slices.Concat([]any{expr, lowest}, vis.args, []any{k + len(ranked)})...)
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

// scored runs a query of (id, bm25, live_at) rows and returns the best k
// by bm25 times the recency prior, best first.
func (s *SearchService) scored(ctx context.Context, grp, k int, q string, args ...any) ([]scoredID, error) {
	rows, err := s.db.prepared.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.db.now()
	var out []scoredID
	for rows.Next() {
		var (
			id     int64
			bm     float64
			liveAt int64
		)
		if err := rows.Scan(&id, &bm, &liveAt); err != nil {
			return nil, err
		}
		out = append(out, scoredID{id: id, score: score(grp, bm*prior(now.Sub(time.UnixMilli(liveAt))))})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b scoredID) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return cmp.Compare(b.id, a.id) // the newer first
	})
	return out[:min(k, len(out))], nil
}

// prior is the recency prior for an article of the given age.
func prior(age time.Duration) float64 {
	return 1 + recencyBoost*math.Exp2(-max(age, 0).Hours()/recencyHalfLife.Hours())
}

// rareWords returns the expression of the rarest of words (FTS5 strings)
// that hold no more than rareBudget matches in all, rarest first; "" when
// even the rarest holds more. Each count stops at the budget.
func (s *SearchService) rareWords(ctx context.Context, words []string) (string, error) {
	type counted struct {
		word string
		docs int
	}
	var list []counted
	for _, w := range words {
		n, _, err := s.walkCount(ctx, w, condition{"1", nil}, 0, s.rare()+1)
		if err != nil {
			return "", err
		}
		list = append(list, counted{w, n})
	}
	slices.SortStableFunc(list, func(a, b counted) int { return a.docs - b.docs })
	var rare []string
	total := 0
	for _, c := range list {
		if total += c.docs; total > s.rare() {
			break
		}
		rare = append(rare, c.word)
	}
	return ftsAny(rare), nil
}
