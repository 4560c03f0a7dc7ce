package byline

import (
	"strings"
	"testing"
)

func TestSlugify(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"spaces become hyphens", "Recent Posts", "recent-posts"},
		{"punctuation runs collapse", "Syria: talks -- resume!", "syria-talks-resume"},
		{"apostrophes vanish", "Russia’s offer", "russias-offer"},
		{"Latin diacritics fold", "Café déjà vu", "cafe-deja-vu"},
		{"Cyrillic is kept readable", "Россия и США", "россия-и-сша"},
		{"Devanagari keeps its vowel signs", "नमस्ते दुनिया", "नमस्ते-दुनिया"},
		{"nothing sluggable", "!!! ???", ""},
		{"digits stay", "2015 in review", "2015-in-review"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Slugify(tt.in); got != tt.want {
				t.Errorf("Slugify(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	t.Run("long headlines are cut at a hyphen", func(t *testing.T) {
		got := Slugify(strings.Repeat("word ", 40))
		if len([]rune(got)) > maxSlugRunes || strings.HasSuffix(got, "-") || !strings.HasPrefix(got, "word-word") {
			t.Errorf("Slugify(40 words) = %q", got)
		}
	})
}

func FuzzSlugify(f *testing.F) {
	for _, s := range []string{"Recent Posts", "Россия", "a--b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		slug := Slugify(s)
		if Slugify(slug) != slug {
			t.Errorf("Slugify is not idempotent: %q → %q → %q", s, slug, Slugify(slug))
		}
		if strings.HasPrefix(slug, "-") || strings.HasSuffix(slug, "-") || strings.Contains(slug, "--") {
			t.Errorf("Slugify(%q) = %q has stray hyphens", s, slug)
		}
	})
}

func TestSlugOrUntitled(t *testing.T) {
	for in, want := range map[string]string{"Floods in Riverton": "floods-in-riverton", "!!!": "untitled", "": "untitled"} {
		if got := SlugOrUntitled(in); got != want {
			t.Errorf("SlugOrUntitled(%q) = %q, want %q", in, got, want)
		}
	}
}
