package captcha_test

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/bylinenews/byline/captcha"
)

// The contact form's round trip: issue a challenge with the form, serve its
// image and audio by ID, and verify the reader's answer once.
func ExampleService() {
	ctx := context.Background()
	s := captcha.New(newMemStore(time.Now)) // in Byline: a sqlite or postgres store

	c, err := s.Issue(ctx) // put c.ID in the form; never c.Solution
	if err != nil {
		panic(err)
	}
	// An image handler (its route is the web package's): Content-Type image/png.
	if err := s.WriteImage(ctx, io.Discard, c.ID); err != nil {
		panic(err)
	}
	// An audio handler: Content-Type audio/wav.
	if err := s.WriteAudio(ctx, io.Discard, c.ID, "en"); err != nil {
		panic(err)
	}
	// The form's handler: the reader typed the digits, spaces allowed.
	ok, err := s.Verify(ctx, c.ID, c.Solution[:4]+" "+c.Solution[4:])
	fmt.Println(ok, err)
	ok, err = s.Verify(ctx, c.ID, c.Solution) // burnt by the first try
	fmt.Println(ok, err)
	// Output:
	// true <nil>
	// false <nil>
}
