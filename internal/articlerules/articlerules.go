// Package articlerules is what every store does to an article before it
// writes one, whatever its database, so that the rules are written once
// and each store keeps only its SQL.
package articlerules

import (
	"fmt"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/markdown"
)

// Prepare validates a, gives it its default status, renders its body with
// md and truncates its publication time to precision, the finest time the
// store keeps. Stores call it before their transaction starts, so that
// locks are held only for the writes.
func Prepare(a *byline.Article, md *markdown.Renderer, precision time.Duration) error {
	if a.Status == "" {
		a.Status = byline.Draft
	}
	if err := a.Validate(); err != nil {
		return err
	}
	// Validate checked UTF-8 and the sanitizer drops control characters,
	// so the HTML and text hold no NUL, which PostgreSQL text refuses.
	r, err := md.Render(a.Body)
	if err != nil {
		return fmt.Errorf("render body: %w", err)
	}
	a.BodyHTML, a.BodyText = r.HTML, r.Text
	a.PublishedAt = a.PublishedAt.UTC().Truncate(precision)
	return nil
}
