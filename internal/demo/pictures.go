package demo

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
)

// The pictures are drawn when the demo is filled rather than carried in
// the binary: a few lines of Go each, where photographs would weigh
// megabytes. Each is a landscape or a street of houses under a sky, in the
// colours of its story.

// pictureWidth and pictureHeight are every picture's size: 16:9, wide
// enough for the article page's largest column.
const pictureWidth, pictureHeight = 1200, 675

// scene is what a picture shows.
type scene struct {
	skyTop, skyBottom color.RGBA
	sun               color.RGBA // its alpha 0: no sun
	// ground holds the layers in front of the sky, farthest first: hills,
	// or, with houses set, a row of buildings.
	ground []layer
	water  color.RGBA // its alpha 0: no water in the foreground
	seed   uint64
}

// layer is a band of hills or of buildings.
type layer struct {
	c      color.RGBA
	level  float64 // its mean top, as a fraction of the height from the top
	houses bool
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// scenes are the pictures by name; an article's front matter shows one as
// image: /files/demo/NAME.jpg.
var scenes = map[string]scene{
	"harbour-dusk": {skyTop: rgb(38, 44, 92), skyBottom: rgb(238, 140, 90), sun: rgb(255, 214, 140),
		ground: []layer{{rgb(70, 60, 96), .58, false}, {rgb(40, 36, 64), .66, true}}, water: rgb(50, 62, 110), seed: 1},
	"city-hall": {skyTop: rgb(120, 170, 220), skyBottom: rgb(214, 230, 244),
		ground: []layer{{rgb(150, 160, 176), .45, true}, {rgb(96, 104, 122), .6, true}}, seed: 2},
	"sea-wall": {skyTop: rgb(70, 84, 100), skyBottom: rgb(170, 180, 186),
		ground: []layer{{rgb(110, 118, 124), .55, false}}, water: rgb(60, 86, 104), seed: 3},
	"school-garden": {skyTop: rgb(110, 180, 235), skyBottom: rgb(220, 238, 250), sun: rgb(255, 246, 200),
		ground: []layer{{rgb(120, 178, 96), .6, false}, {rgb(78, 140, 70), .72, false}}, seed: 4},
	"market-street": {skyTop: rgb(236, 188, 120), skyBottom: rgb(250, 228, 190),
		ground: []layer{{rgb(176, 110, 84), .4, true}, {rgb(120, 70, 60), .55, true}}, seed: 5},
	"bridge-road": {skyTop: rgb(150, 190, 220), skyBottom: rgb(236, 240, 236),
		ground: []layer{{rgb(130, 150, 130), .55, false}, {rgb(90, 96, 110), .68, true}}, seed: 6},
	"choir-hall": {skyTop: rgb(24, 24, 60), skyBottom: rgb(92, 64, 120), sun: rgb(240, 236, 210),
		ground: []layer{{rgb(52, 40, 80), .6, true}}, seed: 7},
	"terraces": {skyTop: rgb(200, 120, 110), skyBottom: rgb(250, 210, 170), sun: rgb(255, 236, 200),
		ground: []layer{{rgb(150, 96, 96), .5, true}, {rgb(104, 64, 72), .62, true}}, seed: 8},
	"stadium": {skyTop: rgb(90, 140, 210), skyBottom: rgb(200, 222, 246),
		ground: []layer{{rgb(120, 120, 140), .5, true}, {rgb(60, 150, 80), .78, false}}, seed: 9},
	"clinic": {skyTop: rgb(140, 200, 210), skyBottom: rgb(230, 246, 244), sun: rgb(255, 250, 230),
		ground: []layer{{rgb(110, 170, 160), .56, false}, {rgb(70, 120, 120), .66, true}}, seed: 10},
}

// draw paints the scene.
func (s scene) draw() *image.RGBA {
	w, h := pictureWidth, pictureHeight
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(s.seed, 2026))
	for y := range h {
		c := mix(s.skyTop, s.skyBottom, float64(y)/float64(h))
		for x := range w {
			img.SetRGBA(x, y, c)
		}
	}
	if s.sun.A != 0 {
		cx, cy, r := float64(w)*(.2+.6*rnd.Float64()), float64(h)*(.18+.15*rnd.Float64()), float64(h)*.09
		for y := range h {
			for x := range w {
				d := math.Hypot(float64(x)-cx, float64(y)-cy)
				switch {
				case d < r:
					img.SetRGBA(x, y, s.sun)
				case d < 3*r: // a glow
					img.SetRGBA(x, y, mix(s.sun, img.RGBAAt(x, y), .75+.25*(d-r)/(2*r)))
				}
			}
		}
	}
	for _, l := range s.ground {
		top := make([]int, w)
		if l.houses {
			for x := 0; x < w; {
				width := 40 + rnd.IntN(90)
				height := int(float64(h) * (l.level - .12*rnd.Float64()))
				for i := x; i < min(w, x+width); i++ {
					top[i] = height
				}
				x += width
			}
		} else {
			phase, freq := rnd.Float64()*math.Pi*2, 2+3*rnd.Float64()
			for x := range w {
				t := float64(x) / float64(w)
				top[x] = int(float64(h) * (l.level + .05*math.Sin(freq*math.Pi*t+phase) + .02*math.Sin(7*freq*t+phase)))
			}
		}
		for x := range w {
			for y := max(0, top[x]); y < h; y++ {
				img.SetRGBA(x, y, l.c)
			}
		}
		if l.houses { // windows, lit or not
			lit := mix(s.sun, rgb(255, 230, 160), .5)
			if s.sun.A == 0 {
				lit = mix(l.c, rgb(255, 255, 255), .35)
			}
			for y := int(float64(h)*l.level) + 14; y < h-20; y += 34 {
				for x := 10 + rnd.IntN(10); x < w-20; x += 28 + rnd.IntN(6) {
					if y < top[x]+10 || rnd.IntN(3) == 0 {
						continue
					}
					for dy := range 14 {
						for dx := range 10 {
							img.SetRGBA(x+dx, y+dy, lit)
						}
					}
				}
			}
		}
	}
	if s.water.A != 0 {
		for y := h * 4 / 5; y < h; y++ {
			for x := range w {
				ripple := .15 * math.Sin(float64(x)/9+float64(y)*1.7)
				img.SetRGBA(x, y, mix(s.water, s.skyBottom, .2+ripple))
			}
		}
	}
	return img
}

// mix is a, moved a fraction t of the way to b.
func mix(a, b color.RGBA, t float64) color.RGBA {
	t = max(0, min(1, t))
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}
