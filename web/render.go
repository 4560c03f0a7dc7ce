package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// assets are the embedded static files, served at content-addressed URLs
// so they can be cached for a year.
type assets struct {
	hashes  map[string]string // name → short content hash
	version string            // a hash of all assets and templates, part of every page's ETag
}

func mustLoadAssets() *assets {
	a := &assets{hashes: map[string]string{}}
	all := sha256.New()
	for _, root := range []fs.FS{staticFS, templateFS} {
		err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(root, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			all.Write(sum[:])
			if name, ok := strings.CutPrefix(p, "static/"); ok {
				a.hashes[name] = hex.EncodeToString(sum[:6])
			}
			return nil
		})
		if err != nil {
			panic(fmt.Sprintf("web: load embedded files: %v", err))
		}
	}
	a.version = hex.EncodeToString(all.Sum(nil)[:6])
	return a
}

// url returns the content-addressed URL of a static file. It panics on an
// unknown name, which only a template typo can cause, caught at start-up.
func (a *assets) url(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		panic(fmt.Sprintf("web: no static file %q", name))
	}
	return "/static/" + h + "/" + name
}

// serveAsset serves a static file. A stale hash (an old page asking for an
// old version) still gets the current file, but not the year-long cache.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	h, ok := s.assets.hashes[name]
	if !ok {
		s.notFound(w, r)
		return
	}
	if r.PathValue("hash") == h {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, no-cache")
	}
	w.Header().Set("ETag", `"`+h+`"`)
	http.ServeFileFS(w, r, staticFS, "static/"+name)
}

// templates holds one parsed template set per page: the layout, the
// partials and the page.
type templates struct {
	pages map[string]*template.Template
}

func mustParseTemplates(a *assets, server template.FuncMap) *templates {
	funcs := template.FuncMap{
		"asset":            a.url,
		"isoTime":          func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"articleBody":      articleBody,
		"hasEmbed":         func(a *byline.Article) bool { return strings.Contains(a.BodyHTML, "data-embed=") },
		"pageBody":         pageBody,
		"accentStylesheet": accentStylesheet,
		"srcset":           byline.ImageSrcset,
		"excerpt":          excerpt,
		"add":              func(a, b int) int { return a + b },
		"year":             func() int { return time.Now().Year() },
	}
	maps.Copy(funcs, server)
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"))
	pages, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil || len(pages) == 0 {
		panic(fmt.Sprintf("web: no page templates: %v", err))
	}
	t := &templates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, p))
	}
	return t
}

// articleBody marks an article's stored HTML as safe. It is safe because the
// store sanitized it with the markdown package's policy when it was saved;
// this is the one place the site trusts HTML it did not just escape.
func articleBody(a *byline.Article) template.HTML { return template.HTML(a.BodyHTML) }

// excerptRunes is the length of an excerpt on lists.
const excerptRunes = 280

// excerpt is what lists show under a headline: the dek, or the body's start.
func excerpt(a *byline.Article) string {
	if a.Dek != "" {
		return a.Dek
	}
	return markdown.Excerpt(a.BodyText, excerptRunes)
}

// render executes a page template into a buffer, then writes it with the
// status, so a template error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.templates.pages[page]
	if !ok {
		s.serveError(w, r, fmt.Errorf("no template for page %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.serveError(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
