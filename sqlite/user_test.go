package sqlite_test

import (
	"testing"
	"time"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

const testPassword = "correct horse battery"

func setupUsers(t *testing.T) (*sqlite.UserService, *sqlite.SessionService, *testClock) {
	t.Helper()
	db := dbtest.OpenSQLite(t)
	clock := newTestClock()
	db.Now = clock.Now
	return sqlite.NewUserService(db), sqlite.NewSessionService(db), clock
}

func mustCreateUser(t *testing.T, users *sqlite.UserService, email string, role byline.Role) *byline.User {
	t.Helper()
	u := &byline.User{Email: email, Name: "User " + email, Role: role}
	if err := users.CreateUser(t.Context(), u, testPassword); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestUserService_CreateAndAuthenticate(t *testing.T) {
	t.Parallel()
	users, _, _ := setupUsers(t)
	ctx := t.Context()
	u := &byline.User{Email: "  Ed@Example.COM ", Name: "Ed Itor", Role: byline.RoleEditor}
	if err := users.CreateUser(ctx, u, testPassword); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "ed@example.com" {
		t.Errorf("created user: ID %d, email %q; want an ID and the email folded to lower case", u.ID, u.Email)
	}

	t.Run("the right password signs in, whatever the case of the address", func(t *testing.T) {
		got, err := users.Authenticate(ctx, "ED@example.com", testPassword)
		if err != nil || got.ID != u.ID {
			t.Fatalf("Authenticate = %v, %v; want user %d", got, err, u.ID)
		}
	})
	t.Run("a wrong password and an unknown address get the same answer", func(t *testing.T) {
		_, err1 := users.Authenticate(ctx, "ed@example.com", "wrong password!")
		_, err2 := users.Authenticate(ctx, "nobody@example.com", testPassword)
		if byline.ErrorKind(err1) != byline.Unauthorized || byline.ErrorMessage(err1) != byline.ErrorMessage(err2) {
			t.Errorf("wrong password: %v; unknown address: %v; want the same Unauthorized error", err1, err2)
		}
	})
	t.Run("a taken address is a conflict", func(t *testing.T) {
		err := users.CreateUser(ctx, &byline.User{Email: "ed@example.com", Name: "Other", Role: byline.RoleAuthor}, testPassword)
		if byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("CreateUser with a taken address: %v, want Conflict", err)
		}
	})
	t.Run("a short password is refused", func(t *testing.T) {
		err := users.CreateUser(ctx, &byline.User{Email: "short@example.com", Name: "Short", Role: byline.RoleAuthor}, "short")
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("CreateUser with a 5-character password: %v, want Invalid", err)
		}
	})
	t.Run("a disabled user cannot sign in", func(t *testing.T) {
		a := mustCreateUser(t, users, "admin@example.com", byline.RoleAdmin)
		_ = a
		yes := true
		if _, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Disabled: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := users.Authenticate(ctx, "ed@example.com", testPassword); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("Authenticate disabled user: %v, want Unauthorized", err)
		}
	})
}

func TestUserService_LastAdmin(t *testing.T) {
	t.Parallel()
	users, _, _ := setupUsers(t)
	ctx := t.Context()
	admin := mustCreateUser(t, users, "admin@example.com", byline.RoleAdmin)
	mustCreateUser(t, users, "author@example.com", byline.RoleAuthor)
	editor := byline.RoleEditor
	if _, err := users.UpdateUser(ctx, admin.ID, byline.UserUpdate{Role: &editor}); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("demoting the only admin: %v, want Conflict", err)
	}
	if err := users.DeleteUser(ctx, admin.ID); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("deleting the only admin: %v, want Conflict", err)
	}
	mustCreateUser(t, users, "admin2@example.com", byline.RoleAdmin)
	if _, err := users.UpdateUser(ctx, admin.ID, byline.UserUpdate{Role: &editor}); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
}

func TestSessionService(t *testing.T) {
	t.Parallel()
	users, sessions, clock := setupUsers(t)
	ctx := t.Context()
	u := mustCreateUser(t, users, "ed@example.com", byline.RoleEditor)

	token, _, err := sessions.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the token finds the session and its user", func(t *testing.T) {
		_, got, err := sessions.FindSession(ctx, token)
		if err != nil || got.ID != u.ID {
			t.Fatalf("FindSession = %v, %v; want user %d", got, err, u.ID)
		}
	})
	t.Run("another token finds nothing", func(t *testing.T) {
		if _, _, err := sessions.FindSession(ctx, token+"x"); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("FindSession(other token): %v, want Unauthorized", err)
		}
	})
	t.Run("use keeps a session alive; idleness ends it", func(t *testing.T) {
		clock.Advance(6 * 24 * time.Hour)
		if _, _, err := sessions.FindSession(ctx, token); err != nil {
			t.Fatalf("after 6 idle days: %v", err)
		}
		clock.Advance(6 * 24 * time.Hour)
		if _, _, err := sessions.FindSession(ctx, token); err != nil {
			t.Fatalf("6 days after the last use: %v", err)
		}
		clock.Advance(byline.SessionIdleExpiry + time.Minute)
		if _, _, err := sessions.FindSession(ctx, token); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("after a week idle: %v, want Unauthorized", err)
		}
	})
	t.Run("no session outlives its lifetime", func(t *testing.T) {
		token, _, err := sessions.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		for range 7 {
			clock.Advance(4 * 24 * time.Hour)
			if _, _, err := sessions.FindSession(ctx, token); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(3 * 24 * time.Hour) // 31 days in all
		if _, _, err := sessions.FindSession(ctx, token); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("after 31 days of use: %v, want Unauthorized", err)
		}
	})
	t.Run("sign-out ends the session", func(t *testing.T) {
		token, _, _ := sessions.CreateSession(ctx, u.ID)
		if err := sessions.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.FindSession(ctx, token); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("after DeleteSession: %v, want Unauthorized", err)
		}
	})
	t.Run("a new password ends every session", func(t *testing.T) {
		t1, _, _ := sessions.CreateSession(ctx, u.ID)
		t2, _, _ := sessions.CreateSession(ctx, u.ID)
		if err := users.SetPassword(ctx, u.ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{t1, t2} {
			if _, _, err := sessions.FindSession(ctx, tok); byline.ErrorKind(err) != byline.Unauthorized {
				t.Errorf("session after SetPassword: %v, want Unauthorized", err)
			}
		}
		if _, err := users.Authenticate(ctx, u.Email, "a brand new password"); err != nil {
			t.Errorf("Authenticate with the new password: %v", err)
		}
		if _, err := users.Authenticate(ctx, u.Email, testPassword); err == nil {
			t.Error("the old password still works")
		}
	})
}

// BenchmarkUserService_Authenticate measures a sign-in's password check:
// argon2id at the stored parameters, the cost an attacker pays per guess.
func BenchmarkUserService_Authenticate(b *testing.B) {
	db := dbtest.OpenSQLite(b)
	users := sqlite.NewUserService(db)
	if err := users.CreateUser(b.Context(), &byline.User{Email: "ed@example.com", Name: "Ed", Role: byline.RoleEditor}, testPassword); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := users.Authenticate(b.Context(), "ed@example.com", testPassword); err != nil {
			b.Fatal(err)
		}
	}
}
