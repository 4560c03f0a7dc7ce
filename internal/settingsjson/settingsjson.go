// Package settingsjson is how every store keeps the newsroom's settings:
// one JSON object, so adding a setting needs no migration, with the same
// keys on every backend, so `byline migrate-db` copies it as it is. The
// domain type carries no JSON tags; this is the stored shape.
package settingsjson

import (
	"encoding/json"
	"fmt"

	"github.com/bylinenews/byline"
)

// stored is the shape kept in the database.
type stored struct {
	Title             string   `json:"title,omitempty"`
	Tagline           string   `json:"tagline,omitempty"`
	Description       string   `json:"description,omitempty"`
	LogoURL           string   `json:"logo_url,omitempty"`
	AccentColor       string   `json:"accent_color,omitempty"`
	FooterText        string   `json:"footer_text,omitempty"`
	Language          string   `json:"language,omitempty"`
	TimeZone          string   `json:"time_zone,omitempty"`
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

// Encode returns st as it is stored (UpdatedAt aside, which stores keep
// in a column of its own).
func Encode(st *byline.Settings) ([]byte, error) {
	b, err := json.Marshal(stored{
		Title: st.Title, Tagline: st.Tagline, Description: st.Description,
		LogoURL: st.LogoURL, AccentColor: st.AccentColor, FooterText: st.FooterText,
		Language: st.Language, TimeZone: st.TimeZone,
		PostsPerPage: st.PostsPerPage, RecentCount: st.RecentCount, ContactRecipients: st.ContactRecipients,
		SMTPHost: st.SMTP.Host, SMTPPort: st.SMTP.Port, SMTPSecurity: st.SMTP.Security,
		SMTPUsername: st.SMTP.Username, SMTPPassword: st.SMTP.Password, SMTPFrom: st.SMTP.From,
	})
	if err != nil {
		return nil, fmt.Errorf("encode settings: %w", err)
	}
	return b, nil
}

// Decode returns the settings stored as b.
func Decode(b []byte) (*byline.Settings, error) {
	var j stored
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, fmt.Errorf("decode settings: %w", err)
	}
	return &byline.Settings{
		Title: j.Title, Tagline: j.Tagline, Description: j.Description,
		LogoURL: j.LogoURL, AccentColor: j.AccentColor, FooterText: j.FooterText,
		Language: j.Language, TimeZone: j.TimeZone,
		PostsPerPage: j.PostsPerPage, RecentCount: j.RecentCount, ContactRecipients: j.ContactRecipients,
		SMTP: byline.SMTPSettings{Host: j.SMTPHost, Port: j.SMTPPort, Security: j.SMTPSecurity,
			Username: j.SMTPUsername, Password: j.SMTPPassword, From: j.SMTPFrom},
	}, nil
}
