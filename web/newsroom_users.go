package web

import (
	"net/http"
	"strconv"

	"github.com/bylinenews/byline"
)

// usersPage is the data of the user list, with the form to add one.
type usersPage struct {
	newsroomLayout
	Users []*byline.User
	Roles []byline.Role
	New   byline.User // the add form, as typed
}

// showUsers lists the users for admins.
func (s *Server) showUsers(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !u.CanManageUsers() {
		s.newsroomError(w, r, u, forbidden("manage users"))
		return
	}
	s.renderUsers(w, r, u, http.StatusOK, byline.User{Role: byline.RoleAuthor}, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, u *byline.User, status int, form byline.User, problem string) {
	users, err := s.Users.FindUsers(r.Context())
	if err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	l := s.newNewsroomLayout(r, u, "Users", "users")
	l.Error = problem
	s.renderNewsroom(w, r, status, "users", usersPage{newsroomLayout: l, Users: users, Roles: byline.Roles, New: form})
}

// addUser creates a user with the password the admin typed.
func (s *Server) addUser(w http.ResponseWriter, r *http.Request, u *byline.User) {
	if !u.CanManageUsers() {
		s.newsroomError(w, r, u, forbidden("manage users"))
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	nu := byline.User{Email: f.Get("email"), Name: f.Get("name"), Role: byline.Role(f.Get("role"))}
	if err := s.Users.CreateUser(r.Context(), &nu, f.Get("password")); err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.Conflict {
			s.renderUsers(w, r, u, statusOf(k), nu, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("user added", "user_id", nu.ID, "role", string(nu.Role), "by", u.ID)
	redirectDone(w, r, "/newsroom/users", "user-added")
}

// userPage is the data of one user's page.
type userPage struct {
	newsroomLayout
	Subject *byline.User
	Roles   []byline.Role
}

func (s *Server) findUser(w http.ResponseWriter, r *http.Request, u *byline.User) (*byline.User, bool) {
	if !u.CanManageUsers() {
		s.newsroomError(w, r, u, forbidden("manage users"))
		return nil, false
	}
	id, err := pathID(r, "id")
	if err == nil {
		var subject *byline.User
		if subject, err = s.Users.FindUserByID(r.Context(), id); err == nil {
			return subject, true
		}
	}
	s.newsroomError(w, r, u, err)
	return nil, false
}

// showUser serves the form to change a user or set their password.
func (s *Server) showUser(w http.ResponseWriter, r *http.Request, u *byline.User) {
	subject, ok := s.findUser(w, r, u)
	if !ok {
		return
	}
	s.renderUser(w, r, u, http.StatusOK, subject, "")
}

func (s *Server) renderUser(w http.ResponseWriter, r *http.Request, u *byline.User, status int, subject *byline.User, problem string) {
	l := s.newNewsroomLayout(r, u, subject.Name, "users")
	l.Error = problem
	s.renderNewsroom(w, r, status, "user", userPage{newsroomLayout: l, Subject: subject, Roles: byline.Roles})
}

// saveUser changes a user's name, address, role or access, or, with a
// password in the form, sets their password (which ends their sessions).
func (s *Server) saveUser(w http.ResponseWriter, r *http.Request, u *byline.User) {
	subject, ok := s.findUser(w, r, u)
	if !ok {
		return
	}
	if err := parseForm(w, r); err != nil {
		s.newsroomError(w, r, u, err)
		return
	}
	f := r.PostForm
	base := "/newsroom/users/" + strconv.FormatInt(subject.ID, 10)
	if f.Get("action") == "password" {
		if err := s.Users.SetPassword(r.Context(), subject.ID, f.Get("password")); err != nil {
			if byline.ErrorKind(err) == byline.Invalid {
				s.renderUser(w, r, u, http.StatusBadRequest, subject, byline.ErrorMessage(err))
				return
			}
			s.newsroomError(w, r, u, err)
			return
		}
		s.Logger.Info("password reset", "user_id", subject.ID, "by", u.ID)
		if subject.ID == u.ID {
			// Their own: every session ended, this one included.
			if err := s.startSession(w, r, u); err != nil {
				s.newsroomError(w, r, u, err)
				return
			}
		}
		redirectDone(w, r, base, "reset")
		return
	}
	name, email, role, disabled := f.Get("name"), f.Get("email"), byline.Role(f.Get("role")), f.Get("disabled") != ""
	updated, err := s.Users.UpdateUser(r.Context(), subject.ID, byline.UserUpdate{Name: &name, Email: &email, Role: &role, Disabled: &disabled})
	if err != nil {
		if k := byline.ErrorKind(err); k == byline.Invalid || k == byline.Conflict {
			subject.Name, subject.Email, subject.Role, subject.Disabled = name, email, role, disabled
			s.renderUser(w, r, u, statusOf(k), subject, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("user changed", "user_id", updated.ID, "role", string(updated.Role), "disabled", updated.Disabled, "by", u.ID)
	redirectDone(w, r, base, "user-saved")
}

// confirmDeleteUser asks whether to remove a user.
func (s *Server) confirmDeleteUser(w http.ResponseWriter, r *http.Request, u *byline.User) {
	subject, ok := s.findUser(w, r, u)
	if !ok {
		return
	}
	s.confirmDelete(w, r, u, "Remove user", "users", "/newsroom/users/"+strconv.FormatInt(subject.ID, 10), confirmPage{
		Question: "Remove " + subject.Name + " (" + subject.Email + ")?",
		Detail:   "They can no longer sign in. Their articles stay, without an owner. To keep the account but stop sign-ins, disable it instead.",
		Button:   "Remove the user",
	})
}

// deleteUser removes a user.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, u *byline.User) {
	subject, ok := s.findUser(w, r, u)
	if !ok {
		return
	}
	if err := s.Users.DeleteUser(r.Context(), subject.ID); err != nil {
		if byline.ErrorKind(err) == byline.Conflict {
			s.renderUser(w, r, u, http.StatusConflict, subject, byline.ErrorMessage(err))
			return
		}
		s.newsroomError(w, r, u, err)
		return
	}
	s.Logger.Info("user removed", "user_id", subject.ID, "by", u.ID)
	redirectDone(w, r, "/newsroom/users", "deleted")
}
