package web

import (
	"net/http"
	"regexp"
)

// routes lists every URL the server answers, top to bottom.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// The reader's site. Public pages go through the page cache.
	// Article permalinks, /{yyyy}/{mm}/{slug}/, are matched in
	// servePermalinkOrNotFound: as a mux pattern they would clash with every
	// other three-segment route.
	mux.Handle("GET /{$}", s.cachedPage(s.showHome))
	mux.Handle("GET /tag/{slug}/{$}", s.cachedPage(s.showTag))
	mux.Handle("GET /author/{slug}/{$}", s.cachedPage(s.showAuthor))

	// Feeds and discovery, at the paths WordPress sites use.
	for _, kind := range []string{"", "tag", "author"} {
		prefix := ""
		if kind != "" {
			prefix = "/" + kind + "/{slug}"
		}
		for _, f := range []feedFormat{rssFormat, atomFormat, jsonFormat} {
			pattern := "GET " + prefix + f.suffix
			if pattern[len(pattern)-1] == '/' {
				pattern += "{$}"
			}
			mux.Handle(pattern, s.cachedPage(s.feedHandler(f, kind)))
		}
	}
	mux.Handle("GET /sitemap.xml", s.cachedPage(s.showSitemap))
	mux.Handle("GET /sitemap/{file}", s.cachedPage(s.showSitemapPage))
	mux.HandleFunc("GET /sitemap-news.xml", s.showNewsSitemap)
	mux.HandleFunc("GET /robots.txt", s.robotsTxt)

	// Contact Us: the page and the form's POST (contact.go), and the
	// captcha behind the form and the widget on every page (captcha.go).
	mux.HandleFunc("GET /contact", s.showContact)
	mux.HandleFunc("POST /contact", s.submitContact)
	mux.HandleFunc("POST /captcha", s.issueCaptcha)
	mux.HandleFunc("POST /captcha/{id}/refresh", s.refreshCaptcha)
	mux.HandleFunc("GET /captcha/widget.png", s.serveWidgetCaptchaImage)
	mux.HandleFunc("GET /captcha/widget.wav", s.serveWidgetCaptchaAudio)
	mux.HandleFunc("GET /captcha/{file}", s.serveCaptcha)

	// Search: the results page and the JSON API (search.go, api_search.go).
	// Not cached: each query is its own page.
	mux.HandleFunc("GET /search", s.showSearch)
	mux.HandleFunc("GET /api/v1/search", s.apiSearch)
	mux.HandleFunc("GET /api/v1/suggest", s.apiSuggest)

	// Files.
	mux.HandleFunc("GET /static/{hash}/{name}", s.serveAsset)
	if s.PublicDir != nil {
		mux.Handle("GET /files/", http.StripPrefix("/files/", http.FileServerFS(s.PublicDir)))
	}

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)

	// Permalinks, then everything else.
	article := s.cachedPage(s.showArticle)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.servePermalinkOrNotFound(w, r, article)
	})
	return mux
}

// permalink matches an article's path; the slug is anything but a slash.
var permalink = regexp.MustCompile(`^/([0-9]{4})/([0-9]{2})/([^/]+)(/?)$`)

func (s *Server) servePermalinkOrNotFound(w http.ResponseWriter, r *http.Request, article http.Handler) {
	m := permalink.FindStringSubmatch(r.URL.Path)
	if m == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		s.redirectOldOrNotFound(w, r)
		return
	}
	if m[4] == "" {
		s.redirectToSlash(w, r)
		return
	}
	r.SetPathValue("year", m[1])
	r.SetPathValue("month", m[2])
	r.SetPathValue("slug", m[3])
	article.ServeHTTP(w, r)
}
