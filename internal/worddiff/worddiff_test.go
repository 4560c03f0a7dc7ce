package worddiff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func render(ps []Part) string {
	var b strings.Builder
	for _, p := range ps {
		switch p.Kind {
		case Same:
			b.WriteString(p.Text)
		case Removed:
			b.WriteString("[-" + p.Text + "-]")
		case Added:
			b.WriteString("{+" + p.Text + "+}")
		}
	}
	return b.String()
}

func TestWords(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"no change", "Talks open.", "Talks open.", "Talks open."},
		{"both empty", "", "", ""},
		{"a word replaced", "The talks open today.", "The talks close today.", "The talks [-open-]{+close+} today."},
		{"a word added", "Talks open.", "Talks open again.", "Talks open{+ again+}."},
		{"punctuation on its own", "Talks open.", "Talks open!", "Talks open[-.-]{+!+}"},
		{"a line added between", "One.\nThree.\n", "One.\nTwo.\nThree.\n", "One.\n{+Two.\n+}Three.\n"},
		{"all new", "", "Hello", "{+Hello+}"},
		{"all gone", "Hello", "", "[-Hello-]"},
		{"words keep apostrophes", "It's here", "It’s here", "[-It's-]{+It’s+} here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Words(tt.old, tt.new)
			if r := render(got); r != tt.want {
				t.Errorf("Words(%q, %q) = %s, want %s", tt.old, tt.new, r, tt.want)
			}
			checkRebuilds(t, tt.old, tt.new, got)
		})
	}
}

// checkRebuilds: the Same and Removed parts make old; Same and Added, new.
func checkRebuilds(t *testing.T, old, new string, ps []Part) {
	t.Helper()
	var a, b strings.Builder
	for _, p := range ps {
		if p.Kind != Added {
			a.WriteString(p.Text)
		}
		if p.Kind != Removed {
			b.WriteString(p.Text)
		}
	}
	if a.String() != old || b.String() != new {
		t.Fatalf("parts rebuild %q and %q, want %q and %q", a.String(), b.String(), old, new)
	}
}

// TestWords_random compares random edits of random texts: the parts always
// rebuild both sides, and a single-word edit is found as one.
func TestWords_random(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := strings.Fields("the talks in vienna open on monday delegates said. \n agreement ceasefire")
	text := func(n int) []string {
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[rng.IntN(len(vocab))]
		}
		return w
	}
	for i := range 300 {
		a := text(rng.IntN(60))
		b := append([]string(nil), a...)
		for range rng.IntN(6) {
			switch j := rng.IntN(len(b) + 1); rng.IntN(3) {
			case 0:
				b = append(b[:j], append([]string{vocab[rng.IntN(len(vocab))]}, b[j:]...)...)
			case 1:
				if j < len(b) {
					b = append(b[:j], b[j+1:]...)
				}
			default:
				if j < len(b) {
					b[j] = "changed"
				}
			}
		}
		old, new := strings.Join(a, " "), strings.Join(b, " ")
		ps := Words(old, new)
		checkRebuilds(t, old, new, ps)
		if old != new && !Changed(ps) {
			t.Fatalf("case %d: Words(%q, %q) found no change", i, old, new)
		}
	}
}

func TestWords_large(t *testing.T) {
	// Two unrelated long texts: past the edit limit, shown as replaced whole.
	old := strings.Repeat("alpha beta gamma ", 3000)
	new := strings.Repeat("delta epsilon ", 3000)
	ps := Words(old, new)
	checkRebuilds(t, old, new, ps)
	if len(ps) != 2 || ps[0].Kind != Removed || ps[1].Kind != Added {
		t.Errorf("unrelated long texts: %d parts, want one removed and one added", len(ps))
	}
	// A long text with one word changed is still found word by word.
	long := strings.Repeat("word ", 20000)
	edited := long[:50000] + "other" + long[50004:]
	ps = Words(long, edited)
	checkRebuilds(t, long, edited, ps)
	n := 0
	for _, p := range ps {
		if p.Kind != Same {
			n++
		}
	}
	if n != 2 {
		t.Errorf("one word changed in 20,000: %d changed parts, want 2", n)
	}
}

func BenchmarkWords(b *testing.B) {
	old := strings.Repeat("The talks in Vienna opened on Monday, delegates said.\n\n", 400)
	new := strings.Replace(old, "Monday", "Tuesday", 3)
	for b.Loop() {
		Words(old, new)
	}
}

func TestWords_spacesBetweenChangesJoinThem(t *testing.T) {
	got := render(Words("The talks opened on Monday, officials said.", "The talks opened on Monday. They go on."))
	want := "The talks opened on Monday[-, officials said-]{+. They go on+}."
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}
