package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// oldSite is a real HTTP server standing in for the WordPress site being
// moved: it serves one picture and answers 404 for everything else.
func oldSite(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for x := range 800 {
		img.Set(x, x%600, color.RGBA{B: 180, A: 255})
	}
	var picture bytes.Buffer
	if err := png.Encode(&picture, img); err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/wp-content/uploads/2015/10/talks.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(picture.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// wxrWithImages is a WordPress export whose post shows an image of the old
// site twice (in the body and as its feature image, by attachment) and
// links one that is gone.
func wxrWithImages(t *testing.T, old string) string {
	t.Helper()
	doc := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
	<title>Old</title><link>%[1]s</link>
	<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>%[1]s</wp:base_site_url>
	<item>
		<title>Talks in Geneva</title><link>%[1]s/2015/10/talks-in-geneva/</link>
		<dc:creator>jdoe</dc:creator><guid isPermaLink="false">%[1]s/?p=12</guid>
		<content:encoded><![CDATA[<p>The talks began.</p>
[caption id="attachment_13" width="800"]<a href="%[1]s/wp-content/uploads/2015/10/talks.png"><img src="%[1]s/wp-content/uploads/2015/10/talks-300x225.png" srcset="%[1]s/wp-content/uploads/2015/10/talks-300x225.png 300w" alt="Delegates" /></a> Delegates in Geneva.[/caption]
<p><img src="%[1]s/wp-content/uploads/2015/10/talks.png" alt="Again" /></p>
<p><img src="%[1]s/wp-content/uploads/gone.jpg" alt="Gone" /></p>]]></content:encoded>
		<wp:post_id>12</wp:post_id><wp:post_date>2015-10-08 12:00:00</wp:post_date><wp:post_date_gmt>2015-10-08 12:00:00</wp:post_date_gmt>
		<wp:post_name>talks-in-geneva</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
		<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>13</wp:meta_value></wp:postmeta>
	</item>
	<item>
		<title>talks</title><wp:post_id>13</wp:post_id><wp:post_type>attachment</wp:post_type><wp:status>inherit</wp:status>
		<wp:attachment_url>%[1]s/wp-content/uploads/2015/10/talks.png</wp:attachment_url>
	</item>
</channel>
</rss>`, old)
	path := filepath.Join(t.TempDir(), "old-site.xml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

var uploadLink = regexp.MustCompile(`/files/uploads/[0-9a-f]{32}-800\.png`)

func TestImportCommand_media(t *testing.T) {
	t.Parallel()
	old, hits := oldSite(t)
	export := wxrWithImages(t, old.URL)

	t.Run("images on the old host are copied in and linked", func(t *testing.T) {
		data := t.TempDir()
		// The old site is on loopback here, so it must be allowed.
		code, out, errOut := runByline(t, "", "import", "--data", data, "--fetch-private", export)
		if code != 0 {
			t.Fatalf("import: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
		if !strings.Contains(out, "images on other hosts: 1 copied into the media library, 2 not (links left as they were)") {
			t.Errorf("summary does not count the images:\n%s", out)
		}
		for _, gone := range []string{"talks-300x225.png", "gone.jpg"} {
			want := regexp.MustCompile(`not copied: ` + regexp.QuoteMeta(export) + `:\d+ \(item 1 “Talks in Geneva”\): ` + regexp.QuoteMeta(old.URL) + `\S*` + regexp.QuoteMeta(gone) + `: the host answered 404 Not Found`)
			if !want.MatchString(out) {
				t.Errorf("summary does not report %s with its file and article:\n%s", gone, out)
			}
		}
		code, exported, errOut := runByline(t, "", "export", "--data", data)
		if code != 0 {
			t.Fatalf("export: %s", errOut)
		}
		local := uploadLink.FindString(exported)
		if local == "" {
			t.Fatalf("the article does not link to a copy in /files/uploads/:\n%s", exported)
		}
		if strings.Contains(exported, old.URL+"/wp-content/uploads/2015/10/talks.png") {
			t.Errorf("the article still links the copied image on the old host:\n%s", exported)
		}
		if !strings.Contains(exported, `"feature_image_url":"`+local+`"`) {
			t.Errorf("the feature image is not the copy %s:\n%s", local, exported)
		}
		if !strings.Contains(exported, old.URL+"/wp-content/uploads/gone.jpg") {
			t.Errorf("the link to the image that could not be copied was not left:\n%s", exported)
		}
		for _, name := range []string{filepath.Base(local), strings.Replace(filepath.Base(local), "-800.", "-480.", 1)} {
			if _, err := os.Stat(filepath.Join(data, "public", "uploads", name)); err != nil {
				t.Errorf("the copy is not in the media library's folder: %v", err)
			}
		}
		before := hits.Load()
		code, out, _ = runByline(t, "", "import", "--data", data, "--fetch-private", "--dry-run", export)
		if code != 0 || !strings.Contains(out, "images on other hosts: 3, to copy into the media library") || hits.Load() != before {
			t.Errorf("a dry run fetched (%d requests) or did not count the images: exit %d\n%s", hits.Load()-before, code, out)
		}
	})

	t.Run("private addresses are refused without --fetch-private", func(t *testing.T) {
		before := hits.Load()
		code, out, errOut := runByline(t, "", "import", "--data", t.TempDir(), export)
		if code != 0 {
			t.Fatalf("import: exit %d, %q %q", code, out, errOut)
		}
		if !strings.Contains(out, "refused: 127.0.0.1 is a loopback, private or link-local address") {
			t.Errorf("summary does not say the address was refused:\n%s", out)
		}
		if n := hits.Load() - before; n != 0 {
			t.Errorf("the old host got %d requests", n)
		}
	})

	t.Run("--fetch-media=false leaves every link", func(t *testing.T) {
		data := t.TempDir()
		before := hits.Load()
		if code, out, errOut := runByline(t, "", "import", "--data", data, "--fetch-media=false", export); code != 0 || strings.Contains(out, "images on other hosts") {
			t.Fatalf("import: exit %d, %q %q", code, out, errOut)
		}
		_, exported, _ := runByline(t, "", "export", "--data", data)
		if uploadLink.MatchString(exported) || !strings.Contains(exported, old.URL+"/wp-content/uploads/2015/10/talks.png") || hits.Load() != before {
			t.Errorf("links were changed or images fetched with --fetch-media=false:\n%s", exported)
		}
	})
}
