package query

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

func str(s string) *string { return &s }

func day(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want byline.Query
	}{
		{"empty text is an empty query", "", byline.Query{}},
		{"only spaces", " \t\n ", byline.Query{}},
		{"words are kept as typed", "Russia Syria", byline.Query{Words: []string{"Russia", "Syria"}, Prefix: true}},
		{"a trailing space ends the last word", "russia syria ", byline.Query{Words: []string{"russia", "syria"}}},
		{"punctuation around words is trimmed", "(syria), ¿russia? ", byline.Query{Words: []string{"syria", "russia"}}},
		{"punctuation inside a word stays for the engine to split", "U.S. well-known don't", byline.Query{Words: []string{"U.S", "well-known", "don't"}, Prefix: true}},
		{"repeated words are kept once and counted", "syria Syria SYRIA ", byline.Query{Words: []string{"syria"}, Repeats: []int{2}}},
		{"a phrase", `"united states" syria`, byline.Query{Words: []string{"syria"}, Phrases: []string{"united states"}, Prefix: true}},
		{"a phrase's spacing is normalized", "\"  united \t states  \" ", byline.Query{Phrases: []string{"united states"}}},
		{"a phrase ending the text is no prefix", `syria "united states"`, byline.Query{Words: []string{"syria"}, Phrases: []string{"united states"}}},
		{"an empty phrase is nothing", `"" "  " syria `, byline.Query{Words: []string{"syria"}}},
		{"an excluded word", "syria -trump ", byline.Query{Words: []string{"syria"}, Exclude: []string{"trump"}}},
		{"an excluded phrase", `syria -"white house"`, byline.Query{Words: []string{"syria"}, Exclude: []string{"white house"}}},
		{"a lone hyphen is nothing", "syria - russia ", byline.Query{Words: []string{"syria", "russia"}}},
		{"a double hyphen still excludes", "syria --trump", byline.Query{Words: []string{"syria"}, Exclude: []string{"trump"}}},
		{"a hyphen inside a word is no exclusion", "pro-life ", byline.Query{Words: []string{"pro-life"}}},
		{"an unbalanced quote is ignored", `"united states`, byline.Query{Words: []string{"united", "states"}, Prefix: true}},
		{"an unbalanced quote after words", `syria "russia`, byline.Query{Words: []string{"syria", "russia"}, Prefix: true}},
		{"an excluded unbalanced quote", `syria -"russia`, byline.Query{Words: []string{"syria"}, Exclude: []string{"russia"}}},
		{"a quote inside a word is dropped", `syr"ia `, byline.Query{Words: []string{"syria"}}},
		{"tag filter", "syria tag:politics", byline.Query{Words: []string{"syria"}, Tag: str("politics")}},
		{"tag filter with a quoted name", `tag:"Middle East" syria `, byline.Query{Words: []string{"syria"}, Tag: str("middle-east")}},
		{"author filter is slugified", "author:Jane_Doe", byline.Query{Author: str("jane-doe")}},
		{"filter names ignore case", "TAG:World Author:jane", byline.Query{Tag: str("world"), Author: str("jane")}},
		{"the last of a repeated filter wins", "tag:a tag:b", byline.Query{Tag: str("b")}},
		{"after a year is from the next year on", "after:2015", byline.Query{Since: day("2016-01-01")}},
		{"after a month", "after:2015-10", byline.Query{Since: day("2015-11-01")}},
		{"after a day", "after:2015-10-05", byline.Query{Since: day("2015-10-06")}},
		{"before a year", "before:2016", byline.Query{Before: day("2016-01-01")}},
		{"before a month", "before:2015-12", byline.Query{Before: day("2015-12-01")}},
		{"before a day", "before:2015-12-24", byline.Query{Before: day("2015-12-24")}},
		{"a filter in brackets", "(tag:world)", byline.Query{Tag: str("world")}},
		{"a bad date is plain text", "after:yesterday", byline.Query{Words: []string{"after:yesterday"}, Prefix: true}},
		{"an impossible date is plain text", "before:2015-02-30 ", byline.Query{Words: []string{"before:2015-02-30"}}},
		{"an empty filter is plain text", "tag: syria", byline.Query{Words: []string{"tag", "syria"}, Prefix: true}},
		{"a filter with an unclosed quote loses the quote", `tag:"middle east`, byline.Query{Words: []string{"east"}, Tag: str("middle"), Prefix: true}},
		{"an unknown filter is plain text", "site:example.com ", byline.Query{Words: []string{"site:example.com"}}},
		{"an excluded filter is an excluded word", "syria -tag:world", byline.Query{Words: []string{"syria"}, Exclude: []string{"tag:world"}}},
		{"engine operators are words", "syria OR russia NEAR AND NOT", byline.Query{Words: []string{"syria", "OR", "russia", "NEAR", "AND", "NOT"}, Prefix: true}},
		{"engine syntax characters are dropped", `* ^syria: (russia)* {col}:x + `, byline.Query{Words: []string{"syria", "russia", "col}:x"}}},
		{"only punctuation is nothing", `*:()^"-+`, byline.Query{}},
		{"control characters are spaces", "syria\x00russia\x1b", byline.Query{Words: []string{"syria", "russia"}}},
		{"invalid UTF-8 is a space", "syria\xffrussia ", byline.Query{Words: []string{"syria", "russia"}}},
		{"other scripts are words", "Сирия 叙利亚 ", byline.Query{Words: []string{"Сирия", "叙利亚"}}},
		{"diacritics are kept for the engine to fold", "Bashar al-Assad café ", byline.Query{Words: []string{"Bashar", "al-Assad", "café"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n\t%s\nwant\n\t%s", tt.in, dump(got), dump(tt.want))
			}
		})
	}
}

