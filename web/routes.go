package web

import (
	"net/http"
	"strings"
)

// routes lists every URL the server answers, top to bottom.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()

	// The reader's site. Public pages go through the page cache.
	// Article permalinks, /{yyyy}/{mm}/{slug}/, are matched in
	// servePermalinkOrNotFound: as a mux pattern they would clash with every
	// other three-segment route; what matches nothing may be an imported
	// article's old address, redirected (redirect.go).
	mux.Handle("GET /{$}", s.cachedPage(s.showHome))
	mux.Handle("GET /tag/{slug}/{$}", s.cachedPage(s.showTag))
	mux.Handle("GET /author/{slug}/{$}", s.cachedPage(s.showAuthor))
	kinds := []string{"", "tag", "author"}
	if s.Sections != nil {
		// Section fronts (section.go); WordPress's category addresses
		// answer with a 301 to them.
		mux.Handle("GET /section/{slug}/{$}", s.cachedPage(s.showSection))
		mux.HandleFunc("GET /category/{path...}", s.redirectCategory)
		kinds = append(kinds, "section")
	}

	// Feeds and discovery, at the paths WordPress sites use.
	for _, kind := range kinds {
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

	// Contact Us: the page and the form's POST (contact.go,
	// contact_submit.go), and the
	// captcha behind the form and the widget on every page (captcha.go).
	mux.HandleFunc("GET /contact", s.showContact)
	mux.HandleFunc("POST /contact", s.submitContact)
	mux.HandleFunc("POST /captcha", s.issueCaptcha)
	mux.HandleFunc("POST /captcha/{id}/refresh", s.refreshCaptcha)
	mux.HandleFunc("GET /captcha/widget.png", s.serveWidgetCaptchaImage)
	mux.HandleFunc("GET /captcha/widget.wav", s.serveWidgetCaptchaAudio)
	mux.HandleFunc("GET /captcha/{file}", s.serveCaptcha)

	// Newsletters (subscribe.go, subscribe_submit.go): the sign-up, the
	// confirmation link's page, and the signed preferences and
	// unsubscribe links of every email (POST is RFC 8058's one click).
	mux.HandleFunc("GET /subscribe", s.showSubscribe)
	mux.HandleFunc("POST /subscribe", s.submitSubscribe)
	mux.HandleFunc("GET /subscribe/confirm", s.showConfirm)
	mux.HandleFunc("POST /subscribe/confirm", s.confirmSubscription)
	mux.HandleFunc("GET /subscribe/preferences", s.showPreferences)
	mux.HandleFunc("POST /subscribe/preferences", s.savePreferences)
	mux.HandleFunc("GET /subscribe/unsubscribe", s.showUnsubscribe)
	mux.HandleFunc("POST /subscribe/unsubscribe", s.unsubscribe)

	// Search: the results page and the JSON API (search.go, api_search.go).
	// Not cached: each query is its own page.
	mux.HandleFunc("GET /search", s.showSearch)
	mux.HandleFunc("GET /api/v1/search", s.apiSearch)
	mux.HandleFunc("GET /api/v1/suggest", s.apiSuggest)

	// Files.
	mux.HandleFunc("GET /static/{hash}/{name}", s.serveAsset)
	mux.HandleFunc("GET /theme/{file}", s.serveTheme) // the accent colour (theme.go)
	if s.PublicDir != nil {
		mux.HandleFunc("GET /files/", s.servePublicFile) // files.go: files only, never a listing
	}

	// Uploaded images (upload.go): content-hashed names, cached for a year.
	mux.HandleFunc("GET /files/uploads/{name}", s.serveUpload)

	// The newsroom (newsroom*.go, auth.go, upload.go): every page but
	// sign-in is for signed-in users, each action checked against their role.
	if s.Users != nil && s.Sessions != nil && s.Desk != nil {
		s.newsroom = mustParseNewsroom(s.assets, &s.dates)
		mux.HandleFunc("GET /newsroom", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/newsroom/", http.StatusMovedPermanently)
		})
		mux.HandleFunc("GET /newsroom/sign-in", s.showSignIn)
		mux.HandleFunc("POST /newsroom/sign-in", s.signIn)
		mux.HandleFunc("POST /newsroom/sign-out", s.signOut)
		mux.HandleFunc("GET /newsroom/{$}", s.signedIn(s.showDesk))
		mux.HandleFunc("GET /newsroom/articles/new", s.signedIn(s.newArticle))
		mux.HandleFunc("POST /newsroom/articles", s.signedIn(s.createArticle))
		mux.HandleFunc("POST /newsroom/articles/bulk", s.signedIn(s.bulkArticles))
		mux.HandleFunc("POST /newsroom/articles/new/autosave", s.signedIn(s.autosaveNewArticle))
		mux.HandleFunc("POST /newsroom/articles/new/autosave/discard", s.signedIn(s.discardNewAutosave))
		mux.HandleFunc("POST /newsroom/articles/{id}/autosave", s.signedIn(s.autosaveArticle))
		mux.HandleFunc("POST /newsroom/articles/{id}/autosave/discard", s.signedIn(s.discardArticleAutosave))
		mux.HandleFunc("GET /newsroom/articles/{id}", s.signedIn(s.editArticle))
		mux.HandleFunc("POST /newsroom/articles/{id}", s.signedIn(s.saveArticle))
		mux.HandleFunc("GET /newsroom/articles/{id}/delete", s.signedIn(s.confirmDeleteArticle))
		mux.HandleFunc("POST /newsroom/articles/{id}/delete", s.signedIn(s.deleteArticle))
		mux.HandleFunc("GET /newsroom/articles/{id}/revisions/{rev}", s.signedIn(s.showRevision))
		mux.HandleFunc("POST /newsroom/articles/{id}/revisions/{rev}/restore", s.signedIn(s.restoreRevision))
		mux.HandleFunc("POST /newsroom/preview", s.signedIn(s.previewMarkdown))
		if s.Sections != nil {
			mux.HandleFunc("GET /newsroom/sections", s.signedIn(s.showSections))
			mux.HandleFunc("POST /newsroom/sections", s.signedIn(s.createSection))
			mux.HandleFunc("GET /newsroom/sections/{id}", s.signedIn(s.editSection))
			mux.HandleFunc("POST /newsroom/sections/{id}", s.signedIn(s.saveSection))
			mux.HandleFunc("GET /newsroom/sections/{id}/delete", s.signedIn(s.confirmDeleteSection))
			mux.HandleFunc("POST /newsroom/sections/{id}/delete", s.signedIn(s.deleteSection))
		}
		if s.Pages != nil {
			mux.HandleFunc("GET /newsroom/pages", s.signedIn(s.showPages))
			mux.HandleFunc("GET /newsroom/pages/new", s.signedIn(s.newPage))
			mux.HandleFunc("POST /newsroom/pages", s.signedIn(s.createPage))
			mux.HandleFunc("GET /newsroom/pages/{id}", s.signedIn(s.editPage))
			mux.HandleFunc("POST /newsroom/pages/{id}", s.signedIn(s.savePage))
			mux.HandleFunc("GET /newsroom/pages/{id}/delete", s.signedIn(s.confirmDeletePage))
			mux.HandleFunc("POST /newsroom/pages/{id}/delete", s.signedIn(s.deletePage))
			mux.HandleFunc("POST /newsroom/pages/{id}/revisions/{rev}/restore", s.signedIn(s.restorePageRevision))
		}
		mux.HandleFunc("GET /newsroom/suggest/authors", s.signedIn(s.suggestAuthors))
		mux.HandleFunc("GET /newsroom/suggest/tags", s.signedIn(s.suggestTags))
		if s.Menus != nil {
			mux.HandleFunc("GET /newsroom/menus", s.signedIn(s.showMenus))
			mux.HandleFunc("GET /newsroom/menus/{location}", s.signedIn(s.editMenu))
			mux.HandleFunc("POST /newsroom/menus/{location}", s.signedIn(s.saveMenu))
		}
		if s.Authors != nil {
			mux.HandleFunc("GET /newsroom/authors", s.signedIn(s.showAuthors))
			mux.HandleFunc("GET /newsroom/authors/{id}", s.signedIn(s.editAuthor))
			mux.HandleFunc("POST /newsroom/authors/{id}", s.signedIn(s.saveAuthor))
		}
		mux.HandleFunc("GET /newsroom/uploads", s.signedIn(s.showUploads))
		mux.HandleFunc("POST /newsroom/uploads", s.signedIn(s.uploadImage))
		mux.HandleFunc("GET /newsroom/inbox", s.signedIn(s.showInbox))
		mux.HandleFunc("GET /newsroom/inbox/export.csv", s.signedIn(s.exportInbox))
		mux.HandleFunc("GET /newsroom/inbox/{id}", s.signedIn(s.showMessage))
		mux.HandleFunc("POST /newsroom/inbox/{id}", s.signedIn(s.moveMessage))
		mux.HandleFunc("GET /newsroom/inbox/{id}/delete", s.signedIn(s.confirmDeleteMessage))
		mux.HandleFunc("POST /newsroom/inbox/{id}/delete", s.signedIn(s.deleteMessage))
		mux.HandleFunc("GET /newsroom/newsletters", s.signedIn(s.showNewsletters))
		mux.HandleFunc("POST /newsroom/newsletters", s.signedIn(s.addNewsletter))
		mux.HandleFunc("GET /newsroom/newsletters/sends/{id}", s.signedIn(s.showSend))
		mux.HandleFunc("GET /newsroom/subscribers", s.signedIn(s.showSubscribers))
		mux.HandleFunc("POST /newsroom/subscribers/import", s.signedIn(s.importSubscribers))
		mux.HandleFunc("GET /newsroom/subscribers/export.csv", s.signedIn(s.exportSubscribers))
		mux.HandleFunc("GET /newsroom/subscribers/{id}/delete", s.signedIn(s.confirmDeleteSubscriber))
		mux.HandleFunc("POST /newsroom/subscribers/{id}/delete", s.signedIn(s.deleteSubscriber))
		mux.HandleFunc("GET /newsroom/articles/{id}/newsletter", s.signedIn(s.showSendArticle))
		mux.HandleFunc("POST /newsroom/articles/{id}/newsletter", s.signedIn(s.sendArticle))
		mux.HandleFunc("GET /newsroom/settings", s.signedIn(s.showSettings))
		mux.HandleFunc("POST /newsroom/settings", s.signedIn(s.saveSettings))
		mux.HandleFunc("POST /newsroom/settings/test-email", s.signedIn(s.sendTestEmail))
		mux.HandleFunc("GET /newsroom/users", s.signedIn(s.showUsers))
		mux.HandleFunc("POST /newsroom/users", s.signedIn(s.addUser))
		mux.HandleFunc("GET /newsroom/users/{id}", s.signedIn(s.showUser))
		mux.HandleFunc("POST /newsroom/users/{id}", s.signedIn(s.saveUser))
		mux.HandleFunc("GET /newsroom/users/{id}/delete", s.signedIn(s.confirmDeleteUser))
		mux.HandleFunc("POST /newsroom/users/{id}/delete", s.signedIn(s.deleteUser))
		mux.HandleFunc("GET /newsroom/account", s.signedIn(s.showAccount))
		mux.HandleFunc("POST /newsroom/account", s.signedIn(s.changePassword))
	}

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)

	// Permalinks, then static pages (page_show.go), then everything else.
	article, page := s.cachedPage(s.showArticle), s.cachedPage(s.showPage)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.servePermalinkOrNotFound(w, r, article, page)
	})
	return mux
}

