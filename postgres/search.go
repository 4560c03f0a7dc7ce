package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/highlight"
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

	// Tests lower these; 0 means the constants of the same names.
	exactCount, rankWindow, rareBudget int

	stats termStats // for BM25

	mu   sync.Mutex
	trgm *bool // whether search_words has its trigram index; nil until known
}

// NewSearchService returns the search service of db.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, articles: NewArticleService(db)}
}

// Options of ts_headline: the markers for matches, the whole text for a
// headline, one passage of at most highlight.SnippetWords for a snippet.
const (
	headlineOptions = `HighlightAll=true, StartSel=` + highlight.MarkOpen + `, StopSel=` + highlight.MarkClose
	snippetOptions  = `MaxFragments=1, MaxWords=30, MinWords=15, ShortWord=0, StartSel=` + highlight.MarkOpen + `, StopSel=` + highlight.MarkClose
)

// headlineWords is the expression of the headline's words as written, the
// one the index articles_headline_words is built on: a query must repeat it
// exactly for the index to serve.
const headlineWords = `to_tsvector('byline_words', replace(a.headline, '<', ' '))`

// searchTx is a search's read-only transaction, in which the planner does
// not read the articles whole. Its cost model prices a test of a tsvector
// at a fraction of a row, but a long article's tsvector is stored apart
// (TOAST) and must be fetched and decompressed: for a word in one article
// of six a sequential scan reads every article's tsvector, ten times the
// work of the GIN index (measured on 20,000 articles), so the planner is
// told to use the index. The transaction also gives the counts and the
// pages of a search one snapshot.
type searchTx struct {
	*SearchService
	tx   pgx.Tx
	walk bool // the search's words are common: walk the newest articles
}

// inSearchTx runs fn in a search transaction.
func (s *SearchService) inSearchTx(ctx context.Context, fn func(st *searchTx) error) error {
	return pgx.BeginTxFunc(ctx, s.db.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		return fn(&searchTx{SearchService: s, tx: tx})
	})
}

// Search returns a page of the visible articles matching q.
func (s *SearchService) Search(ctx context.Context, q byline.Query) (res *byline.SearchResult, err error) {
	err = s.inSearchTx(ctx, func(st *searchTx) error {
		res, err = st.search(ctx, q)
		return err
	})
	return res, err
}

