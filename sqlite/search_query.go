package sqlite

import (
	"slices"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// This file turns a byline.Query into FTS5 match expressions. Every term
// becomes an FTS5 string ("..." with " doubled), which FTS5 tokenizes as
// text and never reads as syntax, so no query can be an FTS5 syntax error
// or use an operator the reader did not mean. The operators come from here.

// ftsString quotes s as an FTS5 string: a phrase of the words in s.
func ftsString(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// ftsAll joins the expressions with AND, parenthesized; "" for none.
func ftsAll(exprs []string) string { return ftsJoin(exprs, " AND ") }

// ftsAny joins the expressions with OR, parenthesized; "" for none.
func ftsAny(exprs []string) string { return ftsJoin(exprs, " OR ") }

func ftsJoin(exprs []string, op string) string {
	switch len(exprs) {
	case 0:
		return ""
	case 1:
		return exprs[0]
	}
	return "(" + strings.Join(exprs, op) + ")"
}

// ftsNot returns expr without the matches of not (FTS5's binary NOT).
func ftsNot(expr, not string) string {
	if not == "" {
		return expr
	}
	return "(" + expr + " NOT " + not + ")"
}

// searchTerms is a query's text split the way ranking needs it.
type searchTerms struct {
	should  []string // word strings, each as often as the reader gave it: all of them rank first, any of them matches
	must    []string // phrase strings, each required
	exclude string   // an expression no result may match, or ""
	marked  []string // the words and phrases of should and must, unquoted, to mark in results
}

// termsOf splits q for Search: its significant words (see
// query.SignificantWords) rank and mark; the others are left out. A word
// the reader gave twice is in should twice, so bm25, which sums over the
// expression's phrases, weighs it twice.
func termsOf(q byline.Query) searchTerms {
	var t searchTerms
	dropStops := len(query.SignificantWords(q.Words)) < len(q.Words)
	for i, w := range q.Words {
		if dropStops && query.IsStopWord(w) {
			continue
		}
		for range q.Weight(i) {
			t.should = append(t.should, ftsString(w))
		}
		t.marked = append(t.marked, w)
	}
	for _, p := range q.Phrases {
		t.must, t.marked = append(t.must, ftsString(p)), append(t.marked, p)
	}
	var ex []string
	for _, e := range q.Exclude {
		ex = append(ex, ftsString(e))
	}
	t.exclude = ftsAny(ex)
	return t
}

// distinct returns the word strings of should, each once.
func (t searchTerms) distinct() []string {
	var out []string
	for _, w := range t.should {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// all matches the articles holding every word and phrase.
func (t searchTerms) all() string {
	return ftsNot(ftsAll(append(append([]string{}, t.should...), t.must...)), t.exclude)
}

// some matches the articles holding some but not all of the words, and
// every phrase. It is "" when there is no such group (one word or none).
func (t searchTerms) some() string {
	if len(t.distinct()) < 2 {
		return ""
	}
	expr := ftsNot(ftsAny(t.should), ftsAll(t.should))
	if len(t.must) > 0 {
		expr = "(" + expr + " AND " + ftsAll(t.must) + ")"
	}
	return ftsNot(expr, t.exclude)
}

// any matches every article of both groups: some words (or all of them),
// every phrase, no excluded term.
func (t searchTerms) any() string {
	expr := ftsAny(t.should)
	switch {
	case len(t.must) == 0:
	case expr == "":
		expr = ftsAll(t.must)
	default:
		expr = "(" + expr + " AND " + ftsAll(t.must) + ")"
	}
	return ftsNot(expr, t.exclude)
}
