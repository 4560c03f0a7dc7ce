package web

import (
	"image"
	_ "image/gif"  // decodes GIF headers for imageSize
	_ "image/jpeg" // decodes JPEG headers for imageSize
	_ "image/png"  // decodes PNG headers for imageSize
	"io/fs"
	"strings"
	"sync"

	"github.com/bylinenews/byline"
)

// An article's feature image appears in three roles, each with its own
// sizes (the width it takes in the layout, so the browser picks the right
// one of the stored widths) and loading: the lead of the front page and the
// image at the top of an article are fetched at once, as they are the
// largest thing in the first screen; thumbnails in lists load lazily.
const (
	imageLead    = "lead"
	imageFeature = "feature"
	imageThumb   = "thumb"
)

// imageSizes are the sizes attributes of the roles, matching site.css: the
// lead and the feature image fill the content column (47rem beside the
// sidebar on a wide screen, the window on a narrow one); a thumbnail is
// 12rem wide on a wide screen and a third of the window on a phone.
var imageSizes = map[string]string{
	imageLead:    "(min-width: 60rem) 47rem, 100vw",
	imageFeature: "(min-width: 60rem) 47rem, 100vw",
	imageThumb:   "(min-width: 40rem) 12rem, 33vw",
	photoProfile: "8rem",
	photoBox:     "4rem",
}

// An author's photo appears large on their page and small in the box at
// the foot of an article; site.css crops both to a circle of that width.
const (
	photoProfile = "profile"
	photoBox     = "box"
)

// imageView is what the "image" partial needs to write an <img>.
type imageView struct {
	Role          string
	Src           string
	Srcset, Sizes string
	Width, Height int // 0 when the file cannot be read (an image on another host)
	Eager         bool
}

// imageOf returns the view of a's feature image in the given role, or nil
// when a has none, so templates can write {{with image . "thumb"}}.
func (s *Server) imageOf(a *byline.Article, role string) *imageView {
	if a == nil || a.FeatureImageURL == "" {
		return nil
	}
	v := &imageView{Role: role, Src: a.FeatureImageURL, Eager: role != imageThumb, Sizes: imageSizes[role]}
	if v.Srcset = byline.ImageSrcset(a.FeatureImageURL); v.Srcset == "" {
		v.Sizes = ""
	}
	v.Width, v.Height = s.images.size(a.FeatureImageURL)
	return v
}

// photoOf returns the view of au's photo in the given role, or nil when
// the author has none. The photo is always the site's own upload, so its
// width and height are known and nothing shifts as it loads.
func (s *Server) photoOf(au *byline.Author, role string) *imageView {
	if au == nil || au.PhotoURL == "" {
		return nil
	}
	v := &imageView{Role: role, Src: au.PhotoURL, Eager: role == photoProfile, Sizes: imageSizes[role]}
	if v.Srcset = byline.ImageSrcset(au.PhotoURL); v.Srcset == "" {
		v.Sizes = ""
	}
	v.Width, v.Height = s.images.size(au.PhotoURL)
	return v
}

// imageDims remembers the dimensions of the site's own image files, read
// from their headers the first time a page shows them. The files under
// /files/ are content-addressed uploads that never change, so a size once
// read stays true; it is a cache, and losing it costs one header read.
type imageDims struct {
	public  fs.FS // the folder served at /files/, or nil
	uploads fs.FS // the folder served at /files/uploads/, or nil
	mu      sync.Mutex
	dims    map[string][2]int
}

// maxImageDims bounds the memo; past it, it starts again.
const maxImageDims = 20_000

// size returns the width and height of the image at url, a path under
// /files/, or zeros when it is elsewhere or cannot be read.
func (d *imageDims) size(url string) (int, int) {
	name, ok := strings.CutPrefix(url, "/files/")
	if !ok || !fs.ValidPath(name) {
		return 0, 0
	}
	dir, file := d.public, name
	if upload, ok := strings.CutPrefix(url, byline.UploadPath); ok && d.uploads != nil {
		dir, file = d.uploads, upload
	}
	if dir == nil {
		return 0, 0
	}
	d.mu.Lock()
	wh, ok := d.dims[name]
	d.mu.Unlock()
	if ok {
		return wh[0], wh[1]
	}
	f, err := dir.Open(file)
	if err != nil {
		return 0, 0
	}
	cfg, _, err := image.DecodeConfig(f)
	f.Close()
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0
	}
	d.mu.Lock()
	if d.dims == nil || len(d.dims) >= maxImageDims {
		d.dims = map[string][2]int{}
	}
	d.dims[name] = [2]int{cfg.Width, cfg.Height}
	d.mu.Unlock()
	return cfg.Width, cfg.Height
}
