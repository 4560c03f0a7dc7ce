package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/bylinenews/byline"
)

// profiles are the demo authors' profiles, by slug; each gets a portrait
// drawn in its colours.
var profiles = []struct {
	author     byline.Author
	bg, person color.RGBA
}{
	{byline.Author{Slug: "leila-haddad", Name: "Leila Haddad", JobTitle: "City hall reporter",
		Bio:     "Leila Haddad covers the council, its budget and the people who run for it. She joined the paper in 2019 from a radio newsroom.\n\nTips about local government are welcome through the Contact Us page.",
		Website: "https://leila-haddad.example/", Links: []byline.AuthorLink{{Label: "Mastodon", URL: "https://social.example/@leila"}}},
		rgb(214, 196, 170), rgb(92, 64, 51)},
	{byline.Author{Slug: "maya-okafor", Name: "Maya Okafor", JobTitle: "Science and environment correspondent",
		Bio:   "Maya Okafor writes about the river, the weather and the research done at the university. She trained as a hydrologist.",
		Links: []byline.AuthorLink{{Label: "Bluesky", URL: "https://bsky.example/maya"}}},
		rgb(176, 204, 196), rgb(60, 44, 40)},
	{byline.Author{Slug: "jonas-berg", Name: "Jonas Berg", JobTitle: "Culture editor",
		Bio: "Jonas Berg edits the culture pages and reviews concerts, choirs and the occasional bakery."},
		rgb(200, 190, 220), rgb(140, 100, 70)},
	{byline.Author{Slug: "tomas-lindqvist", Name: "Tomas Lindqvist", JobTitle: "Sports reporter",
		Bio: "Tomas Lindqvist follows the town's clubs from the junior leagues up. He has not missed a home match since 2015."},
		rgb(190, 214, 170), rgb(120, 84, 60)},
}

// portraitWidth is the width of a drawn portrait, square.
const portraitWidth = 320

// FillProfiles gives the demo's authors their profiles, with a portrait
// each drawn into uploadDir (what the site serves at /files/uploads/), as
// an editor would upload one.
func FillProfiles(ctx context.Context, uploadDir string, authors byline.AuthorService) error {
	if err := os.MkdirAll(uploadDir, 0o750); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	var list []*byline.Author
	for _, p := range profiles {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, portrait(p.bg, p.person), &jpeg.Options{Quality: 85}); err != nil {
			return fmt.Errorf("demo: draw %s: %w", p.author.Slug, err)
		}
		sum := sha256.Sum256(buf.Bytes())
		name := fmt.Sprintf("%s-%d.jpg", hex.EncodeToString(sum[:16]), portraitWidth)
		if err := os.WriteFile(filepath.Join(uploadDir, name), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		au := p.author
		au.Links = append([]byline.AuthorLink(nil), p.author.Links...)
		au.PhotoURL = byline.UploadPath + name
		list = append(list, &au)
	}
	if err := authors.Import(ctx, list); err != nil {
		return fmt.Errorf("demo: the authors' profiles: %w", err)
	}
	return nil
}

// portrait draws a head and shoulders in person's colour on bg.
func portrait(bg, person color.RGBA) *image.RGBA {
	const w = portraitWidth
	img := image.NewRGBA(image.Rect(0, 0, w, w))
	for y := range w {
		for x := range w {
			c := mix(bg, rgb(250, 248, 242), float64(y)/w*0.4)
			dx, dy := float64(x-w/2), float64(y-w*2/5)
			head := dx*dx+dy*dy < float64(w*w)/36
			sx, sy := float64(x-w/2), float64(y-w)
			shoulders := sx*sx/2.2+sy*sy < float64(w*w)/7.5
			if head || shoulders {
				c = person
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}
