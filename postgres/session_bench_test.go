package postgres_test

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/postgres"
)

// BenchmarkSessionService_FindSession measures what every newsroom request
// costs before its handler runs: finding the session and its user. The
// clock moves an hour a time, so every call also writes the last use.
func BenchmarkSessionService_FindSession(b *testing.B) {
	for _, tt := range []struct {
		name string
		step time.Duration
	}{{"read", 0}, {"read and touch", time.Hour}} {
		b.Run(tt.name, func(b *testing.B) {
			db := dbtest.OpenPostgres(b)
			now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			users, sessions := postgres.NewUserService(db), postgres.NewSessionService(db)
			u := &byline.User{Email: "ed@example.com", Name: "Ed", Role: byline.RoleEditor}
			if err := users.CreateUser(b.Context(), u, "correct horse battery"); err != nil {
				b.Fatal(err)
			}
			token, _, err := sessions.CreateSession(b.Context(), u.ID)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				// Within the idle expiry, and never past the lifetime: back
				// to the start every few days.
				now = now.Add(tt.step)
				if now.Sub(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)) > 5*24*time.Hour {
					b.StopTimer()
					now = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
					if token, _, err = sessions.CreateSession(b.Context(), u.ID); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if _, _, err := sessions.FindSession(b.Context(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
