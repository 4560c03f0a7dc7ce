package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/bylinenews/byline"
)

// userConfig is the settings of `byline user`.
type userConfig struct {
	Config
	email string
	name  string
	role  string
}

func userFlags(c *userConfig) *flag.FlagSet {
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	c.storageFlags(fs)
	fs.StringVar(&c.email, "email", "", "the user's email address, with which they sign in")
	fs.StringVar(&c.name, "name", "", "the user's name (add)")
	fs.StringVar(&c.role, "role", "author", "author, editor or admin (add)")
	fs.StringVar(&c.BaseURL, "base-url", envOr("base-url", ""), "public URL of the site, for the sign-in address printed (default: http://BYLINE_ADDR)")
	return fs
}

const userUsage = `usage:
  byline user add --email ADDRESS --name NAME [--role author|editor|admin]
  byline user reset-password --email ADDRESS
  byline user list
The password is asked for on a terminal, or else read from the first line of standard input:
  printf '%s\n' "$PASSWORD" | byline user add --email ADDRESS --name NAME`

// runUser manages newsroom users: the way to create the first admin.
func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{userUsage}
	}
	sub := args[0]
	var c userConfig
	if err := parseFlags(userFlags(&c), args[1:], stderr); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return err
	}
	switch sub {
	case "add", "reset-password":
		if c.email == "" {
			return usageError{"--email is required\n" + userUsage}
		}
	case "list":
	default:
		return usageError{fmt.Sprintf("unknown user command %q\n%s", sub, userUsage)}
	}
	db, err := c.openBackend(ctx, c.logger(stderr))
	if err != nil {
		return err
	}
	defer db.Close()
	users := db.Users

	switch sub {
	case "list":
		list, err := users.FindUsers(ctx)
		if err != nil {
			return err
		}
		for _, u := range list {
			state := ""
			if u.Disabled {
				state = " (disabled)"
			}
			fmt.Fprintf(stdout, "%-6s %-30s %s%s\n", u.Role, u.Email, u.Name, state)
		}
		return nil
	case "add":
		if c.name == "" {
			return usageError{"--name is required\n" + userUsage}
		}
		u := &byline.User{Email: c.email, Name: c.name, Role: byline.Role(c.role)}
		u.Email = byline.NormalizeEmail(u.Email)
		if err := u.Validate(); err != nil {
			return usageError{byline.ErrorMessage(err)}
		}
		password, err := readPassword(stdin, stderr, "Password for "+u.Email)
		if err != nil {
			return err
		}
		if err := users.CreateUser(ctx, u, password); err != nil {
			return domainError(err)
		}
		fmt.Fprintf(stdout, "Added %s <%s>, %s. Sign in at %s\n", u.Name, u.Email, u.Role, signInURL(c.BaseURL, envOr("addr", defaultAddr)))
		return nil
	}
	// reset-password
	list, err := users.FindUsers(ctx)
	if err != nil {
		return err
	}
	var target *byline.User
	for _, u := range list {
		if u.Email == byline.NormalizeEmail(c.email) {
			target = u
		}
	}
	if target == nil {
		return fmt.Errorf("no user has the email address %q", c.email)
	}
	password, err := readPassword(stdin, stderr, "New password for "+target.Email)
	if err != nil {
		return err
	}
	if err := users.SetPassword(ctx, target.ID, password); err != nil {
		return domainError(err)
	}
	fmt.Fprintf(stdout, "Password set for %s; their sessions were ended. Sign in at %s\n", target.Email, signInURL(c.BaseURL, envOr("addr", defaultAddr)))
	return nil
}

// signInURL is the newsroom's sign-in page (see siteURL).
func signInURL(baseURL, addr string) string { return siteURL(baseURL, addr) + "/newsroom/sign-in" }

// siteURL is the site's address, without a final slash: baseURL, or else
// the address serve listens on.
func siteURL(baseURL, addr string) string {
	if baseURL != "" {
		return strings.TrimRight(baseURL, "/")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost" // serve listens on every address
	}
	return "http://" + net.JoinHostPort(host, port)
}

// domainError turns a domain error into its message, for the terminal.
func domainError(err error) error {
	if k := byline.ErrorKind(err); k != byline.Internal {
		return errors.New(byline.ErrorMessage(err))
	}
	return err
}

// readPassword asks twice on a terminal, without echo; otherwise it reads
// the first line of stdin (for scripts: `echo "$PW" | byline user add ...`).
func readPassword(stdin io.Reader, stderr io.Writer, prompt string) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "%s (at least %d characters): ", prompt, byline.MinPasswordRunes)
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(stderr, "Again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	noPassword := usageError{"no password: standard input is not a terminal, so the password is read from its first line, which is empty.\n" +
		"Run the command in a terminal to be asked for it, or give it on standard input:\n" +
		"  printf '%s\\n' \"$PASSWORD\" | byline user ..."}
	if stdin == nil {
		return "", noPassword
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, byline.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", noPassword
	}
	return line, nil
}
