// Package media keeps the site's image files, the media library's bytes:
// it checks that data is an image Byline takes (sniffed, never trusted from
// a name), stores it under its content hash at the widths of
// [byline.ImageWidths], and fetches images from other hosts for an import,
// within bounds (http and https only, no private addresses, limits on size,
// time and redirects).
//
// It writes files only; the records of the media library are kept by a
// [byline.UploadService]. It is not the HTTP server: web serves the files.
package media
