package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/sqlite"
)

// seedMessages stores three messages in the site at data: #1 sent, #2
// failing, #3 new and spam-filed, and returns their bodies.
func seedMessages(t *testing.T, data string) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(data, "byline.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	s := sqlite.NewMessageService(db)
	for _, m := range []*byline.Message{
		{Name: "Jane Doe", Email: "jane@example.org", Subject: "Your Syria story", Body: "The map in paragraph 3 is wrong."},
		{Name: "Ivan Petrov", Email: "ivan@example.net", Body: "=HYPERLINK(\"http://evil.example\")\nSecond line."},
		{Name: "Spam Bot", Email: "bot@example.com", Subject: "Cheap pills", Body: "Buy now"},
	} {
		if err := s.Create(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Hour)
	}
	if _, err := s.ClaimDue(t.Context(), 2, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkFailed(t.Context(), 2, "451 4.3.0 Try later", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetStatus(t.Context(), 3, byline.Spam); err != nil {
		t.Fatal(err)
	}
}

func TestMessagesCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if code, out, _ := runByline(t, "", "messages", "list", "--data", data); code != 0 || !strings.Contains(out, "No messages.") {
		t.Errorf("list on an empty inbox: exit %d, %q; want No messages.", code, out)
	}
	seedMessages(t, data)

	t.Run("list shows the newest first, one a line", func(t *testing.T) {
		code, out, errOut := runByline(t, "", "messages", "list", "--data", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
			t.Fatalf("list printed %d lines, want a header and 3:\n%s", len(lines), out)
		}
		for i, want := range []string{"Spam Bot", "Ivan Petrov", "Jane Doe"} {
			if !strings.Contains(lines[i+1], want) {
				t.Errorf("line %d = %q, want %s", i+1, lines[i+1], want)
			}
		}
		if !strings.Contains(lines[1], "spam") || !strings.Contains(lines[2], "failed ×1, retrying") || !strings.Contains(lines[3], "sent") {
			t.Errorf("statuses wrong:\n%s", out)
		}
	})

	t.Run("list filters by status and delivery", func(t *testing.T) {
		_, out, _ := runByline(t, "", "messages", "list", "--data", data, "--delivery", "failed")
		if !strings.Contains(out, "Ivan Petrov") || strings.Contains(out, "Jane Doe") {
			t.Errorf("--delivery failed:\n%s", out)
		}
		_, out, _ = runByline(t, "", "messages", "list", "--data", data, "--status", "unread", "--limit", "1")
		if !strings.Contains(out, "Ivan Petrov") || strings.Contains(out, "Jane") || !strings.Contains(out, "1–1 of 2") {
			t.Errorf("--status unread --limit 1:\n%s", out)
		}
	})

	t.Run("show prints a message in full", func(t *testing.T) {
		code, out, errOut := runByline(t, "", "messages", "show", "2", "--data", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, want := range []string{"Message #2", "From:       Ivan Petrov <ivan@example.net>", "Delivery:   failed after 1 attempt(s); next attempt",
			"Last error: 451 4.3.0 Try later", "=HYPERLINK(\"http://evil.example\")\nSecond line."} {
			if !strings.Contains(out, want) {
				t.Errorf("show 2 lacks %q:\n%s", want, out)
			}
		}
		if code, _, errOut := runByline(t, "", "messages", "show", "--data", data, "99"); code != 1 || !strings.Contains(errOut, "No message with ID 99.") {
			t.Errorf("show 99: exit %d, %q", code, errOut)
		}
	})

	t.Run("export writes JSON lines, oldest first", func(t *testing.T) {
		code, out, errOut := runByline(t, "", "messages", "export", "--data", data)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var got []exportedMessage
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var m exportedMessage
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			got = append(got, m)
		}
		if len(got) != 3 || got[0].ID != 1 || got[2].ID != 3 {
			t.Fatalf("export = %+v, want messages 1, 2, 3", got)
		}
		if got[0].SentAt == nil || got[0].Delivery != "sent" || got[1].LastError != "451 4.3.0 Try later" || got[2].Status != "spam" {
			t.Errorf("export fields: %+v", got)
		}
		_, out, _ = runByline(t, "", "messages", "export", "--data", data, "--since", "2026-11-26T10:00:00Z")
		if n := strings.Count(out, "\n"); n != 2 {
			t.Errorf("--since: %d lines, want 2", n)
		}
	})

	t.Run("export writes CSV that a spreadsheet will not run", func(t *testing.T) {
		_, out, _ := runByline(t, "", "messages", "export", "--data", data, "--format", "csv")
		records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil || len(records) != 4 || records[0][0] != "id" {
			t.Fatalf("CSV: %v, %d records", err, len(records))
		}
		if body := records[2][4]; !strings.HasPrefix(body, "'=HYPERLINK") {
			t.Errorf("formula body exported as %q, want it quoted", body)
		}
	})

	t.Run("usage errors exit 2", func(t *testing.T) {
		for _, args := range [][]string{
			{"messages"},
			{"messages", "frob"},
			{"messages", "show", "--data", data},
			{"messages", "show", "x", "--data", data},
			{"messages", "list", "--status", "bogus", "--data", data},
			{"messages", "export", "--format", "xml", "--data", data},
		} {
			if code, _, _ := runByline(t, "", args...); code != 2 {
				t.Errorf("%q: exit %d, want 2", args, code)
			}
		}
	})

	t.Run("help lists the flags", func(t *testing.T) {
		_, out, _ := runByline(t, "", "help", "messages")
		for _, want := range []string{"--status", "--delivery", "--format", "--data"} {
			if !strings.Contains(out, want) {
				t.Errorf("help messages lacks %s", want)
			}
		}
	})
}
