package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/bylinenews/byline"
)

// uploadJSON posts an image as the editor's script does, asking for JSON.
func (b *browser) uploadJSON(t *testing.T, name string, data []byte, header ...string) *http.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.base+"/newsroom/uploads", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(t, req)
}

type uploadAnswer struct {
	ID     int64  `json:"id"`
	URL    string `json:"url"`
	Srcset string `json:"srcset"`
	Name   string `json:"name"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Error  string `json:"error"`
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, want JSON", ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode JSON: %v", err)
	}
}

// TestNewsroom_UploadForTheEditor: the editor's script uploads a pasted
// image and reads the media library as JSON, signed in, from the site only.
func TestNewsroom_UploadForTheEditor(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	b := n.signedIn(t, n.author)

	resp := b.uploadJSON(t, "pasted.png", pngBytes(t, 1000, 40))
	wantStatus(t, "JSON upload", resp, http.StatusCreated)
	var up uploadAnswer
	decodeJSON(t, resp, &up)
	if !strings.HasSuffix(up.URL, "-1000.png") || !strings.HasPrefix(up.URL, byline.UploadPath) || up.Width != 1000 || up.Height != 40 || up.Name != "pasted.png" {
		t.Errorf("upload answer = %+v, want the 1000×40 original's address", up)
	}
	if strings.Count(up.Srcset, "w,") != 2 {
		t.Errorf("srcset = %q, want 480, 960 and the original", up.Srcset)
	}
	wantStatus(t, "GET "+up.URL, b.get(t, up.URL), http.StatusOK)

	req, _ := http.NewRequest("GET", b.base+"/newsroom/uploads", nil)
	req.Header.Set("Accept", "application/json")
	resp = b.do(t, req)
	wantStatus(t, "media library", resp, http.StatusOK)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("media library Cache-Control = %q, want no-store", cc)
	}
	var lib struct {
		Total   int            `json:"total"`
		Uploads []uploadAnswer `json:"uploads"`
	}
	decodeJSON(t, resp, &lib)
	if lib.Total != 1 || len(lib.Uploads) != 1 || lib.Uploads[0].URL != up.URL {
		t.Errorf("media library = %+v, want the one upload", lib)
	}

	t.Run("a file that is not an image is refused in a sentence", func(t *testing.T) {
		resp := b.uploadJSON(t, "notes.png", []byte("just some text"))
		wantStatus(t, "text named .png", resp, http.StatusUnsupportedMediaType)
		var ans uploadAnswer
		decodeJSON(t, resp, &ans)
		if !strings.Contains(ans.Error, "not a JPEG, PNG, GIF or WebP") {
			t.Errorf("error = %q", ans.Error)
		}
	})
	t.Run("signed out, nothing is stored or listed", func(t *testing.T) {
		anon := n.browser(t)
		resp := anon.uploadJSON(t, "x.png", pngBytes(t, 10, 10))
		wantStatus(t, "signed-out upload", resp, http.StatusSeeOther)
		req, _ := http.NewRequest("GET", anon.base+"/newsroom/uploads", nil)
		req.Header.Set("Accept", "application/json")
		wantStatus(t, "signed-out library", anon.do(t, req), http.StatusSeeOther)
	})
	t.Run("a cross-site upload is refused", func(t *testing.T) {
		resp := b.uploadJSON(t, "x.png", pngBytes(t, 12, 12), "Sec-Fetch-Site", "cross-site")
		wantStatus(t, "cross-site upload", resp, http.StatusForbidden)
	})
	resp = b.do(t, req.Clone(t.Context()))
	decodeJSON(t, resp, &lib)
	if lib.Total != 1 {
		t.Errorf("%d uploads stored, want only the first", lib.Total)
	}
}

// TestNewsroom_AltTextRequiredToPublish: a draft may hold an image with
// no description, but it cannot be published, scheduled, or added to a
// live article.
func TestNewsroom_AltTextRequiredToPublish(t *testing.T) {
	t.Parallel()
	n := newNewsroom(t)
	editor, author := n.signedIn(t, n.editor), n.signedIn(t, n.author)
	undescribed := "The talks opened.\n\n![](/files/uploads/0123456789abcdef0123456789abcdef-40.png \"Delegates arrive\")"
	described := "The talks opened.\n\n![Delegates at the door](/files/uploads/0123456789abcdef0123456789abcdef-40.png \"Delegates arrive\")"

	wantStatus(t, "author saves a draft with an undescribed image", write(t, author, "/newsroom/articles", "Draft", undescribed, "save"), http.StatusSeeOther)
	wantStatus(t, "author submits it", write(t, author, "/newsroom/articles", "Submitted", undescribed, "submit"), http.StatusSeeOther)

	resp := write(t, editor, "/newsroom/articles", "Published", undescribed, "publish")
	wantStatus(t, "publish with an undescribed image", resp, http.StatusBadRequest)
	if msg := doc(t, resp).Find("main > .nr-error").Text(); !strings.Contains(msg, "Describe the image /files/uploads/0123456789abcdef0123456789abcdef-40.png") {
		t.Errorf("message = %q", msg)
	}
	resp = write(t, editor, "/newsroom/articles", "Scheduled", undescribed+"\n\n![ ](/b.png)", "schedule", "publish_at", "2099-01-01T10:00")
	wantStatus(t, "schedule with two undescribed images", resp, http.StatusBadRequest)
	if msg := doc(t, resp).Find("main > .nr-error").Text(); !strings.Contains(msg, "2 images have no alt text") {
		t.Errorf("message = %q", msg)
	}
	if _, total, _ := n.desk.FindDesk(t.Context(), byline.DeskFilter{Status: ptrTo(byline.Published)}); total != 0 {
		t.Errorf("%d published articles, want none", total)
	}

	resp = write(t, editor, "/newsroom/articles", "Published", described, "publish")
	wantStatus(t, "publish with a described image", resp, http.StatusSeeOther)
	path := strings.Split(resp.Header.Get("Location"), "?")[0]
	resp = write(t, editor, path, "Published", undescribed, "save", "version", "1")
	wantStatus(t, "remove the description from a live article", resp, http.StatusBadRequest)
}

func ptrTo[T any](v T) *T { return &v }
