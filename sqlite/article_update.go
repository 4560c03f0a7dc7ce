package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bylinenews/byline"
)

var _ byline.DeskService = (*DeskService)(nil)

// DeskService implements byline.DeskService on SQLite: the newsroom's side
// of the articles, next to ArticleService and sharing its writes, so an
// article saved here is rendered, slugged, indexed and dated the same way.
type DeskService struct {
	db       *DB
	articles *ArticleService
}

// NewDeskService returns the desk service of db.
func NewDeskService(db *DB) *DeskService {
	return &DeskService{db: db, articles: NewArticleService(db)}
}

const deskColumns = `o.user_id, coalesce(u.name, ''), o.submitted_at`

const deskFrom = ` FROM articles a LEFT JOIN article_owners o ON o.article_id = a.id LEFT JOIN users u ON u.id = o.user_id`

// deskSorts maps each order to its fixed ORDER BY; input only picks a key.
var deskSorts = map[byline.DeskSort]string{
	"":                   ` ORDER BY a.updated_at DESC, a.id DESC`,
	byline.SortUpdated:   ` ORDER BY a.updated_at DESC, a.id DESC`,
	byline.SortPublished: ` ORDER BY a.live_at IS NULL, a.live_at DESC, a.id DESC`,
	byline.SortHeadline:  ` ORDER BY a.headline COLLATE NOCASE, a.id`,
}

