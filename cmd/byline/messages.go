package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/bylinenews/byline"
)

// messagesConfig is the settings of byline messages.
type messagesConfig struct {
	Config
	status   string
	delivery string
	since    string
	limit    int
	offset   int
	format   string
}

func messagesFlags(c *messagesConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("messages", flag.ContinueOnError)
	c.storageFlags(fs)
	fs.StringVar(&c.status, "status", "", "only messages in this inbox status: unread, read, archived or spam")
	fs.StringVar(&c.delivery, "delivery", "", "only messages in this delivery status: pending, sent or failed")
	fs.StringVar(&c.since, "since", "", "only messages received on or after this date (2006-01-02) or time (RFC 3339)")
	fs.IntVar(&c.limit, "limit", 50, "list: how many messages, newest first (0: all)")
	fs.IntVar(&c.offset, "offset", 0, "list: skip this many of the newest")
	fs.StringVar(&c.format, "format", "jsonl", "export: jsonl (one JSON object a line) or csv")
	return fs
}

const messagesUsage = `usage:
  byline messages list [flags]          the newest messages, one a line
  byline messages show [flags] ID...    messages in full
  byline messages export [flags]        every matching message, oldest first, as JSON lines or CSV`

// runMessages lets an operator read the messages readers sent, until the
// newsroom has a web inbox. It only reads.
func runMessages(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{messagesUsage}
	}
	action, rest := args[0], args[1:]
	var c messagesConfig
	fs := messagesFlags(&c)
	// Flags may come before or after the IDs.
	var positional []string
	for {
		if err := parseFlags(fs, rest, stderr); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if err := c.validate(); err != nil {
		return err
	}
	filter, err := c.filter()
	if err != nil {
		return err
	}
	switch action {
	case "list", "export":
		if len(positional) > 0 {
			return usageError{fmt.Sprintf("%s takes no arguments, only flags; got %q", action, positional)}
		}
	case "show":
		if len(positional) == 0 {
			return usageError{"show: name the message IDs to show (see byline messages list)"}
		}
	default:
		return usageError{fmt.Sprintf("unknown action %q\n%s", action, messagesUsage)}
	}
	if action == "export" && c.format != "jsonl" && c.format != "csv" {
		return usageError{fmt.Sprintf("--format must be jsonl or csv, not %q", c.format)}
	}

	db, err := c.openBackend(ctx, c.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	messages := db.Messages

	switch action {
	case "list":
		filter.Limit, filter.Offset = c.limit, c.offset
		msgs, total, err := messages.Find(ctx, filter)
		if err != nil {
			return err
		}
		return listMessages(stdout, msgs, total, c.offset)
	case "show":
		for i, arg := range positional {
			id, err := strconv.ParseInt(strings.TrimPrefix(arg, "#"), 10, 64)
			if err != nil {
				return usageError{fmt.Sprintf("show: %q is not a message ID", arg)}
			}
			m, err := messages.FindByID(ctx, id)
			if err != nil {
				return fmt.Errorf("%s", byline.ErrorMessage(err))
			}
			if i > 0 {
				fmt.Fprintln(stdout, "\n"+strings.Repeat("-", 72))
			}
			showMessage(stdout, m)
		}
		return nil
	default: // export
		msgs, _, err := messages.Find(ctx, filter)
		if err != nil {
			return err
		}
		slices.Reverse(msgs) // oldest first, as an archive reads
		return exportMessages(stdout, msgs, c.format)
	}
}

// filter turns the flags into a MessageFilter.
func (c *messagesConfig) filter() (byline.MessageFilter, error) {
	var f byline.MessageFilter
	if c.status != "" {
		s := byline.InboxStatus(c.status)
		if !s.Valid() {
			return f, usageError{fmt.Sprintf("--status must be unread, read, archived or spam, not %q", c.status)}
		}
		f.Status = &s
	}
	if c.delivery != "" {
		d := byline.DeliveryStatus(c.delivery)
		if !d.Valid() {
			return f, usageError{fmt.Sprintf("--delivery must be pending, sent or failed, not %q", c.delivery)}
		}
		f.Delivery = &d
	}
	if c.since != "" {
		t, err := time.Parse(time.RFC3339, c.since)
		if err != nil {
			if t, err = time.Parse("2006-01-02", c.since); err != nil {
				return f, usageError{fmt.Sprintf("--since must be a date (2006-01-02) or an RFC 3339 time, not %q", c.since)}
			}
		}
		f.Since = &t
	}
	if c.limit < 0 || c.offset < 0 {
		return f, usageError{"--limit and --offset cannot be negative"}
	}
	return f, nil
}

const timeLayout = "2006-01-02 15:04 MST"

func listMessages(w io.Writer, msgs []*byline.Message, total, offset int) error {
	if total == 0 {
		fmt.Fprintln(w, "No messages.")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tINBOX\tDELIVERY\tFROM\tSUBJECT")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.UTC().Format(timeLayout), m.Status,
			deliverySummary(m), oneLine(m.Name+" <"+m.Email+">", 40), oneLine(subjectOrStart(m), 50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if shown := len(msgs); offset > 0 || shown < total {
		fmt.Fprintf(w, "\n%d–%d of %d messages (--limit, --offset for more).\n", offset+1, offset+shown, total)
	}
	return nil
}

func deliverySummary(m *byline.Message) string {
	switch {
	case m.Delivery == byline.DeliveryFailed && m.NextAttemptAt.IsZero():
		return "failed, given up"
	case m.Delivery == byline.DeliveryFailed:
		return fmt.Sprintf("failed ×%d, retrying", m.Attempts)
	}
	return string(m.Delivery)
}

func subjectOrStart(m *byline.Message) string {
	if m.Subject != "" {
		return m.Subject
	}
	return "(" + m.Body + ")"
}

// oneLine flattens s and cuts it to n characters with an ellipsis.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func showMessage(w io.Writer, m *byline.Message) {
	fmt.Fprintf(w, "Message #%d\n", m.ID)
	fmt.Fprintf(w, "From:       %s <%s>\n", m.Name, m.Email)
	if m.Subject != "" {
		fmt.Fprintf(w, "Subject:    %s\n", m.Subject)
	}
	fmt.Fprintf(w, "Received:   %s\n", m.CreatedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "Inbox:      %s\n", m.Status)
	fmt.Fprintf(w, "Delivery:   %s", m.Delivery)
	switch {
	case m.Delivery == byline.DeliverySent:
		fmt.Fprintf(w, " at %s (attempt %d)", m.SentAt.UTC().Format(time.RFC3339), m.Attempts)
	case m.Attempts > 0:
		fmt.Fprintf(w, " after %d attempt(s)", m.Attempts)
	}
	if !m.NextAttemptAt.IsZero() && m.Delivery != byline.DeliverySent {
		fmt.Fprintf(w, "; next attempt %s", m.NextAttemptAt.UTC().Format(time.RFC3339))
	} else if m.Delivery == byline.DeliveryFailed {
		fmt.Fprint(w, "; given up")
	}
	fmt.Fprintln(w)
	if m.LastError != "" {
		fmt.Fprintf(w, "Last error: %s\n", m.LastError)
	}
	fmt.Fprintf(w, "\n%s\n", m.Body)
}

// exportedMessage is the shape of a message in an export.
type exportedMessage struct {
	ID            int64   `json:"id"`
	Name          string  `json:"name"`
	Email         string  `json:"email"`
	Subject       string  `json:"subject"`
	Body          string  `json:"body"`
	CreatedAt     string  `json:"created_at"`
	Status        string  `json:"status"`
	Delivery      string  `json:"delivery"`
	Attempts      int     `json:"attempts"`
	LastError     string  `json:"last_error"`
	NextAttemptAt *string `json:"next_attempt_at"`
	SentAt        *string `json:"sent_at"`
}

func exportMessages(w io.Writer, msgs []*byline.Message, format string) error {
	rows := make([]exportedMessage, len(msgs))
	for i, m := range msgs {
		rows[i] = exportedMessage{
			ID: m.ID, Name: m.Name, Email: m.Email, Subject: m.Subject, Body: m.Body,
			CreatedAt: m.CreatedAt.UTC().Format(time.RFC3339Nano), Status: string(m.Status),
			Delivery: string(m.Delivery), Attempts: m.Attempts, LastError: m.LastError,
			NextAttemptAt: optionalTime(m.NextAttemptAt), SentAt: optionalTime(m.SentAt),
		}
	}
	if format == "jsonl" {
		enc := json.NewEncoder(w)
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "name", "email", "subject", "body", "created_at", "status", "delivery", "attempts", "last_error", "next_attempt_at", "sent_at"})
	for _, r := range rows {
		cw.Write([]string{strconv.FormatInt(r.ID, 10), csvSafe(r.Name), csvSafe(r.Email), csvSafe(r.Subject), csvSafe(r.Body),
			r.CreatedAt, r.Status, r.Delivery, strconv.Itoa(r.Attempts), csvSafe(r.LastError), deref(r.NextAttemptAt), deref(r.SentAt)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a reader's text from running as a formula when the export
// is opened in a spreadsheet (CSV injection): a leading =, +, - or @ gets
// a quote in front.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
