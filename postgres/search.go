package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

var _ byline.SearchService = (*SearchService)(nil)

// SearchService implements byline.SearchService with PostgreSQL's full-text
// search. The index is the generated column articles.search of migration
// 0002, rewritten with every write to an article in the same transaction;
// typeahead uses an expression index on the headlines, and "Did you mean"
// the vocabulary table search_words, kept by a trigger.
type SearchService struct {
	db       *DB
	articles *ArticleService // for loading authors and tags

	mu   sync.Mutex
	trgm *bool // whether search_words has its trigram index; nil until known
}

// NewSearchService returns the search service of db.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, articles: NewArticleService(db)}
}

// rankWeights weigh a match in the body (C), the dek (B) and the headline
// (A), in ts_rank_cd's order {D, C, B, A}: the ratios of the SQLite
// backend's bm25 weights, 1 : 4 : 10.
const rankWeights = `'{0.1, 0.1, 0.4, 1.0}'::float4[]`

// rankSQL scores an article's match of the tsquery m in [0, 1), growing
// with the matches and their weights (normalization 32: rank/(rank+1)).
const rankSQL = `ts_rank_cd(` + rankWeights + `, a.search, %s, 1|32)`

// snippetWords is how many words of the body a snippet shows.
const snippetWords = 30

// Options of ts_headline: the markers for matches, the whole text for a
// headline, one passage of at most snippetWords for a snippet.
const (
	headlineOptions = `HighlightAll=true, StartSel=` + markOpen + `, StopSel=` + markClose
	snippetOptions  = `MaxFragments=1, MaxWords=30, MinWords=15, ShortWord=0, StartSel=` + markOpen + `, StopSel=` + markClose
)

// suggestCandidates bounds the articles Suggest ranks: the newest that
// match. A two-letter prefix can match half the archive; ranking all of it
// would cost more than a keystroke is worth.
const suggestCandidates = 200

// headlineWords is the expression of the headline's words as written, the
// one the index articles_headline_words is built on: a query must repeat it
// exactly for the index to serve.
const headlineWords = `to_tsvector('byline_words', replace(a.headline, '<', ' '))`

