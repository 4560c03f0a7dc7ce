package byline

import (
	"context"
	"html"
	"strings"
	"time"
)

// Query is a parsed search: what a reader asked for, in terms every search
// backend understands. The query package makes one from what a reader typed;
// backends turn it into their engine's own syntax and never see the raw
// text, so no input can reach the engine as syntax.
//
// Words, phrases and excluded terms are kept as typed (not folded or
// stemmed): the engine folds case and diacritics and stems words itself.
type Query struct {
	// Words are the bare words, each once. Articles holding all of them
	// rank first, then articles holding some of them.
	Words []string

	// Repeats counts, for each of Words, how many more times the reader
	// gave it ("climate" in "climate models and climate policy": 1); nil
	// or short for words given once. A word asked for more often weighs
	// more in the ranking (see Weight), as BM25 weighs a query's terms.
	Repeats []int

	// Prefix reports that the last of Words was still being typed, so
	// Suggest matches it as the beginning of a word. Search ignores it.
	Prefix bool

	// Phrases must each appear, their words in this order. Each holds its
	// words separated by single spaces; a one-word phrase is a required word.
	Phrases []string

	// Exclude lists words or phrases (words separated by single spaces)
	// that no result may hold.
	Exclude []string

	Tag    *string    // tag slug
	Author *string    // author slug
	Since  *time.Time // published at or after
	Before *time.Time // published before

	Sort SearchSort

	// Limit and Offset page through the results. A Limit of zero or less
	// means DefaultSearchLimit; more than MaxSearchLimit means that.
	Limit, Offset int
}

// Search limits.
const (
	DefaultSearchLimit = 10
	MaxSearchLimit     = 100

	// MaxQueryTerms bounds the words, phrases and excluded terms of a
	// query together, so that a pasted page cannot make a huge search.
	// Stop words have a bound of their own, the same.
	MaxQueryTerms = 32
)

// SearchSort orders search results.
type SearchSort string

// Search orders. The zero value is SortRelevance.
const (
	SortRelevance SearchSort = "relevance"
	SortNewest    SearchSort = "date"
)

// Valid reports whether s is a known order (the empty string counts as
// SortRelevance).
func (s SearchSort) Valid() bool {
	return s == "" || s == SortRelevance || s == SortNewest
}

// Weight returns how many times the reader asked for q.Words[i]: 1, plus
// its Repeats.
func (q Query) Weight(i int) int {
	if i < len(q.Repeats) {
		return 1 + max(q.Repeats[i], 0)
	}
	return 1
}

// HasTerms reports whether q asks for any text to be present: a word or a
// phrase. A query with only exclusions and filters has none.
func (q Query) HasTerms() bool { return len(q.Words) > 0 || len(q.Phrases) > 0 }

// IsZero reports whether q asks for nothing at all: no terms, no
// exclusions, no filters.
func (q Query) IsZero() bool {
	return !q.HasTerms() && len(q.Exclude) == 0 && q.Tag == nil && q.Author == nil && q.Since == nil && q.Before == nil
}

// PageLimit returns q.Limit brought within 1..MaxSearchLimit, with
// DefaultSearchLimit for zero or less.
func (q Query) PageLimit() int {
	switch {
	case q.Limit <= 0:
		return DefaultSearchLimit
	case q.Limit > MaxSearchLimit:
		return MaxSearchLimit
	}
	return q.Limit
}

// String returns q in the query language, such that parsing it gives q back
// (Prefix, Sort, Limit and Offset aside): words first, then "phrases",
// -exclusions and filters.
func (q Query) String() string {
	var parts []string
	parts = append(parts, q.Words...)
	for _, p := range q.Phrases {
		parts = append(parts, `"`+p+`"`)
	}
	for _, e := range q.Exclude {
		if strings.Contains(e, " ") {
			e = `"` + e + `"`
		}
		parts = append(parts, "-"+e)
	}
	if q.Tag != nil {
		parts = append(parts, "tag:"+*q.Tag)
	}
	if q.Author != nil {
		parts = append(parts, "author:"+*q.Author)
	}
	if q.Since != nil {
		// after:D means from the day after D on; Since is that first day.
		parts = append(parts, "after:"+q.Since.UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	}
	if q.Before != nil {
		parts = append(parts, "before:"+q.Before.UTC().Format(time.DateOnly))
	}
	return strings.Join(parts, " ")
}

// Highlight is a piece of text in which some spans matched a query, such as
// a headline or a snippet of a body. It is plain text: rendering it as HTML
// escapes every span.
type Highlight []Span

// Span is a run of text that did or did not match.
type Span struct {
	Text  string
	Match bool
}

// String returns the text without marks.
func (h Highlight) String() string {
	var b strings.Builder
	for _, s := range h {
		b.WriteString(s.Text)
	}
	return b.String()
}

// HTML returns the text escaped for HTML, each matching span wrapped in
// <mark>. Nothing of the text itself can become markup.
func (h Highlight) HTML() string {
	var b strings.Builder
	for _, s := range h {
		if s.Match {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(s.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(s.Text))
		}
	}
	return b.String()
}

// SearchResult is one page of search results.
type SearchResult struct {
	// Total is how many articles match in all, ignoring the query's Limit
	// and Offset. For a search matching very many articles it is an
	// estimate, and Approximate is set.
	Total       int
	Approximate bool
	Hits        []*SearchHit
}

// SearchHit is one article found by a search.
type SearchHit struct {
	Article  *Article
	Headline Highlight // the headline with the matched words marked
	Snippet  Highlight // a passage of the body (or the dek) around the matched words

	// Score is the relevance, higher is better, in [0, 2): hits that hold
	// every word score 1 or more, above every hit that holds only some.
	Score float64
}

// Suggestion is an article offered while a reader types.
type Suggestion struct {
	Article  *Article
	Headline Highlight // the headline with the typed words marked
}

// MaxSuggestions bounds what Suggest returns.
const MaxSuggestions = 8

// SearchService finds articles by their text. It searches only articles
// visible to readers. Implementations are safe for concurrent use; they keep
// the index in the same transaction as the articles, so a search always sees
// the articles as they are.
type SearchService interface {
	// Search returns the page of visible articles matching q that q.Limit
	// and q.Offset select, and how many match in all. With SortRelevance,
	// articles holding every word come first, then those holding some,
	// each group in order of relevance (the headline weighs more than the
	// dek, which weighs more than the body); a backend may rank a search
	// that matches very many articles by recency instead, headline matches
	// first, and estimate its Total. With SortNewest, newest first.
	// Phrases are required and excluded terms forbidden; a query with no
	// words or phrases lists the articles its filters select, newest first.
	// A query that asks for nothing returns no hits. Any Query is valid:
	// Search returns an error only when the engine fails, never because of
	// what was typed.
	Search(ctx context.Context, q Query) (*SearchResult, error)

	// Suggest returns up to n (at most MaxSuggestions) visible articles
	// whose headlines hold q's words, the last one as a prefix when
	// q.Prefix is set, newest first. Filters, exclusions and phrases
	// apply as in Search.
	Suggest(ctx context.Context, q Query, n int) ([]*Suggestion, error)

	// Related returns up to n visible articles about what a is about (its
	// headline and tags used as a query), best first, a itself left out.
	Related(ctx context.Context, a *Article, n int) ([]*Article, error)

	// DidYouMean returns q with its misspelt words replaced by the nearest
	// words of the index's vocabulary, or nil when it finds nothing to
	// correct.
	DidYouMean(ctx context.Context, q Query) (*Query, error)
}
