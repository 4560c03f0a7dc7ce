package byline

import (
	"context"
	"crypto/sha256"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is what a newsroom user may do. Roles are ordered: an editor may do
// all an author may, an admin all an editor may.
type Role string

// Roles.
const (
	// RoleAuthor writes articles and submits them; an author edits only
	// their own drafts and publishes nothing.
	RoleAuthor Role = "author"
	// RoleEditor edits and publishes anyone's articles and reads the inbox.
	RoleEditor Role = "editor"
	// RoleAdmin also manages users and the site's settings.
	RoleAdmin Role = "admin"
)

// Roles lists the roles, least power first.
var Roles = []Role{RoleAuthor, RoleEditor, RoleAdmin}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleAuthor:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// AtLeast reports whether r has all the powers of min.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// User is a person who signs in to the newsroom.
type User struct {
	ID    int64
	Email string // unique, compared without regard to case
	Name  string // shown in the newsroom and used as the byline of their articles
	Role  Role
	// Disabled users cannot sign in; their articles stay.
	Disabled bool

	CreatedAt         time.Time
	UpdatedAt         time.Time
	PasswordChangedAt time.Time
}

// Limits on a user's fields and password.
const (
	MaxUserNameRunes  = 100
	MaxEmailBytes     = 254
	MinPasswordRunes  = 10
	MaxPasswordBytes  = 1024 // hashing cost grows with the input; nobody types more
	SessionLifetime   = 30 * 24 * time.Hour
	SessionIdleExpiry = 7 * 24 * time.Hour
)

// NormalizeEmail trims an email address and folds it to lower case, the
// form in which it is stored and looked up.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Validate checks the user's fields and returns an Invalid error naming the
// first problem. Call it after NormalizeEmail.
func (u *User) Validate() error {
	name := strings.TrimSpace(u.Name)
	switch {
	case name == "":
		return Errorf(Invalid, "A user needs a name.")
	case !utf8.ValidString(u.Name) || hasControl(u.Name):
		return Errorf(Invalid, "A name cannot contain control characters.")
	case utf8.RuneCountInString(u.Name) > MaxUserNameRunes:
		return Errorf(Invalid, "The name is longer than %d characters.", MaxUserNameRunes)
	case u.Email == "" || len(u.Email) > MaxEmailBytes || !plainAddress(u.Email):
		return Errorf(Invalid, "%q does not look like an email address (name@example.com).", u.Email)
	case !u.Role.Valid():
		return Errorf(Invalid, "Unknown role %q: use author, editor or admin.", u.Role)
	}
	return nil
}

// ValidatePassword returns an Invalid error if password is too short or too
// long to be used.
func ValidatePassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordRunes:
		return Errorf(Invalid, "A password needs at least %d characters.", MinPasswordRunes)
	case len(password) > MaxPasswordBytes:
		return Errorf(Invalid, "A password can have at most %d bytes.", MaxPasswordBytes)
	case !utf8.ValidString(password):
		return Errorf(Invalid, "The password is not valid text.")
	}
	return nil
}

// The permission rules. The web server checks them on every action; the
// templates use the same methods only to hide what would be refused.

// CanWriteArticles reports whether u may write articles and credit them:
// every role.
func (u *User) CanWriteArticles() bool { return u != nil && u.Role.AtLeast(RoleAuthor) }

// CanPublish reports whether u may publish, schedule and unpublish
// articles: editors and admins.
func (u *User) CanPublish() bool { return u != nil && u.Role.AtLeast(RoleEditor) }

// CanEditArticle reports whether u may change the article d: editors and
// admins any article; an author only their own, and only while it is a draft.
func (u *User) CanEditArticle(d *DeskArticle) bool {
	if u == nil || d == nil {
		return false
	}
	if u.Role.AtLeast(RoleEditor) {
		return true
	}
	return u.Role == RoleAuthor && d.OwnerID == u.ID && d.Article.Status == Draft
}

// CanSeeArticle reports whether u may open the article d in the newsroom:
// editors and admins every article, an author their own.
func (u *User) CanSeeArticle(d *DeskArticle) bool {
	if u == nil || d == nil {
		return false
	}
	return u.Role.AtLeast(RoleEditor) || d.OwnerID == u.ID
}

// CanDeleteArticle reports whether u may delete the article d: the same
// rule as for editing it.
func (u *User) CanDeleteArticle(d *DeskArticle) bool { return u.CanEditArticle(d) }

