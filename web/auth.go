package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// sessionCookie holds the session token. It is sent only to /newsroom/, so
// the public pages, the same for every reader, never see it.
const sessionCookie = "byline_session"

// SignInPolicy sets the sign-in limits: attempts, successful or not, per
// account and per client address in a window. An account under attack
// from many addresses is still protected; an address guessing many
// accounts is too. The zero value is the defaults.
type SignInPolicy struct {
	PerAccount Rate // attempts per account; DefaultSignInPerAccount if zero
	PerIP      Rate // attempts per client address, any accounts; DefaultSignInPerIP if zero
}

// Defaults for SignInPolicy's zero fields. An office whose editors share
// one address signs in well under 30 in a quarter of an hour; a script
// spraying passwords over many accounts is stopped at the 31st.
var (
	DefaultSignInPerAccount = Rate{Limit: 10, Window: 15 * time.Minute}
	DefaultSignInPerIP      = Rate{Limit: 30, Window: 15 * time.Minute}
)

func (p *SignInPolicy) perAccount() Rate { return rateOr(p.PerAccount, DefaultSignInPerAccount) }
func (p *SignInPolicy) perIP() Rate      { return rateOr(p.PerIP, DefaultSignInPerIP) }

// currentUser returns the user whose session the request's cookie names.
func (s *Server) currentUser(r *http.Request) (*byline.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, byline.Errorf(byline.Unauthorized, "Please sign in.")
	}
	_, u, err := s.Sessions.FindSession(r.Context(), c.Value)
	return u, err
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    token,
		Path:     "/newsroom/",
		MaxAge:   int(byline.SessionLifetime / time.Second),
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/newsroom/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// startSession starts a new session for u and sets its cookie, ending the
// session the browser had, if any: a token known before sign-in (planted
// by someone else, say) is worth nothing after it.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *byline.User) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	token, _, err := s.Sessions.CreateSession(r.Context(), u.ID)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, token)
	return nil
}

// signInPage is the data of the sign-in form.
type signInPage struct {
	newsroomLayout
	Email    string
	Next     string
	FirstRun bool // no user exists yet: say how to make one
}

// showSignIn serves the sign-in form.
func (s *Server) showSignIn(w http.ResponseWriter, r *http.Request) {
	if u, err := s.currentUser(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		_ = u
		return
	}
	s.renderSignIn(w, r, http.StatusOK, "", "")
}

func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, email, problem string) {
	l := s.newNewsroomLayout(r, nil, "Sign in", "")
	l.Error = problem
	page := signInPage{newsroomLayout: l, Email: email, Next: safeNext(r.FormValue("next"))}
	if n, err := s.Users.CountUsers(r.Context()); err == nil && n == 0 {
		page.FirstRun = true
	}
	s.renderNewsroom(w, r, status, "sign_in", page)
}

// safeNext keeps a post-sign-in redirect inside the newsroom.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/newsroom/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/newsroom/"
	}
	return next
}

// signIn checks the email and password, within the limits per account
// and per client, and starts a new session.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.renderSignIn(w, r, http.StatusBadRequest, "", "The form could not be read.")
		return
	}
	email := byline.NormalizeEmail(r.PostForm.Get("email"))
	password := r.PostForm.Get("password")
	if email == "" || password == "" {
		s.renderSignIn(w, r, http.StatusBadRequest, email, "Please give your email address and password.")
		return
	}
	client := s.clientKey(r)
	if ok, retry := s.allow(w, r, "signin:ip:"+client, s.SignIn.perIP()); !ok {
		s.Logger.Warn("sign-in throttled", "limit", "client", "client", client)
		s.renderSignIn(w, r, http.StatusTooManyRequests, email,
			"Too many sign-in attempts from your network. Please wait "+inWords(retry)+" and try again.")
		return
	}
	if ok, retry := s.allow(w, r, "signin:account:"+email, s.SignIn.perAccount()); !ok {
		s.Logger.Warn("sign-in throttled", "limit", "account", "client", client)
		s.renderSignIn(w, r, http.StatusTooManyRequests, email,
			"Too many sign-in attempts for this account. Please wait "+inWords(retry)+" and try again.")
		return
	}
	u, err := s.Users.Authenticate(r.Context(), email, password)
	if err != nil {
		if byline.ErrorKind(err) == byline.Unauthorized {
			s.Logger.Info("sign-in failed", "client", client)
			s.renderSignIn(w, r, http.StatusUnauthorized, email, byline.ErrorMessage(err))
			return
		}
		s.serveError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.Logger.Info("signed in", "user_id", u.ID, "client", client)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

// signOut ends the session and forgets the cookie.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w, r)
	redirectDone(w, r, "/newsroom/sign-in", "signed-out")
}

// accountPage is the data of the user's own account page.
type accountPage struct {
	newsroomLayout
}

// showAccount serves the form to change one's own password.
func (s *Server) showAccount(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.renderNewsroom(w, r, http.StatusOK, "account", accountPage{s.newNewsroomLayout(r, u, "Your account", "account")})
}

// changePassword sets a new password for the signed-in user after checking
// the current one. Every session of the account ends; this browser gets a
// new one.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, u *byline.User) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.newsroomError(w, r, u, byline.Errorf(byline.Invalid, "The form could not be read."))
		return
	}
	fail := func(status int, msg string) {
		l := s.newNewsroomLayout(r, u, "Your account", "account")
		l.Error = msg
		s.renderNewsroom(w, r, status, "account", accountPage{l})
	}
	if ok, retry := s.allow(w, r, "signin:account:"+u.Email, s.SignIn.perAccount()); !ok {
		fail(http.StatusTooManyRequests, "Too many password attempts for this account. Please wait "+inWords(retry)+" and try again.")
		return
	}
	if _, err := s.Users.Authenticate(r.Context(), u.Email, r.PostForm.Get("current")); err != nil {
		if byline.ErrorKind(err) == byline.Unauthorized {
			fail(http.StatusUnauthorized, "Your current password is not right.")
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	next := r.PostForm.Get("new")
	if next != r.PostForm.Get("confirm") {
		fail(http.StatusBadRequest, "The new password and its confirmation differ.")
		return
	}
	if err := s.Users.SetPassword(r.Context(), u.ID, next); err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			fail(http.StatusBadRequest, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	if err := s.startSession(w, r, u); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("password changed", slog.Int64("user_id", u.ID))
	redirectDone(w, r, "/newsroom/account", "password")
}
