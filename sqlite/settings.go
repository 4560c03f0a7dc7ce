package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bylinenews/byline"
)

var _ byline.SettingsService = (*SettingsService)(nil)

// SettingsService implements byline.SettingsService on SQLite: one row
// holding a JSON object, so adding a setting needs no migration.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns the settings service of db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

// settingsJSON is the stored shape; the domain type has no tags.
type settingsJSON struct {
	Title             string   `json:"title,omitempty"`
	Tagline           string   `json:"tagline,omitempty"`
	Description       string   `json:"description,omitempty"`
	PostsPerPage      int      `json:"posts_per_page,omitempty"`
	RecentCount       int      `json:"recent_count,omitempty"`
	ContactRecipients []string `json:"contact_recipients,omitempty"`
	SMTPHost          string   `json:"smtp_host,omitempty"`
	SMTPPort          int      `json:"smtp_port,omitempty"`
	SMTPSecurity      string   `json:"smtp_security,omitempty"`
	SMTPUsername      string   `json:"smtp_username,omitempty"`
	SMTPPassword      string   `json:"smtp_password,omitempty"`
	SMTPFrom          string   `json:"smtp_from,omitempty"`
}

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
	var j settingsJSON
	if err := json.Unmarshal([]byte(value), &j); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	return &byline.Settings{
		Title: j.Title, Tagline: j.Tagline, Description: j.Description,
		PostsPerPage: j.PostsPerPage, RecentCount: j.RecentCount, ContactRecipients: j.ContactRecipients,
		SMTP: byline.SMTPSettings{Host: j.SMTPHost, Port: j.SMTPPort, Security: j.SMTPSecurity,
			Username: j.SMTPUsername, Password: j.SMTPPassword, From: j.SMTPFrom},
		UpdatedAt: fromMillis(sql.NullInt64{Int64: updated, Valid: true}),
	}, nil
}

// UpdateSettings stores st and marks the site changed, in one transaction.
func (s *SettingsService) UpdateSettings(ctx context.Context, st *byline.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(settingsJSON{
		Title: st.Title, Tagline: st.Tagline, Description: st.Description,
		PostsPerPage: st.PostsPerPage, RecentCount: st.RecentCount, ContactRecipients: st.ContactRecipients,
		SMTPHost: st.SMTP.Host, SMTPPort: st.SMTP.Port, SMTPSecurity: st.SMTP.Security,
		SMTPUsername: st.SMTP.Username, SMTPPassword: st.SMTP.Password, SMTPFrom: st.SMTP.From,
	})
	if err != nil {
		return fmt.Errorf("encode settings: %w", err)
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