// parsePermalink splits an article's path, /yyyy/mm/slug/ (the slug is
// anything but a slash, the final slash optional). It is the regular
// expression ^/([0-9]{4})/([0-9]{2})/([^/]+)(/?)$ written out: on the
// cached article path the expression cost more than the page cache.
func parsePermalink(path string) (year, month, slug string, slash, ok bool) {
	digits := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	// "/yyyy/mm/" is 9 bytes, and the slug at least one.
	if len(path) < 10 || path[0] != '/' || path[5] != '/' || path[8] != '/' || !digits(path[1:5]) || !digits(path[6:8]) {
		return "", "", "", false, false
	}
	slug, slash = strings.CutSuffix(path[9:], "/")
	if slug == "" || strings.IndexByte(slug, '/') >= 0 {
		return "", "", "", false, false
	}
	return path[1:5], path[6:8], slug, slash, true
}

func (s *Server) servePermalinkOrNotFound(w http.ResponseWriter, r *http.Request, article, page http.Handler) {
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	year, month, slug, slash, ok := parsePermalink(r.URL.Path)
	if !ok && get && s.Pages != nil && pagePath.MatchString(r.URL.Path) {
		page.ServeHTTP(w, r)
		return
	}
	if !ok || !get {
		s.redirectOldOrNotFound(w, r)
		return
	}
	if !slash {
		s.redirectToSlash(w, r)
		return
	}
	r.SetPathValue("year", year)
	r.SetPathValue("month", month)
	r.SetPathValue("slug", slug)
	article.ServeHTTP(w, r)
}
