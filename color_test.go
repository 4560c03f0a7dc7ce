package byline_test

import (
	"testing"

	"github.com/bylinenews/byline"
)

func TestAccentColour(t *testing.T) {
	tests := []struct {
		name, accent string
		ok           bool
	}{
		{"the default red reads on the page", "#a4161a", true},
		{"three digits and upper case", "#06C", true},
		{"yellow is too light", "#ffcc00", false},
		{"not a colour", "red", false},
		{"seven digits", "#1234567", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := byline.Settings{AccentColor: tt.accent}
			err := st.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("accent %q: Validate() = %v, want ok %v", tt.accent, err, tt.ok)
			}
		})
	}
	st := byline.Settings{AccentColor: "#06C"}
	if err := st.Validate(); err != nil || st.AccentColor != "#0066cc" {
		t.Errorf("accent #06C validated as %q, %v; want #0066cc", st.AccentColor, err)
	}
	for _, accent := range []string{"#a4161a", "#000000", "#0066cc", "#1b5e20"} {
		c, _ := byline.ParseColor(accent)
		d := byline.Readable(c, byline.DarkBackground)
		if r := byline.Contrast(d, byline.DarkBackground); r < byline.MinContrast {
			t.Errorf("Readable(%s) on the dark background = %s, contrast %.2f; want at least %.1f", accent, d, r, byline.MinContrast)
		}
		if same := byline.Readable(c, byline.LightBackground); same != c {
			t.Errorf("Readable(%s) on the light background = %s; a readable colour should stay as it is", accent, same)
		}
	}
}

func TestSettingsIdentity(t *testing.T) {
	tests := []struct {
		name string
		st   byline.Settings
		ok   bool
	}{
		{"a language tag", byline.Settings{Language: "fr-CA"}, true},
		{"not a language tag", byline.Settings{Language: "French please"}, false},
		{"a zone", byline.Settings{TimeZone: "Europe/Paris"}, true},
		{"no such zone", byline.Settings{TimeZone: "Europe/Atlantis"}, false},
		{"a logo on the site", byline.Settings{LogoURL: "/files/uploads/abc-480.png"}, true},
		{"a logo elsewhere is a third-party request", byline.Settings{LogoURL: "https://cdn.example.com/logo.png"}, false},
		{"a protocol-relative logo", byline.Settings{LogoURL: "//cdn.example.com/logo.png"}, false},
		{"footer text", byline.Settings{FooterText: "Published by the Example Trust, 1 High Street."}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.st.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%+v) = %v, want ok %v", tt.st, err, tt.ok)
			}
		})
	}
}
