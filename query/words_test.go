package query

import (
	"errors"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		max  int
		want int
	}{
		{"syria", "syria", 2, 0},
		{"syira", "syria", 2, 1}, // a swap of neighbours costs one
		{"syra", "syria", 2, 1},
		{"russia", "prussian", 2, 2},
		{"abc", "xyz", 2, 3},    // gives up at max+1
		{"a", "abcdefgh", 2, 3}, // lengths alone exceed max
		{"café", "cafe", 1, 1},  // runes, not bytes
	}
	for _, tt := range tests {
		if got := EditDistance([]rune(tt.a), []rune(tt.b), tt.max); got != tt.want {
			t.Errorf("EditDistance(%q, %q, %d) = %d, want %d", tt.a, tt.b, tt.max, got, tt.want)
		}
	}
}

func TestWordHelpers(t *testing.T) {
	if got := Fold("Ünïcödé SYRIA"); got != "unicode syria" {
		t.Errorf("Fold = %q", got)
	}
	if !IsStopWord("The") || IsStopWord("Syria") {
		t.Error("IsStopWord: want The a stop word and Syria not")
	}
	if got := MatchCase("Syira", "syria"); got != "Syria" {
		t.Errorf("MatchCase(Syira, syria) = %q", got)
	}
	if got := MatchCase("syira", "syria"); got != "syria" {
		t.Errorf("MatchCase(syira, syria) = %q", got)
	}
}

func TestCorrect(t *testing.T) {
	fixes := map[string]string{"syira": "syria", "rusia": "russia"}
	correct := func(w string) (string, error) { return fixes[w], nil }
	q := byline.Query{Words: []string{"syira", "talks"}, Phrases: []string{"rusia offer"}, Prefix: true, Offset: 20, Limit: 5}
	fixed, changed, err := Correct(q, correct)
	if err != nil || !changed {
		t.Fatalf("Correct = %v, %v", changed, err)
	}
	if strings.Join(fixed.Words, " ") != "syria talks" || fixed.Phrases[0] != "russia offer" || fixed.Prefix || fixed.Offset != 0 {
		t.Errorf("Correct = %+v", fixed)
	}
	if q.Words[0] != "syira" || q.Phrases[0] != "rusia offer" {
		t.Errorf("Correct changed its input: %+v", q)
	}
	if _, changed, _ := Correct(byline.Query{Words: []string{"known"}}, correct); changed {
		t.Error("Correct reports a change with nothing to correct")
	}
	boom := errors.New("boom")
	if _, _, err := Correct(q, func(string) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Errorf("Correct error = %v, want the corrector's", err)
	}
}

func TestLastToken(t *testing.T) {
	tests := map[string]string{"doesn’t": "t", "u.s": "s", "café": "café", "...": "", "x": "x", "ab-": "ab", "Zürich": "Zürich", "": ""}
	for w, want := range tests {
		if got := LastToken(w); got != want {
			t.Errorf("LastToken(%q) = %q, want %q", w, got, want)
		}
	}
}

func TestSignificantWords(t *testing.T) {
	tests := []struct{ in, want []string }{
		{[]string{"what", "did", "russia", "offer", "the", "united", "states"}, []string{"russia", "offer", "united", "states"}},
		{[]string{"The", "Who"}, []string{"The", "Who"}},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := SignificantWords(tt.in); strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("SignificantWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	correct := func(w string) (string, error) {
		if w == "syira" {
			return "syria", nil
		}
		return "", nil
	}
	var asked []byline.Query
	search := func(total int) func(byline.Query) (*byline.SearchResult, error) {
		return func(q byline.Query) (*byline.SearchResult, error) {
			asked = append(asked, q)
			return &byline.SearchResult{Total: total}, nil
		}
	}
	q := byline.Query{Words: []string{"syira", "war"}, Limit: 20, Offset: 40}
	got, err := DidYouMean(q, correct, search(3))
	if err != nil || got == nil || got.String() != "syria war" || got.Limit != 20 || got.Offset != 0 {
		t.Fatalf("DidYouMean = %+v, %v; want syria war, first page of 20", got, err)
	}
	if len(asked) != 1 || asked[0].Limit != 1 {
		t.Errorf("searched %+v; want one search for one hit", asked)
	}
	if got, err := DidYouMean(q, correct, search(0)); got != nil || err != nil {
		t.Errorf("DidYouMean with nothing found for the correction = %+v, %v; want nil", got, err)
	}
	asked = nil
	if got, err := DidYouMean(byline.Query{Words: []string{"war"}}, correct, search(3)); got != nil || err != nil || len(asked) != 0 {
		t.Errorf("DidYouMean with nothing to correct = %+v, %v after %d searches; want nil, no search", got, err, len(asked))
	}
	boom := errors.New("engine down")
	if _, err := DidYouMean(q, correct, func(byline.Query) (*byline.SearchResult, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("DidYouMean with a failing search = %v, want its error", err)
	}
}
