package web

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

// The widget on every page is the same HTML for every reader, so that pages
// can be cached; it cannot carry a challenge. It gets one lazily:
//
//   - With JavaScript, contact.js asks POST /captcha for a challenge when
//     the reader starts on the form, and puts its ID in the form and its
//     image and audio URLs in the page.
//   - Without, a <noscript> image, GET /captcha/widget.png, issues a
//     challenge and puts its ID in a short-lived cookie (HttpOnly,
//     SameSite=Strict) that the form's POST carries; the audio link,
//     GET /captcha/widget.wav, reads the same cookie.
//
// Either way, showing a page writes nothing: only a reader who starts
// writing (or whose browser loads the no-script image) costs a challenge.
// If the cookie's challenge is not the image's (two tabs), the answer is
// wrong, and the form comes back on /contact with new characters and the
// text kept.

// captchaCookie holds the ID of the no-script widget's challenge.
const captchaCookie = "byline_captcha"

// captchaView is what a page needs to show a challenge.
type captchaView struct {
	ID       string `json:"id"`
	ImageURL string `json:"image"`
	AudioURL string `json:"audio"`
}

func newCaptchaView(id string) *captchaView {
	return &captchaView{ID: id, ImageURL: "/captcha/" + id + ".png", AudioURL: "/captcha/" + id + ".wav"}
}

// captchaJSONReady checks that the site has a contact form and that the
// client may have another captcha; if not, it answers contact.js itself.
func (s *Server) captchaJSONReady(w http.ResponseWriter, r *http.Request) bool {
	if !s.contactReady(w, r) {
		return false
	}
	if ok, retry := s.allowCaptcha(w, r); !ok {
		s.captchaJSONError(w, r, http.StatusTooManyRequests, "Too many captchas were asked for from your network. Please try again in "+inWords(retry)+".")
		return false
	}
	return true
}

// issueCaptcha answers contact.js with a new challenge, as JSON.
func (s *Server) issueCaptcha(w http.ResponseWriter, r *http.Request) {
	if !s.captchaJSONReady(w, r) {
		return
	}
	c, err := s.Captcha.Issue(r.Context())
	if err != nil {
		s.logFailure(r, "captcha issue failed", err)
		s.captchaJSONError(w, r, http.StatusServiceUnavailable, "The captcha could not be made just now.")
		return
	}
	s.captchaJSON(w, newCaptchaView(c.ID))
}

// refreshCaptcha gives the challenge new characters, keeping its ID, for
// "Not readable? Change text." with JavaScript. An unknown, used or
// expired challenge is 404; contact.js then asks for a new one.
func (s *Server) refreshCaptcha(w http.ResponseWriter, r *http.Request) {
	if !s.captchaJSONReady(w, r) {
		return
	}
	id := r.PathValue("id")
	if err := s.Captcha.Refresh(r.Context(), id); err != nil {
		if byline.ErrorKind(err) == byline.NotFound {
			s.captchaJSONError(w, r, http.StatusNotFound, "This captcha has expired.")
			return
		}
		s.logFailure(r, "captcha refresh failed", err)
		s.captchaJSONError(w, r, http.StatusServiceUnavailable, "The captcha could not be changed just now.")
		return
	}
	v := newCaptchaView(id)
	// A new URL, so the browser fetches the new image rather than reuse.
	v.ImageURL += "?v=" + captchaVersion()
	v.AudioURL += "?v=" + captchaVersion()
	s.captchaJSON(w, v)
}

// serveCaptcha serves a challenge's image (ID.png) or audio (ID.wav).
func (s *Server) serveCaptcha(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	id, ext, ok := strings.Cut(r.PathValue("file"), ".")
	if !ok || id == "" || (ext != "png" && ext != "wav") {
		s.notFound(w, r)
		return
	}
	s.writeCaptcha(w, r, id, ext)
}

// serveWidgetCaptchaImage issues a challenge for the no-script widget,
// remembers it in a cookie and serves its image.
func (s *Server) serveWidgetCaptchaImage(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	s.issueWidgetCaptcha(w, r, "png")
}

// serveWidgetCaptchaAudio reads aloud the no-script widget's challenge. If
// the cookie's challenge is gone, it issues one: the listener answers what
// they hear, and the cookie then names that challenge.
func (s *Server) serveWidgetCaptchaAudio(w http.ResponseWriter, r *http.Request) {
	if !s.contactReady(w, r) {
		return
	}
	if ck, err := r.Cookie(captchaCookie); err == nil && ck.Value != "" {
		if _, err := s.Captcha.Store.FindChallenge(r.Context(), ck.Value); err == nil {
			s.writeCaptcha(w, r, ck.Value, "wav")
			return
		}
	}
	s.issueWidgetCaptcha(w, r, "wav")
}

// issueWidgetCaptcha issues the no-script widget a challenge, names it in
// the cookie, and serves its image (ext "png") or audio ("wav").
func (s *Server) issueWidgetCaptcha(w http.ResponseWriter, r *http.Request, ext string) {
	if ok, _ := s.allowCaptcha(w, r); !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "Too many captchas.", http.StatusTooManyRequests)
		return
	}
	c, err := s.Captcha.Issue(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.setCaptchaCookie(w, r, c)
	s.writeCaptcha(w, r, c.ID, ext)
}

// writeCaptcha renders into a buffer first, so an expired challenge is a
// clean 404 and never half an image.
func (s *Server) writeCaptcha(w http.ResponseWriter, r *http.Request, id, ext string) {
	var (
		buf bytes.Buffer
		err error
		ct  string
	)
	if ext == "png" {
		ct = "image/png"
		err = s.Captcha.WriteImage(r.Context(), &buf, id)
	} else {
		ct = "audio/wav"
		err = s.Captcha.WriteAudio(r.Context(), &buf, id, r.URL.Query().Get("lang"))
	}
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		if byline.ErrorKind(err) == byline.NotFound {
			http.Error(w, "This captcha has expired or was used. Ask for new characters.", http.StatusNotFound)
			return
		}
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Write(buf.Bytes())
}

func (s *Server) setCaptchaCookie(w http.ResponseWriter, r *http.Request, c *byline.Challenge) {
	http.SetCookie(w, &http.Cookie{
		Name:     captchaCookie,
		Value:    c.ID,
		Path:     "/",
		MaxAge:   max(int(c.ExpiresAt.Sub(c.CreatedAt)/time.Second), 1),
		HttpOnly: true,
		Secure:   s.secureCookies(r),
		SameSite: http.SameSiteStrictMode,
	})
}

// clearCaptchaCookie forgets the no-script widget's challenge once used.
func clearCaptchaCookie(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(captchaCookie); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: captchaCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func (s *Server) captchaJSON(w http.ResponseWriter, v *captchaView) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(v)
}

func (s *Server) captchaJSONError(w http.ResponseWriter, _ *http.Request, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": message})
}

// captchaVersion is a short random value, different each call.
func captchaVersion() string { return rand.Text()[:8] }

// allowCaptcha counts one captcha issued or changed for the client, against
// Contact.Captchas.
func (s *Server) allowCaptcha(w http.ResponseWriter, r *http.Request) (bool, time.Duration) {
	return s.allow(w, r, "captcha:ip:"+s.clientKey(r), s.Contact.captchas())
}

// captchaNow is the captcha's clock, which stamped the challenges.
func (s *Server) captchaNow() time.Time {
	if s.Captcha.Now != nil {
		return s.Captcha.Now()
	}
	return time.Now()
}
