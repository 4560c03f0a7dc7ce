package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/bylinenews/byline"
)

// darkBackground is the page's background in the dark scheme (site.css).
var darkBackground = byline.Color{R: 0x14, G: 0x14, B: 0x14}

// accentStylesheet is the path of the stylesheet that sets the accent
// colour c: the colour is in the name, so the file never changes and is
// cached for a year, and no inline style is needed (the CSP allows none).
func accentStylesheet(c string) string {
	return "/theme/accent-" + strings.TrimPrefix(strings.ToLower(c), "#") + ".css"
}

// serveTheme serves /theme/accent-RRGGBB.css: the accent colour for the
// light scheme, and the nearest shade of it readable on the dark one. It
// reads nothing: the name says it all, and any valid colour may be asked
// for.
func (s *Server) serveTheme(w http.ResponseWriter, r *http.Request) {
	hex, ok := strings.CutPrefix(r.PathValue("file"), "accent-")
	hex, ok2 := strings.CutSuffix(hex, ".css")
	c, ok3 := byline.ParseColor("#" + hex)
	if !ok || !ok2 || !ok3 || len(hex) != 6 {
		http.Error(w, "There is no such stylesheet: its name is accent- and a colour as six hexadecimal digits, then .css.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	fmt.Fprintf(w, ":root { --accent: %s; }\n@media (prefers-color-scheme: dark) {\n  :root { --accent: %s; }\n}\n",
		c, byline.Readable(c, darkBackground))
}
