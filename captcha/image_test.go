package captcha

import (
	"image"
	"testing"
)

func TestRender(t *testing.T) {
	t.Parallel()
	for _, solution := range []string{"", "7", "123456", "12345678", "0000000000", "12 34-56"} {
		m := Render(solution)
		if b := m.Bounds(); b != image.Rect(0, 0, ImageWidth, ImageHeight) {
			t.Errorf("Render(%q) bounds %v, want %dx%d", solution, b, ImageWidth, ImageHeight)
		}
		ink := 0
		b := m.Bounds()
		bg := m.At(0, 0) // the corner is background whatever the noise, or nearly so
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if m.At(x, y) != bg {
					ink++
				}
			}
		}
		// Noise alone covers some hundreds of pixels; eight digits, thousands.
		if want := 300 + 300*len(digitsOf(solution)); ink < want {
			t.Errorf("Render(%q) has %d pixels of ink, want at least %d", solution, ink, want)
		}
	}
}

func TestRender_inks(t *testing.T) {
	t.Parallel()
	m := render([32]byte{1}, "12345678")
	used := make(map[uint8]int)
	for _, i := range m.Pix {
		used[i]++
	}
	// Background and all three inks: no single colour holds the text.
	if len(used) != 1+inks {
		t.Errorf("render(12345678) uses palette indices %v, want the background and %d inks", used, inks)
	}
}

func TestRender_seed(t *testing.T) {
	t.Parallel()
	a := render([32]byte{1}, "12345678")
	b := render([32]byte{1}, "12345678")
	if string(a.Pix) != string(b.Pix) {
		t.Error("render with one seed and solution gave two images")
	}
	c := render([32]byte{2}, "12345678")
	if string(a.Pix) == string(c.Pix) {
		t.Error("render with two seeds gave one image")
	}
}

func BenchmarkRender(b *testing.B) {
	for b.Loop() {
		Render("12345678")
	}
}
