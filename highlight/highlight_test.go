package highlight

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHighlight(t *testing.T) {
	tests := []struct {
		terms []string
		text  string
		want  string
	}{
		{[]string{"syria"}, "Russian, US Relationship In Syria Remains Complicated", "Russian, US Relationship In <mark>Syria</mark> Remains Complicated"},
		{[]string{"election"}, "Local Elections: the elected council", "Local <mark>Elections</mark>: the <mark>elected</mark> council"},
		{[]string{"running"}, "She runs; they ran; running late", "She <mark>runs</mark>; they ran; <mark>running</mark> late"},
		{[]string{"cafe", "zurich"}, "A café reopens in Zürich", "A <mark>café</mark> reopens in <mark>Zürich</mark>"},
		{[]string{"united states"}, "Rival states united; the United States grows", "Rival states united; the <mark>United States</mark> grows"},
		{[]string{"markup"}, "<b>Markup</b> & more", "&lt;b&gt;<mark>Markup</mark>&lt;/b&gt; &amp; more"},
		{[]string{"2012"}, "In 2012, and 20120", "In <mark>2012</mark>, and 20120"},
		{[]string{"nothing"}, "No match here", "No match here"},
		{nil, "No terms", "No terms"},
	}
	for _, tt := range tests {
		got := NewMatcher(tt.terms).Highlight(tt.text)
		if got.HTML() != tt.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", tt.terms, tt.text, got.HTML(), tt.want)
		}
		if got.String() != tt.text {
			t.Errorf("Highlight(%q, %q) changed the text to %q", tt.terms, tt.text, got.String())
		}
	}
}

func TestSnippet(t *testing.T) {
	var b strings.Builder
	for i := range 100 {
		switch i {
		case 10:
			b.WriteString("syria ")
		case 60:
			b.WriteString("russia and syria talks ")
		default:
			b.WriteString("filler ")
		}
	}
	text := b.String()
	m := NewMatcher([]string{"syria", "russia"})

	got := m.Snippet(text, 10)
	if want := "…filler filler <mark>russia</mark> and <mark>syria</mark> talks filler filler filler filler…"; got.HTML() != want {
		t.Errorf("Snippet = %q, want the window holding both words, %q", got.HTML(), want)
	}

	// A match near the start: the snippet starts with the text.
	got = NewMatcher([]string{"syria"}).Snippet(text, 30)
	if !strings.HasPrefix(got.String(), "filler filler") || !strings.HasSuffix(got.String(), "…") {
		t.Errorf("Snippet = %q, want it to start with the text and end cut", got.String())
	}

	// A long text: what its first part holds is found there; a term only
	// at its end is found at its end.
	long := "Syria talks began. " + strings.Repeat("filler ", 3000) + "Russia replied at last."
	if got := NewMatcher([]string{"russia"}).Snippet(long, 10).HTML(); got != "…filler filler <mark>Russia</mark> replied at last." {
		t.Errorf("Snippet of a long text with the word at its end = %q", got)
	}
	if got := m.Snippet(long, 10).HTML(); !strings.HasPrefix(got, "<mark>Syria</mark>") {
		t.Errorf("Snippet of a long text with its words far apart = %q, want the first", got)
	}
	if got := NewMatcher([]string{"syria"}).Snippet(long, 5).HTML(); got != "<mark>Syria</mark> talks began. filler filler…" {
		t.Errorf("Snippet of a long text with the word at its start = %q", got)
	}

	if got := NewMatcher([]string{"absent"}).Snippet(text, 30); got != nil {
		t.Errorf("Snippet with no match = %q, want nil", got.String())
	}
	if got := m.Snippet("Syria", 30); got.HTML() != "<mark>Syria</mark>" {
		t.Errorf("Snippet of a one-word text = %q", got.HTML())
	}
}

func FuzzMatcher(f *testing.F) {
	f.Add("syria", "Russian, US Relationship In Syria Remains Complicated", 30)
	f.Add("united states", "the United States\u0301 grows", 3)
	f.Add("é", "e\u0301 \xff caf\u00e9", 1)
	f.Fuzz(func(t *testing.T, terms, text string, n int) {
		m := NewMatcher(strings.Split(terms, ","))
		h := m.Highlight(text)
		if h.String() != text {
			t.Fatalf("Highlight changed %q to %q", text, h.String())
		}
		s := m.Snippet(text, n%64)
		inner := strings.TrimSuffix(strings.TrimPrefix(s.String(), "…"), "…")
		if !strings.Contains(text, inner) {
			t.Fatalf("Snippet %q is not a passage of %q", s.String(), text)
		}
		if utf8.ValidString(text) && !utf8.ValidString(s.String()) {
			t.Fatalf("Snippet %q of valid text is not valid UTF-8", s.String())
		}
	})
}

func BenchmarkSnippet(b *testing.B) {
	var sb strings.Builder
	words := strings.Fields("the president said on tuesday that the talks about syria and the trade plan would continue despite protests in several states")
	for i := range 400 {
		sb.WriteString(words[i%len(words)])
		sb.WriteString(" ")
	}
	text := sb.String()
	m := NewMatcher([]string{"trump", "syria", "plan"})
	for b.Loop() {
		m.Snippet(text, 30)
	}
}

func TestParseMarked(t *testing.T) {
	tests := map[string]string{
		"Talks on " + MarkOpen + "Syria" + MarkClose + " stall": "Talks on <mark>Syria</mark> stall",
		MarkOpen + "a" + MarkClose + MarkOpen + "b" + MarkClose: "<mark>ab</mark>",
		"stray " + MarkClose + "marker & <b>":                   "stray marker &amp; &lt;b&gt;",
		"":                                                      "",
	}
	for in, want := range tests {
		if got := ParseMarked(in).HTML(); got != want {
			t.Errorf("ParseMarked(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlain(t *testing.T) {
	long := strings.Repeat("word ", SnippetWords+5)
	for _, tc := range []struct{ dek, body, want string }{
		{"The dek.", "The body.", "The dek."},
		{"  ", "The  body\nwraps.", "The body wraps."},
		{"", long, strings.TrimSpace(strings.Repeat("word ", SnippetWords)) + " …"},
		{"", "", ""},
	} {
		h := Plain(tc.dek, tc.body)
		if got := h.String(); got != tc.want {
			t.Errorf("Plain(%q, %q) = %q, want %q", tc.dek, tc.body, got, tc.want)
		}
		for _, s := range h {
			if s.Match {
				t.Errorf("Plain(%q, %q) marked %q", tc.dek, tc.body, s.Text)
			}
		}
	}
	if Plain("", " ") != nil {
		t.Error("Plain of blank texts is not nil")
	}
}
