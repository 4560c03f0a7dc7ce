package web

import (
	"bytes"
	"log/slog"
	"net/http"

	"github.com/bylinenews/byline"
)

// statusOf maps a domain error kind to an HTTP status: the only such map.
func statusOf(kind string) int {
	switch kind {
	case byline.Invalid:
		return http.StatusBadRequest
	case byline.NotFound:
		return http.StatusNotFound
	case byline.Conflict:
		return http.StatusConflict
	case byline.Unauthorized:
		return http.StatusUnauthorized
	case byline.Forbidden:
		return http.StatusForbidden
	case byline.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// errorPage is the data of the error and not-found pages.
type errorPage struct {
	layout
	Status  int
	Message string
}

// statusClientClosed is what the access log records for a request whose
// client hung up before its answer: nginx's 499, "client closed request".
// It is never sent (there is nobody to send it to).
const statusClientClosed = 499

// clientGone reports whether the client of r has hung up: the server ends
// the request's context when its connection closes. A service call that
// fails after that failed because of it, which is the client's doing: no
// 5xx, no error for an operator, and no page, since nobody would read it.
func clientGone(r *http.Request) bool { return r.Context().Err() != nil }

// logFailure logs a failure in serving r at error level, for an operator
// to act on, unless the client had hung up: then at debug level, for
// developers, since the access log already counts it as the client's.
func (s *Server) logFailure(r *http.Request, msg string, err error) {
	level := slog.LevelError
	if clientGone(r) {
		level = slog.LevelDebug
	}
	s.Logger.LogAttrs(r.Context(), level, msg, slog.Any("error", err), slog.String("request_id", requestID(r.Context())),
		slog.String("path", r.URL.Path))
}

// serveError answers with the page for err's kind. Internal errors are logged
// in full with the request ID; the reader sees only the safe message. A
// client that has hung up gets nothing.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	kind := byline.ErrorKind(err)
	status := statusOf(kind)
	if status == http.StatusInternalServerError {
		s.logFailure(r, "request failed", err)
	}
	if clientGone(r) {
		return
	}
	if status == http.StatusNotFound {
		s.renderNotFound(w, r, byline.ErrorMessage(err))
		return
	}
	page := errorPage{layout: s.bareLayout(r, http.StatusText(status)), Status: status, Message: byline.ErrorMessage(err)}
	t := s.templates.pages["error"]
	var buf bytes.Buffer
	if t == nil || t.ExecuteTemplate(&buf, "layout", page) != nil {
		http.Error(w, page.Message, status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// notFound is the page for any URL the site does not have.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.renderNotFound(w, r, "There is no page at this address.")
}

// renderNotFound helps a lost reader: a search box and the Recent Posts.
func (s *Server) renderNotFound(w http.ResponseWriter, r *http.Request, message string) {
	l, _ := s.newLayout(r, "Page not found", 0) // without Recent Posts if they cannot be read
	s.render(w, r, http.StatusNotFound, "notfound", errorPage{layout: l, Status: http.StatusNotFound, Message: message})
}
