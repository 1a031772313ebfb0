"""Users: a login name, a display name, a password kept only as werkzeug's salted scrypt
hash, a role (admin: manages users, reads the audit log, sees all data; viewer: sees the
dashboards within a data scope) and a data scope (查看权限):

    own             本人            the linked rep's book
    own_and_below   本人及下属      ... and everyone below them (reps.manager_rep_id, any depth)
    team            本部门          the linked rep's team (or the explicit teams)
    team_and_below  本部门及下属部门 ... and its sub-teams
    all             全部            everything

``teams`` (optional) names teams the scope also covers (with their sub-teams for
team_and_below); queries.scope_of turns a user into the reps they may see."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from crm import appdb

ROLES = ("admin", "viewer")
SCOPE_KINDS = ("own", "own_and_below", "team", "team_and_below", "all")
HASH_METHOD = "scrypt"
# checked against when the login is unknown, so that a wrong name costs as long as a wrong password
_DUMMY_HASH = generate_password_hash("not a password", method=HASH_METHOD)


class UserError(ValueError):
    """A user operation that cannot be done (unknown login, taken login, bad value)."""


@dataclass(frozen=True)
class User(UserMixin):
    login: str
    display_name: str
    password_hash: str
    role: str
    scope_kind: str
    rep_id: str | None
    teams: tuple[str, ...]
    email: str | None
    lang: str | None
    disabled: bool
    created_at: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.disabled

    def get_id(self) -> str:
        """The session's user id: the login and a fingerprint of the password hash, so a
        password change ends the sessions signed in with the old one."""
        return f"{self.login}|{session_token(self.password_hash)}"

    def public(self) -> dict:
        """Everything but the password hash (for listings and the audit log)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "password_hash"}


def session_token(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row) -> User:
    data = dict(row)
    data["teams"] = tuple(t for t in data["teams"].split(",") if t)
    data["disabled"] = bool(data["disabled"])
    return User(**data)


def _check(role: str | None, scope_kind: str | None) -> None:
    if role is not None and role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if scope_kind is not None and scope_kind not in SCOPE_KINDS:
        raise UserError(f"scope must be one of {', '.join(SCOPE_KINDS)}")


def get(login: str) -> User | None:
    with appdb.connect() as con:
        row = con.execute("select * from users where login = ?", (login,)).fetchone()
    return _user(row) if row else None


def all_users() -> list[User]:
    with appdb.connect() as con:
        return [_user(row) for row in con.execute("select * from users order by login")]


def add(login: str, password: str, role: str = "viewer", scope_kind: str = "own", rep_id: str | None = None,
        teams: tuple[str, ...] = (), display_name: str | None = None, email: str | None = None,
        lang: str | None = None) -> User:
    login = login.strip()
    if not login or "|" in login or len(login) > 64:
        raise UserError("a login is 1-64 characters without '|'")
    if not password:
        raise UserError("a password is required")
    _check(role, scope_kind)
    with appdb.connect() as con:
        if con.execute("select 1 from users where login = ?", (login,)).fetchone():
            raise UserError(f"user {login!r} exists")
        con.execute(
            "insert into users (login, display_name, password_hash, role, scope_kind, rep_id, teams, email, lang,"
            " disabled, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
            (login, display_name or login, generate_password_hash(password, method=HASH_METHOD), role, scope_kind,
             rep_id or None, ",".join(teams), email, lang, datetime.now(UTC).isoformat(timespec="seconds")))
    return get(login)


CHANGEABLE = ("display_name", "role", "scope_kind", "rep_id", "teams", "email", "lang", "disabled")


def update(login: str, **changes) -> User:
    """Change the named fields (``CHANGEABLE``) of an existing user."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise UserError(f"cannot change {sorted(unknown)}")
    _check(changes.get("role"), changes.get("scope_kind"))
    user = get(login)
    if user is None:
        raise UserError(f"no user {login!r}")
    merged = {name: changes.get(name, getattr(user, name)) for name in CHANGEABLE}
    with appdb.connect() as con:
        con.execute("update users set display_name = ?, role = ?, scope_kind = ?, rep_id = ?, teams = ?, email = ?,"
                    " lang = ?, disabled = ? where login = ?",
                    (merged["display_name"], merged["role"], merged["scope_kind"], merged["rep_id"] or None,
                     ",".join(merged["teams"] or ()), merged["email"], merged["lang"], int(bool(merged["disabled"])),
                     login))
    return get(login)


def set_password(login: str, password: str) -> User:
    if not password:
        raise UserError("a password is required")
    if get(login) is None:
        raise UserError(f"no user {login!r}")
    with appdb.connect() as con:
        con.execute("update users set password_hash = ? where login = ?",
                    (generate_password_hash(password, method=HASH_METHOD), login))
    return get(login)


def authenticate(login: str, password: str) -> User | None:
    """The user when the password matches and the user is not disabled, else None."""
    user = get(login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled:
        return None
    return user


def from_session_id(session_id: str) -> User | None:
    """The user a session's id names, if still enabled and signed in with the current password."""
    login, _, token = session_id.partition("|")
    user = get(login)
    if user is None or user.disabled or token != session_token(user.password_hash):
        return None
    return user
