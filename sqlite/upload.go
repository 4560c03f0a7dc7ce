package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bylinenews/byline"
)

var _ byline.UploadService = (*UploadService)(nil)

// UploadService implements byline.UploadService on SQLite.
type UploadService struct {
	db *DB
}

// NewUploadService returns the upload service of db.
func NewUploadService(db *DB) *UploadService { return &UploadService{db: db} }

const uploadColumns = `id, hash, ext, content_type, width, height, widths, size, name, coalesce(user_id, 0), created_at`

func scanUpload(row rowScanner) (*byline.Upload, error) {
	var (
		u       byline.Upload
		widths  string
		created int64
	)
	if err := row.Scan(&u.ID, &u.Hash, &u.Ext, &u.ContentType, &u.Width, &u.Height, &widths, &u.Size, &u.Name, &u.UserID, &created); err != nil {
		return nil, err
	}
	for _, w := range strings.Split(widths, ",") {
		n, err := strconv.Atoi(w)
		if err != nil {
			return nil, fmt.Errorf("upload %d widths %q: %w", u.ID, widths, err)
		}
		u.Widths = append(u.Widths, n)
	}
	u.CreatedAt = time.UnixMilli(created).UTC()
	return &u, nil
}

// CreateUpload records u once per hash.
func (s *UploadService) CreateUpload(ctx context.Context, u *byline.Upload) error {
	if len(u.Widths) == 0 {
		return byline.Errorf(byline.Invalid, "An upload needs at least one stored width.")
	}
	ws := make([]string, len(u.Widths))
	for i, w := range u.Widths {
		ws[i] = strconv.Itoa(w)
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO uploads (hash, ext, content_type, width, height, widths, size, name, user_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING`,
			u.Hash, u.Ext, u.ContentType, u.Width, u.Height, strings.Join(ws, ","), u.Size, u.Name, nullID(u.UserID), now.UnixMilli()); err != nil {
			return fmt.Errorf("insert upload: %w", err)
		}
		stored, err := scanUpload(tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM uploads WHERE hash = ?`, u.Hash))
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
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM uploads`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count uploads: %w", err)
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+uploadColumns+` FROM uploads ORDER BY id DESC LIMIT ? OFFSET ?`, limit, max(offset, 0))
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
