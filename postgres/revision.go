package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

// revisionName is how a revision keeps an author or tag: by slug and name,
// so restoring it finds the same one (or makes it again if it was removed).
// The JSON is the same as on SQLite.
type revisionName struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func authorNames(authors []byline.Author) []revisionName {
	names := make([]revisionName, 0, len(authors))
	for _, au := range authors {
		names = append(names, revisionName{au.Slug, au.Name})
	}
	return names
}

func tagNames(tags []byline.Tag) []revisionName {
	names := make([]revisionName, 0, len(tags))
	for _, t := range tags {
		names = append(names, revisionName{t.Slug, t.Name})
	}
	return names
}

// insertRevision records a as saved by the user by at now.
func insertRevision(ctx context.Context, tx pgx.Tx, a *byline.Article, by int64, now time.Time) error {
	// pgx encodes the name lists as JSON for the jsonb columns.
	_, err := tx.Exec(ctx, `INSERT INTO article_revisions (article_id, version, headline, dek, slug, body,
		feature_image_url, authors, tags, status, published_at, user_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		a.ID, a.Version, a.Headline, a.Dek, a.Slug, a.Body, a.FeatureImageURL,
		authorNames(a.Authors), tagNames(a.Tags), string(a.Status), nullTime(a.PublishedAt), nullID(by), now)
	if err != nil {
		return fmt.Errorf("insert revision of article %d: %w", a.ID, err)
	}
	return nil
}

const revisionColumns = `r.id, r.article_id, r.version, r.headline, r.dek, r.slug, %s, r.feature_image_url,
	r.authors, r.tags, r.status, r.published_at, coalesce(r.user_id, 0), coalesce(u.name, ''), r.created_at`

func scanRevision(row pgx.Row) (*byline.Revision, error) {
	var (
		r             byline.Revision
		authors, tags []revisionName
		status        string
		published     *time.Time
	)
	err := row.Scan(&r.ID, &r.ArticleID, &r.Version, &r.Headline, &r.Dek, &r.Slug, &r.Body, &r.FeatureImageURL,
		&authors, &tags, &status, &published, &r.UserID, &r.UserName, &r.CreatedAt)
	if err != nil {
		return nil, err
	}
	r.Status, r.PublishedAt, r.CreatedAt = byline.Status(status), utc(published), r.CreatedAt.UTC()
	for _, n := range authors {
		r.Authors = append(r.Authors, byline.Author{Slug: n.Slug, Name: n.Name})
	}
	for _, n := range tags {
		r.Tags = append(r.Tags, byline.Tag{Slug: n.Slug, Name: n.Name})
	}
	return &r, nil
}

// Revisions returns the article's revisions, newest first, without bodies.
func (s *DeskService) Revisions(ctx context.Context, articleID int64) ([]*byline.Revision, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+fmt.Sprintf(revisionColumns, `''`)+`
		FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.article_id = $1 ORDER BY r.id DESC`, articleID)
	if err != nil {
		return nil, fmt.Errorf("find revisions of article %d: %w", articleID, err)
	}
	defer rows.Close()
	var revs []*byline.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("scan revision: %w", err)
		}
		revs = append(revs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find revisions of article %d: %w", articleID, err)
	}
	return revs, nil
}

// FindRevision returns one revision of the article, with its body.
func (s *DeskService) FindRevision(ctx context.Context, articleID, revisionID int64) (*byline.Revision, error) {
	r, err := scanRevision(s.db.pool.QueryRow(ctx, `SELECT `+fmt.Sprintf(revisionColumns, `r.body`)+`
		FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.article_id = $1 AND r.id = $2`, articleID, revisionID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "Article %d has no revision %d.", articleID, revisionID)
	} else if err != nil {
		return nil, fmt.Errorf("find revision %d: %w", revisionID, err)
	}
	return r, nil
}
