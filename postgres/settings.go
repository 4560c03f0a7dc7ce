package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/settingsjson"
)

var _ byline.SettingsService = (*SettingsService)(nil)

// SettingsService implements byline.SettingsService on PostgreSQL: one row
// holding the settings as internal/settingsjson encodes them.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns the settings service of db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

// Settings returns the stored settings, zero if never set.
func (s *SettingsService) Settings(ctx context.Context) (*byline.Settings, error) {
	var (
		value   []byte
		updated time.Time
	)
	err := s.db.pool.QueryRow(ctx, `SELECT value, updated_at FROM settings WHERE id = 1`).Scan(&value, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return &byline.Settings{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	st, err := settingsjson.Decode(value)
	if err != nil {
		return nil, err
	}
	st.UpdatedAt = updated.UTC()
	return st, nil
}

// UpdateSettings stores st and marks the site changed, in one transaction.
func (s *SettingsService) UpdateSettings(ctx context.Context, st *byline.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	value, err := settingsjson.Encode(st)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		now := s.db.now()
		if _, err := tx.Exec(ctx, `INSERT INTO settings (id, value, updated_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, json.RawMessage(value), now); err != nil {
			return fmt.Errorf("store settings: %w", err)
		}
		st.UpdatedAt = now
		// Every page shows the title and lists; a new site_state time makes
		// every cached page, on every instance, render again. It moves by
		// at least a millisecond (the caches' resolution), so even a change
		// in the same millisecond as the last edit is seen.
		if _, err := tx.Exec(ctx, `UPDATE site_state SET changed_at = greatest(changed_at + interval '1 millisecond', $1)
			WHERE id = 1`, now); err != nil {
			return fmt.Errorf("touch site: %w", err)
		}
		return nil
	})
}
