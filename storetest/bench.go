package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// BenchFindSession measures what every newsroom request costs before its
// handler runs: finding the session and its user. In "read and touch" the
// clock moves an hour a time, so every call also writes the last use.
func BenchFindSession(b *testing.B, open Opener) {
	for _, tt := range []struct {
		name string
		step time.Duration
	}{{"read", 0}, {"read and touch", time.Hour}} {
		b.Run(tt.name, func(b *testing.B) {
			start := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
			clock := &Clock{}
			clock.Set(start)
			s := open(b, clock.Now)
			u := &byline.User{Email: "ed@example.com", Name: "Ed", Role: byline.RoleEditor}
			if err := s.Users.CreateUser(b.Context(), u, "correct horse battery"); err != nil {
				b.Fatal(err)
			}
			token, _, err := s.Sessions.CreateSession(b.Context(), u.ID)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				// Within the idle expiry, and never past the lifetime: back
				// to the start every few days.
				clock.Advance(tt.step)
				if clock.Now().Sub(start) > 5*24*time.Hour {
					b.StopTimer()
					clock.Set(start)
					if token, _, err = s.Sessions.CreateSession(b.Context(), u.ID); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if _, _, err := s.Sessions.FindSession(b.Context(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchUpdateArticle measures an editor's save: render the Markdown, check
// the version, write the article, its search index and a revision, in one
// transaction.
func BenchUpdateArticle(b *testing.B, open Opener) {
	s := open(b, time.Now)
	a := &byline.Article{Headline: "Talks resume in Geneva", Body: "First draft.",
		Authors: []byline.Author{{Name: "Jane Doe"}}, Tags: []byline.Tag{{Name: "Syria"}}}
	if err := s.Desk.CreateArticle(b.Context(), a, 0); err != nil {
		b.Fatal(err)
	}
	version := a.Version
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf("Draft %d.\n\n> A pull quote.\n\nThe talks in Geneva went on for %d hours.", i, i)
		saved, err := s.Desk.UpdateArticle(b.Context(), a.ID, byline.ArticleUpdate{Body: &body}, version, 0)
		if err != nil {
			b.Fatal(err)
		}
		version = saved.Version
	}
}
