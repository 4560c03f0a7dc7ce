package web

import (
	"fmt"
	"net/http"
)

// healthz answers 200 "ok" while the database answers.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if s.Health != nil {
		if err := s.Health(r.Context()); err != nil {
			s.logFailure(r, "health check failed", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
	}
	fmt.Fprintln(w, "ok")
}
