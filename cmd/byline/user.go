package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
	return fs
}

const userUsage = `usage:
  byline user add --email ADDRESS --name NAME [--role author|editor|admin]
  byline user reset-password --email ADDRESS
  byline user list
The password is asked for on a terminal, or read from the first line of standard input.`

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
	db, err := c.openBackend(ctx)
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
		fmt.Fprintf(stdout, "Added %s <%s>, %s. They can sign in at /newsroom/.\n", u.Name, u.Email, u.Role)
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
	fmt.Fprintf(stdout, "Password set for %s; their sessions were ended.\n", target.Email)
	return nil
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
	line, err := bufio.NewReader(io.LimitReader(stdin, byline.MaxPasswordBytes+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}
