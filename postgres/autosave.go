package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.AutosaveService = (*AutosaveService)(nil)

// AutosaveService implements byline.AutosaveService on PostgreSQL.
type AutosaveService struct {
	db *DB
}

// NewAutosaveService returns the autosave service of db.
func NewAutosaveService(db *DB) *AutosaveService { return &AutosaveService{db: db} }

// Save replaces the user's autosave of the article with as.
func (s *AutosaveService) Save(ctx context.Context, as *byline.Autosave) error {
	if err := as.Validate(); err != nil {
		return err
	}
	fields := as.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	// One row per article and user: the partial unique indexes tell a
	// new article's autosave (no article yet) from an article's. The
	// upsert keeps two autosaves at once from colliding at READ COMMITTED.
	upsert := `INSERT INTO autosaves (article_id, user_id, base_version, fields, saved_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (article_id, user_id) WHERE article_id IS NOT NULL DO UPDATE
		SET base_version = excluded.base_version, fields = excluded.fields, saved_at = excluded.saved_at`
	if as.ArticleID == 0 {
		upsert = `INSERT INTO autosaves (article_id, user_id, base_version, fields, saved_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) WHERE article_id IS NULL DO UPDATE
		SET base_version = excluded.base_version, fields = excluded.fields, saved_at = excluded.saved_at`
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		var user, article bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE id = $1), EXISTS (SELECT 1 FROM articles WHERE id = $2)`,
			as.UserID, as.ArticleID).Scan(&user, &article)
		if err != nil {
			return fmt.Errorf("find autosave's article %d: %w", as.ArticleID, err)
		}
		if !user {
			return byline.Errorf(byline.NotFound, "No user with ID %d.", as.UserID)
		}
		if as.ArticleID != 0 && !article {
			return byline.Errorf(byline.NotFound, "No article with ID %d: it was deleted.", as.ArticleID)
		}
		now := s.db.now()
		// pgx encodes the map as JSON for the jsonb column.
		if _, err := tx.Exec(ctx, upsert, nullID(as.ArticleID), as.UserID, as.BaseVersion, fields, now); err != nil {
			if isForeignKeyViolation(err) {
				// Deleted between the check and the write.
				return byline.Errorf(byline.NotFound, "No article with ID %d: it was deleted.", as.ArticleID)
			}
			return fmt.Errorf("autosave article %d: %w", as.ArticleID, err)
		}
		as.SavedAt = now
		return nil
	})
}

// Find returns the user's autosave of the article.
func (s *AutosaveService) Find(ctx context.Context, userID, articleID int64) (*byline.Autosave, error) {
	as := byline.Autosave{ArticleID: articleID, UserID: userID}
	err := s.db.pool.QueryRow(ctx, `SELECT base_version, fields, saved_at FROM autosaves
		WHERE user_id = $1 AND article_id IS NOT DISTINCT FROM $2`, userID, nullID(articleID)).Scan(&as.BaseVersion, &as.Fields, &as.SavedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "There is no autosaved text of this article.")
	} else if err != nil {
		return nil, fmt.Errorf("find autosave of article %d: %w", articleID, err)
	}
	as.SavedAt = as.SavedAt.UTC()
	return &as, nil
}

// Delete removes the user's autosave of the article.
func (s *AutosaveService) Delete(ctx context.Context, userID, articleID int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error { return deleteAutosave(ctx, tx, userID, articleID) })
}

// deleteAutosave removes the user's autosave of the article (0: of a new
// article) in tx, as saving the article does.
func deleteAutosave(ctx context.Context, tx pgx.Tx, userID, articleID int64) error {
	if userID == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `DELETE FROM autosaves WHERE user_id = $1 AND article_id IS NOT DISTINCT FROM $2`, userID, nullID(articleID)); err != nil {
		return fmt.Errorf("delete autosave of article %d: %w", articleID, err)
	}
	return nil
}