// Search returns a page of the visible articles matching q.
func (s *SearchService) Search(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	if q.IsZero() {
		return &byline.SearchResult{}, nil
	}
	if !q.HasTerms() {
		return s.browse(ctx, q)
	}
	terms := termsOf(q)
	all, union := terms.all(), terms.all()
	if some := terms.some(); some != "" {
		union = "(" + all + " | " + some + ")"
	}
	if union == "" {
		return &byline.SearchResult{}, nil // not one word the engine can match
	}
	var a args
	matchArg, everyArg, markArg := a.add(union), a.add(all), a.add(terms.mark())
	filter := s.filterSQL(q, &a)
	filterArgs := len(a)
	// The tsqueries are made once, in a row of their own (OFFSET 0 keeps
	// the planner from inlining them back into every row).
	from := `FROM (SELECT to_tsquery('byline', ` + matchArg + `) AS matches, to_tsquery('byline', ` + everyArg + `) AS every,
		to_tsquery('byline', ` + markArg + `) AS mark OFFSET 0) q
		JOIN articles a ON a.search @@ q.matches
		WHERE ` + filter
	sql := `SELECT a.id, a.search @@ q.every, ` + fmt.Sprintf(rankSQL, "q.mark") + `, count(*) OVER () ` + from +
		` ORDER BY 2 DESC, 3 DESC, a.live_at DESC, a.id DESC`
	if q.Sort == byline.SortNewest {
		sql = `SELECT a.id, true, 0::float4, count(*) OVER () ` + from + ` ORDER BY a.live_at DESC, a.id DESC`
	}
	sql += ` LIMIT ` + a.add(q.PageLimit()) + ` OFFSET ` + a.add(max(q.Offset, 0))
	rows, err := s.db.pool.Query(ctx, sql, a...)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	defer rows.Close()
	res := &byline.SearchResult{}
	for rows.Next() {
		var (
			id    int64
			every bool
			rank  float32
		)
		if err := rows.Scan(&id, &every, &rank, &res.Total); err != nil {
			return nil, fmt.Errorf("search %q: %w", q.String(), err)
		}
		h := &byline.SearchHit{Article: &byline.Article{ID: id}}
		if q.Sort != byline.SortNewest {
			h.Score = score(every, float64(rank))
		}
		res.Hits = append(res.Hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	if len(res.Hits) == 0 && q.Offset > 0 {
		// Past the last page: the window function saw no row to count.
		if err := s.db.pool.QueryRow(ctx, `SELECT count(*) `+from, a[:filterArgs]...).Scan(&res.Total); err != nil {
			return nil, fmt.Errorf("count search %q: %w", q.String(), err)
		}
	}
	if err := s.fillHits(ctx, terms.mark(), res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// score maps a hit's group and rank in [0, 1) onto [0, 2): the hits holding
// every word score 1 or more.
func score(every bool, rank float64) float64 {
	sc := min(max(rank, 0), 0.999999)
	if every {
		sc++
	}
	return sc
}

// browse lists, newest first, the articles a query without words selects
// by its filters and exclusions.
func (s *SearchService) browse(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	var a args
	filter := s.filterSQL(q, &a)
	if ex := termsOf(q).exclude; ex != "" {
		filter += " AND NOT a.search @@ to_tsquery('byline', " + a.add(ex) + ")"
	}
	filterArgs := len(a)
	rows, err := s.db.pool.Query(ctx, `SELECT a.id, count(*) OVER () FROM articles a
		WHERE `+filter+` ORDER BY a.live_at DESC, a.id DESC LIMIT `+a.add(q.PageLimit())+` OFFSET `+a.add(max(q.Offset, 0)), a...)
	if err != nil {
		return nil, fmt.Errorf("browse %q: %w", q.String(), err)
	}
	defer rows.Close()
	res := &byline.SearchResult{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id, &res.Total); err != nil {
			return nil, fmt.Errorf("browse %q: %w", q.String(), err)
		}
		res.Hits = append(res.Hits, &byline.SearchHit{Article: &byline.Article{ID: id}})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("browse %q: %w", q.String(), err)
	}
	if len(res.Hits) == 0 && q.Offset > 0 {
		err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM articles a WHERE `+filter, a[:filterArgs]...).Scan(&res.Total)
		if err != nil {
			return nil, fmt.Errorf("browse %q: %w", q.String(), err)
		}
	}
	if err := s.fillHits(ctx, "", res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// filterSQL returns the conditions on articles a that every search shares:
// visible now, and q's filters. Exclusions are not here but in the match.
func (s *SearchService) filterSQL(q byline.Query, a *args) string {
	where := []string{"a.live_at <= " + a.add(s.db.now())}
	if q.Tag != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id AND t.slug = "+a.add(cleanText(*q.Tag))+")")
	}
	if q.Author != nil {
		where = append(where, "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id AND au.slug = "+a.add(cleanText(*q.Author))+")")
	}
	if q.Since != nil {
		where = append(where, "a.live_at >= "+a.add(q.Since.UTC()))
	}
	if q.Before != nil {
		where = append(where, "a.live_at < "+a.add(q.Before.UTC()))
	}
	return strings.Join(where, " AND ")
}

// fillHits loads the hits' articles, in place, with their headlines and
// snippets marked where they match mark (tsquery text; "" marks nothing).
func (s *SearchService) fillHits(ctx context.Context, mark string, hits []*byline.SearchHit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Article.ID
	}
	articles, err := s.load(ctx, ids)
	if err != nil {
		return err
	}
	if mark == "" {
		return s.fillPlain(ctx, hits, articles)
	}
	// The snippet is a passage of the body around the matches; "…" says
	// that the body goes on before or after it, as on SQLite. The passage
	// is a piece of the body, so finding it tells where it was cut; the
	// punctuation ts_headline leaves off its end is put back. A snippet
	// without a match (the words were in the headline or the dek) is the
	// beginning of the body instead.
	rows, err := s.db.pool.Query(ctx, `SELECT id, headline, snippet,
			left(body, pos - 1) ~ '[[:alnum:]]',
			rest ~ '[[:alnum:]]',
			CASE WHEN rest ~ '[[:alnum:]]' THEN '' ELSE left(rtrim(rest), 8) END,
			CASE WHEN strpos(snippet, $7) = 0 THEN left(body, 600) ELSE '' END
		FROM (
			SELECT id, headline, snippet, body, plain, strpos(body, plain) AS pos
			FROM (
				SELECT a.id, replace(a.body_text, '<', $4) AS body,
					ts_headline('byline', replace(a.headline, '<', $4), q.mark, $2) AS headline,
					ts_headline('byline', replace(a.body_text, '<', $4), q.mark, $3) AS snippet
				FROM (SELECT to_tsquery('byline', $1) AS mark OFFSET 0) q, articles a
				WHERE a.id = ANY ($5)
			) h, translate(snippet, $6, '') AS plain
		) p, substr(body, pos + length(plain)) AS rest`,
		mark, headlineOptions, snippetOptions, markLess, ids, markOpen+markClose, markOpen)
	if err != nil {
		return fmt.Errorf("mark search hits: %w", err)
	}
	defer rows.Close()
	byID := make(map[int64]marked, len(hits))
	for rows.Next() {
		var (
			id            int64
			m             marked
			before, after *bool
		)
		if err := rows.Scan(&id, &m.headline, &m.snippet, &before, &after, &m.tail, &m.start); err != nil {
			return fmt.Errorf("mark search hits: %w", err)
		}
		m.before, m.after = before != nil && *before, after != nil && *after
		byID[id] = m
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("mark search hits: %w", err)
	}
	for _, h := range hits {
		a := articles[h.Article.ID]
		if a == nil {
			// Deleted between the two queries: keep the hit's place with
			// what is known rather than fail the page.
			continue
		}
		h.Article = a
		m, ok := byID[a.ID]
		if !ok {
			h.Headline = byline.Highlight{{Text: a.Headline}}
			continue
		}
		h.Headline = parseMarked(m.headline)
		h.Snippet = m.snippetHighlight()
		if strings.TrimSpace(h.Snippet.String()) == "" {
			h.Snippet = plainSnippet(a.Dek, "")
		}
	}
	return nil
}

// fillPlain gives hits that matched no words their articles, headlines
// as they are and a snippet of the dek or else of the body's beginning.
func (s *SearchService) fillPlain(ctx context.Context, hits []*byline.SearchHit, articles map[int64]*byline.Article) error {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Article.ID
	}
	rows, err := s.db.pool.Query(ctx, `SELECT id, left(body_text, 600) FROM articles WHERE id = ANY ($1)`, ids)
	if err != nil {
		return fmt.Errorf("load snippets: %w", err)
	}
	starts := make(map[int64]string, len(ids))
	var (
		id    int64
		start string
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &start}, func() error { starts[id] = start; return nil }); err != nil {
		return fmt.Errorf("load snippets: %w", err)
	}
	for _, h := range hits {
		if a := articles[h.Article.ID]; a != nil {
			h.Article = a
			h.Headline = byline.Highlight{{Text: a.Headline}}
			h.Snippet = plainSnippet(a.Dek, starts[a.ID])
		}
	}
	return nil
}

// marked is a hit's headline and snippet with ts_headline's markers,
// whether the body goes on before and after the snippet, the punctuation
// that ends the body after it, and the beginning of the body when the
// snippet has no match.
type marked struct {
	headline, snippet string
	before, after     bool
	tail, start       string
}

// snippetHighlight returns the snippet with "…" where the body was cut.
func (m marked) snippetHighlight() byline.Highlight {
	if m.start != "" {
		return plainSnippet("", strings.ReplaceAll(m.start, markLess, "<"))
	}
	text := strings.TrimSpace(m.snippet)
	if text == "" {
		return nil
	}
	if m.before {
		text = "…" + text
	}
	if m.after {
		text += "…"
	} else {
		text += m.tail
	}
	return parseMarked(text)
}

// plainSnippet is the dek, or else the beginning of the body, unmarked.
func plainSnippet(dek, body string) byline.Highlight {
	text := dek
	if strings.TrimSpace(text) == "" {
		text = body
	}
	words := strings.Fields(text)
	if len(words) > snippetWords {
		words = append(words[:snippetWords], "…")
	}
	if len(words) == 0 {
		return nil
	}
	return byline.Highlight{{Text: strings.Join(words, " ")}}
}

// load returns the articles with the given IDs, with authors and tags but
// without their bodies.
func (s *SearchService) load(ctx context.Context, ids []int64) (map[int64]*byline.Article, error) {
	list, err := s.articles.queryWithoutPeople(ctx, `SELECT `+articleMetadataColumns+` FROM articles a WHERE a.id = ANY ($1)`, ids)
	if err != nil {
		return nil, err
	}
	if err := s.articles.attachPeople(ctx, s.db.pool, list); err != nil {
		return nil, err
	}
	m := make(map[int64]*byline.Article, len(list))
	for _, a := range list {
		m[a.ID] = a
	}
	return m, nil
}

// Suggest returns up to n visible articles whose headlines hold q's words.
func (s *SearchService) Suggest(ctx context.Context, q byline.Query, n int) ([]*byline.Suggestion, error) {
	n = min(n, byline.MaxSuggestions)
	expr := suggestExpr(q)
	if n <= 0 || expr == "" {
		return nil, nil
	}
	var a args
	words := a.add(expr)
	filter := s.filterSQL(q, &a)
	if ex := termsOf(q).exclude; ex != "" {
		filter += " AND NOT a.search @@ to_tsquery('byline', " + a.add(ex) + ")"
	}
	// The newest candidates, then the best of them: a short headline that
	// is mostly the typed words ranks first (normalization 2 divides the
	// rank by the headline's length).
	rows, err := s.db.pool.Query(ctx, `SELECT c.id, ts_headline('byline_words', replace(c.headline, '<', `+a.add(markLess)+`), q.words, `+a.add(headlineOptions)+`)
		FROM (SELECT to_tsquery('byline_words', `+words+`) AS words OFFSET 0) q,
		LATERAL (
			SELECT a.id, a.headline, a.live_at, ts_rank(`+headlineWords+`, q.words, 2) AS rank
			FROM articles a
			WHERE `+headlineWords+` @@ q.words AND `+filter+`
			ORDER BY a.id DESC LIMIT `+strconv.Itoa(suggestCandidates)+`
		) c
		ORDER BY c.rank DESC, c.live_at DESC, c.id DESC LIMIT `+a.add(n), a...)
	if err != nil {
		return nil, fmt.Errorf("suggest %q: %w", q.String(), err)
	}
	defer rows.Close()
	var (
		ids   []int64
		heads = make(map[int64]string)
	)
	for rows.Next() {
		var (
			id int64
			hl string
		)
		if err := rows.Scan(&id, &hl); err != nil {
			return nil, fmt.Errorf("suggest %q: %w", q.String(), err)
		}
		ids = append(ids, id)
		heads[id] = hl
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("suggest %q: %w", q.String(), err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	articles, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	var results []*byline.Suggestion
	for _, id := range ids {
		if a := articles[id]; a != nil {
			results = append(results, &byline.Suggestion{Article: a, Headline: parseMarked(heads[id])})
		}
	}
	return results, nil
}

// suggestExpr matches headlines holding every word and phrase of q, the
// last word as a prefix when q.Prefix is set and it has two letters or
// more (one letter would match most of the archive and tell nothing).
func suggestExpr(q byline.Query) string {
	var parts []string
	for i, w := range q.Words {
		last := i == len(q.Words)-1
		switch s := tsString(w); {
		case s == "":
		case last && q.Prefix && utf8.RuneCountInString(w) >= 2:
			parts = append(parts, s+":*")
		case last && q.Prefix:
			// One letter still being typed: leave it out.
		default:
			parts = append(parts, s)
		}
	}
	for _, p := range q.Phrases {
		parts = append(parts, tsString(p))
	}
	return tsAll(parts)
}

// Related returns up to n visible articles like a, best first.
func (s *SearchService) Related(ctx context.Context, a *byline.Article, n int) ([]*byline.Article, error) {
	if n <= 0 || a == nil {
		return nil, nil
	}
	text := a.Headline
	for _, t := range a.Tags {
		text += " " + t.Name
	}
	var words []string
	for _, w := range query.Parse(text).Words {
		if !isStopWord(w) {
			words = append(words, tsString(w))
		}
	}
	expr := tsAny(words)
	if expr == "" {
		return nil, nil
	}
	var qa args
	q := qa.add(expr)
	rows, err := s.db.pool.Query(ctx, `SELECT a.id
		FROM (SELECT to_tsquery('byline', `+q+`) AS q OFFSET 0) q JOIN articles a ON a.search @@ q.q
		WHERE a.live_at <= `+qa.add(s.db.now())+` AND a.id <> `+qa.add(a.ID)+`
		ORDER BY `+fmt.Sprintf(rankSQL, "q.q")+` DESC, a.live_at DESC, a.id DESC LIMIT `+qa.add(n), qa...)
	if err != nil {
		return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	byID, err := s.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	var related []*byline.Article
	for _, id := range ids {
		if r := byID[id]; r != nil {
			related = append(related, r)
		}
	}
	return related, nil
}

// DidYouMean replaces the words of q that no article holds with the
// nearest words of the vocabulary, and returns the new query if it finds
// visible articles.
func (s *SearchService) DidYouMean(ctx context.Context, q byline.Query) (*byline.Query, error) {
	fixed := q
	fixed.Words = slices.Clone(q.Words)
	fixed.Phrases = slices.Clone(q.Phrases)
	fixed.Prefix, fixed.Offset, fixed.Limit = false, 0, 1
	changed := false
	for i, w := range fixed.Words {
		c, err := s.correct(ctx, w)
		if err != nil {
			return nil, err
		}
		if c != "" {
			fixed.Words[i], changed = c, true
		}
	}
	for i, p := range fixed.Phrases {
		words := strings.Fields(p)
		phraseChanged := false
		for j, w := range words {
			c, err := s.correct(ctx, w)
			if err != nil {
				return nil, err
			}
			if c != "" {
				words[j], phraseChanged = c, true
			}
		}
		if phraseChanged {
			fixed.Phrases[i], changed = strings.Join(words, " "), true
		}
	}
	if !changed {
		return nil, nil
	}
	res, err := s.Search(ctx, fixed)
	if err != nil {
		return nil, err
	}
	if res.Total == 0 {
		return nil, nil
	}
	fixed.Limit, fixed.Offset, fixed.Sort = q.Limit, 0, q.Sort
	return &fixed, nil
}

// nearWords is how many of the vocabulary's words nearest by trigrams
// "Did you mean" weighs for one misspelt word.
const nearWords = 64

// correct returns the vocabulary word nearest to w if w itself is in no
// article, or "" if w is known or nothing is near enough (an edit distance
// of 1, or 2 for words of five letters or more; the most common word
// breaks a tie). With pg_trgm the candidates are the words nearest by
// trigrams, found through a GiST index; without it, as on SQLite, the words
// sharing w's first letter (or its second, for a swap of the first two).
func (s *SearchService) correct(ctx context.Context, w string) (string, error) {
	if isStopWord(w) {
		return "", nil
	}
	if tw := tsString(w); tw != "" {
		var known bool
		err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM articles WHERE search @@ to_tsquery('byline', $1))`, tw).Scan(&known)
		if err != nil {
			return "", fmt.Errorf("look up %q: %w", w, err)
		}
		if known {
			return "", nil
		}
	}
	word := []rune(fold(cleanText(w)))
	if len(word) < 3 {
		return "", nil
	}
	maxDist := 1
	if len(word) > 4 {
		maxDist = 2
	}
	trgm, err := s.hasTrigrams(ctx)
	if err != nil {
		return "", err
	}
	var queries []struct {
		sql  string
		args []any
	}
	if trgm {
		queries = append(queries, struct {
			sql  string
			args []any
		}{`SELECT word, docs FROM search_words WHERE length(word) BETWEEN $2 AND $3 ORDER BY word <-> $1 LIMIT $4`,
			[]any{string(word), len(word) - maxDist, len(word) + maxDist, nearWords}})
	} else {
		firsts := []rune{word[0], word[1]}
		if word[0] == word[1] {
			firsts = firsts[:1]
		}
		for _, first := range firsts {
			queries = append(queries, struct {
				sql  string
				args []any
			}{`SELECT word, docs FROM search_words WHERE word >= $1 AND word < $2 AND length(word) BETWEEN $3 AND $4`,
				[]any{string(first), string(first + 1), len(word) - maxDist, len(word) + maxDist}})
		}
	}
	type candidate struct {
		term       string
		dist, docs int
	}
	var best *candidate
	for _, vq := range queries {
		rows, err := s.db.pool.Query(ctx, vq.sql, vq.args...)
		if err != nil {
			return "", fmt.Errorf("vocabulary near %q: %w", w, err)
		}
		var c candidate
		_, err = pgx.ForEachRow(rows, []any{&c.term, &c.docs}, func() error {
			c.dist = editDistance(word, []rune(c.term), maxDist)
			if c.dist <= maxDist && (best == nil || c.dist < best.dist || (c.dist == best.dist && c.docs > best.docs) ||
				(c.dist == best.dist && c.docs == best.docs && c.term < best.term)) {
				found := c
				best = &found
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("vocabulary near %q: %w", w, err)
		}
	}
	if best == nil {
		return "", nil
	}
	return matchCase(w, best.term), nil
}

// hasTrigrams reports whether the vocabulary has its trigram index, made by
// migration 0002 where pg_trgm is installed. The answer is kept once known.
func (s *SearchService) hasTrigrams(ctx context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.trgm == nil {
		var ok bool
		if err := s.db.pool.QueryRow(ctx, `SELECT to_regclass('search_words_trgm') IS NOT NULL`).Scan(&ok); err != nil {
			return false, fmt.Errorf("look for the trigram index: %w", err)
		}
		s.trgm = &ok
	}
	return *s.trgm, nil
}
