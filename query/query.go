// Package query parses what a reader types into a search box into a
// [byline.Query]. It is pure: no I/O, no engine syntax.
//
// The language:
//
//	russia syria          words: articles with all of them first, then with some
//	"united states"       a phrase: these words, in this order, required
//	-trump  -"white house" excluded words and phrases
//	tag:politics          filters: tag:, author: (a slug, or "a name" in quotes),
//	author:"Jane Doe"     before: and after: with a date 2006, 2006-01 or
//	after:2015-10         2006-01-02 (after:2015 means from 2016 on;
//	before:2016           before:2016 means up to the end of 2015)
//
// Everything else is plain text: a character that means something to a
// search engine (* : ( ) ^ +), an operator word (AND, OR, NOT, NEAR), a
// quote with no partner, a filter with an unknown name or a bad value. A
// word is cut at no character inside it, only trimmed of the punctuation
// around it ("(syria)," is the word syria); the engine splits "U.S." or
// "well-known" into its words as it does when indexing. Input past
// MaxBytes, and terms past [byline.MaxQueryTerms], are ignored; stop words
// have a bound of their own, the same, so that a question's "what is the"
// takes no place from the words that decide it. A word given again is
// kept once, and counted in Query.Repeats.
//
// This package does not know about stop words, stemming or the engine's
// escaping: the backends do.
package query

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// MaxBytes is how much of the text Parse reads: far more than any real
// query, and little enough that a pasted page costs nothing.
const MaxBytes = 1024

// MaxTermRunes bounds a single word: longer ones are cut.
const MaxTermRunes = 64

// Parse turns text into a Query. It accepts any input, valid UTF-8 or not,
// and never fails: whatever is not query syntax is plain text. Sort, Limit
// and Offset are left zero for the caller to set.
func Parse(text string) byline.Query {
	text = clip(text)
	p := parser{src: []rune(text)}
	p.parse()
	q := p.q
	// The last word was still being typed if nothing came after it, not
	// even a space.
	q.Prefix = p.lastWasWord && len(p.src) > 0 && !isSpace(p.src[len(p.src)-1])
	return q
}

