package settingsjson

import (
	"reflect"
	"testing"

	"github.com/bylinenews/byline"
)

func TestRoundTrip(t *testing.T) {
	st := &byline.Settings{Title: "The Riverton Post", Tagline: "Local news", PostsPerPage: 12, RecentCount: 4,
		LogoURL: "/files/logo.png", AccentColor: "#1b5e20", FooterText: "A Riverton Trust paper.", Language: "en-US", TimeZone: "America/Chicago",
		ContactRecipients: []string{"desk@example.com"},
		SMTP:              byline.SMTPSettings{Host: "smtp.example.com", Port: 587, Security: "starttls", Username: "u", Password: "p", From: "web@example.com"}}
	b, err := Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	// The stored keys are a contract between backends and migrate-db.
	if want := `{"title":"The Riverton Post","tagline":"Local news","logo_url":"/files/logo.png","accent_color":"#1b5e20",` +
		`"footer_text":"A Riverton Trust paper.","language":"en-US","time_zone":"America/Chicago","posts_per_page":12,"recent_count":4,` +
		`"contact_recipients":["desk@example.com"],"smtp_host":"smtp.example.com","smtp_port":587,` +
		`"smtp_security":"starttls","smtp_username":"u","smtp_password":"p","smtp_from":"web@example.com"}`; string(b) != want {
		t.Errorf("Encode = %s\nwant     %s", b, want)
	}
	got, err := Decode(b)
	if err != nil || !reflect.DeepEqual(got, st) {
		t.Errorf("Decode(Encode(st)) = %+v, %v; want %+v", got, err, st)
	}
	if _, err := Decode([]byte("{")); err == nil {
		t.Error("Decode of broken JSON = nil error")
	}
}
