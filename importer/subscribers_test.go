package importer_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/importer"
)

var testSlugs = map[string]int64{"daily-briefing": 1, "politics": 2}

func TestReadSubscribersCSV(t *testing.T) {
	in := "email,name,newsletters,consent_at,confirmed\n" +
		"Ann@Example.org,Ann Lee,daily-briefing politics,2024-05-01,yes\n" +
		"\n" +
		"bob@example.org,,,2024-05-02T09:30:00Z,no\n"
	subs, err := importer.ReadSubscribersCSV(strings.NewReader(in), testSlugs, []int64{1})
	if err != nil {
		t.Fatalf("ReadSubscribersCSV: %v", err)
	}
	if len(subs) != 2 {
		t.Fatalf("%d subscribers, want 2", len(subs))
	}
	if s := subs[0]; s.Email != "ann@example.org" || s.Name != "Ann Lee" || !s.Confirmed || len(s.Newsletters) != 2 ||
		!s.ConsentAt.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) || s.Line != 2 {
		t.Errorf("row 1 = %+v", s)
	}
	if s := subs[1]; s.Confirmed || len(s.Newsletters) != 1 || s.Newsletters[0] != 1 || s.Line != 4 {
		t.Errorf("row 3 (no newsletters: the default; not confirmed) = %+v", s)
	}
}

func TestReadSubscribersCSV_BadRows(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string // each in the error
	}{
		{"empty", "", []string{"empty"}},
		{"no consent column", "email,name\na@example.org,A\n", []string{"Line 1", "consent_at"}},
		{"bad rows are listed by line",
			"email,consent_at,newsletters\n" +
				"good@example.org,2024-05-01,\n" +
				"not an address,2024-05-01,\n" +
				"x@example.org,,\n" +
				"y@example.org,May 1st,\n" +
				"z@example.org,2024-05-01,sports\n" +
				"\"Eve\r\nBcc: all@example.org\",2024-05-01,\n" +
				"GOOD@example.org,2024-05-01,\n",
			[]string{"Line 3:", "Line 4:", "Line 5:", "Line 6:", "sports", "Line 7:", "Line 9:", "line 2"}},
		{"a broken quote", "email,consent_at\n\"a@example.org,2024-05-01\n", []string{"Line"}},
		{"a future consent", "email,consent_at\na@example.org,2999-01-01\n", []string{"Line 2", "future"}},
		{"an unknown confirmed", "email,consent_at,confirmed\na@example.org,2024-05-01,maybe\n", []string{"Line 2", "maybe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			subs, err := importer.ReadSubscribersCSV(strings.NewReader(tt.in), testSlugs, []int64{1})
			if byline.ErrorKind(err) != byline.Invalid || subs != nil {
				t.Fatalf("ReadSubscribersCSV = %d subscribers, %v; want none and Invalid", len(subs), err)
			}
			for _, w := range tt.want {
				if !strings.Contains(byline.ErrorMessage(err), w) {
					t.Errorf("error %q does not mention %q", byline.ErrorMessage(err), w)
				}
			}
			if tt.name == "bad rows are listed by line" && strings.Contains(byline.ErrorMessage(err), "Line 2:") {
				t.Errorf("the good row is reported: %s", byline.ErrorMessage(err))
			}
		})
	}
}

func TestWriteSubscribersCSV_RoundTrip(t *testing.T) {
	consent := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	subs := []*byline.Subscriber{
		{Email: "ann@example.org", Name: "=HYPERLINK(\"x\")", Status: byline.SubscriberActive, Newsletters: []int64{1, 2}, ConsentAt: consent, ConfirmedAt: consent, CreatedAt: consent},
		{Email: "bob@example.org", Status: byline.SubscriberPending, Newsletters: []int64{2}, ConsentAt: consent, CreatedAt: consent},
	}
	var buf bytes.Buffer
	if err := importer.WriteSubscribersCSV(&buf, subs, map[int64]string{1: "daily-briefing", 2: "politics"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "'=HYPERLINK") {
		t.Errorf("a formula in a name is not defused:\n%s", buf.String())
	}
	back, err := importer.ReadSubscribersCSV(&buf, testSlugs, nil)
	if err != nil {
		t.Fatalf("reading the export back: %v", err)
	}
	if len(back) != 2 || !back[0].Confirmed || back[1].Confirmed || len(back[0].Newsletters) != 2 || back[1].Newsletters[0] != 2 {
		t.Errorf("read back %+v", back)
	}
}

func FuzzSubscribersCSV(f *testing.F) {
	f.Add("email,consent_at\na@example.org,2024-05-01\n")
	f.Add("email,name,newsletters,consent_at,confirmed\nAnn@Example.org,Ann,politics,2024-05-01,yes\n")
	f.Add("email,consent_at\n\"a\r\nb\",x\n")
	f.Fuzz(func(t *testing.T, in string) {
		subs, err := importer.ReadSubscribersCSV(strings.NewReader(in), testSlugs, []int64{1})
		if err != nil && byline.ErrorKind(err) != byline.Invalid {
			t.Fatalf("error of kind %s: %v", byline.ErrorKind(err), err)
		}
		for _, s := range subs {
			if strings.ContainsAny(s.Email+s.Name, "\r\n") || s.ConsentAt.IsZero() || len(s.Newsletters) == 0 {
				t.Fatalf("accepted %+v", s)
			}
		}
	})
}
