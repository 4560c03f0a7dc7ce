package byline

import "testing"

func TestAnswerMatches(t *testing.T) {
	tests := []struct {
		answer, solution string
		want             bool
	}{
		{"12345678", "12345678", true},
		{" 1234 5678 ", "12345678", true},
		{"AbC", "abc", true},
		{"12345679", "12345678", false},
		{"", "", false}, // an empty answer never matches
		{"   ", "", false},
	}
	for _, tt := range tests {
		if got := AnswerMatches(tt.answer, tt.solution); got != tt.want {
			t.Errorf("AnswerMatches(%q, %q) = %v, want %v", tt.answer, tt.solution, got, tt.want)
		}
	}
}
