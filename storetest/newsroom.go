package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bylinenews/byline"
)

// newsroomT0 is when the newsroom's tests start their clocks.
var newsroomT0 = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

const testPassword = "correct horse battery"

// RunNewsroomTests checks a backend's newsroom services: users, sessions,
// the desk (owners, version-checked saves, revisions), settings and uploads.
func RunNewsroomTests(t *testing.T, open Opener) {
	t.Run("Users", func(t *testing.T) { t.Parallel(); testUsers(t, open) })
	t.Run("UserList", func(t *testing.T) { t.Parallel(); testUserList(t, open) })
	t.Run("LastAdmin", func(t *testing.T) { t.Parallel(); testLastAdmin(t, open) })
	t.Run("LastAdminConcurrent", func(t *testing.T) { t.Parallel(); testLastAdminConcurrent(t, open) })
	t.Run("Sessions", func(t *testing.T) { t.Parallel(); testSessions(t, open) })
	t.Run("SessionsSharedByInstances", func(t *testing.T) { t.Parallel(); testSessionsSharedByInstances(t, open) })
	t.Run("DeskUpdate", func(t *testing.T) { t.Parallel(); testDeskUpdate(t, open) })
	t.Run("DeskFind", func(t *testing.T) { t.Parallel(); testDeskFind(t, open) })
	t.Run("NameSuggestions", func(t *testing.T) { t.Parallel(); testNameSuggestions(t, open) })
	t.Run("Autosaves", func(t *testing.T) { t.Parallel(); testAutosaves(t, open) })
	t.Run("DeskConcurrentSaves", func(t *testing.T) { t.Parallel(); testDeskConcurrentSaves(t, open) })
	t.Run("Settings", func(t *testing.T) { t.Parallel(); testSettings(t, open) })
	t.Run("Uploads", func(t *testing.T) { t.Parallel(); testUploads(t, open) })
}

func ptr[T any](v T) *T { return &v }

func mustCreateUser(t *testing.T, users byline.UserService, email string, role byline.Role) *byline.User {
	t.Helper()
	u := &byline.User{Email: email, Name: "User " + email, Role: role}
	if err := users.CreateUser(t.Context(), u, testPassword); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func testUsers(t *testing.T, open Opener) {
	b, _ := openAt(t, open, newsroomT0)
	users, ctx := b.Users, t.Context()
	u := &byline.User{Email: "  Ed@Example.COM ", Name: " Ed Itor ", Role: byline.RoleEditor}
	if err := users.CreateUser(ctx, u, testPassword); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "ed@example.com" || u.Name != "Ed Itor" {
		t.Errorf("created user: ID %d, email %q, name %q; want an ID, the email folded to lower case, the name trimmed", u.ID, u.Email, u.Name)
	}
	if !u.CreatedAt.Equal(newsroomT0) || !u.PasswordChangedAt.Equal(newsroomT0) {
		t.Errorf("created user: times %v, %v; want the clock's %v", u.CreatedAt, u.PasswordChangedAt, newsroomT0)
	}

	t.Run("the stored user is what was created", func(t *testing.T) {
		got, err := users.FindUserByID(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != u.Email || got.Name != u.Name || got.Role != u.Role || got.Disabled ||
			!got.CreatedAt.Equal(u.CreatedAt) || !got.UpdatedAt.Equal(u.UpdatedAt) || !got.PasswordChangedAt.Equal(u.PasswordChangedAt) {
			t.Errorf("FindUserByID(%d) = %+v, want %+v", u.ID, got, u)
		}
		if _, err := users.FindUserByID(ctx, u.ID+1000); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("FindUserByID(unknown) = %v, want NotFound", err)
		}
	})
	t.Run("the right password signs in, whatever the case of the address", func(t *testing.T) {
		got, err := users.Authenticate(ctx, " ED@example.com", testPassword)
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
	t.Run("an address no database could hold is just unknown", func(t *testing.T) {
		for _, email := range []string{"ed\xff@example.com", "ed\x00@example.com"} {
			if _, err := users.Authenticate(ctx, email, testPassword); byline.ErrorKind(err) != byline.Unauthorized {
				t.Errorf("Authenticate(%q) = %v, want Unauthorized", email, err)
			}
		}
		if _, err := users.Authenticate(ctx, "ed@example.com", string(make([]byte, byline.MaxPasswordBytes+1))); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("Authenticate with an overlong password = %v, want Unauthorized", err)
		}
	})
	t.Run("a taken address is a conflict", func(t *testing.T) {
		err := users.CreateUser(ctx, &byline.User{Email: "ED@example.com", Name: "Other", Role: byline.RoleAuthor}, testPassword)
		if byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("CreateUser with a taken address: %v, want Conflict", err)
		}
		other := mustCreateUser(t, users, "other@example.com", byline.RoleAuthor)
		if _, err := users.UpdateUser(ctx, other.ID, byline.UserUpdate{Email: ptr("Ed@example.com")}); byline.ErrorKind(err) != byline.Conflict {
			t.Errorf("UpdateUser to a taken address: %v, want Conflict", err)
		}
	})
	t.Run("a short password and a bad user are refused", func(t *testing.T) {
		err := users.CreateUser(ctx, &byline.User{Email: "short@example.com", Name: "Short", Role: byline.RoleAuthor}, "short")
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("CreateUser with a 5-character password: %v, want Invalid", err)
		}
		err = users.CreateUser(ctx, &byline.User{Email: "boss@example.com", Name: "Boss", Role: "owner"}, testPassword)
		if byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("CreateUser with role owner: %v, want Invalid", err)
		}
		if _, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Name: ptr("  ")}); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("UpdateUser with a blank name: %v, want Invalid", err)
		}
		if err := users.SetPassword(ctx, u.ID, "short"); byline.ErrorKind(err) != byline.Invalid {
			t.Errorf("SetPassword(short): %v, want Invalid", err)
		}
	})
	t.Run("unknown users are not found", func(t *testing.T) {
		if _, err := users.UpdateUser(ctx, 999999, byline.UserUpdate{Name: ptr("X")}); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("UpdateUser(unknown) = %v, want NotFound", err)
		}
		if err := users.SetPassword(ctx, 999999, "a long enough password"); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("SetPassword(unknown) = %v, want NotFound", err)
		}
		if err := users.DeleteUser(ctx, 999999); byline.ErrorKind(err) != byline.NotFound {
			t.Errorf("DeleteUser(unknown) = %v, want NotFound", err)
		}
	})
	t.Run("a disabled user cannot sign in", func(t *testing.T) {
		mustCreateUser(t, users, "admin@example.com", byline.RoleAdmin)
		got, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Disabled: ptr(true)})
		if err != nil || !got.Disabled {
			t.Fatalf("UpdateUser(disable) = %+v, %v", got, err)
		}
		if _, err := users.Authenticate(ctx, "ed@example.com", testPassword); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("Authenticate disabled user: %v, want Unauthorized", err)
		}
		if _, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Disabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, err := users.Authenticate(ctx, "ed@example.com", testPassword); err != nil {
			t.Errorf("Authenticate enabled again: %v", err)
		}
	})
}

