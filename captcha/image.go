package captcha

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"math"
	mrand "math/rand/v2"

	dchest "github.com/dchest/captcha"
)

// ImageWidth and ImageHeight are the size in pixels of every image that
// [Render] and [Service.WriteImage] produce.
const (
	ImageWidth  = 300
	ImageHeight = 100
)

// Render returns the hardened image of solution, a string of digits;
// any other character in it is skipped. The image is always
// [ImageWidth] by [ImageHeight] pixels and is drawn afresh from new
// randomness on every call.
func Render(solution string) image.Image {
	var seed [32]byte
	rand.Read(seed[:]) // never fails, per its documentation
	return render(seed, solution)
}

// inks is how many colours the characters and the noise share.
const inks = 3

// style holds the drawing's tunables; hardened is the one in use, chosen
// with bench/captcha_ocr.sh and by eye.
type style struct {
	bold       int     // pixels added around dchest's dotted strokes
	lines      int     // long wavy lines across the text
	lineWidth  float64 // their radius in pixels
	dots       int     // small discs
	rise, lean float64 // warp amplitudes in pixels
	margin     int     // left and right of the text, in pixels
	jitter     int     // up and down of each character, in pixels
	grow       float64 // each character is scaled by 1 to 1+grow
	turn       float64 // and turned by up to this many degrees either way
}

var hardened = style{
	bold: 1, lines: 1, lineWidth: 1.3, dots: 12,
	rise: 8, lean: 2, margin: 12, jitter: 12, grow: 0.1, turn: 18,
}

// render draws solution with all randomness taken from seed, so the same
// seed and solution give the same image.
func render(seed [32]byte, solution string) *image.Paletted {
	st := hardened
	rng := mrand.New(mrand.NewChaCha8(seed))
	digits := digitsOf(solution)
	w, h := ImageWidth, ImageHeight
	out := image.NewPaletted(image.Rect(0, 0, w, h), palette(rng))
	n := max(len(digits), 1)
	pitch := float64(w-2*st.margin) / float64(n)
	ink := newInks(rng, st.margin, pitch, n)

	prefix := hex.EncodeToString(seed[:16])
	for i, d := range digits {
		g := glyph(fmt.Sprintf("%s-%d", prefix, i), d)
		scale := 1 + rng.Float64()*st.grow
		turn := (rng.Float64()*2 - 1) * st.turn * math.Pi / 180
		cx := float64(st.margin) + pitch*(float64(i)+0.5) + float64(rng.IntN(5)-2)
		cy := float64(h)/2 + float64(rng.IntN(2*st.jitter+1)-st.jitter)
		// Sample the glyph, scaled and turned about its centre, at every
		// pixel of a square around (cx, cy) that holds it in any turn.
		gx := float64(g.Rect.Min.X+g.Rect.Max.X) / 2
		gy := float64(g.Rect.Min.Y+g.Rect.Max.Y) / 2
		sin, cos := math.Sincos(turn)
		reach := int(math.Hypot(float64(g.Rect.Dx()), float64(g.Rect.Dy()))*scale/2) + 1
		for y := -reach; y <= reach; y++ {
			for x := -reach; x <= reach; x++ {
				sx := gx + (cos*float64(x)+sin*float64(y))/scale
				sy := gy + (-sin*float64(x)+cos*float64(y))/scale
				if g.AlphaAt(int(math.Floor(sx)), int(math.Floor(sy))).A == 0 {
					continue
				}
				// dchest's strokes are rows of small dots; thickening
				// them makes the digits solid and heavier than the
				// noise, which people see at once and tesseract does not.
				for dy := -st.bold; dy <= st.bold; dy++ {
					for dx := -st.bold; dx <= st.bold; dx++ {
						p := image.Pt(int(cx)+x+dx, int(cy)+y+dy)
						if dx*dx+dy*dy <= st.bold*st.bold && p.In(out.Rect) {
							out.SetColorIndex(p.X, p.Y, ink.main[i])
						}
					}
				}
			}
		}
	}
	noise(rng, out, ink, st)
	return warp(rng, out, st)
}

// The cell dchest draws one digit on: narrow enough for its dots to be
// 2 pixels apart, tall enough that its strike-through line often misses
// the digit and can be told apart.
const (
	cellW = 68
	cellH = 300
	// maxGlyphW refuses dchest's most slanted drawings (it slants by up to
	// 12 pixels over a 22-pixel-wide digit), which people misread once turned.
	maxGlyphW = 32
)

