package byline_test

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"", "UTC", "Europe/London", "America/New_York", "America/Argentina/Buenos_Aires", "Etc/GMT+5"} {
		if _, err := byline.LoadZone(name); err != nil {
			t.Errorf("LoadZone(%q): %v", name, err)
		}
	}
	for _, name := range []string{"Mars/Olympus", "../../etc/passwd", "europe/london", "Local", "CET;DROP"} {
		if _, err := byline.LoadZone(name); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("LoadZone(%q) = %v, want an Invalid error", name, err)
		}
	}
}

func TestLocalTime(t *testing.T) {
	london, _ := time.LoadLocation("Europe/London")
	newYork, _ := time.LoadLocation("America/New_York")
	tests := []struct {
		name      string
		loc       *time.Location
		y         int
		m         time.Month
		d, h, min int
		want      string // UTC, RFC 3339; "" for an error
	}{
		{"winter in London is UTC", london, 2026, time.January, 15, 9, 0, "2026-01-15T09:00:00Z"},
		{"summer in London is an hour ahead", london, 2026, time.July, 15, 9, 0, "2026-07-15T08:00:00Z"},
		{"the night the clocks go forward, before", london, 2026, time.March, 29, 0, 30, "2026-03-29T00:30:00Z"},
		{"the hour London skips does not exist", london, 2026, time.March, 29, 1, 30, ""},
		{"the night the clocks go forward, after", london, 2026, time.March, 29, 2, 0, "2026-03-29T01:00:00Z"},
		{"the hour London repeats is its first", london, 2026, time.October, 25, 1, 30, "2026-10-25T00:30:00Z"},
		{"New York's skipped hour", newYork, 2026, time.March, 8, 2, 30, ""},
		{"New York after the spring change", newYork, 2026, time.March, 8, 3, 0, "2026-03-08T07:00:00Z"},
		{"New York's repeated hour is its first", newYork, 2026, time.November, 1, 1, 30, "2026-11-01T05:30:00Z"},
		{"UTC has no changes", time.UTC, 2026, time.March, 29, 1, 30, "2026-03-29T01:30:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := byline.LocalTime(tt.y, tt.m, tt.d, tt.h, tt.min, tt.loc)
			if tt.want == "" {
				if byline.ErrorKind(err) != byline.Invalid {
					t.Errorf("LocalTime(%d-%d-%d %d:%02d, %s) = %v, %v; want an Invalid error", tt.y, tt.m, tt.d, tt.h, tt.min, tt.loc, got, err)
				}
				return
			}
			if err != nil || got.UTC().Format(time.RFC3339) != tt.want {
				t.Errorf("LocalTime(%d-%d-%d %d:%02d, %s) = %v, %v; want %s", tt.y, tt.m, tt.d, tt.h, tt.min, tt.loc, got.UTC(), err, tt.want)
			}
		})
	}
}
