// Package highlight marks the words of a text that a search matched, and
// cuts a snippet around them, the way a search index with a stemming
// tokenizer (such as SQLite FTS5's "porter unicode61 remove_diacritics 2")
// matches: words are runs of letters and digits, compared with case and
// diacritics folded and English endings removed, so "Elections" marks
// "election" and "Zürich" marks "zurich".
//
// It exists so that a search need not ask the engine to re-read and
// re-tokenize every hit: FTS5's highlight() and snippet() cost about 100 µs
// a hit, this a few.
package highlight

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/query"
)

// Matcher marks the terms of one query. It is safe for concurrent use.
type Matcher struct {
	terms [][]string // each term's stems: one for a word, several for a phrase

	// prefixes are what a word must begin with to have one of the terms'
	// stems: each stem less its last two letters, which stemming may have
	// changed ("possibility" gives "possibl"). Most words of a text begin
	// with none and are never stemmed, which is the costly step.
	prefixes []string
}

// NewMatcher returns a Matcher for terms: words, or phrases of words
// separated by spaces.
func NewMatcher(terms []string) *Matcher {
	m := &Matcher{}
	for _, t := range terms {
		var stems []string
		for _, w := range words(t) {
			if w.stem != "" {
				stems = append(stems, w.stem)
			}
		}
		if len(stems) == 0 {
			continue
		}
		m.terms = append(m.terms, stems)
		for _, s := range stems {
			if p := s[:max(len(s)-2, 1)]; !slices.Contains(m.prefixes, p) {
				m.prefixes = append(m.prefixes, p)
			}
		}
	}
	return m
}

// word is a token of a text: where it is, and its stem ("" when it cannot
// match any term and was not stemmed).
type word struct {
	start, end int
	stem       string
}

// words splits text into words, each stemmed.
func words(text string) []word { return tokenize(text, nil) }

// tokenize splits text into words, stemming those that begin with one of
// prefixes (every word when prefixes is nil).
func tokenize(text string, prefixes []string) []word {
	out := make([]word, 0, len(text)/6)
	var stems map[string]string // a text repeats its words; stemming is the costly step
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				i++
				continue
			}
		} else if r, size := utf8.DecodeRuneInString(text[i:]); !isWordRune(r) {
			i += size
			continue
		}
		start := i
		ascii := true
		for i < len(text) {
			if c := text[i]; c < utf8.RuneSelf {
				if !asciiWord[c] {
					break
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if !isWordRune(r) {
				break
			}
			ascii = false
			i += size
		}
		w := word{start: start, end: i}
		if folded := fold(text[start:i], ascii); folded != "" && (prefixes == nil || hasAnyPrefix(folded, prefixes)) {
			stem, ok := stems[folded]
			if !ok {
				if stems == nil {
					stems = map[string]string{}
				}
				stem = english.Stem(folded, true)
				stems[folded] = stem
			}
			w.stem = stem
		}
		out = append(out, w)
	}
	return out
}

// fold lowers the case of tok and, unless it is ASCII, removes its
// diacritics.
func fold(tok string, ascii bool) string {
	if !ascii {
		return query.Fold(tok)
	}
	for i := 0; i < len(tok); i++ {
		if 'A' <= tok[i] && tok[i] <= 'Z' {
			return strings.ToLower(tok)
		}
	}
	return tok
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// asciiWord marks the ASCII bytes that belong to words: letters and digits.
var asciiWord = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return t
}()

// isWordRune reports whether r belongs to a word, as unicode61 tokenizes:
// letters, digits and private-use characters; marks too, so that a letter
// and its combining accent stay one word.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) || unicode.Is(unicode.Mn, r)
}

// match is a run of words that matched a term.
type match struct {
	first, last int // word indexes, inclusive
	term        int
}

// matches finds the terms in ws, leftmost first, not overlapping.
func (m *Matcher) matches(ws []word) []match {
	var out []match
	for i := 0; i < len(ws); i++ {
		if ws[i].stem == "" {
			continue
		}
		for t, stems := range m.terms {
			if i+len(stems) > len(ws) {
				continue
			}
			ok := true
			for j, s := range stems {
				if ws[i+j].stem != s {
					ok = false
					break
				}
			}
			if ok {
				out = append(out, match{first: i, last: i + len(stems) - 1, term: t})
				i += len(stems) - 1
				break
			}
		}
	}
	return out
}

// Highlight returns text with every match marked.
func (m *Matcher) Highlight(text string) byline.Highlight {
	ws := tokenize(text, m.prefixes)
	return mark(text, ws, m.matches(ws), 0, len(text))
}

// Snippet returns a passage of about n words of text around its matches,
// chosen to hold as many different terms as it can, with "…" where it cuts
// the text. It returns nil when nothing in text matches.
func (m *Matcher) Snippet(text string, n int) byline.Highlight {
	// Most snippets are found near the start of a long text: try its first
	// part, and read on only if that misses some term.
	if len(text) > snippetPrefix {
		cut := strings.LastIndexByte(text[:snippetPrefix], ' ')
		if cut > 0 {
			if h, terms := m.snippet(text[:cut], n); terms == len(m.terms) {
				if !strings.HasSuffix(h.String(), "…") {
					h = join(append(h, byline.Span{Text: "…"}))
				}
				return h
			}
		}
	}
	h, _ := m.snippet(text, n)
	return h
}

