// Package demo is the sample site of `byline serve --demo`: a newsroom's
// worth of articles in nested sections, by several authors under several
// tags, each with a picture, and the pages a newsroom has (About, a
// masthead under it, Privacy, Corrections), so that a newcomer sees a
// whole site at once.
//
// The content is plain files embedded in the binary:
//   - content/sections.yaml lists the sections, in menu order;
//   - content/articles holds Markdown files with front matter, read by the
//     same importer as any other site's (see its Markdown format; an
//     article names its sections there);
//   - content/pages holds a Markdown file per page, its front matter
//     giving the title, slug, parent page and position.
//
// Adding an article or a page is adding a file. A content type Byline
// gains later gets a file or folder of its own under content/ and a step
// in [Fill]. The pictures are drawn at fill time (pictures.go), so the
// binary carries some 50 kB of text and no image.
package demo

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
)

//go:embed content
var content embed.FS

// PictureDir is the folder, under the directory served at /files/, that
// holds the pictures.
const PictureDir = "demo"

// Fill puts the demo site into a site: it draws the pictures into
// publicDir/demo (publicDir being what the site serves at /files/), and
// stores the sections, the articles and the pages with site's services.
// Filling a site again updates all of them in place.
func Fill(ctx context.Context, publicDir string, site byline.Services) (*importer.Report, error) {
	if err := drawPictures(filepath.Join(publicDir, PictureDir)); err != nil {
		return nil, err
	}
	sections, err := readSections()
	if err != nil {
		return nil, err
	}
	// Sections first: the articles name theirs by slug.
	if err := site.Sections.Import(ctx, sections); err != nil {
		return nil, fmt.Errorf("demo: store the sections: %w", err)
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
	report, err := (&importer.Importer{Articles: site.Articles}).Run(ctx, []string{filepath.Join(dir, "content", "articles")}, nil, importer.Options{Format: "markdown"})
	if err != nil {
		return nil, fmt.Errorf("demo: import the articles: %w", err)
	}
	pages, err := readPages()
	if err != nil {
		return nil, err
	}
	if err := site.Pages.Import(ctx, slices.Values(pages)); err != nil {
		return nil, fmt.Errorf("demo: store the pages: %w", err)
	}
	report.Sections, report.Pages = len(sections), len(pages)
	return report, nil
}

// readSections reads content/sections.yaml.
func readSections() ([]*byline.Section, error) {
	src, err := content.ReadFile("content/sections.yaml")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var list []struct {
		Name, Slug, Description, Parent string
	}
	if err := yaml.Unmarshal(src, &list); err != nil {
		return nil, fmt.Errorf("demo: content/sections.yaml: %w", err)
	}
	sections := make([]*byline.Section, len(list))
	for i, s := range list {
		sections[i] = &byline.Section{Name: s.Name, Slug: s.Slug, Description: s.Description, ParentSlug: s.Parent, Position: i + 1}
	}
	return sections, nil
}

// readPages reads the pages in content/pages, parents first. Each
// page's import key is its file's name, so filling again updates it.
func readPages() ([]*byline.PageRecord, error) {
	files, err := fs.Glob(content, "content/pages/*.md")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var records []*byline.PageRecord
	for _, name := range files {
		src, err := content.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		fm, body, ok := bytes.Cut(bytes.TrimPrefix(src, []byte("---\n")), []byte("\n---\n"))
		if !ok || !bytes.HasPrefix(src, []byte("---\n")) {
			return nil, fmt.Errorf("demo: %s: no front matter between --- lines", name)
		}
		var meta struct {
			Title, Slug, Parent string
			Position            int
		}
		if err := yaml.Unmarshal(fm, &meta); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", name, err)
		}
		records = append(records, &byline.PageRecord{
			ImportKey: "demo:" + path.Base(name),
			Page: &byline.Page{Title: meta.Title, Slug: meta.Slug, ParentSlug: meta.Parent, Position: meta.Position,
				Body: string(bytes.TrimSpace(body)), Status: byline.Published},
		})
	}
	return byline.PagesParentsFirst(records), nil
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
