package sqlite

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/highlight"
	"github.com/bylinenews/byline/query"
)

var _ byline.SearchService = (*SearchService)(nil)

// SearchService implements byline.SearchService with SQLite's FTS5. The
// index lives in the tables of migration 0002, written by triggers in the
// same transaction as the articles.
type SearchService struct {
	db       *DB
	articles *ArticleService // for loading authors and tags

	// Tests lower these; 0 means the constants of the same names.
	exactCount, rankWindow, rareBudget int
	sampleMatches, minSample           int

	vocab        vocabulary    // for DidYouMean
	vocabRefresh time.Duration // 0: the constant vocabularyRefresh
}

// NewSearchService returns the search service of db.
func NewSearchService(db *DB) *SearchService {
	return &SearchService{db: db, articles: NewArticleService(db)}
}

// The bm25 weights of the headline, the dek and the body (as in the rank
// setting of migration 0002).
const bm25Weights = "10.0, 4.0, 1.0"

// Search returns a page of the visible articles matching q.
func (s *SearchService) Search(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	if q.IsZero() {
		return &byline.SearchResult{}, nil
	}
	if !q.HasTerms() {
		return s.browse(ctx, q)
	}
	terms := termsOf(q)
	vis := s.visibility(q, 0)
	res := &byline.SearchResult{}
	var count matchCount
	var err error
	if q.Tag != nil || q.Author != nil || q.Since != nil || q.Before != nil {
		count, err = s.countFiltered(ctx, q, terms.any(), vis, s.visibility(byline.Query{}, 0))
	} else {
		count, err = s.countOrEstimate(ctx, q, terms.any(), vis)
	}
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", q.String(), err)
	}
	res.Total, res.Approximate = count.total, count.approx
	// Two groups: the articles holding every word, then those holding some.
	groups := []string{terms.all()}
	if some := terms.some(); some != "" {
		groups = append(groups, some)
	}
	offset, limit := max(q.Offset, 0), q.PageLimit()
	var hits []scoredID
	switch {
	case res.Total == 0:
	case q.Sort == byline.SortNewest:
		hits, err = s.newest(ctx, terms.any(), vis, offset, limit)
	default:
		var rare string
		if rare, err = s.rareWords(ctx, terms.distinct()); err != nil {
			break
		}
		// Rank each group as far as the page needs.
		need := offset + limit
		for i, expr := range groups {
			if need <= 0 {
				break
			}
			var ranked []scoredID
			if ranked, err = s.rank(ctx, expr, rare, vis, need, i); err != nil {
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
	if err := s.fillHits(ctx, terms.marked, res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// browse lists, newest first, the articles a query without words selects
// by its filters and exclusions: a list query on the indexes (a tag's or
// an author's articles, or a range of live_at), no text search. The total
// is counted up to exactCount; past that, for a date range alone, it is
// the span of IDs the dates cover, an estimate.
func (s *SearchService) browse(ctx context.Context, q byline.Query) (*byline.SearchResult, error) {
	filter, args := s.filterSQL(q)
	if ex := termsOf(q).exclude; ex != "" {
		filter += " AND a.id NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
		args = append(args, ex)
	}
	// The index on (id, live_at) holds what the filters and the order
	// read, so no article's row (with its body) is read for them.
	from := "articles a"
	if q.Tag != nil || q.Author != nil {
		from = "articles a INDEXED BY articles_search_live"
	}
	ids, err := s.ids(ctx, `SELECT a.id FROM `+from+` WHERE `+filter+` ORDER BY a.live_at DESC, a.id DESC LIMIT ? OFFSET ?`,
		append(slices.Clone(args), q.PageLimit(), max(q.Offset, 0))...)
	if err != nil {
		return nil, fmt.Errorf("browse %q: %w", q.String(), err)
	}
	res := &byline.SearchResult{}
	for _, id := range ids {
		res.Hits = append(res.Hits, &byline.SearchHit{Article: &byline.Article{ID: id}})
	}
	err = s.db.prepared.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+from+` WHERE `+filter+` LIMIT ?)`,
		append(args, s.exact()+1)...).Scan(&res.Total)
	if err != nil {
		return nil, fmt.Errorf("browse %q: %w", q.String(), err)
	}
	if res.Total > s.exact() {
		if q.Tag == nil && q.Author == nil {
			first, last, err := s.idRange(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("browse %q: %w", q.String(), err)
			}
			res.Total, res.Approximate = max(res.Total, int(last-first+1)), true
		} else if err := s.db.prepared.QueryRowContext(ctx, `SELECT count(*) FROM `+from+` WHERE `+filter, args...).Scan(&res.Total); err != nil {
			// A tag's or an author's articles are a set SQLite reads
			// from its index: counting them is cheap.
			return nil, fmt.Errorf("browse %q: %w", q.String(), err)
		}
	}
	if err := s.fillHits(ctx, nil, res.Hits); err != nil {
		return nil, err
	}
	return res, nil
}

// fillHits loads the hits' articles, in place, with their headlines and
// snippets marked where they match terms (words or phrases; none marks
// nothing). The marking is done here, in Go, from the article's text:
// FTS5's highlight() and snippet() would tokenize each hit's body again,
// at ten times the cost.
func (s *SearchService) fillHits(ctx context.Context, terms []string, hits []*byline.SearchHit) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Article.ID
	}
	list, err := s.articles.query(ctx, `SELECT a.id, a.slug, a.headline, a.dek, '', '', a.body_text, a.status,
		a.published_at, a.created_at, a.updated_at, a.source_url, a.feature_image_url, a.version
		FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))`, idJSON(ids))
	if err != nil {
		return fmt.Errorf("load search hits: %w", err)
	}
	articles := make(map[int64]*byline.Article, len(list))
	for _, a := range list {
		articles[a.ID] = a
	}
	var m *highlight.Matcher
	if len(terms) > 0 {
		m = highlight.NewMatcher(terms)
	}
	for _, h := range hits {
		a := articles[h.Article.ID]
		if a == nil {
			// Deleted between the two queries: keep the hit's place with
			// what is known rather than fail the page.
			continue
		}
		body := a.BodyText
		a.BodyText = "" // hits carry no bodies
		h.Article = a
		if m == nil {
			h.Headline = byline.Highlight{{Text: a.Headline}}
			h.Snippet = highlight.Plain(a.Dek, body)
			continue
		}
		h.Headline = m.Highlight(a.Headline)
		if h.Snippet = m.Snippet(body, highlight.SnippetWords); h.Snippet == nil {
			h.Snippet = highlight.Plain(a.Dek, body)
		}
	}
	return nil
}

// load returns the articles with the given IDs, with authors and tags but
// without their bodies.
func (s *SearchService) load(ctx context.Context, ids []int64) (map[int64]*byline.Article, error) {
	list, err := s.articles.query(ctx, `SELECT `+articleMetadataColumns+` FROM articles a WHERE a.id IN (SELECT value FROM json_each(?))`, idJSON(ids))
	if err != nil {
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
	vis := s.visibility(q, 0)
	if ex := termsOf(q).exclude; ex != "" {
		vis.sql += " AND f.rowid NOT IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
		vis.args = append(vis.args, ex)
	}
	// The newest matching headlines: FTS5 walks the list newest first and
	// stops at the LIMIT, marking only the headlines it returns.
	rows, err := s.db.prepared.QueryContext(ctx, `SELECT f.rowid, highlight(article_words, 0, ?, ?) FROM article_words f
		WHERE article_words MATCH ? AND `+vis.sql+` ORDER BY f.rowid DESC LIMIT ?`,
		slices.Concat([]any{highlight.MarkOpen, highlight.MarkClose, expr}, vis.args, []any{n})...)
	if err != nil {
		return nil, fmt.Errorf("suggest %q: %w", q.String(), err)
	}
	defer rows.Close()
	var (
		ids   []int64
		heads = map[int64]string{}
	)
	for rows.Next() {
		var (
			id int64
			hl string
		)
		if err := rows.Scan(&id, &hl); err != nil {
			return nil, fmt.Errorf("suggest %q: %w", q.String(), err)
		}
		ids, heads[id] = append(ids, id), hl
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
			results = append(results, &byline.Suggestion{Article: a, Headline: highlight.ParseMarked(heads[id])})
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
		switch {
		case last && q.Prefix && utf8.RuneCountInString(query.LastToken(w)) >= 2:
			parts = append(parts, "headline : "+ftsString(w)+" *")
		case last && q.Prefix && query.LastToken(w) == w:
			// One letter still being typed: leave it out. (The one letter
			// after "doesn'" or "u." is matched whole, below.)
		default:
			parts = append(parts, "headline : "+ftsString(w))
		}
	}
	for _, p := range q.Phrases {
		parts = append(parts, "headline : "+ftsString(p))
	}
	return ftsAll(parts)
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
	words, err := s.telling(ctx, query.Parse(text).Words, relatedWords)
	if err != nil {
		return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
	}
	if len(words) == 0 {
		return nil, nil
	}
	expr := ftsAny(words)
	vis := s.visibility(byline.Query{}, a.ID)
	rare, err := s.rareWords(ctx, words)
	var ranked []scoredID
	if err == nil {
		ranked, err = s.rank(ctx, expr, rare, vis, n, 1)
	}
	if err != nil {
		return nil, fmt.Errorf("related to article %d: %w", a.ID, err)
	}
	if len(ranked) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ranked))
	for i, r := range ranked {
		ids[i] = r.id
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
// least to look up).
const relatedWords = 4

// telling returns, as FTS5 strings, up to n of words (stop words aside)
// that the fewest articles hold, but more than one: a word only the
// article itself holds relates it to nothing. Counts stop at
// exactCount, which is enough to tell rare from common.
func (s *SearchService) telling(ctx context.Context, words []string, n int) ([]string, error) {
	type counted struct {
		word string
		docs int
	}
	var list []counted
	seen := map[string]bool{}
	for _, w := range words {
		if query.IsStopWord(w) || seen[query.Fold(w)] {
			continue
		}
		seen[query.Fold(w)] = true
		var docs int
		err := s.db.prepared.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT ?)`,
			ftsString(w), s.exact()+1).Scan(&docs)
		if err != nil {
			return nil, err
		}
		if docs > 1 {
			list = append(list, counted{ftsString(w), docs})
		}
	}
	slices.SortStableFunc(list, func(a, b counted) int { return a.docs - b.docs })
	out := make([]string, 0, n)
	for _, c := range list[:min(n, len(list))] {
		out = append(out, c.word)
	}
	return out, nil
}

// DidYouMean replaces the words of q that no article holds with the
// nearest words of the index's vocabulary, and returns the new query if it
// finds visible articles.
func (s *SearchService) DidYouMean(ctx context.Context, q byline.Query) (*byline.Query, error) {
	return query.DidYouMean(q, func(w string) (string, error) { return s.correct(ctx, w) },
		func(q byline.Query) (*byline.SearchResult, error) { return s.Search(ctx, q) })
}

// correct returns the vocabulary word nearest to w if w itself is in no
// article, or "" if w is known or nothing is near enough. Candidates share
// w's first letter (or its second, for a swap of the first two): few typos
// are in the first letter, and it keeps the vocabulary scan short.
func (s *SearchService) correct(ctx context.Context, w string) (string, error) {
	if query.IsStopWord(w) {
		return "", nil
	}
	var known int
	err := s.db.prepared.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? LIMIT 1)`,
		ftsString(w)).Scan(&known)
	if err != nil {
		return "", fmt.Errorf("look up %q: %w", w, err)
	}
	if known > 0 {
		return "", nil
	}
	word := []rune(query.Fold(w))
	if len(word) < 3 {
		return "", nil
	}
	maxDist := 1
	if len(word) > 4 {
		maxDist = 2
	}
	firsts := []rune{word[0], word[1]}
	if word[0] == word[1] {
		firsts = firsts[:1]
	}
	best, err := s.nearest(ctx, word, maxDist, firsts)
	if err != nil || best == "" {
		return "", err
	}
	return query.MatchCase(w, best), nil
}