// snippetPrefix is how much of a long text Snippet reads first.
const snippetPrefix = 8 << 10

// snippet is Snippet on the whole of text, reporting also how many
// different terms the passage holds.
func (m *Matcher) snippet(text string, n int) (byline.Highlight, int) {
	ws := tokenize(text, m.prefixes)
	ms := m.matches(ws)
	if len(ms) == 0 || n <= 0 {
		return nil, 0
	}
	// The window of n words from a match that holds the most different
	// terms, then the most matches; the earliest of equals.
	best, bestTerms, bestCount := 0, -1, -1
	for i, first := range ms {
		var seen uint64 // terms beyond the 64th count as the 64th
		count := 0
		for _, mm := range ms[i:] {
			if mm.last >= first.first+n {
				break
			}
			seen |= 1 << min(mm.term, 63)
			count++
		}
		if terms := bits.OnesCount64(seen); terms > bestTerms || (terms == bestTerms && count > bestCount) {
			best, bestTerms, bestCount = i, terms, count
		}
	}
	// Some words of context before the first match, unless the window can
	// start with the text itself.
	from := ms[best].first
	switch {
	case from+1 <= n/2:
		from = 0
	default:
		from -= min(n/4, from)
	}
	to := min(from+n, len(ws)) - 1
	var inside []match
	for _, mm := range ms {
		if mm.first >= from && mm.last <= to {
			inside = append(inside, mm)
		}
	}
	h := byline.Highlight{}
	if from > 0 {
		h = append(h, byline.Span{Text: "…"})
	}
	start, end := ws[from].start, ws[to].end
	if from == 0 {
		// With what comes before the first word, such as a quote mark.
		start = len(text) - len(strings.TrimLeftFunc(text, unicode.IsSpace))
	}
	if to == len(ws)-1 {
		end = len(strings.TrimRightFunc(text, unicode.IsSpace)) // with the last full stop
	}
	h = append(h, mark(text, ws, inside, start, end)...)
	if to < len(ws)-1 {
		h = append(h, byline.Span{Text: "…"})
	}
	return join(h), bestTerms
}

// mark returns text[from:to] with the matches marked.
func mark(text string, ws []word, ms []match, from, to int) byline.Highlight {
	var h byline.Highlight
	at := from
	for _, mm := range ms {
		start, end := ws[mm.first].start, ws[mm.last].end
		if start < from || end > to {
			continue
		}
		if start > at {
			h = append(h, byline.Span{Text: text[at:start]})
		}
		h = append(h, byline.Span{Text: text[start:end], Match: true})
		at = end
	}
	if at < to {
		h = append(h, byline.Span{Text: text[at:to]})
	}
	return h
}

// join merges neighbouring spans that both match or both do not.
func join(h byline.Highlight) byline.Highlight {
	var out byline.Highlight
	for _, s := range h {
		out = appendSpan(out, s.Text, s.Match)
	}
	return out
}

// appendSpan appends text, merging it with the last span when both match
// or both do not.
func appendSpan(h byline.Highlight, text string, match bool) byline.Highlight {
	if text == "" {
		return h
	}
	if n := len(h); n > 0 && h[n-1].Match == match {
		h[n-1].Text += text
		return h
	}
	return append(h, byline.Span{Text: text, Match: match})
}

// Markers a search engine's own highlighter (FTS5's highlight(),
// PostgreSQL's ts_headline) is told to put around matches. They are
// private-use characters, which no article should hold; ParseMarked turns
// them into spans, so matched text is marked without ever being markup.
const (
	MarkOpen  = "\ue000"
	MarkClose = "\ue001"
)

// ParseMarked splits text marked with MarkOpen and MarkClose into a
// Highlight. A stray marker is dropped.
func ParseMarked(s string) byline.Highlight {
	var h byline.Highlight
	inMark := false
	for s != "" {
		i := strings.IndexAny(s, MarkOpen+MarkClose)
		if i < 0 {
			h = appendSpan(h, s, inMark)
			break
		}
		h = appendSpan(h, s[:i], inMark)
		marker := s[i : i+len(MarkOpen)]
		s = s[i+len(marker):]
		inMark = marker == MarkOpen
	}
	return h
}

// SnippetWords is how many words a search result's snippet shows, on every
// store.
const SnippetWords = 30

// Plain is the snippet of a result with nothing to mark: the dek, or else
// the beginning of the body, cut after SnippetWords words. It is nil when
// both are blank.
func Plain(dek, body string) byline.Highlight {
	text := dek
	if strings.TrimSpace(text) == "" {
		text = body
	}
	words := strings.Fields(text)
	if len(words) > SnippetWords {
		words = append(words[:SnippetWords], "…")
	}
	if len(words) == 0 {
		return nil
	}
	return byline.Highlight{{Text: strings.Join(words, " ")}}
}
