package query

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/bylinenews/byline"
)

// These helpers are what every search backend does alike with a reader's
// words, outside its engine: stop words, folding, and "Did you mean".

// stopWords are English words too common to tell articles apart.
var stopWords = func() map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(`a about after all also am an and any are as at be because been
		but by can could did do does for from had has have he her hers him his how i if in into is it
		its just me my no nor not of on or our out she so some than that the their them then there
		these they this those to too up us was we were what when where which while who whom why will
		with would you your`) {
		m[w] = true
	}
	return m
}()

// IsStopWord reports whether w, in any case, is too common an English word
// to tell articles apart.
func IsStopWord(w string) bool { return stopWords[strings.ToLower(w)] }

// Fold lower-cases s and removes diacritics, as the engines' tokenizers do,
// so a typed word compares with an index's vocabulary.
func Fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// EditDistance returns the optimal string alignment distance between a
// and b (insertions, deletions, substitutions and swaps of neighbours, each
// costing one), giving up with max+1 once the distance must exceed max.
func EditDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// MatchCase gives a correction the capital a reader typed: "Syira" becomes
// "Syria", not "syria".
func MatchCase(typed, term string) string {
	r, _ := utf8.DecodeRuneInString(typed)
	if r != utf8.RuneError && strings.ToUpper(string(r)) == string(r) && strings.ToLower(string(r)) != string(r) {
		t, size := utf8.DecodeRuneInString(term)
		return strings.ToUpper(string(t)) + term[size:]
	}
	return term
}

// DidYouMean returns q with its words corrected by correct (see Correct),
// to offer as "Did you mean", if that changes anything and the corrected
// query finds articles (search, asked for one). Otherwise it returns nil.
func DidYouMean(q byline.Query, correct func(word string) (string, error), search func(byline.Query) (*byline.SearchResult, error)) (*byline.Query, error) {
	fixed, changed, err := Correct(q, correct)
	if err != nil || !changed {
		return nil, err
	}
	fixed.Limit = 1
	res, err := search(fixed)
	if err != nil || res.Total == 0 {
		return nil, err
	}
	fixed.Limit = q.Limit
	return &fixed, nil
}

// SignificantWords returns the words that decide a search: all but the
// stop words, or all of them if they are all stop words (a search for "The
// Who"). A question's "what did ... the ... in" would otherwise match every
// article and decide nothing but the cost.
func SignificantWords(words []string) []string {
	var out []string
	for _, w := range words {
		if !IsStopWord(w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return words
	}
	return out
}

// Correct returns q with each word, and each word of its phrases, replaced
// by what correct gives for it ("" keeps the word), and whether anything
// changed. The result asks for the first page; the caller checks that it
// finds articles before offering it.
func Correct(q byline.Query, correct func(word string) (string, error)) (byline.Query, bool, error) {
	fixed := q
	fixed.Words = slices.Clone(q.Words)
	fixed.Phrases = slices.Clone(q.Phrases)
	fixed.Prefix, fixed.Offset = false, 0
	changed := false
	for i, w := range fixed.Words {
		c, err := correct(w)
		if err != nil {
			return q, false, err
		}
		if c != "" {
			fixed.Words[i], changed = c, true
		}
	}
	for i, p := range fixed.Phrases {
		words := strings.Fields(p)
		phraseChanged := false
		for j, w := range words {
			c, err := correct(w)
			if err != nil {
				return q, false, err
			}
			if c != "" {
				words[j], phraseChanged = c, true
			}
		}
		if phraseChanged {
			fixed.Phrases[i], changed = strings.Join(words, " "), true
		}
	}
	return fixed, changed, nil
}

// LastToken returns the last run of letters and digits of w: the part of
// "doesn't" or "u.s" that a search engine matches as a prefix while the
// reader types. Backends match it as a prefix only when it has two letters
// or more: a one-letter prefix makes an engine merge the lists of every
// word with that letter (12 ms on FTS5 at 100,000 articles), and tells
// little.
func LastToken(w string) string {
	end := strings.LastIndexFunc(w, isTokenRune)
	if end < 0 {
		return ""
	}
	_, size := utf8.DecodeRuneInString(w[end:])
	end += size
	start := strings.LastIndexFunc(w[:end], func(r rune) bool { return !isTokenRune(r) })
	if start < 0 {
		return w[:end]
	}
	_, size = utf8.DecodeRuneInString(w[start:])
	return w[start+size : end]
}

func isTokenRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
