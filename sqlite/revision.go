package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bylinenews/byline"
)

// revisionName is how a revision keeps an author or tag: by slug and name,
// so restoring it finds the same one (or makes it again if it was removed).
type revisionName struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

func encodeNames[T byline.Author | byline.Tag](items []T) string {
	names := make([]revisionName, 0, len(items))
	for _, it := range items {
		switch v := any(it).(type) {
		case byline.Author:
			names = append(names, revisionName{v.Slug, v.Name})
		case byline.Tag:
			names = append(names, revisionName{v.Slug, v.Name})
		}
	}
	b, _ := json.Marshal(names) // strings only: cannot fail
	return string(b)
}

func decodeNames(s string) ([]revisionName, error) {
	var names []revisionName
	if err := json.Unmarshal([]byte(s), &names); err != nil {
		return nil, fmt.Errorf("decode revision names: %w", err)
	}
	return names, nil
}

// insertRevision records a as saved by the user by at now.
func insertRevision(ctx context.Context, tx *sql.Tx, a *byline.Article, by int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO article_revisions (article_id, version, headline, dek, slug, body,
		feature_image_url, authors, tags, status, published_at, user_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Version, a.Headline, a.Dek, a.Slug, a.Body, a.FeatureImageURL,
		encodeNames(a.Authors), encodeNames(a.Tags), string(a.Status), millis(a.PublishedAt), nullID(by), now.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert revision of article %d: %w", a.ID, err)
	}
	return nil
}

const revisionColumns = `r.id, r.article_id, r.version, r.headline, r.dek, r.slug, %s, r.feature_image_url,
	r.authors, r.tags, r.status, r.published_at, r.user_id, coalesce(u.name, ''), r.created_at`

func scanRevision(row rowScanner) (*byline.Revision, error) {
	var (
		r               byline.Revision
		authors, tags   string
		status          string
		published, user sql.NullInt64
		created         int64
	)
	err := row.Scan(&r.ID, &r.ArticleID, &r.Version, &r.Headline, &r.Dek, &r.Slug, &r.Body, &r.FeatureImageURL,
		&authors, &tags, &status, &published, &user, &r.UserName, &created)
	if err != nil {
		return nil, err
	}
	r.Status, r.PublishedAt, r.UserID, r.CreatedAt = byline.Status(status), fromMillis(published), user.Int64, time.UnixMilli(created).UTC()
	an, err := decodeNames(authors)
	if err != nil {
		return nil, err
	}
	for _, n := range an {
		r.Authors = append(r.Authors, byline.Author{Slug: n.Slug, Name: n.Name})
	}
	tn, err := decodeNames(tags)
	if err != nil {
		return nil, err
	}
	for _, n := range tn {
		r.Tags = append(r.Tags, byline.Tag{Slug: n.Slug, Name: n.Name})
	}
	return &r, nil
}

// Revisions returns the article's revisions, newest first, without bodies.
func (s *DeskService) Revisions(ctx context.Context, articleID int64) ([]*byline.Revision, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+fmt.Sprintf(revisionColumns, `''`)+`
		FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.article_id = ? ORDER BY r.id DESC`, articleID)
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
	r, err := scanRevision(s.db.read.QueryRowContext(ctx, `SELECT `+fmt.Sprintf(revisionColumns, `r.body`)+`
		FROM article_revisions r LEFT JOIN users u ON u.id = r.user_id
		WHERE r.article_id = ? AND r.id = ?`, articleID, revisionID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "Article %d has no revision %d.", articleID, revisionID)
	} else if err != nil {
		return nil, fmt.Errorf("find revision %d: %w", revisionID, err)
	}
	return r, nil
}
