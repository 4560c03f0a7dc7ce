package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"net/http"
	"os"
	"path/filepath"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // decodes WebP for image.DecodeConfig

	"github.com/bylinenews/byline"
)

// Types are the image types the library takes, by sniffed content type,
// with the extension their files get.
var Types = map[string]string{
	"image/jpeg": "jpg",
	"image/png":  "png",
	"image/gif":  "gif",
	"image/webp": "webp",
}

// Check reports whether data is an image the library takes: its type
// sniffed with [http.DetectContentType], its header readable by
// [image.DecodeConfig], its pixels within [byline.MaxImagePixels]. It
// returns the content type, the extension and the header, or an Invalid
// error saying what is wrong.
func Check(data []byte) (contentType, ext string, cfg image.Config, err error) {
	ct := http.DetectContentType(data)
	ext, ok := Types[ct]
	if !ok {
		return "", "", cfg, byline.Errorf(byline.Invalid, "This file is not a JPEG, PNG, GIF or WebP image (it looks like %s).", ct)
	}
	// The header says how big the image is before any pixel is decoded: a
	// small file can claim a huge image.
	cfg, _, err = image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", "", cfg, byline.Errorf(byline.Invalid, "The image could not be read: is the file damaged?")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > byline.MaxImagePixels {
		return "", "", cfg, byline.Errorf(byline.Invalid, "The image is %d×%d pixels; at most %d megapixels can be taken.", cfg.Width, cfg.Height, byline.MaxImagePixels/1_000_000)
	}
	return ct, ext, cfg, nil
}

// Store checks data is an image the library takes, writes it and its
// narrower copies under dir, and returns its record (not yet recorded by
// an UploadService). The same bytes stored twice are written once.
func Store(dir string, data []byte, name string) (*byline.Upload, error) {
	ct, ext, cfg, err := Check(data)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	up := &byline.Upload{Hash: hex.EncodeToString(sum[:16]), Ext: ext, ContentType: ct, Width: cfg.Width, Height: cfg.Height,
		Size: int64(len(data)), Name: filepath.Base(name)}
	if len(up.Name) > 200 {
		up.Name = up.Name[:200]
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create upload folder: %w", err)
	}
	// The original is kept as it came. JPEG and PNG get narrower copies;
	// GIF (which may be animated) and WebP (which we cannot encode) are
	// served at their own size only.
	up.Widths = []int{cfg.Width}
	var img image.Image
	if ext == "jpg" || ext == "png" {
		up.Widths = byline.UploadWidths(cfg.Width)
		if len(up.Widths) > 1 {
			if img, _, err = image.Decode(bytes.NewReader(data)); err != nil {
				return nil, byline.Errorf(byline.Invalid, "The image could not be read: is the file damaged?")
			}
		}
	}
	for _, width := range up.Widths {
		out := data
		if width != cfg.Width {
			if out, err = resize(img, ext, width); err != nil {
				return nil, err
			}
		}
		if err := writeFileAtomic(filepath.Join(dir, up.FileName(width)), out); err != nil {
			return nil, err
		}
	}
	return up, nil
}

// resize scales img to width, keeping its proportions, and encodes it.
func resize(img image.Image, ext string, width int) ([]byte, error) {
	b := img.Bounds()
	height := max(1, b.Dy()*width/b.Dx())
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Over, nil)
	var buf bytes.Buffer
	var err error
	switch ext {
	case "jpg":
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 82})
	case "png":
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst)
	default:
		err = gif.Encode(&buf, dst, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %d-wide copy: %w", width, err)
	}
	return buf.Bytes(), nil
}

// writeFileAtomic writes data to a temporary file and renames it into
// place, so a reader never sees half an image.
func writeFileAtomic(path string, data []byte) error {
	if _, err := os.Stat(path); err == nil {
		return nil // same hash, same bytes: already there
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("store image: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("store image: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("store image: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("store image: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store image: %w", err)
	}
	return nil
}
