package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bylinenews/byline"
)

// settingsPage is the data of the settings form.
type settingsPage struct {
	newsroomLayout
	Settings        *byline.Settings
	Defaults        siteConfig // what applies where a field is left empty
	HasSMTPPassword bool
	CanTestEmail    bool
	Zones           []string // IANA names to suggest, where the system lists them
}

// settingsReady checks that the site keeps settings and that u may change
// them.
func (s *Server) settingsReady(w http.ResponseWriter, r *http.Request, u *byline.User) bool {
	if s.Settings == nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.NotFound, "This site keeps no settings."))
		return false
	}
	if !u.CanManageSettings() {
		s.newsroomError(w, r, u, forbidden("change the site's settings"))
		return false
	}
	return true
}

// showSettings serves the settings form to admins.
func (s *Server) showSettings(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.settingsReady(w, r, u) {
		return
	}
	st, err := s.Settings.Settings(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.renderSettings(w, r, u, http.StatusOK, st, "")
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, u *byline.User, status int, st *byline.Settings, problem string) {
	s.renderSettingsWith(w, r, u, status, st, "", problem)
}

// renderSettingsWith shows the settings form with a notice or a problem.
func (s *Server) renderSettingsWith(w http.ResponseWriter, r *http.Request, u *byline.User, status int, st *byline.Settings, notice, problem string) {
	l := s.newNewsroomLayout(r, u, "Settings", "settings")
	l.Error = problem
	if notice != "" {
		l.Notice = notice
	}
	page := settingsPage{newsroomLayout: l, Settings: st, HasSMTPPassword: st.SMTP.Password != "", CanTestEmail: s.Email != nil,
		Defaults: s.defaultSiteConfig(), Zones: zoneNames()}
	s.renderNewsroom(w, r, status, "settings", page)
}

// saveSettings stores the settings form. Empty fields fall back to the
// command line's values; the SMTP password is kept unless a new one is
// typed or "clear" is ticked, so it never has to travel back to the page.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.settingsReady(w, r, u) {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	old, err := s.Settings.Settings(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	st := &byline.Settings{
		Title: f.Get("title"), Tagline: f.Get("tagline"), Description: f.Get("description"),
		LogoURL: strings.TrimSpace(f.Get("logo_url")), AccentColor: strings.TrimSpace(f.Get("accent_color")),
		FooterText: f.Get("footer_text"), Language: strings.TrimSpace(f.Get("language")), TimeZone: strings.TrimSpace(f.Get("time_zone")),
		ContactRecipients: splitAddresses(f.Get("contact_recipients")),
		SMTP: byline.SMTPSettings{Host: f.Get("smtp_host"), Security: f.Get("smtp_security"),
			Username: f.Get("smtp_username"), From: f.Get("smtp_from"), Password: old.SMTP.Password},
	}
	var problems []string
	num := func(name, label string) int {
		v := strings.TrimSpace(f.Get(name))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			problems = append(problems, label+" must be a whole number above zero.")
		}
		return n
	}
	st.PostsPerPage = num("posts_per_page", "Posts per page")
	st.RecentCount = num("recent_count", "The Recent Posts count")
	st.SMTP.Port = num("smtp_port", "The SMTP port")
	if pw := f.Get("smtp_password"); pw != "" {
		st.SMTP.Password = pw
	} else if f.Get("smtp_password_clear") != "" {
		st.SMTP.Password = ""
	}
	if len(problems) > 0 {
		s.renderSettings(w, r, u, http.StatusBadRequest, st, strings.Join(problems, " "))
		return
	}
	if err := s.Settings.UpdateSettings(r.Context(), st); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			s.renderSettings(w, r, u, http.StatusBadRequest, st, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("settings changed", "user_id", u.ID)
	redirectDone(w, r, "/newsroom/settings", "settings")
}

// splitAddresses splits a list of addresses on commas, semicolons and line
// breaks.
func splitAddresses(s string) []string {
	var out []string
	for _, a := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' }) {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}