// FindDesk returns the articles matching f, without their bodies.
func (s *DeskService) FindDesk(ctx context.Context, f byline.DeskFilter) ([]*byline.DeskArticle, int, error) {
	var (
		where []string
		args  []any
	)
	now := s.db.now().UnixMilli()
	if f.Status != nil {
		switch *f.Status {
		case byline.Draft:
			where = append(where, "a.status = 'draft'")
		case byline.Scheduled:
			where, args = append(where, "a.live_at > ?"), append(args, now)
		case byline.Published:
			where, args = append(where, "a.live_at <= ?"), append(args, now)
		default:
			return nil, 0, byline.Errorf(byline.Invalid, "Unknown status %q.", *f.Status)
		}
	}
	if f.OwnerID != nil {
		where, args = append(where, "o.user_id = ?"), append(args, *f.OwnerID)
	}
	if f.Submitted != nil {
		if *f.Submitted {
			where = append(where, "o.submitted_at IS NOT NULL")
		} else {
			where = append(where, "o.submitted_at IS NULL")
		}
	}
	for _, word := range strings.Fields(f.Query) {
		where = append(where, `a.headline LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscaper.Replace(word)+"%")
	}
	order, ok := deskSorts[f.Sort]
	if !ok {
		return nil, 0, byline.Errorf(byline.Invalid, "Unknown order %q.", f.Sort)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+articleMetadataColumns+`, `+deskColumns+`, count(*) OVER ()`+
		deskFrom+cond+order+` LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, fmt.Errorf("find desk articles: %w", err)
	}
	defer rows.Close()
	var (
		list     []*byline.DeskArticle
		articles []*byline.Article
		total    int
	)
	for rows.Next() {
		d, err := scanDeskArticle(rows, &total)
		if err != nil {
			return nil, 0, fmt.Errorf("scan desk article: %w", err)
		}
		list, articles = append(list, d), append(articles, d.Article)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find desk articles: %w", err)
	}
	if len(list) == 0 && f.Offset > 0 {
		if err := s.db.read.QueryRowContext(ctx, `SELECT count(*)`+deskFrom+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count desk articles: %w", err)
		}
	}
	if err := s.articles.attachPeople(ctx, s.db.prepared, articles); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func scanDeskArticle(row rowScanner, extra ...any) (*byline.DeskArticle, error) {
	var (
		owner     sql.NullInt64
		ownerName string
		submitted sql.NullInt64
	)
	a, err := scanArticle(extraColumns{row, append([]any{&owner, &ownerName, &submitted}, extra...)})
	if err != nil {
		return nil, err
	}
	return &byline.DeskArticle{Article: a, OwnerID: owner.Int64, OwnerName: ownerName, SubmittedAt: fromMillis(submitted)}, nil
}

// FindDeskArticle returns the article with the given ID and its owner.
func (s *DeskService) FindDeskArticle(ctx context.Context, id int64) (*byline.DeskArticle, error) {
	d, err := scanDeskArticle(s.db.read.QueryRowContext(ctx, `SELECT `+articleColumns+`, `+deskColumns+deskFrom+` WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No article with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find desk article %d: %w", id, err)
	}
	if err := s.articles.attachPeople(ctx, s.db.prepared, []*byline.Article{d.Article}); err != nil {
		return nil, err
	}
	return d, nil
}

// CreateArticle stores a new article owned by the user by, and its first
// revision.
func (s *DeskService) CreateArticle(ctx context.Context, a *byline.Article, by int64) error {
	if err := s.articles.prepare(a); err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		if err := s.articles.insert(ctx, tx, a, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_owners (article_id, user_id) VALUES (?, ?)`, a.ID, nullID(by)); err != nil {
			return fmt.Errorf("set article owner: %w", err)
		}
		// The user's autosave of the new article is this article now.
		if err := deleteAutosave(ctx, tx, by, 0); err != nil {
			return err
		}
		return insertRevision(ctx, tx, a, by, now)
	})
}

// UpdateArticle applies upd if the article is still at expectedVersion.
func (s *DeskService) UpdateArticle(ctx context.Context, id int64, upd byline.ArticleUpdate, expectedVersion int, by int64) (*byline.Article, error) {
	current, err := s.articles.FindByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if current.Version != expectedVersion {
		return nil, byline.EditConflict(expectedVersion, current.Version)
	}
	a := *current
	upd.Apply(&a)
	// Rendering happens before the write lock is taken; the version is
	// checked again under it.
	if err := s.articles.prepare(&a); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx *sql.Tx) error {
		var version int
		err := tx.QueryRowContext(ctx, `SELECT version FROM articles WHERE id = ?`, id).Scan(&version)
		if errors.Is(err, sql.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "No article with ID %d: it was deleted.", id)
		} else if err != nil {
			return fmt.Errorf("check article %d version: %w", id, err)
		}
		if version != expectedVersion {
			return byline.EditConflict(expectedVersion, version)
		}
		now := s.db.now()
		// An article that never went through the newsroom (an import) has
		// no revision of what it was: keep one, so the first edit can be
		// undone.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM article_revisions WHERE article_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("count revisions: %w", err)
		}
		if n == 0 {
			if err := insertRevision(ctx, tx, current, 0, current.UpdatedAt); err != nil {
				return err
			}
		}
		if err := s.articles.update(ctx, tx, id, &a, now); err != nil {
			return err
		}
		// What the user typed is saved: their autosave is done with.
		if err := deleteAutosave(ctx, tx, by, id); err != nil {
			return err
		}
		return insertRevision(ctx, tx, &a, by, now)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// SetSubmitted marks an article as handed to the editors, or not.
func (s *DeskService) SetSubmitted(ctx context.Context, id int64, submitted bool) error {
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM articles WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("find article %d: %w", id, err)
		}
		if n == 0 {
			return byline.Errorf(byline.NotFound, "No article with ID %d.", id)
		}
		at := sql.NullInt64{}
		if submitted {
			at = millis(s.db.now())
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO article_owners (article_id, submitted_at) VALUES (?, ?)
			ON CONFLICT (article_id) DO UPDATE SET submitted_at = excluded.submitted_at`, id, at)
		if err != nil {
			return fmt.Errorf("set article %d submitted: %w", id, err)
		}
		return nil
	})
}

// RestoreRevision brings back a revision's text and credits.
func (s *DeskService) RestoreRevision(ctx context.Context, articleID, revisionID int64, expectedVersion int, by int64) (*byline.Article, error) {
	rev, err := s.FindRevision(ctx, articleID, revisionID)
	if err != nil {
		return nil, err
	}
	upd := byline.ArticleUpdate{
		Headline: &rev.Headline, Dek: &rev.Dek, Slug: &rev.Slug, Body: &rev.Body,
		FeatureImageURL: &rev.FeatureImageURL, Authors: &rev.Authors, Tags: &rev.Tags,
	}
	return s.UpdateArticle(ctx, articleID, upd, expectedVersion, by)
}
