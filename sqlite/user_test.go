package sqlite_test

import (
	"testing"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/dbtest"
	"github.com/bylinenews/byline/sqlite"
)

// The behaviour of users, sessions, the desk, settings and uploads is
// checked for every backend by storetest.RunNewsroomTests (store_test.go).

// BenchmarkUserService_Authenticate measures a sign-in's password check:
// argon2id at the stored parameters, the cost an attacker pays per guess.
func BenchmarkUserService_Authenticate(b *testing.B) {
	db := dbtest.OpenSQLite(b)
	users := sqlite.NewUserService(db)
	const password = "correct horse battery"
	if err := users.CreateUser(b.Context(), &byline.User{Email: "ed@example.com", Name: "Ed", Role: byline.RoleEditor}, password); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := users.Authenticate(b.Context(), "ed@example.com", password); err != nil {
			b.Fatal(err)
		}
	}
}
