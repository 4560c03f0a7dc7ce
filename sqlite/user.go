package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/bylinenews/byline"
	"github.com/bylinenews/byline/internal/passhash"
)

var _ byline.UserService = (*UserService)(nil)

// UserService implements byline.UserService on SQLite.
type UserService struct {
	db *DB
}

// NewUserService returns the user service of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

const userColumns = `u.id, u.email, u.name, u.role, u.disabled, u.created_at, u.updated_at, u.password_changed_at`

func scanUser(row rowScanner) (*byline.User, error) {
	var (
		u                         byline.User
		role                      string
		created, updated, changed sql.NullInt64
	)
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &role, &u.Disabled, &created, &updated, &changed); err != nil {
		return nil, err
	}
	u.Role = byline.Role(role)
	u.CreatedAt, u.UpdatedAt, u.PasswordChangedAt = fromMillis(created), fromMillis(updated), fromMillis(changed)
	return &u, nil
}

// FindUserByID returns the user with the given ID.
func (s *UserService) FindUserByID(ctx context.Context, id int64) (*byline.User, error) {
	u, err := scanUser(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, byline.Errorf(byline.NotFound, "No user with ID %d.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find user %d: %w", id, err)
	}
	return u, nil
}

// FindUsers returns every user by name.
func (s *UserService) FindUsers(ctx context.Context) ([]*byline.User, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name COLLATE NOCASE, u.id`)
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
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now()
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, role, password_hash, disabled,
			created_at, updated_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			u.Email, u.Name, string(u.Role), hash, u.Disabled, now.UnixMilli(), now.UnixMilli(), now.UnixMilli()).Scan(&u.ID)
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
	err := s.db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
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
		_, err = tx.ExecContext(ctx, `UPDATE users SET name = ?, email = ?, role = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			u.Name, u.Email, string(u.Role), u.Disabled, u.UpdatedAt.UnixMilli(), id)
		if isUniqueViolation(err) {
			return byline.Errorf(byline.Conflict, "Another user already has the email address %q.", u.Email)
		} else if err != nil {
			return fmt.Errorf("update user %d: %w", id, err)
		}
		if u.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
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

// checkAdminLeft returns a Conflict error if no enabled admin is left, so
// the transaction that got there is rolled back.
func checkAdminLeft(ctx context.Context, tx *sql.Tx) error {
	var users, admins int
	err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE role = 'admin' AND NOT disabled) FROM users`).Scan(&users, &admins)
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		now := s.db.now().UnixMilli()
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, now, now, id)
		if err != nil {
			return fmt.Errorf("set password of user %d: %w", id, err)
		}
		if err := oneRow(res, "No user with ID %d.", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
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
	var hash string
	u, err := scanUser(extraColumns{s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash FROM users u WHERE u.email = ?`,
		byline.NormalizeEmail(email)), []any{&hash}})
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("delete user %d: %w", id, err)
		}
		if err := oneRow(res, "No user with ID %d.", id); err != nil {
			return err
		}
		return checkAdminLeft(ctx, tx)
	})
}