// glyph returns dchest's drawing of digit d (slanted and waved) as a mask,
// without the strike-through line and circles dchest adds. It asks dchest
// for drawings under IDs derived from id until one has the line clear of
// the digit and is not too slanted; about half are, so the hundredth
// miss, after which it returns what it has, does not happen.
func glyph(id string, d byte) *image.Alpha {
	for try := 0; ; try++ {
		m := dchest.NewImage(fmt.Sprintf("%s/%d", id, try), []byte{d}, cellW, cellH).Paletted
		if g, ok := extractGlyph(m); ok || try == 100 {
			return g
		}
	}
}

// piece is a set of 8-connected pixels.
type piece struct {
	pts []image.Point
	box image.Rectangle
}

// extractGlyph finds the digit among the pieces of palette index 1 in m:
// the tallest piece of a digit's size, with any small pieces inside its
// box. It reports false if another piece (the strike-through line, a
// circle) comes near it.
func extractGlyph(m *image.Paletted) (*image.Alpha, bool) {
	pieces := split(m, 1)
	best := -1
	for i, p := range pieces {
		if p.box.Dx() <= maxGlyphW && p.box.Dy() <= 70 && (best < 0 || p.box.Dy() > pieces[best].box.Dy()) {
			best = i
		}
	}
	g := image.NewAlpha(image.Rectangle{})
	if best < 0 || pieces[best].box.Dy() < 28 {
		return g, false
	}
	g = image.NewAlpha(m.Rect)
	box := pieces[best].box
	near := box.Inset(-4)
	ok := true
	for i, p := range pieces {
		if i != best {
			if !p.box.Overlaps(near) {
				continue
			}
			if !p.box.In(box) || len(p.pts) > 100 {
				ok = false
				continue
			}
		}
		for _, q := range p.pts {
			g.SetAlpha(q.X, q.Y, color.Alpha{A: 0xff})
		}
	}
	return g.SubImage(box).(*image.Alpha), ok
}

// split returns the 8-connected pieces of the pixels of colour index c.
func split(m *image.Paletted, c uint8) []piece {
	b := m.Rect
	seen := make([]bool, b.Dx()*b.Dy())
	var pieces []piece
	var stack []image.Point
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if seen[y*b.Dx()+x] || m.ColorIndexAt(x, y) != c {
				continue
			}
			var p piece
			stack = append(stack[:0], image.Pt(x, y))
			seen[y*b.Dx()+x] = true
			for len(stack) > 0 {
				q := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				p.pts = append(p.pts, q)
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						r := image.Pt(q.X+dx, q.Y+dy)
						if r.In(b) && !seen[r.Y*b.Dx()+r.X] && m.ColorIndexAt(r.X, r.Y) == c {
							seen[r.Y*b.Dx()+r.X] = true
							stack = append(stack, r)
						}
					}
				}
			}
			p.box = bounds(p.pts)
			pieces = append(pieces, p)
		}
	}
	return pieces
}

func bounds(ps []image.Point) image.Rectangle {
	r := image.Rectangle{ps[0], ps[0].Add(image.Pt(1, 1))}
	for _, p := range ps[1:] {
		r = r.Union(image.Rectangle{p, p.Add(image.Pt(1, 1))})
	}
	return r
}

// digitsOf returns the digits of s as values 0-9, skipping anything else.
func digitsOf(s string) []byte {
	d := make([]byte, 0, len(s))
	for _, c := range []byte(s) {
		if c >= '0' && c <= '9' {
			d = append(d, c-'0')
		}
	}
	return d
}

// palette returns a light background at index 0 and [inks] dark colours of
// well separated hues after it, each dark enough to stand out from the
// background.
func palette(rng *mrand.Rand) color.Palette {
	p := color.Palette{hsl(rng.Float64()*360, 0.5, 0.96)}
	hue := rng.Float64() * 360
	for i := range inks {
		hh := hue + float64(i)*360/inks + (rng.Float64()-0.5)*20
		p = append(p, hsl(hh, 0.55+rng.Float64()*0.35, 0.22+rng.Float64()*0.12))
	}
	return p
}

