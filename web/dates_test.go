package web

import (
	"testing"
	"time"

	"github.com/goodsign/monday"
)

func TestDateLocale(t *testing.T) {
	for tag, want := range map[string]monday.Locale{
		"": monday.LocaleEnUS, "en": monday.LocaleEnUS, "en-US": monday.LocaleEnUS, "en-GB": monday.LocaleEnGB,
		"en-IE": monday.LocaleEnGB, "fr": monday.LocaleFrFR, "fr-CA": monday.LocaleFrCA, "de": monday.LocaleDeDE,
		"de-AT": monday.LocaleDeDE, "pt-BR": monday.LocalePtBR, "nl-BE": monday.LocaleNlBE, "tlh": monday.LocaleEnUS,
		"not a tag": monday.LocaleEnUS,
	} {
		if got := dateLocale(tag); got != want {
			t.Errorf("dateLocale(%q) = %s, want %s", tag, got, want)
		}
	}
}

func TestDateStyle(t *testing.T) {
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct{ lang, zone, want string }{
		{"", "", "December 31, 2026"},
		{"en-GB", "Europe/London", "31 December 2026"},
		{"de", "Europe/Berlin", "1. Januar 2027"}, // already the new year in Berlin
		{"fr", "America/Los_Angeles", "31 décembre 2026"},
		{"en", "No/Such_Zone", "December 31, 2026"}, // an unloadable zone is UTC
	} {
		if got := newDateStyle(tc.lang, tc.zone).Date(at); got != tc.want {
			t.Errorf("Date in %q, %q = %q, want %q", tc.lang, tc.zone, got, tc.want)
		}
	}
	var c dateStyles
	if a, b := c.of("fr", "Europe/Paris"), c.of("fr", "Europe/Paris"); a != b {
		t.Error("the same language and zone built a second style")
	}
	if c.current().zone != "Europe/Paris" {
		t.Error("current is not the style last asked for")
	}
}
