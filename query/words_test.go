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
