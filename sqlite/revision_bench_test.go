package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

// BenchmarkDeskService_UpdateArticle measures an editor's save: render the
// Markdown, check the version, write the article, its search index and a
// revision, in one transaction.
func BenchmarkDeskService_UpdateArticle(b *testing.B) {
	db := dbtest.OpenSQLite(b)
	desk := sqlite.NewDeskService(db)
	a := &byline.Article{Headline: "Talks resume in Geneva", Body: "First draft.",
		Authors: []byline.Author{{Name: "Jane Doe"}}, Tags: []byline.Tag{{Name: "Syria"}}}
	if err := desk.CreateArticle(b.Context(), a, 0); err != nil {
		b.Fatal(err)
	}
	version := a.Version
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf("Draft %d.\n\n> A pull quote.\n\nThe talks in Geneva went on for %d hours.", i, i)
		saved, err := desk.UpdateArticle(b.Context(), a.ID, byline.ArticleUpdate{Body: &body}, version, 0)
		if err != nil {
			b.Fatal(err)
		}
		version = saved.Version
	}
}