// CanEditAuthor reports whether u may edit the profile of au: editors and
// admins anyone's; an author their own, the author whose slug their name
// makes, which is the byline the newsroom gives their articles. (Only an
// admin changes a user's name, so an author cannot move the link.)
func (u *User) CanEditAuthor(au *Author) bool {
	if u == nil || au == nil || u.Disabled {
		return false
	}
	if u.Role.AtLeast(RoleEditor) {
		return true
	}
	return u.Role == RoleAuthor && au.Slug != "" && au.Slug == SlugOrUntitled(strings.TrimSpace(u.Name))
}

// CanReadInbox reports whether u may read readers' messages: editors and
// admins.
func (u *User) CanReadInbox() bool { return u != nil && u.Role.AtLeast(RoleEditor) }

// CanManageUsers reports whether u may add, change and remove users and
// reset their passwords: admins.
func (u *User) CanManageUsers() bool { return u != nil && u.Role.AtLeast(RoleAdmin) }

// CanManageSettings reports whether u may change the site's settings:
// admins.
func (u *User) CanManageSettings() bool { return u != nil && u.Role.AtLeast(RoleAdmin) }

// CanManageStructure reports whether u may change how the site is laid
// out for readers: its sections, pages and menus. Editors and admins.
func (u *User) CanManageStructure() bool { return u != nil && u.Role.AtLeast(RoleEditor) }

// UserUpdate changes some of a user's fields; nil fields stay as they are.
type UserUpdate struct {
	Name     *string
	Email    *string
	Role     *Role
	Disabled *bool
}

// UserService keeps the newsroom's users. Implementations are safe for
// concurrent use.
type UserService interface {
	// FindUserByID returns the user with the given ID, or NotFound.
	FindUserByID(ctx context.Context, id int64) (*User, error)

	// FindUsers returns every user, by name.
	FindUsers(ctx context.Context) ([]*User, error)

	// CountUsers returns how many users there are.
	CountUsers(ctx context.Context) (int, error)

	// CreateUser validates u and password and stores u with the password
	// hashed. It sets u.ID and the times. It returns Conflict if another
	// user has the email address.
	CreateUser(ctx context.Context, u *User, password string) error

	// UpdateUser changes the user's fields and returns the user as
	// stored. It returns NotFound, Invalid, Conflict for a taken email
	// address, and Conflict if the change would leave no enabled admin.
	UpdateUser(ctx context.Context, id int64, upd UserUpdate) (*User, error)

	// SetPassword replaces the user's password and ends every session of
	// the user, in one transaction. It returns NotFound or Invalid.
	SetPassword(ctx context.Context, id int64, password string) error

	// Authenticate returns the enabled user with the email address and
	// password. A wrong password, an unknown address and a disabled user
	// all return the same Unauthorized error, in about the same time.
	Authenticate(ctx context.Context, email, password string) (*User, error)

	// DeleteUser removes a user and their sessions; their articles stay,
	// without an owner. It returns NotFound, or Conflict if it would
	// leave no enabled admin.
	DeleteUser(ctx context.Context, id int64) error
}

// Session is a signed-in browser. The browser holds a random token; the
// store keeps only its SHA-256, so a copy of the database signs nobody in.
type Session struct {
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the earlier of SessionIdleExpiry after the last use
	// and SessionLifetime after the sign-in.
	ExpiresAt time.Time
}

// SessionExpiry returns when a session created and last used at those
// times expires: the earlier of SessionIdleExpiry after the last use and
// SessionLifetime after the sign-in.
func SessionExpiry(created, lastSeen time.Time) time.Time {
	idle := lastSeen.Add(SessionIdleExpiry)
	if abs := created.Add(SessionLifetime); abs.Before(idle) {
		return abs
	}
	return idle
}

// SessionTokenHash is what a store keeps of a session's token: its
// SHA-256.
func SessionTokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// ErrNoSession answers a request whose session token is unknown or expired.
var ErrNoSession = Errorf(Unauthorized, "Please sign in.")

// SessionService keeps sessions in the database, so that any instance can
// serve any request. Implementations are safe for concurrent use.
type SessionService interface {
	// CreateSession starts a session for the user and returns its token,
	// the only copy there is.
	CreateSession(ctx context.Context, userID int64) (token string, s *Session, err error)

	// FindSession returns the session with the token and its user,
	// extending the session's idle expiry. It returns Unauthorized for an
	// unknown or expired token or a disabled user.
	FindSession(ctx context.Context, token string) (*Session, *User, error)

	// DeleteSession ends the session with the token, if there is one.
	DeleteSession(ctx context.Context, token string) error

	// DeleteSessions ends every session of the user.
	DeleteSessions(ctx context.Context, userID int64) error
}
