package byline

import (
	"strings"
	"testing"
)

func TestMessage_Problems(t *testing.T) {
	good := func() Message {
		return Message{Name: "Jane Doe", Email: "jane@example.org", Subject: "Syria", Body: "Hello.\nThe map is wrong."}
	}
	tests := []struct {
		name   string
		change func(*Message)
		field  string // "" for no problem
	}{
		{"a plain message is fine", func(m *Message) {}, ""},
		{"the subject is optional", func(m *Message) { m.Subject = "" }, ""},
		{"a body may have line breaks and tabs", func(m *Message) { m.Body = "a\n\tb\r\nc" }, ""},
		{"non-Latin names are fine", func(m *Message) { m.Name = "Зоя Петрова" }, ""},
		{"a name is required", func(m *Message) { m.Name = "   " }, "name"},
		{"an email is required", func(m *Message) { m.Email = "" }, "email"},
		{"a body is required", func(m *Message) { m.Body = "\n \n" }, "body"},
		{"CRLF in the name is header injection", func(m *Message) { m.Name = "Eve\r\nBcc: x@example.net" }, "name"},
		{"LF in the subject is header injection", func(m *Message) { m.Subject = "hi\nBcc: x@example.net" }, "subject"},
		{"CR alone in the email is header injection", func(m *Message) { m.Email = "eve@example.org\rBcc: x@example.net" }, "email"},
		{"a NUL in the name is refused", func(m *Message) { m.Name = "Eve\x00" }, "name"},
		{"a Unicode line separator in the subject is refused", func(m *Message) { m.Subject = "a\u2028b" }, "subject"},
		{"two addresses are refused", func(m *Message) { m.Email = "a@example.org, b@example.org" }, "email"},
		{"a display name in the email is refused", func(m *Message) { m.Email = "Eve <eve@example.org>" }, "email"},
		{"an address without a domain is refused", func(m *Message) { m.Email = "eve@" }, "email"},
		{"a word is not an address", func(m *Message) { m.Email = "eve" }, "email"},
		{"invalid UTF-8 is refused", func(m *Message) { m.Name = "Eve\xff" }, "name"},
		{"a control character in the body is refused", func(m *Message) { m.Body = "a\x1bb" }, "body"},
		{"a name of 100 characters fits", func(m *Message) { m.Name = strings.Repeat("ж", 100) }, ""},
		{"a name of 101 characters is too long", func(m *Message) { m.Name = strings.Repeat("ж", 101) }, "name"},
		{"a subject of 201 characters is too long", func(m *Message) { m.Subject = strings.Repeat("s", 201) }, "subject"},
		{"a body of 5000 characters fits", func(m *Message) { m.Body = strings.Repeat("b", 5000) }, ""},
		{"a body of 5001 characters is too long", func(m *Message) { m.Body = strings.Repeat("b", 5001) }, "body"},
		{"an email of 255 bytes is too long", func(m *Message) { m.Email = strings.Repeat("e", 243) + "@example.org" }, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := good()
			tt.change(&m)
			m.Normalize()
			p := m.Problems()
			switch {
			case tt.field == "" && p != nil:
				t.Errorf("Problems() = %v, want none", p)
			case tt.field != "" && p[tt.field] == "":
				t.Errorf("Problems() = %v, want one for %q", p, tt.field)
			case tt.field != "" && len(p) != 1:
				t.Errorf("Problems() = %v, want only one, for %q", p, tt.field)
			}
			err := m.Validate()
			if (err == nil) != (tt.field == "") {
				t.Errorf("Validate() = %v, want error: %v", err, tt.field != "")
			}
			if err != nil && ErrorKind(err) != Invalid {
				t.Errorf("Validate() kind = %q, want %q", ErrorKind(err), Invalid)
			}
		})
	}
}

func TestMessage_Normalize(t *testing.T) {
	m := Message{Name: "  Jane ", Email: " jane@example.org\t", Subject: " Hi ", Body: "\r\n a\r\nb\rc \n"}
	m.Normalize()
	if m.Name != "Jane" || m.Email != "jane@example.org" || m.Subject != "Hi" || m.Body != "a\nb\nc" {
		t.Errorf("Normalize() gave %q %q %q %q", m.Name, m.Email, m.Subject, m.Body)
	}
}
