package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// The newsroom is the editors' area under /newsroom/: server-rendered pages
// in a layout of their own, never cached, never indexed. Every handler
// gets the signed-in user from signedIn and checks the permission rules of
// [byline.User] itself; hiding a button is a courtesy, not a check.

// newsroomTemplates holds one parsed template set per newsroom page: the
// newsroom layout and the page.
type newsroomTemplates struct {
	pages map[string]*template.Template
}

func mustParseNewsroom(a *assets, dates *dateStyles) *newsroomTemplates {
	funcs := template.FuncMap{
		"asset":     a.url,
		"date":      func(t time.Time) string { return dates.current().Date(t) },
		"dateTime":  func(t time.Time) string { return dates.current().DateTime(t) },
		"isoTime":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"clock":     func(t time.Time) string { return t.In(dates.current().Location()).Format("15:04 MST") },
		"srcset":    byline.ImageSrcset,
		"join":      strings.Join,
		"hasPrefix": strings.HasPrefix,
		"add":       func(a, b int) int { return a + b },
		// dict passes several values to a partial: dict "Key" value ...
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"names": func(items any) string {
			var out []string
			switch v := items.(type) {
			case []byline.Author:
				for _, it := range v {
					out = append(out, it.Name)
				}
			case []byline.Tag:
				for _, it := range v {
					out = append(out, it.Name)
				}
			}
			return strings.Join(out, ", ")
		},
	}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/newsroom/layout.html", "templates/newsroom/partials/*.html"))
	pages, err := fs.Glob(templateFS, "templates/newsroom/pages/*.html")
	if err != nil || len(pages) == 0 {
		panic(fmt.Sprintf("web: no newsroom templates: %v", err))
	}
	t := &newsroomTemplates{pages: map[string]*template.Template{}}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t.pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, p))
	}
	return t
}

// newsroomLayout is the data every newsroom page shares.
type newsroomLayout struct {
	Site    Site
	User    *byline.User // nil on the sign-in page
	Title   string
	Section string // the navigation entry to mark as current
	Unread  int    // unread messages, for those who may read them
	Notice  string // what the last action did
	Error   string // why the last action failed
	// EmailBanner says that readers' messages are not emailed, and why.
	EmailBanner string
	// Zone is the site's time zone, in which the newsroom shows and takes
	// times.
	Zone string
	// HasMenus says the site's menus can be edited here.
	HasMenus bool
	// AuthorsEnabled shows the Authors entry (the server has an AuthorService).
	AuthorsEnabled bool
}

// newsroomNotices are the messages a redirect after an action can ask for
// with ?done=; a code, not text, so no one can make the page say anything.
var newsroomNotices = map[string]string{
	"saved":             "Saved.",
	"published":         "Published: the article is on the site now.",
	"scheduled":         "Scheduled: the article appears on the site at its time.",
	"unpublished":       "Unpublished: the article is a draft again and off the site.",
	"submitted":         "Submitted: the editors can see it is ready.",
	"restored":          "Restored: the article has the text of that revision again (saved as a new revision).",
	"deleted":           "Deleted.",
	"discarded":         "The autosaved text was thrown away; the form holds the article as saved.",
	"settings":          "Settings saved. The site shows them now.",
	"user-added":        "User added.",
	"user-saved":        "User saved.",
	"password":          "Password changed. Every other session of this account was ended.",
	"reset":             "Password set. The user's sessions were ended; tell them the new password.",
	"signed-out":        "You are signed out.",
	"uploaded":          "Image uploaded.",
	"message":           "Message moved.",
	"section-saved":     "Section saved. The site shows it now.",
	"author-saved":      "Profile saved. The site shows it now.",
	"menu-saved":        "Menu saved. The site shows it now.",
	"published-page":    "Published: the page is on the site now.",
	"unpublished-page":  "Unpublished: the page is a draft again and off the site.",
	"restored-page":     "Restored: the page has the text of that revision again (saved as a new revision).",
	"newsletter-added":  "Newsletter added: readers can pick it now.",
	"newsletter-test":   "Test queued: it is on its way to your address.",
	"newsletter-queued": "Send queued: the emails go out at the configured rate.",
}

func (s *Server) newNewsroomLayout(r *http.Request, u *byline.User, title, section string) newsroomLayout {
	config := s.siteConfig(r.Context())
	l := newsroomLayout{Site: config.Site, Zone: config.Dates.ZoneName(), User: u, Title: title, Section: section, HasMenus: s.Menus != nil,
		Notice: newsroomNotices[r.URL.Query().Get("done")], EmailBanner: s.emailBanner(r.Context(), u),
		AuthorsEnabled: s.Authors != nil}
	if u.CanReadInbox() && s.Messages != nil {
		unread := byline.Unread
		if _, n, err := s.Messages.Find(r.Context(), byline.MessageFilter{Status: &unread, Limit: 1}); err == nil {
			l.Unread = n
		}
	}
	return l
}

// renderNewsroom executes a newsroom page into a buffer, then writes it.
// Newsroom pages are private: never stored by a cache, never indexed.
func (s *Server) renderNewsroom(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	t, ok := s.newsroom.pages[page]
	if !ok {
		s.serveError(w, r, fmt.Errorf("no newsroom template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.serveError(w, r, fmt.Errorf("render newsroom %s: %w", page, err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// newsroomErrorPage is the data of the newsroom's error page.
type newsroomErrorPage struct {
	newsroomLayout
	Status  int
	Message string
}

// newsroomError answers with the newsroom's page for err's kind. Internal
// errors are logged in full; the user sees only the safe message.
func (s *Server) newsroomError(w http.ResponseWriter, r *http.Request, u *byline.User, err error) {
	status := statusOf(byline.ErrorKind(err))
	if status == http.StatusInternalServerError {
		s.logFailure(r, "newsroom request failed", err)
	}
	if clientGone(r) {
		return
	}
	l := s.newNewsroomLayout(r, u, http.StatusText(status), "")
	s.renderNewsroom(w, r, status, "error", newsroomErrorPage{newsroomLayout: l, Status: status, Message: byline.ErrorMessage(err)})
}

// forbidden is the error for an action the user's role does not allow.
func forbidden(what string) error {
	return byline.Errorf(byline.Forbidden, "Your role does not allow you to %s.", what)
}

// userHandler is a newsroom handler that runs for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, u *byline.User)

// signedIn runs h for the user the session cookie names, or sends the
// browser to the sign-in page, coming back here afterwards.
func (s *Server) signedIn(h userHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u, err := s.currentUser(r)
		if err != nil {
			if byline.ErrorKind(err) != byline.Unauthorized {
				s.serveError(w, r, err)
				return
			}
			next := r.URL.Path
			if r.Method != http.MethodGet {
				next = "/newsroom/"
			} else if r.URL.RawQuery != "" {
				next += "?" + r.URL.RawQuery
			}
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, "/newsroom/sign-in?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		h(w, r, u)
	}
}

// redirectDone sends the browser to path, asking it to say what was done.
func redirectDone(w http.ResponseWriter, r *http.Request, path, done string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"done="+done, http.StatusSeeOther)
}

// pathID reads a numeric path value; anything else is not found.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, byline.Errorf(byline.NotFound, "There is nothing at this address.")
	}
	return id, nil
}

// maxFormBytes bounds a newsroom form: an article body at its largest, and
// the rest of the fields.
const maxFormBytes = byline.MaxBodyBytes + 64<<10

// parseForm reads a urlencoded newsroom form, within maxFormBytes.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return byline.Errorf(byline.Invalid, "The form could not be read (is it larger than %d MB?).", maxFormBytes>>20)
	}
	return nil
}
