package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/bylinenews/byline"
)

// Ranking costs: FTS5 walks a word's list of articles quickly (a tenth of
// a microsecond an article here), but bm25 costs microseconds an article,
// and it weighs each word by walking that word's whole list first. A
// common word can be in half the archive. So a search counts its matches
// one by one only up to exactCount, and ranks them by bm25 only then: its
// words are rare enough for bm25's walks to be short. A search matching
// more (its Total then an estimate) ranks each group by recency instead,
// the newest 2 × rankCandidates matches with those holding a word in the
// headline or dek first, then the rest, newest first: on a news site a
// reader asking for a word in thousands of articles wants the latest.
// A search with filters ranks the same way when its words, filters aside,
// are that common, however few articles the filters leave. Every walk goes
// newest first and stops at its LIMIT, so the cost of a search depends
// little on the archive's size, but for words common apart and rare
// together, whose lists are walked whole.
const (
	exactCount     = 1000
	rankCandidates = 200
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

// candidates returns the service's rankCandidates (tests lower it).
func (s *SearchService) candidates() int {
	if s.rankCandidates > 0 {
		return s.rankCandidates
	}
	return rankCandidates
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
	if q.Tag != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id AND t.slug = ?)")
		args = append(args, *q.Tag)
	}
	if q.Author != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = ?)")
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

