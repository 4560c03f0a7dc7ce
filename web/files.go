package web

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"syscall"

	"github.com/bylinenews/byline"
)

// servePublicFile serves one file of PublicDir at /files/NAME. Folders
// answer 404, never a listing: a listing would hand out every uploaded
// image's name, which the content hash otherwise keeps unguessable. A name
// no file can have (a NUL byte, a control character, a backslash) is the
// client's mistake, a 400 with a sentence, not a 500 from the file system.
func (s *Server) servePublicFile(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/files/")
	if name == "" || strings.HasSuffix(name, "/") {
		s.notFound(w, r) // a folder's address
		return
	}
	if !validFileName(name) {
		s.serveError(w, r, byline.Errorf(byline.Invalid, "This address cannot name a file: it holds a character file names do not have."))
		return
	}
	f, err := s.PublicDir.Open(name)
	if err != nil {
		s.serveFileError(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		s.serveFileError(w, r, err)
		return
	}
	content, ok := f.(io.ReadSeeker)
	if st.IsDir() || !st.Mode().IsRegular() || !ok {
		s.notFound(w, r)
		return
	}
	s.allowTimeFor(w, st.Size())
	http.ServeContent(w, r, st.Name(), st.ModTime(), content)
}

// validFileName reports whether name may name a file under /files/: a
// slash-separated path without empty, "." or ".." parts (fs.ValidPath),
// and without what the file system would refuse or read differently.
func validFileName(name string) bool {
	if !fs.ValidPath(name) || strings.ContainsRune(name, '\\') {
		return false
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// serveFileError answers a file that could not be opened: missing or
// forbidden is 404; a name the system refuses (too long, say) is 400.
func (s *Server) serveFileError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.ENOTDIR):
		s.notFound(w, r)
	case errors.Is(err, fs.ErrInvalid), errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENAMETOOLONG):
		s.serveError(w, r, byline.Errorf(byline.Invalid, "This address cannot name a file."))
	default:
		s.serveError(w, r, err)
	}
}
