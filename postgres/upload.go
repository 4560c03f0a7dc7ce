package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.UploadService = (*UploadService)(nil)

// UploadService implements byline.UploadService on PostgreSQL.
type UploadService struct {
	db *DB
}

// NewUploadService returns the upload service of db.
func NewUploadService(db *DB) *UploadService { return &UploadService{db: db} }

const uploadColumns = `id, hash, ext, content_type, width, height, widths, size, name, coalesce(user_id, 0), created_at`

func scanUpload(row pgx.Row) (*byline.Upload, error) {
	var u byline.Upload
	if err := row.Scan(&u.ID, &u.Hash, &u.Ext, &u.ContentType, &u.Width, &u.Height, &u.Widths, &u.Size, &u.Name, &u.UserID, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// CreateUpload records u once per hash.
func (s *UploadService) CreateUpload(ctx context.Context, u *byline.Upload) error {
	if len(u.Widths) == 0 {
		return byline.Errorf(byline.Invalid, "An upload needs at least one stored width.")
	}
	// The name is the browser's file name, perhaps cut in the middle of a
	// character: SQLite keeps any bytes, PostgreSQL text only valid UTF-8
	// without NUL. The name is only shown, so mend it rather than refuse
	// the image.
	name := strings.ReplaceAll(strings.ToValidUTF8(u.Name, "\uFFFD"), "\x00", "")
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		// ON CONFLICT DO NOTHING waits for a concurrent insert of the same
		// hash to commit; the SELECT after it, with a fresh snapshot, then
		// finds that row.
		if _, err := tx.Exec(ctx, `INSERT INTO uploads (hash, ext, content_type, width, height, widths, size, name, user_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (hash) DO NOTHING`,
			u.Hash, u.Ext, u.ContentType, u.Width, u.Height, u.Widths, u.Size, name, nullID(u.UserID), s.db.now()); err != nil {
			return fmt.Errorf("insert upload: %w", err)
		}
		stored, err := scanUpload(tx.QueryRow(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE hash = $1`, u.Hash))
		if err != nil {
			return fmt.Errorf("read upload back: %w", err)
		}
		*u = *stored
		return nil
	})
}

// FindUploads returns uploads newest first and their number.
func (s *UploadService) FindUploads(ctx context.Context, limit, offset int) ([]*byline.Upload, int, error) {
	var total int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM uploads`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count uploads: %w", err)
	}
	var a args
	q := `SELECT ` + uploadColumns + ` FROM uploads ORDER BY id DESC`
	if limit > 0 {
		q += " LIMIT " + a.add(limit)
	}
	q += " OFFSET " + a.add(max(offset, 0))
	rows, err := s.db.pool.Query(ctx, q, a...)
	if err != nil {
		return nil, 0, fmt.Errorf("find uploads: %w", err)
	}
	defer rows.Close()
	var ups []*byline.Upload
	for rows.Next() {
		u, err := scanUpload(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan upload: %w", err)
		}
		ups = append(ups, u)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find uploads: %w", err)
	}
	return ups, total, nil
}
