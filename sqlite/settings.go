package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/settingsjson"
)

var _ byline.SettingsService = (*SettingsService)(nil)

// SettingsService implements byline.SettingsService on SQLite: one row
// holding the settings as internal/settingsjson encodes them.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns the settings service of db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

// Settings returns the stored settings, zero if never set.
func (s *SettingsService) Settings(ctx context.Context) (*byline.Settings, error) {
	var (
		value   string
		updated int64
	)
	err := s.db.read.QueryRowContext(ctx, `SELECT value, updated_at FROM settings WHERE id = 1`).Scan(&value, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return &byline.Settings{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	st, err := settingsjson.Decode([]byte(value))
	if err != nil {
		return nil, err
	}
	st.UpdatedAt = fromMillis(sql.NullInt64{Int64: updated, Valid: true})
	return st, nil
}

// UpdateSettings stores st and marks the site changed, in one transaction.
func (s *SettingsService) UpdateSettings(ctx context.Context, st *byline.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	b, err := settingsjson.Encode(st)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (id, value, updated_at) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, string(b), now.UnixMilli()); err != nil {
			return fmt.Errorf("store settings: %w", err)
		}
		st.UpdatedAt = now
		// Every page shows the title and lists; a new site_state time makes
		// every cached page, on every instance, render again. It moves by
		// at least a millisecond, so even a change in the same millisecond
		// as the last edit is seen.
		if _, err := tx.ExecContext(ctx, `UPDATE site_state SET changed_at = max(changed_at + 1, ?) WHERE id = 1`, now.UnixMilli()); err != nil {
			return fmt.Errorf("touch site: %w", err)
		}
		return nil
	})
}
