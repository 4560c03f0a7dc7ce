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

var _ byline.AutosaveService = (*AutosaveService)(nil)

// AutosaveService implements byline.AutosaveService on SQLite.
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
	fields, err := json.Marshal(as.Fields)
	if err != nil {
		return fmt.Errorf("encode autosave fields: %w", err)
	}
	// One row per article and user: the partial unique indexes tell a
	// new article's autosave (no article yet) from an article's.
	upsert := `INSERT INTO autosaves (article_id, user_id, base_version, fields, saved_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (article_id, user_id) WHERE article_id IS NOT NULL DO UPDATE
		SET base_version = excluded.base_version, fields = excluded.fields, saved_at = excluded.saved_at`
	if as.ArticleID == 0 {
		upsert = `INSERT INTO autosaves (article_id, user_id, base_version, fields, saved_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) WHERE article_id IS NULL DO UPDATE
		SET base_version = excluded.base_version, fields = excluded.fields, saved_at = excluded.saved_at`
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var users, articles int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM users WHERE id = ?), (SELECT count(*) FROM articles WHERE id = ?)`,
			as.UserID, as.ArticleID).Scan(&users, &articles)
		if err != nil {
			return fmt.Errorf("find autosave's article %d: %w", as.ArticleID, err)
		}
		if users == 0 {
			return byline.Errorf(byline.NotFound, "No user with ID %d.", as.UserID)
		}
		if as.ArticleID != 0 && articles == 0 {
			return byline.Errorf(byline.NotFound, "No article with ID %d: it was deleted.", as.ArticleID)
		}
		now := s.db.now()
		if _, err := tx.ExecContext(ctx, upsert, nullID(as.ArticleID), as.UserID, as.BaseVersion, string(fields), now.UnixMilli()); err != nil {
			return fmt.Errorf("autosave article %d: %w", as.ArticleID, err)
		}
		as.SavedAt = now
		return nil
	})
}

// Find returns the user's autosave of the article.
func (s *AutosaveService) Find(ctx context.Context, userID, articleID int64) (*byline.Autosave, error) {
	as := byline.Autosave{ArticleID: articleID, UserID: userID}
	var (
		fields string
		saved  int64
	)
	err := s.db.read.QueryRowContext(ctx, `SELECT base_version, fields, saved_at FROM autosaves
		WHERE user_id = ? AND article_id IS ?`, userID, nullID(articleID)).Scan(&as.BaseVersion, &fields, &saved)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "There is no autosaved text of this article.")
	} else if err != nil {
		return nil, fmt.Errorf("find autosave of article %d: %w", articleID, err)
	}
	if err := json.Unmarshal([]byte(fields), &as.Fields); err != nil {
		return nil, fmt.Errorf("decode autosave of article %d: %w", articleID, err)
	}
	as.SavedAt = time.UnixMilli(saved).UTC()
	return &as, nil
}

// Delete removes the user's autosave of the article.
func (s *AutosaveService) Delete(ctx context.Context, userID, articleID int64) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error { return deleteAutosave(ctx, tx, userID, articleID) })
}

// deleteAutosave removes the user's autosave of the article (0: of a new
// article) in tx, as saving the article does.
func deleteAutosave(ctx context.Context, tx *sql.Tx, userID, articleID int64) error {
	if userID == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM autosaves WHERE user_id = ? AND article_id IS ?`, userID, nullID(articleID)); err != nil {
		return fmt.Errorf("delete autosave of article %d: %w", articleID, err)
	}
	return nil
}
