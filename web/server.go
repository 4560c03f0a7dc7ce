// Package web is Byline's HTTP server: routes, middleware, the handlers of
// the reader's site and the JSON API, and the HTML templates and static
// files, embedded in the binary.
//
// Handlers read the request, call the domain services and render a
// template; they never see SQL.
package web

import (
	"context"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/captcha"
)

// Server serves the site. Set the fields, then call Handler or
// ListenAndServe; fields must not change after that.
type Server struct {
	Articles byline.ArticleService
	Site     Site
	Logger   *slog.Logger

	// Sections, if set, serves the section fronts (/section/{slug}/, their
	// feeds and WordPress's /category/ addresses), the front page's block
	// per section and the newsroom's section list.
	Sections byline.SectionService

	// Authors, if set, shows each author's profile (photo, job title,
	// bio, links) on their page and in a box at the foot of their
	// articles, and serves the newsroom's author profiles.
	Authors byline.AuthorService

	// Pages, if set, serves the static pages at /{slug}/ and
	// /{parent}/{slug}/ (and their old addresses) and the newsroom's
	// page editor.
	Pages byline.PageService

	// Menus, if set, gives the header and footer the site's menus and the
	// newsroom its menu editor; without it, or with no header menu, the
	// header lists the top-level sections.
	Menus byline.MenuService

	// Search, if set, serves /search, the search API and the Related
	// articles under each article; without it /search answers 404.
	Search byline.SearchService

	// PostsPerPage is the length of the home and archive pages.
	PostsPerPage int
	// RecentCount is the length of the Recent Posts list.
	RecentCount int
	// PublicDir, if set, is served at /files/ (uploaded and pre-rendered
	// files under the data directory).
	PublicDir fs.FS
	// FeedFullContent puts whole articles in the feeds; otherwise they
	// carry excerpts.
	FeedFullContent bool
	// Health, if set, is checked by /healthz (the database's ping).
	Health func(context.Context) error

	// Contact Us. Without Messages and Captcha, /contact and /captcha/
	// answer 404; without Limiter nothing is rate-limited. MessageSent,
	// if set, is called after a reader's message is committed (to wake
	// the outbox).
	Messages    byline.MessageService
	Captcha     *captcha.Service
	Limiter     byline.RateLimiter
	Contact     ContactPolicy
	MessageSent func()

	// TrustedProxies are the reverse proxies whose forwarded address
	// (ProxyHeader) names the client, for the rate limits and the access
	// log. From any other peer the header is ignored, and the client is
	// the connection's address.
	TrustedProxies []netip.Prefix
	// ProxyHeader is the header the trusted proxies write the client's
	// address in: XForwardedFor (the default) or Forwarded (RFC 7239).
	ProxyHeader string

	// Connection limits, applied by ListenAndServe (conns.go).
	// WriteTimeout bounds the time a response takes to be written,
	// DefaultWriteTimeout if zero; files get more by their size, at
	// MinReadRate bytes per second (DefaultMinReadRate if zero).
	// MaxConnsPerClient caps the connections one client address may have
	// open, DefaultMaxConnsPerClient if zero, none if negative; trusted
	// proxies are not capped.
	WriteTimeout      time.Duration
	MinReadRate       int64
	MaxConnsPerClient int

	// Newsletters: /subscribe and its signed pages. Without Newsletters
	// and Subscribers they answer 404. SubscriptionRequested, if set, is
	// called after a sign-up is committed, NewsletterQueued after an
	// editor's send is (both to wake the list's outbox).
	Newsletters           byline.NewsletterService
	Subscribers           byline.SubscriberService
	Subscribe             SubscribePolicy
	SubscriptionRequested func()
	NewsletterQueued      func()

	// The newsroom, under /newsroom/. Without Users and Sessions it
	// answers 404. Settings, if set, override Site, PostsPerPage and
	// RecentCount as an admin sets them, at once on every instance.
	// Uploaded images are written to UploadDir and served at
	// /files/uploads/.
	Users    byline.UserService
	Sessions byline.SessionService
	Desk     byline.DeskService
	// Autosaves, if set, keeps what the editor types every few seconds,
	// for the user to recover after a crash or a closed tab.
	Autosaves byline.AutosaveService
	Settings  byline.SettingsService
	Uploads   byline.UploadService
	UploadDir string
	// SignIn limits sign-in attempts, counted with Limiter.
	SignIn SignInPolicy
	// Email, if set, is the outbox's SMTP server: the newsroom warns while
	// there is none, and settings can send a test email through it.
	Email EmailStatus
	// Now is the newsroom's clock (publish now, scheduling); nil is
	// time.Now. Tests set the store's clock here too.
	Now func() time.Time

	// writeDeadlines is set when ListenAndServe runs the server, with a
	// write timeout that starts afresh with each request; a handler that
	// moves the deadline further does not then outlive its request.
	writeDeadlines bool

	templates *templates
	newsroom  *newsroomTemplates
	assets    *assets
	pages     *pageCache
	recent    recentMemo
	menus     menuMemo
	dates     dateStyles // the site's zone and date formats, as last read
	clock     siteClock
	images    imageDims
}

// Defaults for the optional fields.
const (
	DefaultPostsPerPage = 10
	DefaultRecentCount  = 5
)

// Handler returns the server's HTTP handler with all middleware. It panics
// if the embedded templates do not parse: a mistake found at start-up.
func (s *Server) Handler() http.Handler {
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.PostsPerPage <= 0 {
		s.PostsPerPage = DefaultPostsPerPage
	}
	if s.RecentCount <= 0 {
		s.RecentCount = DefaultRecentCount
	}
	if s.Site.Title == "" {
		s.Site.Title = "Byline"
	}
	s.assets = mustLoadAssets()
	s.images.public = s.PublicDir
	if s.UploadDir != "" {
		s.images.uploads = os.DirFS(s.UploadDir)
	}
	s.templates = mustParseTemplates(s.assets, template.FuncMap{
		"image": s.imageOf,
		"photo": s.photoOf,
		// A page reads the settings before it renders (newLayout), so the
		// style current then is the page's own.
		"date": func(t time.Time) string { return s.dates.current().Date(t) },
	})
	s.pages = newPageCache(pageCacheBytes)
	return s.middleware(s.routes())
}

// ListenAndServe serves on addr until ctx is cancelled, then shuts down
// gracefully, letting requests in flight finish for up to 10 seconds.
// ready, if not nil, is called with the listening address once it listens.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(net.Addr)) error {
	s.writeDeadlines = true
	srv := &http.Server{
		Handler: s.Handler(),
		// ReadHeaderTimeout first: it is what stops slow-header attacks.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second, // the largest honest body is an editor's upload
		WriteTimeout:      s.writeTimeout(),
		// A reader's browser comes back within seconds or not at all: an
		// idle connection is not kept for long.
		IdleTimeout:    30 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
		ConnContext:    markOverLimit,
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if limit := s.MaxConnsPerClient; limit >= 0 {
		if limit == 0 {
			limit = DefaultMaxConnsPerClient
		}
		ln = &connLimiter{Listener: ln, max: limit, exempt: s.trustedProxy, open: map[netip.Prefix]int{}}
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.Logger.Info("shutting down")
	return srv.Shutdown(shutdownCtx)
}
