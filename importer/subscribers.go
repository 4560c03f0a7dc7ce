package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bylinenews/byline"
)

// MaxSubscriberRows bounds a subscriber CSV: an import is one transaction.
const MaxSubscriberRows = 200_000

// ReadSubscribersCSV reads a subscriber list: a header row naming at least
// email and consent_at (or consent_date), and optionally name, newsletters
// (slugs separated by spaces, commas or semicolons; newsletterSlugs maps them
// to IDs; empty uses defaults) and confirmed (yes/no, true/false, 1/0; no
// by default, and such subscribers are not mailed until they confirm). A
// consent date is RFC 3339 or YYYY-MM-DD. Every bad row is reported with its
// line, at most byline.MaxImportErrors of them, in an Invalid error, and
// then nothing is returned: an import is all or nothing.
func ReadSubscribersCSV(r io.Reader, newsletterSlugs map[string]int64, defaults []int64) ([]byline.SubscriberImport, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, byline.Errorf(byline.Invalid, "The file is empty: there is nothing to import.")
	} else if err != nil {
		return nil, byline.Errorf(byline.Invalid, "Line 1: %s", csvProblem(err))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "consent_date", "consent", "consented_at":
			h = "consent_at"
		case "e-mail", "email_address", "address":
			h = "email"
		case "lists", "newsletter":
			h = "newsletters"
		}
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, need := range []string{"email", "consent_at"} {
		if _, ok := col[need]; !ok {
			return nil, byline.Errorf(byline.Invalid, "Line 1: the header has no %s column (it needs email and consent_at; name, newsletters and confirmed are optional).", need)
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var (
		out  []byline.SubscriberImport
		bad  []string
		seen = map[string]int{} // address → its first line
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad = append(bad, fmt.Sprintf("Line %d: %s", line, csvProblem(err)))
			if pe == nil || len(bad) >= byline.MaxImportErrors {
				break
			}
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if len(out) == MaxSubscriberRows {
			return nil, byline.Errorf(byline.Invalid, "Line %d: more than %d subscribers in one file; split it.", line, MaxSubscriberRows)
		}
		sub, problem := subscriberRow(line, rec, field, newsletterSlugs, defaults)
		if first, dup := seen[sub.Email]; problem == "" && dup {
			problem = fmt.Sprintf("%s is already on line %d.", sub.Email, first)
		} else if problem == "" {
			seen[sub.Email] = line
		}
		if problem != "" {
			bad = append(bad, fmt.Sprintf("Line %d: %s", line, problem))
			if len(bad) >= byline.MaxImportErrors {
				break
			}
			continue
		}
		out = append(out, sub)
	}
	if len(bad) == 0 {
		if err := byline.CheckImport(out); err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return nil, byline.Errorf(byline.Invalid, "The file has a header but no subscriber.")
		}
		return out, nil
	}
	return nil, byline.Errorf(byline.Invalid, "%d bad line(s), nothing imported:\n%s", len(bad), strings.Join(bad, "\n"))
}

func subscriberRow(line int, rec []string, field func([]string, string) string, slugs map[string]int64, defaults []int64) (byline.SubscriberImport, string) {
	for _, v := range rec {
		if !utf8.ValidString(v) {
			return byline.SubscriberImport{}, "the row is not valid UTF-8."
		}
	}
	sub := byline.SubscriberImport{Line: line, Email: field(rec, "email"), Name: field(rec, "name")}
	consent := field(rec, "consent_at")
	switch {
	case consent == "":
		return sub, "the consent date is empty: a subscriber must have agreed to be mailed."
	default:
		t, err := time.Parse(time.RFC3339, consent)
		if err != nil {
			if t, err = time.Parse("2006-01-02", consent); err != nil {
				return sub, fmt.Sprintf("the consent date %q is not a date (2024-05-01 or 2024-05-01T09:30:00Z).", consent)
			}
		}
		if t.After(time.Now().Add(24 * time.Hour)) {
			return sub, fmt.Sprintf("the consent date %s is in the future.", consent)
		}
		sub.ConsentAt = t.UTC()
	}
	switch c := strings.ToLower(field(rec, "confirmed")); c {
	case "", "no", "false", "0", "n":
	case "yes", "true", "1", "y":
		sub.Confirmed = true
	default:
		return sub, fmt.Sprintf("confirmed is %q; write yes or no.", c)
	}
	if list := field(rec, "newsletters"); list != "" {
		for _, slug := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			id, ok := slugs[strings.ToLower(slug)]
			if !ok {
				return sub, fmt.Sprintf("there is no newsletter %q.", slug)
			}
			sub.Newsletters = append(sub.Newsletters, id)
		}
	} else {
		sub.Newsletters = append(sub.Newsletters, defaults...)
	}
	if err := sub.Check(); err != nil {
		msg := byline.ErrorMessage(err)
		return sub, msg[strings.Index(msg, ": ")+2:]
	}
	return sub, ""
}

func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// WriteSubscribersCSV writes the subscribers in the layout
// ReadSubscribersCSV reads, with their status and dates; names maps
// newsletter IDs to slugs. Text that a spreadsheet would take for a formula
// is quoted with a leading apostrophe.
func WriteSubscribersCSV(w io.Writer, subs []*byline.Subscriber, slugs map[int64]string) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"email", "name", "status", "newsletters", "consent_at", "confirmed", "confirmed_at", "created_at"})
	for _, s := range subs {
		var lists []string
		for _, id := range s.Newsletters {
			lists = append(lists, slugs[id])
		}
		confirmed := "no"
		if !s.ConfirmedAt.IsZero() {
			confirmed = "yes"
		}
		cw.Write([]string{spreadsheetSafe(s.Email), spreadsheetSafe(s.Name), string(s.Status), strings.Join(lists, " "),
			timeOrEmpty(s.ConsentAt), confirmed, timeOrEmpty(s.ConfirmedAt), timeOrEmpty(s.CreatedAt)})
	}
	cw.Flush()
	return cw.Error()
}

func timeOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