func TestParse_limits(t *testing.T) {
	t.Run("ten kilobytes of text is a bounded query", func(t *testing.T) {
		var b strings.Builder
		for i := 0; b.Len() < 10<<10; i++ {
			b.WriteString("word")
			b.WriteString(strings.Repeat("x", i%7))
			b.WriteString(` "phrase `)
		}
		q := Parse(b.String())
		if n := len(q.Words) + len(q.Phrases) + len(q.Exclude); n > byline.MaxQueryTerms {
			t.Errorf("Parse(10 kB) has %d terms, want at most %d", n, byline.MaxQueryTerms)
		}
	})
	t.Run("a long word is cut", func(t *testing.T) {
		q := Parse(strings.Repeat("é", 1000))
		if len(q.Words) != 1 || utf8.RuneCountInString(q.Words[0]) != MaxTermRunes {
			t.Errorf("Parse(1000 × é) = %s, want one word of %d runes", dump(q), MaxTermRunes)
		}
	})
	t.Run("text past MaxBytes is ignored, cut at a rune", func(t *testing.T) {
		in := strings.Repeat("a ", MaxBytes/2-1) + "é late"
		q := Parse(in)
		for _, w := range q.Words {
			if w == "late" || !utf8.ValidString(w) {
				t.Errorf("Parse(long text) has word %q, want the text cut at %d bytes", w, MaxBytes)
			}
		}
	})
	t.Run("only stop words stay words", func(t *testing.T) {
		q := Parse("the of and")
		if want := []string{"the", "of", "and"}; !reflect.DeepEqual(q.Words, want) {
			t.Errorf("Parse(%q).Words = %q, want %q", "the of and", q.Words, want)
		}
	})
}

func TestQuery_String(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"syria  russia", "syria russia"},
		{`-trump "united states" syria`, `syria "united states" -trump`},
		{`-"white house" -trump`, `-"white house" -trump`},
		{`tag:"Middle East" author:jane after:2015 before:2016-02`, "tag:middle-east author:jane after:2015-12-31 before:2016-02-01"},
	}
	for _, tt := range tests {
		if got := Parse(tt.in).String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// dump shows a query with its pointers followed.
func dump(q byline.Query) string {
	var b strings.Builder
	b.WriteString("{Words:" + strings.Join(quoteAll(q.Words), ","))
	b.WriteString(" Phrases:" + strings.Join(quoteAll(q.Phrases), ","))
	b.WriteString(" Exclude:" + strings.Join(quoteAll(q.Exclude), ","))
	if q.Prefix {
		b.WriteString(" Prefix")
	}
	if q.Tag != nil {
		b.WriteString(" Tag:" + *q.Tag)
	}
	if q.Author != nil {
		b.WriteString(" Author:" + *q.Author)
	}
	if q.Since != nil {
		b.WriteString(" Since:" + q.Since.Format(time.DateOnly))
	}
	if q.Before != nil {
		b.WriteString(" Before:" + q.Before.Format(time.DateOnly))
	}
	return b.String() + "}"
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}

// A word given again is kept once and counted, so the ranking can weigh
// it; stop words take no place from the words that decide a search.
func TestParse_repeatsAndStopWords(t *testing.T) {
	q := Parse("climate models and the climate policy of CLIMATE")
	if want := []string{"climate", "models", "and", "the", "policy", "of"}; !reflect.DeepEqual(q.Words, want) {
		t.Fatalf("Words = %q, want %q", q.Words, want)
	}
	if got := []int{q.Weight(0), q.Weight(1), q.Weight(4)}; !reflect.DeepEqual(got, []int{3, 1, 1}) {
		t.Errorf("Weight of climate, models, policy = %v, want [3 1 1]", got)
	}
	if q := Parse("a b c"); q.Repeats != nil {
		t.Errorf("Parse(%q).Repeats = %v, want nil", "a b c", q.Repeats)
	}
	var long []string
	for i := range byline.MaxQueryTerms {
		long = append(long, "the", "of", fmt.Sprintf("word%d", i))
	}
	q = Parse(strings.Join(long, " "))
	if got := len(SignificantWords(q.Words)); got != byline.MaxQueryTerms {
		t.Errorf("Parse(%d words between stop words) kept %d of them, want %d", byline.MaxQueryTerms, got, byline.MaxQueryTerms)
	}
}
