package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

// Ranking costs: the GIN index finds a word's articles quickly, but
// ts_rank_cd must read and decompress each match's whole tsvector, some
// microseconds an article, and a common word can be in half the archive.
// So, as on SQLite, a group is ranked whole only while it is small; past
// that, only its likely best are ranked: the newest rankCandidates matches
// and the newest rankCandidates whose headline or dek match (a headline
// weighs ten times the body, so a headline match beats almost any body
// match). The rest follow, newest first. The cost of a search is then a
// walk of its matches in the index plus at most 2 × rankCandidates ranks,
// whatever the archive's size.
const rankCandidates = 400

// candidates returns the service's rankCandidates (tests lower it).
func (s *SearchService) candidates() int {
	if s.rankCandidates > 0 {
		return s.rankCandidates
	}
	return rankCandidates
}

// rankWeights weigh a match in the body (C), the dek (B) and the headline
// (A), in ts_rank_cd's order {D, C, B, A}: the ratios of the SQLite
// backend's bm25 weights, 1 : 4 : 10.
const rankWeights = `'{0.1, 0.1, 0.4, 1.0}'::float4[]`

// rankSQL ranks articles a against the tsquery %s in [0, 1): it grows
// with the matches and their weights, a little less in a long article
// (normalization 1 divides by 1 + the log of the length, as bm25 favours
// short documents), and 32 maps it to rank/(rank+1).
const rankSQL = `ts_rank_cd(` + rankWeights + `, a.search, %s, 1|32)`

// headsSQL is the expression of the index articles_search_heads: the words
// of the headline and the dek, stemmed as in articles.search.
const headsSQL = `to_tsvector('byline', replace(a.headline || ' ' || a.dek, '<', ' '))`

// scoredID is a ranked article: its ID and byline.SearchHit.Score.
type scoredID struct {
	id    int64
	score float64
}

// score maps a group and a rank in [0, 1) onto [0, 2): the group holding
// every word scores 1 or more.
func score(grp int, rank float64) float64 {
	sc := min(max(rank, 0), 0.999999)
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

// rank returns the first k articles of a group (expr, with n matches) in
// rank order against mark, scored as group grp.
func (s *searchTx) rank(ctx context.Context, expr, mark string, vis condition, n, k, grp int) ([]scoredID, error) {
	c := s.candidates()
	if n <= 2*c {
		var a args
		sql := `WITH ` + matching(&a, "m", expr) + `
			SELECT a.id, ` + fmt.Sprintf(rankSQL, "to_tsquery('byline', "+a.add(mark)+")") + ` FROM m JOIN articles a ON a.id = m.id
			WHERE ` + vis(&a) + `
			ORDER BY 2 DESC, a.live_at DESC, a.id DESC LIMIT ` + a.add(k)
		return s.scored(ctx, grp, sql, a...)
	}

	// The candidates: the newest c, and the newest c matching in the
	// headline or the dek. (The joins are fenced off with OFFSET 0 from
	// the ORDER BY and LIMIT: seeing them, the planner would walk the
	// articles newest first and look each up in the matches, a nested
	// loop that costs the product of the two.)
	var a args
	m := matching(&a, "m", expr)
	markArg := a.add(mark)
	v, lim := vis(&a), a.add(c)
	candidates := `WITH ` + m + `,
		h AS MATERIALIZED (SELECT id FROM articles a WHERE ` + headsSQL + ` @@ to_tsquery('byline', ` + markArg + `)),
		c AS MATERIALIZED (
			(SELECT id FROM (SELECT a.id, a.live_at FROM m JOIN articles a ON a.id = m.id WHERE ` + v + ` OFFSET 0) x
				ORDER BY live_at DESC, id DESC LIMIT ` + lim + `)
			UNION
			(SELECT id FROM (SELECT a.id, a.live_at FROM m JOIN h ON h.id = m.id JOIN articles a ON a.id = m.id WHERE ` + v + ` OFFSET 0) x
				ORDER BY live_at DESC, id DESC LIMIT ` + lim + `)
		) `
	ranked, err := s.scored(ctx, grp, candidates+`SELECT a.id, `+fmt.Sprintf(rankSQL, "to_tsquery('byline', "+markArg+")")+`
		FROM c JOIN articles a ON a.id = c.id
		ORDER BY 2 DESC, a.live_at DESC, a.id DESC LIMIT `+a.add(k), a...)
	if err != nil || len(ranked) >= k {
		return ranked, err
	}
	// A page past the candidates: the rest of the group, newest first.
	a = a[:len(a)-1]
	rows, err := s.tx.Query(ctx, candidates+`SELECT id FROM (SELECT a.id, a.live_at FROM m JOIN articles a ON a.id = m.id
		WHERE `+v+` AND a.id NOT IN (SELECT id FROM c) OFFSET 0) x
		ORDER BY live_at DESC, id DESC LIMIT `+a.add(k-len(ranked)), a...)
	if err != nil {
		return nil, err
	}
	rest, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	for _, id := range rest {
		ranked = append(ranked, scoredID{id: id, score: score(grp, 0)})
	}
	return ranked, nil
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
		rank float32
		out  []scoredID
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &rank}, func() error {
		out = append(out, scoredID{id: id, score: score(grp, float64(rank))})
		return nil
	})
	return out, err
}