func (s *searchTx) search(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	if q.IsZero() {
		return &byline.SearchResult{}, nil
	}
	if !q.HasTerms() {
		return s.browse(ctx, q)
	}
	terms := termsOf(q)
	vis := s.visibility(q, 0)
	res := &byline.SearchResult{}
	// Two groups: the articles holding every word, then those holding some.
	groups := []string{terms.all()}
	if groups[0] == "" {
		return res, nil // not one word the engine can match
	}
	if some := terms.some(); some != "" {
		groups = append(groups, some)
	}
	// A search of common words, without a tag or an author, walks the
	// newest articles instead of gathering its matches from the GIN index
	// (see walk).
	walk, err := s.common(ctx, q, terms.scored())
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	s.walk = walk
	counts := make([]int, len(groups))
	for i, expr := range groups {
		n, approx, err := s.countGroup(ctx, expr, vis)
		if err != nil {
			return nil, fmt.Errorf("search %q: %w", q.String(), err)
		}
		counts[i] = n
		res.Total += n
		res.Approximate = res.Approximate || approx
	}
	offset, limit := min(max(q.Offset, 0), res.Total), q.PageLimit()
	var hits []scoredID
	if q.Sort == byline.SortNewest {
		hits, err = s.newest(ctx, tsAny(groups), vis, offset, limit)
	} else {
		var rare string
		rare, err = s.rareWords(ctx, terms.words())
		// Rank each group as far as the page needs.
		need := offset + limit
		for i, expr := range groups {
			if need <= 0 || err != nil {
				break
			}
			if counts[i] == 0 {
				continue
			}
			var ranked []scoredID
			ranked, err = s.rank(ctx, expr, terms.scored(), rare, vis, min(need, counts[i]), i)
			if err != nil {
				break
			}
			hits = append(hits, ranked...)
			need -= len(ranked)
		}
		hits = hits[min(offset, len(hits)):]
		hits = hits[:min(limit, len(hits))]
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	for _, h := range hits {
		res.Hits = append(res.Hits, &byline.SearchHit{Article: &byline.Article{ID: h.id}, Score: h.score})
	}
	if err := s.fillHits(ctx, terms.mark(), res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// browse lists, newest first, the articles a query without words selects
// by its filters and exclusions.
func (s *searchTx) browse(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	var a args
	with := ""
	if ex := termsOf(q).exclude; ex != "" {
		with = `WITH ` + matching(&a, "x", ex) + ` `
	}
	filter := s.visibility(q, 0)(&a)
	if with != "" {
		filter += " AND a.id NOT IN (SELECT id FROM x)"
	}
	filterArgs := len(a)
	rows, err := s.tx.Query(ctx, with+`SELECT a.id, count(*) OVER () FROM articles a
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
		err := s.tx.QueryRow(ctx, with+`SELECT count(*) FROM articles a WHERE `+filter, a[:filterArgs]...).Scan(&res.Total)
		if err != nil {
			return nil, fmt.Errorf("browse %q: %w", q.String(), err)
		}
	}
	if err := s.fillHits(ctx, "", res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// fillHits loads the hits' articles, in place, with their headlines and
// snippets marked where they match mark (tsquery text; "" marks nothing).
func (s *searchTx) fillHits(ctx context.Context, mark string, hits []*byline.SearchHit) error {
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
	rows, err := s.tx.Query(ctx, `SELECT id, headline, snippet,
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
		mark, headlineOptions, snippetOptions, markLess, ids, highlight.MarkOpen+highlight.MarkClose, highlight.MarkOpen)
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
			h.Snippet = highlight.Plain(a.Dek, "")
		}
	}
	return nil
}

// fillPlain gives hits that matched no words their articles, headlines
// as they are and a snippet of the dek or else of the body's beginning.
func (s *searchTx) fillPlain(ctx context.Context, hits []*byline.SearchHit, articles map[int64]*byline.Article) error {
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Article.ID
	}
	rows, err := s.tx.Query(ctx, `SELECT id, left(body_text, 600) FROM articles WHERE id = ANY ($1)`, ids)
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
			h.Snippet = highlight.Plain(a.Dek, starts[a.ID])
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
		return highlight.Plain("", strings.ReplaceAll(m.start, markLess, "<"))
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

// load returns the articles with the given IDs, with authors and tags but
// without their bodies.
func (s *SearchService) load(ctx context.Context, ids []int64) (map[int64]*byline.Article, error) {
	return s.loadWith(ctx, s.db.pool, ids)
}

// load is SearchService.load inside the search transaction, which holds a
// connection of the pool: a second one, taken meanwhile, could be waited
// for forever once every connection is a search's.
func (s *searchTx) load(ctx context.Context, ids []int64) (map[int64]*byline.Article, error) {
	return s.loadWith(ctx, s.tx, ids)
}

func (s *SearchService) loadWith(ctx context.Context, q rowsQuerier, ids []int64) (map[int64]*byline.Article, error) {
	rows, err := q.Query(ctx, `SELECT `+articleMetadataColumns+` FROM articles a WHERE a.id = ANY ($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*byline.Article, error) { return scanArticle(row) })
	if err != nil {
		return nil, fmt.Errorf("load articles: %w", err)
	}
	if err := s.articles.attachPeople(ctx, q, list); err != nil {
		return nil, err
	}
	m := make(map[int64]*byline.Article, len(list))
	for _, a := range list {
		m[a.ID] = a
	}
	return m, nil
}

func (s *SearchService) Suggest(ctx context.Context, q byline.Query, n int) ([]*byline.Suggestion, error) {
	n = min(n, byline.MaxSuggestions)
	expr := suggestExpr(q)
	if n <= 0 || expr == "" {
		return nil, nil
	}
	// The newest matching headlines, found through the index of headline
	// words and then sorted (see searchTx and matching).
	var a args
	words := a.add(expr)
	with := `WITH m AS MATERIALIZED (SELECT id FROM articles a WHERE ` + headlineWords + ` @@ to_tsquery('byline_words', ` + words + `))`
	filter := s.visibility(q, 0)(&a)
	if ex := termsOf(q).exclude; ex != "" {
		with += `, ` + matching(&a, "x", ex)
		filter += " AND a.id NOT IN (SELECT id FROM x)"
	}
	var (
		ids   []int64
		heads = make(map[int64]string)
	)
	err := s.inSearchTx(ctx, func(st *searchTx) error {
		rows, err := st.tx.Query(ctx, with+`
			SELECT id, ts_headline('byline_words', replace(headline, '<', `+a.add(markLess)+`), to_tsquery('byline_words', `+words+`), `+a.add(headlineOptions)+`)
			FROM (
				SELECT id, headline, live_at FROM (
					SELECT a.id, a.headline, a.live_at FROM m JOIN articles a ON a.id = m.id WHERE `+filter+` OFFSET 0
				) c ORDER BY live_at DESC, id DESC LIMIT `+a.add(n)+`
			) newest ORDER BY live_at DESC, id DESC`, a...)
		if err != nil {
			return err
		}
		var (
			id int64
			hl string
		)
		_, err = pgx.ForEachRow(rows, []any{&id, &hl}, func() error {
			ids = append(ids, id)
			heads[id] = hl
			return nil
		})
		return err
	})
	if err != nil {
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
		case last && q.Prefix && utf8.RuneCountInString(query.LastToken(w)) >= 2:
			parts = append(parts, s+":*")
		case last && q.Prefix && query.LastToken(w) == w:
			// One letter still being typed: leave it out. (The one letter
			// after "doesn'" or "u." is matched whole, below.)
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
	var ranked []scoredID
	err := s.inSearchTx(ctx, func(st *searchTx) error {
		words, err := st.telling(ctx, query.Parse(text).Words, relatedWords)
		if err != nil || len(words) == 0 {
			return err
		}
		expr := tsAny(words)
		vis := s.visibility(byline.Query{}, a.ID)
		terms := make([]weighted, len(words))
		for i, w := range words {
			terms[i] = weighted{operand: w, times: 1}
		}
		rare, err := st.rareWords(ctx, terms)
		if err != nil {
			return err
		}
		ranked, err = st.rank(ctx, expr, terms, rare, vis, n, 1)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
	}
	ids := make([]int64, len(ranked))
	for i, r := range ranked {
		ids[i] = r.id
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

// relatedWords is how many of an article's words Related searches for:
// the rarest, which say most about what the article is about (and cost
// least to look up), as on SQLite.
const relatedWords = 4

// rareCount is where telling stops counting a word's articles: enough to
// tell rare from common.
const rareCount = 1000

// telling returns, as tsquery operands, up to n of words (stop words aside)
// that the fewest articles hold, but more than one: a word only the
// article itself holds relates it to nothing.
func (s *searchTx) telling(ctx context.Context, words []string, n int) ([]string, error) {
	var operands []string
	seen := map[string]bool{}
	for _, w := range words {
		op := tsString(w)
		if op == "" || query.IsStopWord(w) || seen[query.Fold(w)] {
			continue
		}
		seen[query.Fold(w)] = true
		operands = append(operands, op)
	}
	if len(operands) == 0 {
		return nil, nil
	}
	rows, err := s.tx.Query(ctx, `SELECT (SELECT count(*) FROM (SELECT 1 FROM articles
			WHERE search @@ to_tsquery('byline', u.w) LIMIT $2) x)
		FROM unnest($1::text[]) WITH ORDINALITY AS u(w, i) ORDER BY u.i`, operands, rareCount+1)
	if err != nil {
		return nil, err
	}
	counts, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return nil, err
	}
	type counted struct {
		operand string
		docs    int
	}
	var list []counted
	for i, docs := range counts {
		if docs > 1 {
			list = append(list, counted{operands[i], docs})
		}
	}
	slices.SortStableFunc(list, func(a, b counted) int { return a.docs - b.docs })
	out := make([]string, 0, n)
	for _, c := range list[:min(n, len(list))] {
		out = append(out, c.operand)
	}
	return out, nil
}

// DidYouMean replaces the words of q that no article holds with the
// nearest words of the vocabulary, and returns the new query if it finds
// visible articles.
func (s *SearchService) DidYouMean(ctx context.Context, q byline.Query) (*byline.Query, error) {
	return query.DidYouMean(q, func(w string) (string, error) { return s.correct(ctx, w) },
		func(q byline.Query) (*byline.SearchResult, error) { return s.Search(ctx, q) })
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
	if query.IsStopWord(w) {
		return "", nil
	}
	if tw := tsString(w); tw != "" {
		var known bool
		err := s.inSearchTx(ctx, func(st *searchTx) error {
			return st.tx.QueryRow(ctx, `SELECT count(*) > 0 FROM articles WHERE search @@ to_tsquery('byline', $1)`, tw).Scan(&known)
		})
		if err != nil {
			return "", fmt.Errorf("look up %q: %w", w, err)
		}
		if known {
			return "", nil
		}
	}
	word := []rune(query.Fold(cleanText(w)))
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
			c.dist = query.EditDistance(word, []rune(c.term), maxDist)
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
	return query.MatchCase(w, best.term), nil
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
