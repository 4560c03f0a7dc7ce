package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/passhash"
)

var _ byline.UserService = (*UserService)(nil)

// UserService implements byline.UserService on PostgreSQL.
type UserService struct {
	db *DB
}

// NewUserService returns the user service of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

const userColumns = `u.id, u.email, u.name, u.role, u.disabled, u.created_at, u.updated_at, u.password_changed_at`

func scanUser(row pgx.Row) (*byline.User, error) {
	var (
		u    byline.User
		role string
	)
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &u.CreatedAt, &u.UpdatedAt, &u.PasswordChangedAt); err != nil {
		return nil, err
	}
	u.Role = byline.Role(role)
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC(), u.PasswordChangedAt.UTC()
	return &u, nil
}

// FindUserByID returns the user with the given ID.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*byline.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No user with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

// FindUsers returns every user by name.
func (s *UserService) FindUsers(ctx context.Context) ([]*byline.User, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT `+userColumns+` FROM users u ORDER BY lower(u.name), u.id`)
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var users []*byline.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	return users, nil
}

// CountUsers returns how many users there are.
func (s *UserService) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CreateUser stores a new user with the password hashed.
func (s *UserService) CreateUser(ctx context.Context, u *byline.User, password string) error {
	u.Email = byline.NormalizeEmail(u.Email)
	u.Name = strings.TrimSpace(u.Name)
	if err := u.Validate(); err != nil {
		return err
	}
	if err := byline.ValidatePassword(password); err != nil {
		return err
	}
	hash := passhash.Hash(password) // before the transaction: it takes a while
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		now := s.db.now()
		err := tx.QueryRow(ctx, `INSERT INTO users (email, name, role, password_hash, disabled,
			created_at, updated_at, password_changed_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $6) RETURNING id`,
			u.Email, u.Name, string(u.Role), hash, u.Disabled, now).Scan(&u.ID)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "Another user already has the email address %q.", u.Email)
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = now, now, now
		return nil
	})
}

// UpdateUser changes a user's name, email, role or disabled flag.
func (s *UserService) UpdateUser(ctx context.Context, id int64, upd byline.UserUpdate) (*byline.User, error) {
	var u *byline.User
	err := s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockAdmins(ctx, tx); err != nil {
			return err
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return byline.Errorf(byline.NotFound, "No user with ID %d.", id)
		} else if err != nil {
			return fmt.Errorf("find user %d: %w", id, err)
		}
		if upd.Name != nil {
			u.Name = strings.TrimSpace(*upd.Name)
		}
		if upd.Email != nil {
			u.Email = byline.NormalizeEmail(*upd.Email)
		}
		if upd.Role != nil {
			u.Role = *upd.Role
		}
		if upd.Disabled != nil {
			u.Disabled = *upd.Disabled
		}
		if err := u.Validate(); err != nil {
			return err
		}
		u.UpdatedAt = s.db.now()
		_, err = tx.Exec(ctx, `UPDATE users SET name = $1, email = $2, role = $3, disabled = $4, updated_at = $5 WHERE id = $6`,
			u.Name, u.Email, string(u.Role), u.Disabled, u.UpdatedAt, id)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "Another user already has the email address %q.", u.Email)
		} else if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if u.Disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
				return fmt.Errorf("end sessions of user %d: %w", id, err)
			}
		}
		return checkAdminLeft(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// adminsLockID serializes the changes that could remove the last admin.
// SQLite runs one write at a time; PostgreSQL, at READ COMMITTED, would let
// two editors each demote one of the last two admins, each seeing the
// other still there.
const adminsLockID = 0x6164_6d69_6e73 // "admins"

// lockAdmins takes the admins lock until the end of the transaction.
func lockAdmins(ctx context.Context, tx pgx.Tx) error {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(adminsLockID)); err != nil {
		return fmt.Errorf("lock admins: %w", err)
	}
	return nil
}

// checkAdminLeft returns a Conflict error if no enabled admin is left, so
// the transaction that got there is rolled back. It must run under
// lockAdmins.
func checkAdminLeft(ctx context.Context, tx pgx.Tx) error {
	var users, admins int
	err := tx.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE role = 'admin' AND NOT disabled) FROM users`).Scan(&users, &admins)
	if err != nil {
		return fmt.Errorf("count admins: %w", err)
	}
	if users > 0 && admins == 0 {
		return byline.Errorf(byline.Conflict, "The site needs at least one enabled admin: make someone else an admin first.")
	}
	return nil
}

// SetPassword replaces a user's password and ends their sessions.
func (s *UserService) SetPassword(ctx context.Context, id int64, password string) error {
	if err := byline.ValidatePassword(password); err != nil {
		return err
	}
	hash := passhash.Hash(password)
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		now := s.db.now()
		tag, err := tx.Exec(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2 WHERE id = $3`,
			hash, now, id)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return byline.Errorf(byline.NotFound, "No user with ID %d.", id)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return fmt.Errorf("end sessions of user %d: %w", id, err)
		}
		return nil
	})
}

// errSignIn is the one answer to every failed sign-in, so that it tells
// nobody which addresses have accounts.
var errSignIn = byline.Errorf(byline.Unauthorized, "The email address or password is not right.")

// Authenticate returns the enabled user with the email and password.
func (s *UserService) Authenticate(ctx context.Context, email, password string) (*byline.User, error) {
	if len(password) > byline.MaxPasswordBytes {
		return nil, errSignIn
	}
	email = byline.NormalizeEmail(email)
	if !textOK(email) {
		// PostgreSQL would refuse the query; no stored address is like it.
		passhash.Check(passhash.Dummy(), password)
		return nil, errSignIn
	}
	var hash string
	u, err := scanUser(withExtra{s.db.pool.QueryRow(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = $1`,
		email), []any{&hash}})
	if errors.Is(err, pgx.ErrNoRows) {
		passhash.Check(passhash.Dummy(), password) // spend the same time as for a real user
		return nil, errSignIn
	} else if err != nil {
		return nil, fmt.Errorf("find user by email: %w", err)
	}
	ok, err := passhash.Check(hash, password)
	if err != nil {
		return nil, fmt.Errorf("user %d: %w", u.ID, err)
	}
	if !ok || u.Disabled {
		return nil, errSignIn
	}
	return u, nil
}

// DeleteUser removes a user and their sessions.
func (s *UserService) DeleteUser(ctx context.Context, id int64) error {
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockAdmins(ctx, tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return byline.Errorf(byline.NotFound, "No user with ID %d.", id)
		}
		return checkAdminLeft(ctx, tx)
	})
}

// utc returns t in UTC, or the zero time for NULL.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
