package query

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// FuzzParse checks that Parse accepts anything, keeps its bounds, yields
// only clean terms, and that printing a query and parsing it again gives the
// same query. The seed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"russia syria", `"united states" -trump tag:politics`, `tag:"Middle East" author:jane after:2015 before:2016-02-03`,
		`*:()^"-+`, `syria OR russia NEAR(a b) AND NOT`, `"unbalanced`, "\xff\x00", "-", `-"`, "(tag:world)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q := Parse(in)
		if n := len(SignificantWords(q.Words)) + len(q.Phrases) + len(q.Exclude); n > 2*byline.MaxQueryTerms {
			t.Fatalf("Parse(%q) has %d terms, more than %d", in, n, 2*byline.MaxQueryTerms)
		}
		if len(q.Repeats) > len(q.Words) {
			t.Fatalf("Parse(%q) has %d repeat counts for %d words", in, len(q.Repeats), len(q.Words))
		}
		check := func(kind, term string, spaces bool) {
			if term == "" || !utf8.ValidString(term) || strings.Contains(term, `"`) ||
				strings.TrimSpace(term) != term || (!spaces && strings.ContainsFunc(term, isSpace)) ||
				strings.Contains(term, "  ") {
				t.Fatalf("Parse(%q) has %s %q", in, kind, term)
			}
			r, _ := utf8.DecodeRuneInString(term)
			if !isWordRune(r) {
				t.Fatalf("Parse(%q) has %s %q, which starts with no letter or digit", in, kind, term)
			}
		}
		for _, w := range q.Words {
			check("word", w, false)
			if utf8.RuneCountInString(w) > MaxTermRunes {
				t.Fatalf("Parse(%q) has word %q, longer than %d runes", in, w, MaxTermRunes)
			}
		}
		for _, p := range q.Phrases {
			check("phrase", p, true)
		}
		for _, e := range q.Exclude {
			check("exclusion", e, true)
		}
		if q.Prefix && len(q.Words) == 0 {
			t.Fatalf("Parse(%q) has Prefix with no words", in)
		}

		again := Parse(q.String())
		again.Prefix, q.Prefix = false, false
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("Parse(%q) = %s, but Parse(%q) = %s", in, dump(q), q.String(), dump(again))
		}
	})
}
