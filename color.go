package byline

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Color is an sRGB colour, as a site's accent colour is set.
type Color struct{ R, G, B uint8 }

// The backgrounds of the reader's site in its two colour schemes
// (web/static/site.css), which an accent colour is read against.
var (
	LightBackground = Color{0xfd, 0xfc, 0xf8}
	DarkBackground  = Color{0x14, 0x14, 0x14}
)

// MinContrast is WCAG 2.2's AA contrast for text of normal size.
const MinContrast = 4.5

// ParseColor reads "#rrggbb" (or "#rgb"), in either case.
func ParseColor(s string) (Color, bool) {
	h, ok := strings.CutPrefix(strings.TrimSpace(s), "#")
	if !ok {
		return Color{}, false
	}
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		return Color{}, false
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return Color{}, false
	}
	return Color{uint8(v >> 16), uint8(v >> 8), uint8(v)}, true
}

// String returns the colour as "#rrggbb".
func (c Color) String() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// luminance is WCAG's relative luminance.
func (c Color) luminance() float64 {
	lin := func(v uint8) float64 {
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast returns WCAG's contrast ratio of a and b, from 1 to 21.
func Contrast(a, b Color) float64 {
	la, lb := a.luminance(), b.luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Readable returns c, or the nearest shade of it mixed towards white (on a
// dark background) or black (on a light one) that reaches MinContrast
// against bg: an accent colour set for the light scheme stays readable in
// the dark one.
func Readable(c, bg Color) Color {
	target := Color{}
	if bg.luminance() < 0.5 {
		target = Color{255, 255, 255}
	}
	mix := func(t float64) Color {
		m := func(a, b uint8) uint8 { return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t)) }
		return Color{m(c.R, target.R), m(c.G, target.G), m(c.B, target.B)}
	}
	for i := 0; i <= 100; i++ {
		if d := mix(float64(i) / 100); Contrast(d, bg) >= MinContrast {
			return d
		}
	}
	return target
}

// languageTag is the shape of a BCP 47 tag as sites use them: a language,
// then optional script, region or variant subtags.
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$`)

// sitePath reports whether u is a path on the site itself: the site makes
// no request to another host.
func sitePath(u string) bool {
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && !strings.ContainsAny(u, " \"'<>\\")
}
