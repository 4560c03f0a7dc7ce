package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/bylinenews/byline"
)

// FindAuthors returns the authors the editor's picker suggests for f.
func (s *DeskService) FindAuthors(ctx context.Context, f byline.NameFilter) ([]byline.Author, error) {
	var out []byline.Author
	err := s.findNames(ctx, "authors", "article_authors", "author_id", f, func(id int64, slug, name string) {
		out = append(out, byline.Author{ID: id, Slug: slug, Name: name})
	})
	return out, err
}

// FindTags returns the tags the editor's picker suggests for f.
func (s *DeskService) FindTags(ctx context.Context, f byline.NameFilter) ([]byline.Tag, error) {
	var out []byline.Tag
	err := s.findNames(ctx, "tags", "article_tags", "tag_id", f, func(id int64, slug, name string) {
		out = append(out, byline.Tag{ID: id, Slug: slug, Name: name})
	})
	return out, err
}

// findNames runs the pickers' query on table, counting credits in links by
// column; the three are constants of the callers, never input. A name
// matches by its start (LIKE ignores ASCII case) or by its slug, which
// folds accents and case: the query's slug starting the slug or one of its
// words.
func (s *DeskService) findNames(ctx context.Context, table, links, column string, f byline.NameFilter, each func(id int64, slug, name string)) error {
	q := strings.TrimSpace(f.Query)
	var (
		where string
		args  []any
	)
	if q != "" {
		where = ` WHERE n.name LIKE ? ESCAPE '\'`
		args = append(args, escapeLike(q)+"%")
		if sq := byline.Slugify(q); sq != "" {
			where += ` OR n.slug LIKE ? ESCAPE '\' OR n.slug LIKE ? ESCAPE '\'`
			args = append(args, escapeLike(sq)+"%", "%-"+escapeLike(sq)+"%")
		}
	}
	args = append(args, f.NameLimit())
	rows, err := s.db.read.QueryContext(ctx, `SELECT n.id, n.slug, n.name FROM `+table+` n`+where+`
		ORDER BY (SELECT count(*) FROM `+links+` l WHERE l.`+column+` = n.id) DESC, n.slug, n.id
		LIMIT ?`, args...)
	if err != nil {
		return fmt.Errorf("find %s like %q: %w", table, q, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id         int64
			slug, name string
		)
		if err := rows.Scan(&id, &slug, &name); err != nil {
			return fmt.Errorf("scan %s: %w", table, err)
		}
		each(id, slug, name)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find %s like %q: %w", table, q, err)
	}
	return nil
}

// escapeLike makes s a literal inside a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
