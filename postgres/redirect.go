package postgres

import (
	"context"
	"fmt"

	"github.com/bylinenews/byline"
)

// FindRedirect returns the visible article that the old address path leads to.
func (s *ArticleService) FindRedirect(ctx context.Context, path string) (*byline.Article, error) {
	row := s.db.pool.QueryRow(ctx, `SELECT `+articleColumns+` FROM redirects r
		JOIN articles a ON a.id = r.article_id WHERE r.path = $1 AND a.live_at <= $2`, path, s.db.now())
	return s.findOne(ctx, row, "Nothing was ever at %q.", path)
}

// addOldPaths makes each of paths lead to a. A path another article had is
// taken over: the later import wins. The article's own permalink is never a
// redirect.
func addOldPaths(ctx context.Context, w *writer, a *byline.Article, paths []string) error {
	for _, p := range paths {
		p = byline.RedirectPath(p)
		if p == "" || p == a.URL() {
			continue
		}
		_, err := w.Exec(ctx, `INSERT INTO redirects (path, article_id) VALUES ($1, $2)
			ON CONFLICT (path) DO UPDATE SET article_id = excluded.article_id`, p, a.ID)
		if err != nil {
			return fmt.Errorf("save old path %q: %w", p, err)
		}
	}
	return nil
}

// attachOldPaths loads the old paths of the records' articles.
func attachOldPaths(ctx context.Context, q rowsQuerier, records []*byline.ArticleRecord) error {
	if len(records) == 0 {
		return nil
	}
	byID := make(map[int64]*byline.ArticleRecord, len(records))
	ids := make([]int64, len(records))
	for i, rec := range records {
		byID[rec.Article.ID] = rec
		ids[i] = rec.Article.ID
	}
	rows, err := q.Query(ctx, `SELECT article_id, path FROM redirects
		WHERE article_id = ANY($1) ORDER BY article_id, path COLLATE "C"`, ids)
	if err != nil {
		return fmt.Errorf("load old paths: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id   int64
			path string
		)
		if err := rows.Scan(&id, &path); err != nil {
			return fmt.Errorf("scan old path: %w", err)
		}
		byID[id].OldPaths = append(byID[id].OldPaths, path)
	}
	return rows.Err()
}
