package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
)

var _ byline.SettingsService = (*SettingsService)(nil)

// SettingsService implements byline.SettingsService on PostgreSQL: one row
// holding a JSON object, so adding a setting needs no migration.
type SettingsService struct {
	db *DB
}

// NewSettingsService returns the settings service of db.
func NewSettingsService(db *DB) *SettingsService { return &SettingsService{db: db} }

// settingsJSON is the stored shape, the same keys as on SQLite; the domain
// type has no tags.
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
		j  settingsJSON
		st byline.Settings
	)
	// pgx decodes the jsonb column into j.
	err := s.db.pool.QueryRow(ctx, `SELECT value, updated_at FROM settings WHERE id = 1`).Scan(&j, &st.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return &byline.Settings{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	st.Title, st.Tagline, st.Description = j.Title, j.Tagline, j.Description
	st.PostsPerPage, st.RecentCount, st.ContactRecipients = j.PostsPerPage, j.RecentCount, j.ContactRecipients
	st.SMTP = byline.SMTPSettings{Host: j.SMTPHost, Port: j.SMTPPort, Security: j.SMTPSecurity,
		Username: j.SMTPUsername, Password: j.SMTPPassword, From: j.SMTPFrom}
	st.UpdatedAt = st.UpdatedAt.UTC()
	return &st, nil
}

// UpdateSettings stores st and marks the site changed, in one transaction.
func (s *SettingsService) UpdateSettings(ctx context.Context, st *byline.Settings) error {
	if err := st.Validate(); err != nil {
		return err
	}
	j := settingsJSON{
		Title: st.Title, Tagline: st.Tagline, Description: st.Description,
		PostsPerPage: st.PostsPerPage, RecentCount: st.RecentCount, ContactRecipients: st.ContactRecipients,
		SMTPHost: st.SMTP.Host, SMTPPort: st.SMTP.Port, SMTPSecurity: st.SMTP.Security,
		SMTPUsername: st.SMTP.Username, SMTPPassword: st.SMTP.Password, SMTPFrom: st.SMTP.From,
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		now := s.db.now()
		if _, err := tx.Exec(ctx, `INSERT INTO settings (id, value, updated_at) VALUES (1, $1, $2)
			ON CONFLICT (id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, j, now); err != nil {
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
