// Command plain is the yardstick of the load script (bench/load.sh): a plain
// Go net/http server that sends, from memory, the bytes Byline sent for a
// few pages. It fetches each page from a running Byline once, identity and
// gzip, and then serves them with the same Content-Type, Content-Encoding
// and Content-Length and nothing else: no middleware, no logging, no
// headers beyond those. What Byline costs above it is what Byline adds.
//
//	go run ./bench/plain -from http://127.0.0.1:8080 -addr 127.0.0.1:8081 / /2025/12/some-article/
//
// It prints "ready" once it listens, and serves until SIGTERM or SIGINT.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "plain:", err)
		os.Exit(1)
	}
}

// copyOf is one page as Byline sent it, in both encodings.
type copyOf struct {
	contentType string
	identity    []byte
	gzip        []byte
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("plain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "http://127.0.0.1:8080", "the Byline server to copy the pages from")
	addr := fs.String("addr", "127.0.0.1:8081", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("name at least one path to copy, e.g. /")
	}
	pages := map[string]*copyOf{}
	for _, path := range fs.Args() {
		c := &copyOf{}
		var err error
		if c.identity, c.contentType, err = fetch(ctx, *from+path, ""); err != nil {
			return err
		}
		if c.gzip, _, err = fetch(ctx, *from+path, "gzip"); err != nil {
			return err
		}
		if bytes.Equal(c.identity, c.gzip) {
			return fmt.Errorf("%s: the gzip copy is the same as the identity copy: did the server compress it?", path)
		}
		pages[path] = c
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		hdr := w.Header()
		hdr.Set("Content-Type", c.contentType)
		body := c.identity
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			hdr.Set("Content-Encoding", "gzip")
			body = c.gzip
		}
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintln(stdout, "ready")
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// fetch returns the body exactly as sent (not decompressed) and its type.
func fetch(ctx context.Context, url, encoding string) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	// Setting Accept-Encoding ourselves keeps net/http from decompressing.
	if encoding == "" {
		encoding = "identity"
	}
	req.Header.Set("Accept-Encoding", encoding)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, "", fmt.Errorf("fetch %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("fetch %s: %s", url, resp.Status)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", fmt.Errorf("fetch %s: %w", url, err)
	}
	return body, resp.Header.Get("Content-Type"), nil
}
