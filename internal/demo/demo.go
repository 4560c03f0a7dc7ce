// Package demo is the sample site of `byline serve --demo`: a newsroom's
// worth of articles, by several authors under several tags, each with a
// picture, so that a newcomer sees a whole site at once.
//
// The content is plain files embedded in the binary, read by the same
// importer as any other site's: content/articles holds Markdown files with
// front matter (see the importer's Markdown format). Adding an article is
// adding a file. A content type Byline gains later (pages, sections, ...)
// gets a folder of its own under content/ and a step in [Fill] that
// imports it. The pictures are drawn at fill time (pictures.go), so the
// binary carries some 50 kB of text and no image.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
)

//go:embed content
var content embed.FS

// PictureDir is the folder, under the directory served at /files/, that
// holds the pictures.
const PictureDir = "demo"

// Fill puts the demo site into a site: it draws the pictures into
// publicDir/demo (publicDir being what the site serves at /files/) and
// imports the articles into articles. Filling a site again updates the
// articles in place.
func Fill(ctx context.Context, publicDir string, articles byline.ArticleService) (*importer.Report, error) {
	if err := drawPictures(filepath.Join(publicDir, PictureDir)); err != nil {
		return nil, err
	}
	// The importer reads files: the articles are written out for it.
	dir, err := os.MkdirTemp("", "byline-demo-content-*")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := os.CopyFS(dir, content); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	report, err := (&importer.Importer{Articles: articles}).Run(ctx, []string{filepath.Join(dir, "content", "articles")}, nil, importer.Options{Format: "markdown"})
	if err != nil {
		return nil, fmt.Errorf("demo: import the articles: %w", err)
	}
	return report, nil
}

// drawPictures draws every scene into dir as NAME.jpg.
func drawPictures(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for name, s := range scenes {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, s.draw(), &jpeg.Options{Quality: 85}); err != nil {
			return fmt.Errorf("demo: draw %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".jpg"), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
