package passhash

import (
	"strings"
	"testing"
)

// sqliteHash is "correct horse battery" hashed in the PHC format the SQLite
// backend stores (argon2id, m=19456, t=2, p=1, a fixed salt): a site copied
// from SQLite keeps its passwords only if this backend reads it.
const sqliteHash = "$argon2id$v=19$m=19456,t=2,p=1$c2l4dGVlbiBieXRlIHNsdA$lXK37CikBCKU8CFfdBQXCZmUIwoeIZ+ijs+ixUN8jyY"

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, hash, password string
		want, wantErr        bool
	}{
		{"a hash in SQLite's format checks", sqliteHash, "correct horse battery", true, false},
		{"a wrong password does not", sqliteHash, "correct horse battery!", false, false},
		{"a fresh hash checks", Hash("another long password"), "another long password", true, false},
		{"bcrypt is not read", "$2a$10$abcdefghijklmnopqrstuv", "x", false, true},
		{"another argon2 version is not read", strings.Replace(sqliteHash, "v=19", "v=16", 1), "correct horse battery", false, true},
		{"a broken salt is not read", strings.Replace(sqliteHash, "c2l4", "!!!!", 1), "correct horse battery", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Check(tt.hash, tt.password)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Errorf("Check(%q, %q) = %v, %v; want %v, error %v", tt.hash, tt.password, got, err, tt.want, tt.wantErr)
			}
		})
	}
	if h := Hash("x"); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("Hash = %q, want the parameters SQLite uses", h)
	}
}
