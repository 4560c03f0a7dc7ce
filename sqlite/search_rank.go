package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// Ranking costs: FTS5 walks a word's list of articles quickly (a tenth of
// a microsecond an article here), but bm25 costs some microseconds an
// article, and a common word can be in half the archive. So a group is
// scored whole only while it is small; past that, only its likely best are
// scored: the newest rankCandidates matches and the newest rankCandidates
// whose headline or dek match (the headline weighs ten times the body, so
// a headline match beats almost any body match). The rest follow, newest
// first. The cost of a search is then a walk of its matches plus at most
// 2 × rankCandidates scores, whatever the archive's size.
const rankCandidates = 200

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
// Without filters it tests the ID against the few articles not live
// (drafts, scheduled), which SQLite gathers once per statement; with them,
// it looks each match up.
func (s *SearchService) visibility(q byline.Query, excludeID int64) condition {
	now := s.db.now().UnixMilli()
	var c condition
	if q.Tag == nil && q.Author == nil && q.Since == nil && q.Before == nil {
		c = condition{`f.rowid NOT IN (SELECT id FROM articles WHERE live_at IS NULL OR live_at > ?)`, []any{now}}
	} else {
		filter, args := s.filterSQL(q)
		c = condition{`EXISTS (SELECT 1 FROM articles a INDEXED BY articles_search_live WHERE a.id = f.rowid AND ` + filter + `)`, args}
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

// countMatches counts the visible articles matching expr.
func (s *SearchService) countMatches(ctx context.Context, expr string, vis condition) (int, error) {
	var n int
	err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM articles_fts f
		WHERE articles_fts MATCH ? AND `+vis.sql, append([]any{expr}, vis.args...)...).Scan(&n)
	return n, err
}

// rank returns the first k articles of a group (expr, with n matches) in
// rank order, scored as group grp. inHeadline matches the group's
// articles whose headline or dek hold its words.
func (s *SearchService) rank(ctx context.Context, expr, inHeadline string, vis condition, n, k, grp int) ([]scoredID, error) {
	bm25 := `bm25(articles_fts, ` + bm25Weights + `)`
	c := s.candidates()
	if n <= 2*c {
		return s.scored(ctx, grp, `SELECT f.rowid, `+bm25+` FROM articles_fts f
			WHERE articles_fts MATCH ? AND `+vis.sql+` ORDER BY 2, f.rowid DESC LIMIT ?`,
			slices.Concat([]any{expr}, vis.args, []any{k})...)
	}

	// The candidates: the newest c (all from rowid lo up)...
	var lo int64
	err := s.db.read.QueryRowContext(ctx, `SELECT f.rowid FROM articles_fts f
		WHERE articles_fts MATCH ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT 1 OFFSET ?`,
		slices.Concat([]any{expr}, vis.args, []any{c - 1})...).Scan(&lo)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	// ...and the newest c older ones whose headline or dek match. All are
	// scored in one statement: FTS5 computes bm25's word weights (a walk of
	// each word's list) once per statement.
	heads, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f
		WHERE articles_fts MATCH ? AND f.rowid < ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?`,
		slices.Concat([]any{inHeadline, lo}, vis.args, []any{c})...)
	if err != nil {
		return nil, err
	}
	candidate := "f.rowid >= " + strconv.FormatInt(lo, 10)
	if len(heads) > 0 {
		candidate = "(" + candidate + " OR f.rowid IN (" + idList(heads) + "))"
	}
	ranked, err := s.scored(ctx, grp, `SELECT f.rowid, `+bm25+` FROM articles_fts f
		WHERE articles_fts MATCH ? AND `+vis.sql+` AND `+candidate+` ORDER BY 2, f.rowid DESC LIMIT ?`,
		slices.Concat([]any{expr}, vis.args, []any{k})...)
	if err != nil || len(ranked) >= k {
		return ranked, err
	}
	// A page past the candidates: the rest of the group, newest first.
	rest, err := s.ids(ctx, `SELECT f.rowid FROM articles_fts f
		WHERE articles_fts MATCH ? AND f.rowid < ? AND `+vis.sql+` AND NOT `+candidate+` ORDER BY f.rowid DESC LIMIT ?`,
		slices.Concat([]any{expr, lo}, vis.args, []any{k - len(ranked)})...)
	if err != nil {
		return nil, err
	}
	for _, id := range rest {
		ranked = append(ranked, scoredID{id: id, score: score(grp, 0)})
	}
	return ranked, nil
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
	rows, err := s.db.read.QueryContext(ctx, q, args...)
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
	rows, err := s.db.read.QueryContext(ctx, q, args...)
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
