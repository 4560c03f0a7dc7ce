package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/media"
)

// uploadsPage is the data of the uploads page.
type uploadsPage struct {
	newsroomLayout
	Uploads []*byline.Upload
	Total   int
	Latest  *byline.Upload // the one just uploaded
}

// uploadJSON is an uploaded image as the editor's scripts read it: the
// media library, and an image pasted or dropped into the body.
type uploadJSON struct {
	ID     int64  `json:"id"`
	URL    string `json:"url"`
	Srcset string `json:"srcset"`
	Name   string `json:"name"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type uploadsJSON struct {
	Total   int          `json:"total"`
	Uploads []uploadJSON `json:"uploads"`
}

func toUploadJSON(up *byline.Upload) uploadJSON {
	return uploadJSON{ID: up.ID, URL: up.URL(), Srcset: up.Srcset(), Name: up.Name, Width: up.Width, Height: up.Height}
}

// takesUploads reports whether the site is set up to take image uploads.
func (s *Server) takesUploads() bool { return s.Uploads != nil && s.UploadDir != "" }

// wantsJSON reports whether the request is the editor's script asking for
// data rather than a page.
func wantsJSON(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/json")
}

// showUploads lists the uploaded images, with what to paste to use each;
// asked for JSON, it answers the editor's media library.
func (s *Server) showUploads(w http.ResponseWriter, r *http.Request, u *byline.User) {
	s.renderUploads(w, r, u, http.StatusOK, "")
}

func (s *Server) renderUploads(w http.ResponseWriter, r *http.Request, u *byline.User, status int, problem string) {
	if !s.takesUploads() {
		s.uploadError(w, r, u, byline.Errorf(byline.NotFound, "This site takes no image uploads."))
		return
	}
	if wantsJSON(r) && problem != "" {
		s.apiError(w, status, problem)
		return
	}
	list, total, err := s.Uploads.FindUploads(r.Context(), 60, 0)
	if err != nil {
		s.uploadError(w, r, u, err)
		return
	}
	if wantsJSON(r) {
		out := uploadsJSON{Total: total, Uploads: []uploadJSON{}}
		for _, up := range list {
			out.Uploads = append(out.Uploads, toUploadJSON(up))
		}
		w.Header().Set("Cache-Control", "no-store")
		s.apiJSON(w, http.StatusOK, out)
		return
	}
	l := s.newNewsroomLayout(r, u, "Images", "uploads")
	l.Error = problem
	page := uploadsPage{newsroomLayout: l, Uploads: list, Total: total}
	if h := r.URL.Query().Get("hash"); h != "" {
		for _, up := range list {
			if up.Hash == h {
				page.Latest = up
			}
		}
	}
	s.renderNewsroom(w, r, status, "uploads", page)
}

// uploadImage stores an uploaded image: its type sniffed from its bytes
// (never trusted from its name), its size and dimensions limited, saved
// under its content hash at each width of byline.ImageWidths it exceeds.
func (s *Server) uploadImage(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !s.takesUploads() {
		s.uploadError(w, r, u, byline.Errorf(byline.NotFound, "This site takes no image uploads."))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, byline.MaxUploadBytes+64<<10)
	file, header, err := r.FormFile("image")
	if err != nil {
		var tooBig *http.MaxBytesError
		msg := "Choose an image file to upload."
		status := http.StatusBadRequest
		if errors.As(err, &tooBig) {
			msg, status = fmt.Sprintf("The image is larger than %d MB. Make it smaller and try again.", byline.MaxUploadBytes>>20), http.StatusRequestEntityTooLarge
		}
		s.renderUploads(w, r, u, status, msg)
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, byline.MaxUploadBytes+1))
	if err != nil {
		s.uploadError(w, r, u, fmt.Errorf("read upload: %w", err))
		return
	}
	if len(data) > byline.MaxUploadBytes {
		s.renderUploads(w, r, u, http.StatusRequestEntityTooLarge, fmt.Sprintf("The image is larger than %d MB. Make it smaller and try again.", byline.MaxUploadBytes>>20))
		return
	}
	up, err := media.Store(s.UploadDir, data, header.Filename)
	if err != nil {
		if byline.ErrorKind(err) == byline.Invalid {
			s.renderUploads(w, r, u, http.StatusUnsupportedMediaType, byline.ErrorMessage(err))
			return
		}
		s.uploadError(w, r, u, err)
		return
	}
	up.UserID = u.ID
	if err := s.Uploads.CreateUpload(r.Context(), up); err != nil {
		s.uploadError(w, r, u, err)
		return
	}
	s.Logger.Info("image uploaded", "upload_id", up.ID, "bytes", up.Size, "user_id", u.ID)
	if wantsJSON(r) {
		w.Header().Set("Cache-Control", "no-store")
		s.apiJSON(w, http.StatusCreated, toUploadJSON(up))
		return
	}
	http.Redirect(w, r, "/newsroom/uploads?done=uploaded&hash="+up.Hash, http.StatusSeeOther)
}

// uploadError answers a failed upload request as a page, or as JSON to
// the editor's script.
func (s *Server) uploadError(w http.ResponseWriter, r *http.Request, u *byline.User, err error) {
	if wantsJSON(r) {
		s.apiServeError(w, r, err)
		return
	}
	s.newsroomError(w, r, u, err)
}

var uploadName = regexp.MustCompile(`^[0-9a-f]{32}-[0-9]{1,5}\.(jpg|png|gif|webp)$`)

// serveUpload serves an uploaded image. Its name is its content's hash, so
// it never changes: browsers may keep it for a year.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if s.UploadDir == "" || !uploadName.MatchString(name) {
		s.notFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(s.UploadDir, name))
	if err != nil {
		s.notFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.notFound(w, r)
		return
	}
	ext := filepath.Ext(name)[1:]
	for ct, e := range media.Types {
		if e == ext {
			w.Header().Set("Content-Type", ct)
		}
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+name+`"`)
	s.allowTimeFor(w, st.Size())
	http.ServeContent(w, r, name, st.ModTime(), f)
}
