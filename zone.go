package byline

import (
	"regexp"
	"time"
)

// LoadZone returns the time zone with the given IANA name ("Europe/Paris",
// "America/New_York"); "" is UTC. It returns an Invalid error naming the
// zone when there is none by that name.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	if !zoneName.MatchString(name) {
		return nil, Errorf(Invalid, "%q is not a time zone name: use an IANA name such as Europe/London or America/New_York.", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Errorf(Invalid, "There is no time zone %q: use an IANA name such as Europe/London or America/New_York.", name)
	}
	return loc, nil
}

// zoneName is the shape of an IANA zone name; anything else (a path, a
// file name) is refused before time.LoadLocation sees it.
var zoneName = regexp.MustCompile(`^(UTC|[A-Z][A-Za-z_+-]*(/[A-Za-z0-9_+-]+){1,2}|Etc/GMT[+-][0-9]{1,2})$`)

// LocalTime returns the instant at which the wall clock of loc shows the
// given date and time, to the minute, as an editor types it. Around a
// daylight-saving change a wall-clock time can be missing (the hour the
// clocks skip, an Invalid error saying so) or happen twice (the hour the
// clocks repeat: the first of the two, which is the one a reader living
// there expects to see first).
func LocalTime(year int, month time.Month, day, hour, min int, loc *time.Location) (time.Time, error) {
	// time.Date picks one of the two offsets around a transition without
	// saying which; try both offsets in force near the time and keep the
	// instants that really show this wall clock.
	guess := time.Date(year, month, day, hour, min, 0, 0, loc)
	var found []time.Time
	for _, probe := range []time.Time{guess.Add(-3 * time.Hour), guess.Add(3 * time.Hour)} {
		_, offset := probe.Zone()
		t := time.Date(year, month, day, hour, min, 0, 0, time.UTC).Add(-time.Duration(offset) * time.Second).In(loc)
		if t.Year() == year && t.Month() == month && t.Day() == day && t.Hour() == hour && t.Minute() == min {
			found = append(found, t)
		}
	}
	switch {
	case len(found) == 0:
		return time.Time{}, Errorf(Invalid, "%04d-%02d-%02d %02d:%02d does not happen in %s: the clocks go forward then. Choose a time after the change.",
			year, int(month), day, hour, min, loc)
	case len(found) == 2 && found[1].Before(found[0]):
		return found[1], nil
	}
	return found[0], nil
}
