package byline

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Upload limits.
const (
	MaxUploadBytes = 10 << 20
	// MaxImagePixels bounds an image's width × height before it is
	// decoded: a small file can declare a huge image.
	MaxImagePixels = 40_000_000
)

// ImageWidths are the widths an uploaded image is resized to for srcset;
// one narrower than a width is kept at its own width instead.
var ImageWidths = []int{480, 960, 1600}

// UploadPath is where uploaded images are served from.
const UploadPath = "/files/uploads/"

// Upload is an image an editor uploaded: stored once per content, at a few
// widths, under a name made of its content hash.
type Upload struct {
	ID          int64
	Hash        string // hex SHA-256 prefix of the original bytes
	Ext         string // "jpg", "png", "gif" or "webp", from the sniffed type
	ContentType string
	Width       int // of the original
	Height      int
	Widths      []int // the stored widths, ascending; the last is the original's
	Size        int64 // of the original, in bytes
	Name        string
	UserID      int64
	CreatedAt   time.Time
}

// FileName returns the name of the stored copy of the given width.
func (u *Upload) FileName(width int) string { return fmt.Sprintf("%s-%d.%s", u.Hash, width, u.Ext) }

// URL returns the address of the largest stored copy.
func (u *Upload) URL() string { return UploadPath + u.FileName(u.Widths[len(u.Widths)-1]) }

// Srcset returns the srcset attribute value listing every stored width.
func (u *Upload) Srcset() string { return ImageSrcset(u.URL()) }

// UploadWidths returns the widths stored for an image whose original is
// width pixels wide: each of ImageWidths narrower than it, then its own.
func UploadWidths(width int) []int {
	var ws []int
	for _, w := range ImageWidths {
		if w < width {
			ws = append(ws, w)
		}
	}
	return append(ws, width)
}

var uploadURL = regexp.MustCompile(`^` + UploadPath + `([0-9a-f]{16,64})-([0-9]{1,5})\.(jpg|png|gif|webp)$`)

// ImageSrcset returns the srcset for an uploaded image's URL, as made by
// [Upload.URL]: every width stored for it, since the name carries the
// original's width. It returns "" for any other URL.
func ImageSrcset(url string) string {
	m := uploadURL.FindStringSubmatch(url)
	if m == nil {
		return ""
	}
	width, _ := strconv.Atoi(m[2])
	var parts []string
	for _, w := range UploadWidths(width) {
		parts = append(parts, fmt.Sprintf("%s%s-%d.%s %dw", UploadPath, m[1], w, m[3], w))
	}
	return strings.Join(parts, ", ")
}

// UploadService records uploaded images. The files themselves live under
// the data directory. Implementations are safe for concurrent use.
type UploadService interface {
	// CreateUpload records u, setting its ID and time. An image with the
	// same hash is recorded once: the stored one is returned in u.
	CreateUpload(ctx context.Context, u *Upload) error

	// FindUploads returns uploads, newest first, and how many there are.
	FindUploads(ctx context.Context, limit, offset int) ([]*Upload, int, error)
}
