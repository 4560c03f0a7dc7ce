package postgres

import (
	"slices"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/highlight"
	"github.com/bylinenews/byline/query"
)

// This file turns a byline.Query into tsquery text for to_tsquery. Every
// term becomes a quoted operand ('...' with ' and \ doubled), which
// to_tsquery splits into words and normalizes as it does the articles' text,
// and never reads as syntax: no query can be a tsquery syntax error or use
// an operator the reader did not mean. The operators come from here.

// tsString quotes s as a tsquery operand: a phrase of the words in s. It
// returns "" for a blank s, which to_tsquery would refuse.
func tsString(s string) string {
	s = cleanText(s)
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}

// tsPhrase quotes s like tsString, except that several words must follow
// each other within one of the headline, the dek or the body, as on SQLite.
// (The index concatenates the three, so a bare phrase could join the last
// word of the headline to the first of the dek.)
func tsPhrase(s string) string {
	q := tsString(s)
	if q == "" || len(strings.Fields(s)) < 2 {
		return q
	}
	return "(" + q + ":A | " + q + ":B | " + q + ":C)"
}

// cleanText makes s storable and comparable as PostgreSQL text: invalid
// UTF-8 and NUL, which PostgreSQL refuses, become spaces.
func cleanText(s string) string {
	if textOK(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, " "), "\x00", " ")
}

// tsAll joins the expressions with &, parenthesized; "" for none.
func tsAll(exprs []string) string { return tsJoin(exprs, " & ") }

// tsAny joins the expressions with |, parenthesized; "" for none.
func tsAny(exprs []string) string { return tsJoin(exprs, " | ") }

func tsJoin(exprs []string, op string) string {
	var nonEmpty []string
	for _, e := range exprs {
		if e != "" {
			nonEmpty = append(nonEmpty, e)
		}
	}
	switch len(nonEmpty) {
	case 0:
		return ""
	case 1:
		return nonEmpty[0]
	}
	return "(" + strings.Join(nonEmpty, op) + ")"
}

// tsNot returns expr without the matches of not.
func tsNot(expr, not string) string {
	if expr == "" || not == "" {
		return expr
	}
	return "(" + expr + " & !" + not + ")"
}

// searchTerms is a query's text split the way ranking needs it.
type searchTerms struct {
	should  []string // word operands: all of them rank first, any of them matches
	times   []int    // how many times the reader gave each of should
	must    []string // phrase operands, each required
	marks   []string // every word and phrase, as plain operands, to mark
	phrases []string // the phrases as plain operands, to rank
	exclude string   // an expression no result may match, or ""
}

// termsOf splits q for Search: its significant words (see
// query.SignificantWords) rank and mark; the others are left out, as are
// words with nothing to search for.
func termsOf(q byline.Query) searchTerms {
	var t searchTerms
	var words []string
	times := map[string]int{}
	for i, w := range q.Words {
		if tsString(w) != "" {
			words = append(words, w)
			times[w] += q.Weight(i)
		}
	}
	for _, w := range query.SignificantWords(words) {
		if op := tsString(w); !slices.Contains(t.should, op) {
			t.should, t.times = append(t.should, op), append(t.times, times[w])
		}
	}
	t.marks = append(t.marks, t.should...)
	for _, p := range q.Phrases {
		if s := tsString(p); s != "" {
			t.must = append(t.must, tsPhrase(p))
			t.marks = append(t.marks, s)
			t.phrases = append(t.phrases, s)
		}
	}
	var ex []string
	for _, e := range q.Exclude {
		ex = append(ex, tsPhrase(e))
	}
	t.exclude = tsAny(ex)
	return t
}

// all matches the articles holding every word and phrase.
func (t searchTerms) all() string {
	return tsNot(tsAll(append(append([]string{}, t.should...), t.must...)), t.exclude)
}

// some matches the articles holding some but not all of the words, and
// every phrase. It is "" when there is no such group (one word or none).
func (t searchTerms) some() string {
	if len(t.should) < 2 {
		return ""
	}
	expr := "(" + tsAny(t.should) + " & !" + tsAll(t.should) + ")"
	if must := tsAll(t.must); must != "" {
		expr = "(" + expr + " & " + must + ")"
	}
	return tsNot(expr, t.exclude)
}

// words returns the words to rank by, with how often the reader gave each.
func (t searchTerms) words() []weighted {
	out := make([]weighted, len(t.should))
	for i, w := range t.should {
		out[i] = weighted{operand: w, times: t.times[i]}
	}
	return out
}

// scored returns every term a search ranks by: its words and phrases.
func (t searchTerms) scored() []weighted {
	out := t.words()
	for _, p := range t.phrases {
		out = append(out, weighted{operand: p, times: 1})
	}
	return out
}

// mark matches every word and phrase, for ranking and highlighting.
func (t searchTerms) mark() string { return tsAny(t.marks) }

// markLess stands in for '<' in the text ts_headline marks (its parser
// would read <...> as a tag and drop it); ts_headline marks matches with
// highlight.MarkOpen and MarkClose. All three are private-use characters,
// which no article should hold.
const markLess = "\ue002"

// parseMarked splits text with markers into a Highlight, putting back the
// '<' that markLess stood for. A stray marker is dropped.
func parseMarked(s string) byline.Highlight {
	return joinMarks(highlight.ParseMarked(strings.ReplaceAll(s, markLess, "<")))
}

// joinMarks makes one mark of marked words separated only by spaces or
// hyphens ("United States", "e-mail"), which ts_headline marks word by
// word, as SQLite marks a phrase whole.
func joinMarks(h byline.Highlight) byline.Highlight {
	out := h[:0]
	for i := 0; i < len(h); i++ {
		n := len(out)
		if n >= 2 && h[i].Match && !out[n-1].Match && out[n-2].Match &&
			strings.Trim(out[n-1].Text, " -") == "" {
			out[n-2].Text += out[n-1].Text + h[i].Text
			out = out[:n-1]
			continue
		}
		out = append(out, h[i])
	}
	return out
}
