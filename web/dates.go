package web

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goodsign/monday"
	"golang.org/x/text/language"

	"github.com/bylinenews/byline"
)

// dateStyle is how the site writes times: in its time zone, with the month
// names and order of its language.
type dateStyle struct {
	lang, zone string // as configured, the key of the cache
	loc        *time.Location
	locale     monday.Locale
}

// dateLocale is the locale whose formats write dates for a BCP 47 tag:
// the tag's own region where there is one ("fr-CA" → fr_CA), else the
// language's home region ("de" → de_DE), else the first region of the
// language, else United States English.
func dateLocale(tag string) monday.Locale {
	t, err := language.Parse(tag)
	if err != nil {
		return monday.LocaleEnUS
	}
	base, _ := t.Base()
	lang := base.String()
	if lang == "en" {
		if region, conf := t.Region(); conf == language.Exact && region.String() != "US" {
			if l := monday.Locale("en_" + region.String()); hasLocale(l) {
				return l
			}
			return monday.LocaleEnGB // English outside the US writes the day first
		}
		return monday.LocaleEnUS
	}
	if region, conf := t.Region(); conf == language.Exact {
		if l := monday.Locale(lang + "_" + region.String()); hasLocale(l) {
			return l
		}
	}
	if l := monday.Locale(lang + "_" + strings.ToUpper(lang)); hasLocale(l) {
		return l
	}
	for _, l := range monday.ListLocales() {
		if strings.HasPrefix(string(l), lang+"_") {
			return l
		}
	}
	return monday.LocaleEnUS
}

func hasLocale(l monday.Locale) bool {
	_, ok := monday.LongFormatsByLocale[l]
	return ok
}

// newDateStyle is the style of a language tag and an IANA zone name; a
// zone that cannot be loaded (the settings check it when they are saved)
// is UTC.
func newDateStyle(lang, zone string) *dateStyle {
	loc, err := byline.LoadZone(zone)
	if err != nil {
		loc = time.UTC
	}
	return &dateStyle{lang: lang, zone: zone, loc: loc, locale: dateLocale(lang)}
}

// Date writes the day of t as readers of the site's language write it
// ("January 2, 2006", "2 janvier 2006").
func (d *dateStyle) Date(t time.Time) string {
	return monday.Format(t.In(d.loc), monday.LongFormatsByLocale[d.locale], d.locale)
}

// DateTime writes t to the minute, in the site's zone, with the zone's
// abbreviation, for the newsroom.
func (d *dateStyle) DateTime(t time.Time) string {
	return t.In(d.loc).Format("Jan 2, 2006 15:04 MST")
}

// Location is the site's time zone; UTC for no style.
func (d *dateStyle) Location() *time.Location {
	if d == nil {
		return time.UTC
	}
	return d.loc
}

// ZoneName is the zone's IANA name, or UTC.
func (d *dateStyle) ZoneName() string {
	if d.zone == "" {
		return "UTC"
	}
	return d.zone
}

// datetimeLocal is the layout of an <input type="datetime-local">.
const datetimeLocal = "2006-01-02T15:04"

// InputValue is t as a datetime-local input shows it: the wall clock of
// the site's zone.
func (d *dateStyle) InputValue(t time.Time) string { return t.In(d.Location()).Format(datetimeLocal) }

// ParseInput reads a datetime-local value as a wall-clock time in the
// site's zone. A time the clocks skip at a daylight-saving change is an
// Invalid error saying so; one they pass twice is the first.
func (d *dateStyle) ParseInput(s string) (time.Time, error) {
	w, err := time.Parse(datetimeLocal, s)
	if err != nil {
		return time.Time{}, byline.Errorf(byline.Invalid, "%q is not a date and time: give them as 2006-01-02T15:04.", s)
	}
	return byline.LocalTime(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), d.loc)
}

// dateStyles keeps the style last built, so that a page does not load its
// zone again (time.LoadLocation reads the zone's file each time).
type dateStyles struct{ last atomic.Pointer[dateStyle] }

// of returns the style of lang and zone.
func (c *dateStyles) of(lang, zone string) *dateStyle {
	if d := c.last.Load(); d != nil && d.lang == lang && d.zone == zone {
		return d
	}
	d := newDateStyle(lang, zone)
	c.last.Store(d)
	return d
}

// current is the style last asked for, which the page being rendered
// asked for when it read the settings (UTC and US English before any).
func (c *dateStyles) current() *dateStyle {
	if d := c.last.Load(); d != nil {
		return d
	}
	return c.of("", "")
}

// zoneNames are the IANA zone names the system's time zone database lists
// (zone1970.tab), sorted, for the settings form to suggest; none where it
// has no database (the zones still load from the copy in the binary).
var zoneNames = sync.OnceValue(func() []string {
	f, err := os.Open("/usr/share/zoneinfo/zone1970.tab")
	if err != nil {
		return nil
	}
	defer f.Close()
	names := []string{"UTC"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		if fields := strings.Split(line, "\t"); len(fields) >= 3 {
			names = append(names, fields[2])
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
})
