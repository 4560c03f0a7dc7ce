package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/demo"
)

// demoEmail is the address of the newsroom user serve --demo adds.
const demoEmail = "demo@example.com"

// fillDemo fills the site with the sample site (internal/demo) and, when
// the site has no newsroom user yet, adds an admin with a new random
// password, so that the newsroom can be seen too. It returns how to sign
// in ("demo@example.com with the password ..."), or "" if it added nobody.
func fillDemo(ctx context.Context, db *backend, publicDir string, temporary bool, logger *slog.Logger) (string, error) {
	report, err := demo.Fill(ctx, publicDir, db.Services)
	if err != nil {
		return "", err
	}
	if err := demo.FillProfiles(ctx, filepath.Join(publicDir, "uploads"), db.Authors); err != nil {
		return "", err
	}
	logger.Info("demo site filled", "created", report.Created, "updated", report.Updated, "database", db.describe, "temporary", temporary)
	users, err := db.Users.FindUsers(ctx)
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		return "", nil
	}
	password := rand.Text() // 26 characters of base32, 130 bits
	u := &byline.User{Email: demoEmail, Name: "Demo Editor", Role: byline.RoleAdmin}
	if err := db.Users.CreateUser(ctx, u, password); err != nil {
		return "", fmt.Errorf("demo: add the newsroom user: %w", err)
	}
	return fmt.Sprintf("%s with the password %s", demoEmail, password), nil
}
