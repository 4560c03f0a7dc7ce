package main

import (
	"math"
	"testing"
)

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		{10, 100, 0.0552, 0.1744}, // the textbook example
		{0, 1000, 0, 0.0038},
		{1000, 1000, 0.9962, 1},
	}
	for _, tt := range tests {
		lo, hi := wilson(tt.k, tt.n, 1.959964)
		if math.Abs(lo-tt.lo) > 0.0001 || math.Abs(hi-tt.hi) > 0.0001 {
			t.Errorf("wilson(%d, %d) = %.4f, %.4f; want %.4f, %.4f", tt.k, tt.n, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestEdits(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"12345678", "12345678", 0},
		{"12345678", "1234578", 1},
		{"", "123", 3},
		{"12345678", "12845673", 2},
	}
	for _, tt := range tests {
		if got := edits(tt.a, tt.b); got != tt.want {
			t.Errorf("edits(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestLastPage(t *testing.T) {
	stderr := "Tesseract Open Source OCR Engine v5.3.0\nPage 0 : /a.png\nPage 1 : /b.png\nPage 2 : /c.png\n"
	if got := lastPage(stderr); got != 2 {
		t.Errorf("lastPage(...Page 2...) = %d, want 2", got)
	}
	if got := lastPage("Floating point exception\n"); got != -1 {
		t.Errorf("lastPage(no pages) = %d, want -1", got)
	}
}