// scored runs a query of (id, bm25) rows.
func (s *SearchService) scored(ctx context.Context, grp int, q string, args ...any) ([]scoredID, error) {
	rows, err := s.db.prepared.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []scoredID
	for rows.Next() {
		var (
			id int64
			bm float64
		)
		if err := rows.Scan(&id, &bm); err != nil {
			return nil, err
		}
		out = append(out, scoredID{id: id, score: score(grp, bm)})
	}
	return out, rows.Err()
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

// matchCount is how many articles a search matches, and how to rank them.
type matchCount struct {
	total  int
	approx bool // total is an estimate

	// recency reports that the search's words are in too many articles to
	// rank by bm25 (whose cost is a walk of each word's whole list, however
	// few articles the filters leave): rank by recency, headline matches
	// from window on first.
	recency bool
	window  int64 // the lowest ID of the newest range of IDs holding about 2 × rankCandidates matches
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
// those newest matches fall among the archive's IDs. (FTS5 walks a list
// newest first as cheaply as oldest first, and stops at the LIMIT.)
func (s *SearchService) countOrEstimate(ctx context.Context, expr string, vis condition) (matchCount, error) {
	n, lowest, err := s.walkCount(ctx, expr, vis, 0)
	if err != nil || n <= s.exact() {
		return matchCount{total: n}, err
	}
	first, last, err := s.idRange(ctx)
	if err != nil {
		return matchCount{}, err
	}
	return s.estimate(n, lowest, first, last), nil
}

// countFiltered counts a search with filters (vis) whose words, filters
// aside (wide), match common: how many the filters keep among the newest
// sampleMatches, scaled to the archive. Words in few articles are counted
// exactly and ranked by bm25.
func (s *SearchService) countFiltered(ctx context.Context, expr string, vis, wide condition) (matchCount, error) {
	wideN, wideLowest, err := s.walkCount(ctx, expr, wide, 0)
	if err != nil {
		return matchCount{}, err
	}
	if wideN <= s.exact() {
		return s.countOrEstimate(ctx, expr, vis)
	}
	first, last, err := s.idRange(ctx)
	if err != nil {
		return matchCount{}, err
	}
	window := s.estimate(wideN, wideLowest, first, last).window
	sampled, least := s.sample()
	from := last - int64(float64(last-wideLowest+1)*float64(sampled)/float64(wideN))
	if from > first {
		n, lowest, err := s.walkCount(ctx, expr, vis, from)
		switch {
		case err != nil:
			return matchCount{}, err
		case n > s.exact():
			c := s.estimate(n, lowest, first, last)
			c.window = window
			return c, nil
		case n >= least:
			total := int(float64(n)*float64(last-first+1)/float64(last-from+1) + 0.5)
			return matchCount{total: max(total, n), approx: true, recency: true, window: window}, nil
		}
	}
	// Too few in the sample to estimate from: count them all.
	n, lowest, err := s.walkCount(ctx, expr, vis, 0)
	if err != nil {
		return matchCount{}, err
	}
	if n > s.exact() {
		c := s.estimate(n, lowest, first, last)
		c.window = window
		return c, nil
	}
	return matchCount{total: n, recency: true, window: window}, nil
}

// walkCount counts the matches of expr under vis with IDs from from on,
// newest first, up to exactCount + 1, and returns the lowest ID reached.
func (s *SearchService) walkCount(ctx context.Context, expr string, vis condition, from int64) (n int, lowest int64, err error) {
	var low sql.NullInt64
	err = s.db.prepared.QueryRowContext(ctx, `SELECT count(*), min(r) FROM (SELECT f.rowid AS r FROM articles_fts f
		WHERE articles_fts MATCH ? AND f.rowid >= ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?)`,
		slices.Concat([]any{expr, from}, vis.args, []any{s.exact() + 1})...).Scan(&n, &low)
	return n, low.Int64, err
}

// idRange returns the archive's first and last IDs.
func (s *SearchService) idRange(ctx context.Context) (first, last int64, err error) {
	// Two subqueries: SQLite reads min and max off the ends of the table
	// only when each is alone in its query.
	err = s.db.prepared.QueryRowContext(ctx, `SELECT (SELECT min(id) FROM articles), (SELECT max(id) FROM articles)`).Scan(&first, &last)
	return first, last, err
}

// estimate scales n matches found from the last ID down to lowest to the
// archive from first to last.
func (s *SearchService) estimate(n int, lowest, first, last int64) matchCount {
	span := float64(max(last-lowest+1, 1)) // IDs holding the n matches
	return matchCount{
		total:   max(n, int(float64(n)/span*float64(last-first+1)+0.5)),
		approx:  true,
		recency: true,
		window:  last - int64(span*float64(2*s.candidates())/float64(n)),
	}
}

// rankAll returns the first k articles of a small group (expr) by bm25.
func (s *SearchService) rankAll(ctx context.Context, expr string, vis condition, k, grp int) ([]scoredID, error) {
	return s.scored(ctx, grp, `SELECT f.rowid, bm25(articles_fts, `+bm25Weights+`) FROM articles_fts f
		WHERE articles_fts MATCH ? AND `+vis.sql+` ORDER BY 2, f.rowid DESC LIMIT ?`,
		slices.Concat([]any{expr}, vis.args, []any{k})...)
}

// rankRecent returns the first k articles of a large group (expr) in
// recency order: of its matches from window on (the newest), those whose
// headline or dek match (inHeadline) first, then the others; then the
// rest, newest first. Scores keep the order: the group's base plus 0.5,
// 0.25 and 0. Each step is a walk newest first that stops at its LIMIT, so
// the cost depends on the page, not on how many articles match.
func (s *SearchService) rankRecent(ctx context.Context, expr, inHeadline string, vis condition, k, grp int, window int64) ([]scoredID, error) {
	heads, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f
		WHERE articles_fts MATCH ? AND f.rowid >= ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?`,
		slices.Concat([]any{inHeadline, window}, vis.args, []any{k})...)
	if err != nil {
		return nil, err
	}
	out := make([]scoredID, 0, k)
	inHead := make(map[int64]bool, len(heads))
	for _, id := range heads {
		inHead[id] = true
		out = append(out, scoredID{id: id, score: score(grp, -1)})
	}
	if len(out) >= k {
		return out, nil
	}
	// The others, newest first: those in the window, then older ones.
	rest, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f
		WHERE articles_fts MATCH ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?`,
		slices.Concat([]any{expr}, vis.args, []any{k + len(heads)})...)
	if err != nil {
		return nil, err
	}
	for _, id := range rest {
		if len(out) == k {
			break
		}
		if inHead[id] {
			continue
		}
		bm := 0.0
		if id >= window {
			bm = -1.0 / 3
		}
		out = append(out, scoredID{id: id, score: score(grp, bm)})
	}
	return out, nil
}