// hsl converts hue (degrees), saturation and lightness (0-1) to RGB.
func hsl(hue, s, l float64) color.RGBA {
	hue = math.Mod(math.Mod(hue, 360)+360, 360) / 60
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(hue, 2)-1))
	var r, g, b float64
	switch int(hue) {
	case 0:
		r, g, b = c, x, 0
	case 1:
		r, g, b = x, c, 0
	case 2:
		r, g, b = 0, c, x
	case 3:
		r, g, b = 0, x, c
	case 4:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := l - c/2
	return color.RGBA{uint8(255 * (r + m)), uint8(255 * (g + m)), uint8(255 * (b + m)), 255}
}

// inkMap gives each character an ink different from its neighbours'.
// Noise takes the ink of the character whose slot it crosses, so a colour
// mask never holds the whole text, nor any character free of noise.
type inkMap struct {
	margin, pitch float64
	main          []uint8 // the ink of each character
}

func newInks(rng *mrand.Rand, margin int, pitch float64, n int) *inkMap {
	m := &inkMap{margin: float64(margin), pitch: pitch}
	var prev uint8
	for range n {
		c := uint8(1 + rng.IntN(inks))
		for c == prev {
			c = uint8(1 + rng.IntN(inks))
		}
		prev = c
		m.main = append(m.main, c)
	}
	return m
}

// at returns the palette index of the ink for noise at (x, y).
func (m *inkMap) at(x, y int) uint8 {
	i := int((float64(x) - m.margin) / m.pitch)
	return m.main[min(max(i, 0), len(m.main)-1)]
}

// noise draws lines and dots in the characters' own inks, thinner than
// the characters' strokes but too thick for a threshold to drop. (Short
// arcs were tried too: they stopped tesseract no better, and made people
// read a 4 as a 9.)
func noise(rng *mrand.Rand, m *image.Paletted, ink *inkMap, st style) {
	w, h := float64(m.Rect.Dx()), float64(m.Rect.Dy())
	for range st.lines {
		// Through the middle of the characters: a bar near their top or
		// foot would turn a 1 into a 7 or a 2 for people too.
		y0 := h * (0.45 + rng.Float64()*0.1)
		amp := h * (0.03 + rng.Float64()*0.07)
		freq := 2 * math.Pi / (w * (0.3 + rng.Float64()*0.5))
		phase := rng.Float64() * 2 * math.Pi
		for x := 0.0; x < w; x += 0.5 {
			disc(m, ink, x, y0+amp*math.Sin(x*freq+phase), st.lineWidth)
		}
	}
	for range st.dots {
		disc(m, ink, rng.Float64()*w, rng.Float64()*h, 0.8+rng.Float64()*1.5)
	}
}

// disc fills a disc of radius r at (cx, cy) with the inks of the map.
func disc(m *image.Paletted, ink *inkMap, cx, cy, r float64) {
	for y := int(math.Floor(cy - r)); y <= int(math.Ceil(cy+r)); y++ {
		for x := int(math.Floor(cx - r)); x <= int(math.Ceil(cx+r)); x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			if dx*dx+dy*dy <= r*r && image.Pt(x, y).In(m.Rect) {
				m.SetColorIndex(x, y, ink.at(x, y))
			}
		}
	}
}

// warp moves every pixel along a smooth random field: the line of
// characters rises and falls, and the characters lean one way, then the
// other.
func warp(rng *mrand.Rand, src *image.Paletted, st style) *image.Paletted {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewPaletted(src.Rect, src.Palette)
	ay := st.rise * (0.7 + rng.Float64()*0.6)
	fy := 2 * math.Pi / (float64(w) * (0.3 + rng.Float64()*0.3))
	py := rng.Float64() * 2 * math.Pi
	ax := st.lean * (0.7 + rng.Float64()*0.6)
	fx := 2 * math.Pi / (40 + rng.Float64()*40)
	px := rng.Float64() * 2 * math.Pi
	for y := range h {
		for x := range w {
			lean := ax * math.Sin(float64(x)*fx+px) * (2*float64(y)/float64(h) - 1)
			sx := float64(x) + lean
			sy := float64(y) + ay*math.Sin(float64(x)*fy+py)
			p := image.Pt(int(math.Round(sx)), int(math.Round(sy)))
			if p.In(src.Rect) {
				dst.SetColorIndex(x, y, src.ColorIndexAt(p.X, p.Y))
			}
		}
	}
	return dst
}
