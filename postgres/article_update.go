package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.DeskService = (*DeskService)(nil)

// DeskService implements byline.DeskService on PostgreSQL: the newsroom's
// side of the articles, next to ArticleService and sharing its writes, so an
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
	byline.SortPublished: ` ORDER BY a.live_at DESC NULLS LAST, a.id DESC`,
	byline.SortHeadline:  ` ORDER BY lower(a.headline), a.id`,
}

// FindDesk returns the articles matching f, without their bodies.
func (s *DeskService) FindDesk(ctx context.Context, f byline.DeskFilter) ([]*byline.DeskArticle, int, error) {
	var (
		where []string
		a     args
	)
	if f.Status != nil {
		switch *f.Status {
		case byline.Draft:
			where = append(where, "a.status = 'draft'")
		case byline.Scheduled:
			where = append(where, "a.live_at > "+a.add(s.db.now()))
		case byline.Published:
			where = append(where, "a.live_at <= "+a.add(s.db.now()))
		default:
			return nil, 0, byline.Errorf(byline.Invalid, "Unknown status %q.", *f.Status)
		}
	}
	if f.OwnerID != nil {
		where = append(where, "o.user_id = "+a.add(*f.OwnerID))
	}
	if f.Submitted != nil {
		if *f.Submitted {
			where = append(where, "o.submitted_at IS NOT NULL")
		} else {
			where = append(where, "o.submitted_at IS NULL")
		}
	}
	order, ok := deskSorts[f.Sort]
	if !ok {
		return nil, 0, byline.Errorf(byline.Invalid, "Unknown order %q.", f.Sort)
	}
	if !textOK(f.Query) {
		return nil, 0, nil // PostgreSQL would refuse the words; no headline holds them
	}
	for _, word := range strings.Fields(f.Query) {
		// ILIKE, as SQLite's LIKE, ignores case; it folds more than ASCII.
		where = append(where, `a.headline ILIKE `+a.add("%"+likeEscaper.Replace(word)+"%")+` ESCAPE '\'`)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	n := len(a)
	q := `SELECT ` + articleMetadataColumns + `, ` + deskColumns + `, count(*) OVER ()` + deskFrom + cond + order
	if f.Limit > 0 {
		q += " LIMIT " + a.add(f.Limit)
	}
	q += " OFFSET " + a.add(max(f.Offset, 0))
	rows, err := s.db.pool.Query(ctx, q, a...)
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
		// A page past the end has no row to carry the count.
		if err := s.db.pool.QueryRow(ctx, `SELECT count(*)`+deskFrom+cond, a[:n]...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count desk articles: %w", err)
		}
	}
	if err := s.articles.attachPeople(ctx, s.db.pool, articles); err != nil {
		return nil, 0, err
	}
	return list, total, nil
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func scanDeskArticle(row pgx.Row, extra ...any) (*byline.DeskArticle, error) {
	var (
		owner     *int64
		ownerName string
		submitted *time.Time
	)
	a, err := scanArticle(withExtra{row, append([]any{&owner, &ownerName, &submitted}, extra...)})
	if err != nil {
		return nil, err
	}
	d := &byline.DeskArticle{Article: a, OwnerName: ownerName, SubmittedAt: utc(submitted)}
	if owner != nil {
		d.OwnerID = *owner
	}
	return d, nil
}

// FindDeskArticle returns the article with the given ID and its owner.
func (s *DeskService) FindDeskArticle(ctx context.Context, id int64) (*byline.DeskArticle, error) {
	d, err := scanDeskArticle(s.db.pool.QueryRow(ctx, `SELECT `+articleColumns+`, `+deskColumns+deskFrom+` WHERE a.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No article with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find desk article %d: %w", id, err)
	}
	if err := s.articles.attachPeople(ctx, s.db.pool, []*byline.Article{d.Article}); err != nil {
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
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		now := s.db.now()
		if err := s.articles.insert(ctx, &writer{Tx: tx}, a, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO article_owners (article_id, user_id) VALUES ($1, $2)`, a.ID, nullID(by)); err != nil {
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
	// Rendering happens before any lock is taken; the version is checked
	// again under the row lock.
	if err := s.articles.prepare(&a); err != nil {
		return nil, err
	}
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		// At READ COMMITTED two saves that both read the old version would
		// both write: the second must wait for the first to commit, then read
		// the version it left. The slug lock (which the save takes anyway,
		// to choose the slug) makes saves wait their turn; it comes first,
		// before any row lock, as in an import, so the two cannot deadlock.
		// FOR UPDATE holds off the writers that do not take it (a delete).
		if err := lockSlugs(ctx, tx); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, `SELECT version FROM articles WHERE id = $1 FOR UPDATE`, id).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
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
		var kept bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM article_revisions WHERE article_id = $1)`, id).Scan(&kept); err != nil {
			return fmt.Errorf("look for revisions: %w", err)
		}
		if !kept {
			if err := insertRevision(ctx, tx, current, 0, current.UpdatedAt); err != nil {
				return err
			}
		}
		if err := s.articles.update(ctx, &writer{Tx: tx}, id, &a, now); err != nil {
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

// nullID is NULL for 0, for nullable user references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// SetSubmitted marks an article as handed to the editors, or not.
func (s *DeskService) SetSubmitted(ctx context.Context, id int64, submitted bool) error {
	var at any
	if submitted {
		at = s.db.now()
	}
	// One statement: the SELECT finds no row for a missing article, so
	// nothing is inserted and no foreign key is broken.
	tag, err := s.db.pool.Exec(ctx, `INSERT INTO article_owners (article_id, submitted_at)
		SELECT id, $2::timestamptz FROM articles WHERE id = $1
		ON CONFLICT (article_id) DO UPDATE SET submitted_at = excluded.submitted_at`, id, at)
	if err != nil {
		return fmt.Errorf("set article %d submitted: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return byline.Errorf(byline.NotFound, "No article with ID %d.", id)
	}
	return nil
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