func testUserList(t *testing.T, open Opener) {
	b, clock := openAt(t, open, newsroomT0)
	users, ctx := b.Users, t.Context()
	if n, err := users.CountUsers(ctx); err != nil || n != 0 {
		t.Errorf("CountUsers on a new site = %d, %v; want 0", n, err)
	}
	for _, name := range []string{"zoe", "Adam", "mia", "Bea"} {
		if err := users.CreateUser(ctx, &byline.User{Email: name + "@example.com", Name: name, Role: byline.RoleAdmin}, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	list, err := users.FindUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range list {
		names = append(names, u.Name)
	}
	if want := []string{"Adam", "Bea", "mia", "zoe"}; !equalStrings(names, want) {
		t.Errorf("FindUsers = %q, want %q: by name, ignoring case", names, want)
	}
	if n, err := users.CountUsers(ctx); err != nil || n != 4 {
		t.Errorf("CountUsers = %d, %v; want 4", n, err)
	}

	clock.Advance(time.Hour)
	got, err := users.UpdateUser(ctx, list[0].ID, byline.UserUpdate{Name: ptr("Adam Smith"), Role: ptr(byline.RoleAuthor)})
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Adam Smith" || got.Role != byline.RoleAuthor || !got.UpdatedAt.Equal(clock.Now()) || !got.CreatedAt.Equal(newsroomT0) {
		t.Errorf("UpdateUser = %+v; want the new name and role, updated now, created before", got)
	}
	if again, _ := users.FindUserByID(ctx, got.ID); again == nil || again.Name != got.Name || !again.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("FindUserByID after UpdateUser = %+v, want %+v", again, got)
	}
	if err := users.DeleteUser(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := users.CountUsers(ctx); n != 3 {
		t.Errorf("CountUsers after a delete = %d, want 3", n)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testLastAdmin(t *testing.T, open Opener) {
	b, _ := openAt(t, open, newsroomT0)
	users, ctx := b.Users, t.Context()
	admin := mustCreateUser(t, users, "admin@example.com", byline.RoleAdmin)
	mustCreateUser(t, users, "author@example.com", byline.RoleAuthor)
	if _, err := users.UpdateUser(ctx, admin.ID, byline.UserUpdate{Role: ptr(byline.RoleEditor)}); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("demoting the only admin: %v, want Conflict", err)
	}
	if _, err := users.UpdateUser(ctx, admin.ID, byline.UserUpdate{Disabled: ptr(true)}); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("disabling the only admin: %v, want Conflict", err)
	}
	if err := users.DeleteUser(ctx, admin.ID); byline.ErrorKind(err) != byline.Conflict {
		t.Errorf("deleting the only admin: %v, want Conflict", err)
	}
	if got, _ := users.FindUserByID(ctx, admin.ID); got == nil || got.Role != byline.RoleAdmin || got.Disabled {
		t.Errorf("after the refused changes: %+v, want the admin unchanged", got)
	}
	mustCreateUser(t, users, "admin2@example.com", byline.RoleAdmin)
	if _, err := users.UpdateUser(ctx, admin.ID, byline.UserUpdate{Role: ptr(byline.RoleEditor)}); err != nil {
		t.Errorf("demoting one of two admins: %v", err)
	}
}

// testLastAdminConcurrent demotes the last two admins at once, from two
// instances: one demotion must be refused, whichever runs second.
func testLastAdminConcurrent(t *testing.T, open Opener) {
	b, _ := openAt(t, open, newsroomT0)
	other := reopen(t, b)
	ctx := t.Context()
	for round := range 3 {
		a1 := mustCreateUser(t, b.Users, fmt.Sprintf("a%d@example.com", round), byline.RoleAdmin)
		a2 := mustCreateUser(t, b.Users, fmt.Sprintf("b%d@example.com", round), byline.RoleAdmin)
		// The admin left by the last round steps down: a1 and a2 are the
		// last two.
		list, err := b.Users.FindUsers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			if u.Role == byline.RoleAdmin && u.ID != a1.ID && u.ID != a2.ID {
				if _, err := b.Users.UpdateUser(ctx, u.ID, byline.UserUpdate{Role: ptr(byline.RoleEditor)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		var (
			wg   sync.WaitGroup
			errs [2]error
		)
		for i, s := range []struct {
			users byline.UserService
			id    int64
		}{{b.Users, a1.ID}, {other.Users, a2.ID}} {
			wg.Go(func() {
				_, errs[i] = s.users.UpdateUser(ctx, s.id, byline.UserUpdate{Role: ptr(byline.RoleEditor)})
			})
		}
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case byline.ErrorKind(err) == byline.Conflict:
				conflicts++
			default:
				t.Errorf("round %d: UpdateUser: %v", round, err)
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("round %d: two demotions of the last two admins at once: %v; want one done and one Conflict", round, errs)
		}
	}
}

func testSessions(t *testing.T, open Opener) {
	b, clock := openAt(t, open, newsroomT0)
	users, sessions, ctx := b.Users, b.Sessions, t.Context()
	u := mustCreateUser(t, users, "ed@example.com", byline.RoleEditor)
	mustCreateUser(t, users, "admin@example.com", byline.RoleAdmin)

	token, sess, err := sessions.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) < 20 || sess.UserID != u.ID || !sess.CreatedAt.Equal(newsroomT0) || !sess.ExpiresAt.Equal(newsroomT0.Add(byline.SessionIdleExpiry)) {
		t.Errorf("CreateSession = %q, %+v; want a long token, user %d, expiring after the idle time", token, sess, u.ID)
	}
	t.Run("the token finds the session and its user", func(t *testing.T) {
		got, gotUser, err := sessions.FindSession(ctx, token)
		if err != nil || gotUser.ID != u.ID || gotUser.Email != u.Email {
			t.Fatalf("FindSession = %v, %v; want user %d", gotUser, err, u.ID)
		}
		if got.UserID != u.ID || !got.CreatedAt.Equal(sess.CreatedAt) || !got.LastSeenAt.Equal(sess.LastSeenAt) || !got.ExpiresAt.Equal(sess.ExpiresAt) {
			t.Errorf("FindSession = %+v, want %+v", got, sess)
		}
	})
	t.Run("another token finds nothing", func(t *testing.T) {
		for _, other := range []string{token + "x", "", "\xff\x00", string(make([]byte, 200))} {
			if _, _, err := sessions.FindSession(ctx, other); byline.ErrorKind(err) != byline.Unauthorized {
				t.Errorf("FindSession(%q): %v, want Unauthorized", other, err)
			}
		}
	})
	t.Run("use keeps a session alive; idleness ends it", func(t *testing.T) {
		clock.Advance(6 * 24 * time.Hour)
		got, _, err := sessions.FindSession(ctx, token)
		if err != nil {
			t.Fatalf("after 6 idle days: %v", err)
		}
		if !got.LastSeenAt.Equal(clock.Now()) || !got.ExpiresAt.Equal(clock.Now().Add(byline.SessionIdleExpiry)) {
			t.Errorf("FindSession after 6 days = %+v; want it seen now and expiring a week from now", got)
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
	t.Run("sign-out ends the session, and only it", func(t *testing.T) {
		t1, _, _ := sessions.CreateSession(ctx, u.ID)
		t2, _, _ := sessions.CreateSession(ctx, u.ID)
		if err := sessions.DeleteSession(ctx, t1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.FindSession(ctx, t1); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("after DeleteSession: %v, want Unauthorized", err)
		}
		if _, _, err := sessions.FindSession(ctx, t2); err != nil {
			t.Errorf("the other session after DeleteSession: %v", err)
		}
		if err := sessions.DeleteSession(ctx, "no such token"); err != nil {
			t.Errorf("DeleteSession(unknown) = %v, want nil", err)
		}
		if err := sessions.DeleteSessions(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.FindSession(ctx, t2); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("after DeleteSessions: %v, want Unauthorized", err)
		}
	})
	t.Run("a new password ends every session", func(t *testing.T) {
		t1, _, _ := sessions.CreateSession(ctx, u.ID)
		t2, _, _ := sessions.CreateSession(ctx, u.ID)
		clock.Advance(time.Minute)
		if err := users.SetPassword(ctx, u.ID, "a brand new password"); err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{t1, t2} {
			if _, _, err := sessions.FindSession(ctx, tok); byline.ErrorKind(err) != byline.Unauthorized {
				t.Errorf("session after SetPassword: %v, want Unauthorized", err)
			}
		}
		if got, err := users.Authenticate(ctx, u.Email, "a brand new password"); err != nil || !got.PasswordChangedAt.Equal(clock.Now()) {
			t.Errorf("Authenticate with the new password = %+v, %v; want the password changed now", got, err)
		}
		if _, err := users.Authenticate(ctx, u.Email, testPassword); err == nil {
			t.Error("the old password still works")
		}
	})
	t.Run("disabling a user ends their sessions", func(t *testing.T) {
		tok, _, _ := sessions.CreateSession(ctx, u.ID)
		if _, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Disabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := users.UpdateUser(ctx, u.ID, byline.UserUpdate{Disabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.FindSession(ctx, tok); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("session after the user was disabled and enabled again: %v, want Unauthorized", err)
		}
	})
	t.Run("deleting a user ends their sessions", func(t *testing.T) {
		gone := mustCreateUser(t, users, "gone@example.com", byline.RoleAuthor)
		tok, _, _ := sessions.CreateSession(ctx, gone.ID)
		if err := users.DeleteUser(ctx, gone.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sessions.FindSession(ctx, tok); byline.ErrorKind(err) != byline.Unauthorized {
			t.Errorf("session of a deleted user: %v, want Unauthorized", err)
		}
	})
}

// testSessionsSharedByInstances signs in on one instance and uses the
// session on another: the database is the only state.
func testSessionsSharedByInstances(t *testing.T, open Opener) {
	b, clock := openAt(t, open, newsroomT0)
	other := reopen(t, b)
	ctx := t.Context()
	u := mustCreateUser(t, b.Users, "ed@example.com", byline.RoleEditor)
	if _, err := other.Users.Authenticate(ctx, "ed@example.com", testPassword); err != nil {
		t.Fatalf("Authenticate on the other instance: %v", err)
	}
	token, _, err := b.Sessions.CreateSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := other.Sessions.FindSession(ctx, token); err != nil || got.ID != u.ID {
		t.Fatalf("FindSession on the other instance = %v, %v; want user %d", got, err, u.ID)
	}
	clock.Advance(2 * time.Hour)
	if s, _, err := other.Sessions.FindSession(ctx, token); err != nil || !s.LastSeenAt.Equal(clock.Now()) {
		t.Fatalf("FindSession later on the other instance = %+v, %v; want it seen now", s, err)
	}
	if s, _, err := b.Sessions.FindSession(ctx, token); err != nil || !s.LastSeenAt.Equal(clock.Now()) {
		t.Errorf("FindSession on the first instance = %+v, %v; want the use on the other seen", s, err)
	}
	if err := other.Sessions.DeleteSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Sessions.FindSession(ctx, token); byline.ErrorKind(err) != byline.Unauthorized {
		t.Errorf("FindSession after signing out on the other instance: %v, want Unauthorized", err)
	}
}
