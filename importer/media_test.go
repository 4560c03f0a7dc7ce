package importer

import (
	"reflect"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

func TestImageLinksAndCopies(t *testing.T) {
	a := &byline.Article{
		FeatureImageURL: "https://old.example.com/feature.jpg",
		Body: `<p><a href="https://old.example.com/big.jpg"><img src="https://old.example.com/small.jpg?x=1&amp;y=2" alt="A"></a></p>

<figure><img src='//cdn.example.com/c.png' alt="C"><img src="/files/own.png" alt="ours"></figure>

![Markdown](https://old.example.com/md.gif "Caption")

<https://www.youtube.com/watch?v=dQw4w9WgXcQ>

https://vimeo.com/76979871`,
	}
	want := []string{"https://old.example.com/feature.jpg", "https://old.example.com/small.jpg?x=1&y=2", "https://cdn.example.com/c.png",
		"https://old.example.com/md.gif", "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg"}
	if got := imageLinks(a); !reflect.DeepEqual(got, want) {
		t.Fatalf("imageLinks = %q\nwant %q (no link to this site's own files; Vimeo has no poster address)", got, want)
	}
	local := map[string]string{
		"https://old.example.com/feature.jpg":              "/files/uploads/f-800.jpg",
		"https://old.example.com/small.jpg?x=1&y=2":        "/files/uploads/s-300.jpg",
		"https://old.example.com/big.jpg":                  "/files/uploads/b-1600.jpg",
		"https://old.example.com/md.gif":                   "/files/uploads/m-40.gif",
		"https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg": "/files/uploads/y-480.jpg",
	}
	useCopies(a, local)
	if a.FeatureImageURL != "/files/uploads/f-800.jpg" {
		t.Errorf("feature image = %q", a.FeatureImageURL)
	}
	for _, w := range []string{`<a href="/files/uploads/b-1600.jpg"><img src="/files/uploads/s-300.jpg" alt="A">`, `src='//cdn.example.com/c.png'`,
		`![Markdown](/files/uploads/m-40.gif "Caption")`, "[![Still from the video](/files/uploads/y-480.jpg)](https://www.youtube.com/watch?v=dQw4w9WgXcQ)",
		"\nhttps://vimeo.com/76979871"} {
		if !strings.Contains(a.Body, w) {
			t.Errorf("body after useCopies lacks %q:\n%s", w, a.Body)
		}
	}
}