// clip returns at most MaxBytes of text, cut at a rune boundary, with
// invalid UTF-8 and control characters turned into spaces.
func clip(text string) string {
	if len(text) > MaxBytes {
		cut := MaxBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	text = strings.ToValidUTF8(text, " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, text)
}

type parser struct {
	src []rune
	pos int
	q   byline.Query

	terms, stops int            // words (stop words aside), phrases and exclusions so far; stop words so far
	seen         map[string]int // lower-cased terms already taken, by kind, to their index in their list
	lastWasWord  bool           // the last thing read was a bare word
}

func (p *parser) parse() {
	for {
		for p.pos < len(p.src) && isSpace(p.src[p.pos]) {
			p.pos++
		}
		if p.pos >= len(p.src) {
			return
		}
		p.lastWasWord = false

		negate := false
		if p.src[p.pos] == '-' && p.pos+1 < len(p.src) && !isSpace(p.src[p.pos+1]) {
			negate = true
			p.pos++
		}

		if p.src[p.pos] == '"' {
			if end := closingQuote(p.src, p.pos+1); end >= 0 {
				phrase := normalizePhrase(string(p.src[p.pos+1 : end]))
				p.pos = end + 1
				if negate {
					p.addTerm("exclude", phrase)
				} else {
					p.addTerm("phrase", phrase)
				}
				continue
			}
			// A quote with no partner is no syntax: skip it and read on.
			p.pos++
		}

		if !negate {
			if end, ok := p.filter(p.src, p.pos); ok {
				p.pos = end
				continue
			}
		}

		w := normalizeWord(p.bareToken())
		if negate {
			p.addTerm("exclude", w)
			continue
		}
		// "(tag:world)" is a filter too once trimmed; taking it as one keeps
		// Parse(q.String()) equal to q.
		if src := []rune(w); len(src) > 0 {
			if end, ok := p.filter(src, 0); ok && end == len(src) {
				continue
			}
		}
		if p.addTerm("word", w) {
			p.lastWasWord = true
		}
	}
}

// closingQuote returns the index of the next '"' in src from i, or -1.
func closingQuote(src []rune, i int) int {
	for ; i < len(src); i++ {
		if src[i] == '"' {
			return i
		}
	}
	return -1
}

// bareToken reads up to the next space.
func (p *parser) bareToken() string {
	start := p.pos
	for p.pos < len(p.src) && !isSpace(p.src[p.pos]) {
		p.pos++
	}
	return string(p.src[start:p.pos])
}

// filter reads a key:value filter at src[pos:] if there is a valid one,
// sets it in the query and returns where it ends. It reports false, and
// changes nothing, if there is none.
func (p *parser) filter(src []rune, pos int) (end int, ok bool) {
	rest := src[pos:]
	var key string
	for _, k := range []string{"tag", "author", "before", "after"} {
		n := len(k)
		if len(rest) > n && rest[n] == ':' && strings.EqualFold(string(rest[:n]), k) {
			key = k
			break
		}
	}
	if key == "" {
		return 0, false
	}
	i := pos + len(key) + 1
	var value string
	end = i
	if i < len(src) && src[i] == '"' {
		close := closingQuote(src, i+1)
		if close < 0 {
			return 0, false
		}
		value, end = string(src[i+1:close]), close+1
	} else {
		for end < len(src) && !isSpace(src[end]) {
			end++
		}
		value = string(src[i:end])
	}
	value = strings.TrimSpace(value)
	switch key {
	case "tag", "author":
		slug := byline.Slugify(value)
		if slug == "" {
			return 0, false
		}
		if key == "tag" {
			p.q.Tag = &slug
		} else {
			p.q.Author = &slug
		}
	case "before":
		start, _, ok := ParseDate(value)
		if !ok {
			return 0, false
		}
		p.q.Before = &start
	case "after":
		_, next, ok := ParseDate(value)
		if !ok {
			return 0, false
		}
		p.q.Since = &next
	}
	return end, true
}

// ParseDate reads a date as the before: and after: filters take it (2006,
// 2006-01 or 2006-01-02) and returns the start of that year, month or day
// and the start of the next, in UTC. It reports false for anything else.
func ParseDate(s string) (start, next time.Time, ok bool) {
	layouts := []struct {
		layout     string
		y, m, d    int
		wantLength int
	}{
		{time.DateOnly, 0, 0, 1, 10},
		{"2006-01", 0, 1, 0, 7},
		{"2006", 1, 0, 0, 4},
	}
	for _, l := range layouts {
		if len(s) != l.wantLength {
			continue
		}
		t, err := time.Parse(l.layout, s)
		if err != nil || t.Year() < 1000 {
			continue
		}
		return t, t.AddDate(l.y, l.m, l.d), true
	}
	return time.Time{}, time.Time{}, false
}

// addTerm adds a non-empty term of the given kind ("word", "phrase" or
// "exclude") unless it is already there or the query is full, and reports
// whether it added it.
func (p *parser) addTerm(kind, term string) bool {
	if term == "" {
		return false
	}
	key := kind + "\x00" + strings.ToLower(term)
	if i, ok := p.seen[key]; ok {
		if kind == "word" {
			// Asked for again: the word weighs more (Query.Weight).
			if len(p.q.Repeats) < len(p.q.Words) {
				p.q.Repeats = append(p.q.Repeats, make([]int, len(p.q.Words)-len(p.q.Repeats))...)
			}
			p.q.Repeats[i]++
		}
		return false
	}
	stop := kind == "word" && IsStopWord(term)
	if (stop && p.stops >= byline.MaxQueryTerms) || (!stop && p.terms >= byline.MaxQueryTerms) {
		return false
	}
	if p.seen == nil {
		p.seen = make(map[string]int)
	}
	if stop {
		p.stops++
	} else {
		p.terms++
	}
	switch kind {
	case "word":
		p.seen[key] = len(p.q.Words)
		p.q.Words = append(p.q.Words, term)
		if p.q.Repeats != nil {
			p.q.Repeats = append(p.q.Repeats, 0)
		}
	case "phrase":
		p.seen[key] = len(p.q.Phrases)
		p.q.Phrases = append(p.q.Phrases, term)
	case "exclude":
		p.seen[key] = len(p.q.Exclude)
		p.q.Exclude = append(p.q.Exclude, term)
	}
	return true
}

// normalizeWord trims the punctuation around a word, removes any quote
// inside it and cuts it to MaxTermRunes. It returns "" for a token with no
// letter or digit.
func normalizeWord(tok string) string {
	tok = strings.ReplaceAll(tok, `"`, "")
	tok = strings.TrimFunc(tok, func(r rune) bool { return !isWordRune(r) })
	if r := []rune(tok); len(r) > MaxTermRunes {
		tok = strings.TrimFunc(string(r[:MaxTermRunes]), func(r rune) bool { return !isWordRune(r) })
	}
	return tok
}

// normalizePhrase normalizes each word of a phrase and joins them with
// single spaces.
func normalizePhrase(s string) string {
	var words []string
	for _, f := range strings.FieldsFunc(s, isSpace) {
		if w := normalizeWord(f); w != "" {
			words = append(words, w)
		}
		if len(words) == byline.MaxQueryTerms {
			break
		}
	}
	return strings.Join(words, " ")
}

// isWordRune reports whether r can be part of a word as the engine sees it:
// a letter, a digit or a combining mark.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.M, r)
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }
