"""Sign-in in front of the whole app (Flask-Login for the session, Flask-Limiter for
failed sign-ins), the login and logout routes, the admin page, and the audit of exports.

Every route but the login page, static assets and Dash's JS bundles needs a session:
an anonymous page request is sent to ``/login?next=...``; an anonymous POST or Dash data
request (``/_dash-update-component``, ``/_dash-layout``, ``/_dash-dependencies``) gets 401
and no data. The user is loaded from the application database on every request, so a
disabled user (or one whose password was changed) is signed out on their next request.
The gateway (``queries.viewer_scope``) takes the viewer's data scope from ``current_user``.
"""

from __future__ import annotations

import functools
import os
import secrets
from datetime import timedelta
from urllib.parse import urlencode

import flask
from flask import Blueprint, abort, redirect, render_template, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user

import queries
from components.context import current_lang
from components.i18n import LANGS, t
from crm import appdb, audit, users
from queries import WarehouseMissingError

PUBLIC_PATHS = ("/login", "/_favicon.ico")
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
DEMO_LOGINS = ("boss", "manager", "rep")
DEMO_PASSWORD = "demo"
FIRST_ADMIN = "python -m crm user add admin --role admin --scope all"


def _setting(name: str, default: str) -> str:
    return os.environ.get(name) or default


# failed sign-ins allowed per login name and per address (Flask-Limiter's notation)
NAME_LIMIT = _setting("CRM_LOGIN_LIMIT_NAME", "5 per 15 minutes")
ADDRESS_LIMIT = _setting("CRM_LOGIN_LIMIT_ADDRESS", "20 per 15 minutes")

login_manager = LoginManager()
limiter = Limiter(get_remote_address, storage_uri="memory://", strategy="moving-window")
blueprint = Blueprint("crm", __name__, template_folder="templates")


def init_app(server: flask.Flask) -> None:
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("CRM_SECURE_COOKIES") == "1",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=float(_setting("CRM_SESSION_HOURS", "12"))),
    )
    if os.environ.get("CRM_SECRET_KEY"):
        server.secret_key = os.environ["CRM_SECRET_KEY"]
    server.session_interface = KeyedSessions()
    login_manager.init_app(server)
    login_manager.user_loader(users.from_session_id)
    login_manager.unauthorized_handler(_unauthorized)
    limiter.init_app(server)
    server.before_request(_require_session)
    server.register_error_handler(429, _too_many)
    server.register_blueprint(blueprint)


class KeyedSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, the key read once from the application database when
    no setting gives it. Flask opens the session before any before_request hook, so a key
    set there came too late: a worker's first concurrent requests had no session (500)."""

    def open_session(self, app, request):
        if not app.secret_key:
            app.secret_key = appdb.secret_key()
        return super().open_session(app, request)


def _require_session():
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES) or current_user.is_authenticated:
        return None
    return _unauthorized()


def _unauthorized():
    if request.method != "GET" or request.path.startswith("/_dash-"):
        return flask.Response(status=401)
    return redirect("/login?" + urlencode({"next": request.full_path.rstrip("?")}))


def current_login() -> str | None:
    return current_user.login if flask.has_request_context() and current_user.is_authenticated else None


def is_admin() -> bool:
    """Whether the viewer is an administrator: the signed-in user within a request; outside
    one (the shell, tests calling pages directly) the operator, who sees everything, as the
    gateway's scope is everyone there."""
    if not flask.has_request_context():
        return True
    return current_user.is_authenticated and current_user.is_admin


# --- forms -----------------------------------------------------------------------------------

def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def _csrf_ok() -> bool:
    sent = request.form.get("csrf", "")
    return bool(sent) and secrets.compare_digest(sent, session.get("csrf", ""))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or an absolute address)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _render(template: str, status: int = 200, **values):
    lang = current_lang()
    return render_template(template, lang=lang, t=lambda key, **v: t(key, lang, **v), csrf=csrf_token(),
                           other_lang="en" if lang == "zh-CN" else "zh-CN", **values), status


# --- sign-in ---------------------------------------------------------------------------------

def demo_accounts(lang: str) -> list[tuple[str, str]]:
    """(login, what it sees) of the demo accounts, while they exist and the warehouse is the demo."""
    try:
        if not str(queries.build_info().get("source", "")).startswith("demo:"):
            return []
    except WarehouseMissingError:
        return []
    present = {u.login: u for u in users.all_users() if u.login in DEMO_LOGINS and not u.disabled}
    return [(login, f"{present[login].display_name} · {t('scope.' + present[login].scope_kind, lang)}")
            for login in DEMO_LOGINS if login in present]


def create_demo_accounts() -> list[str]:
    """On a demo warehouse with no users yet: ``boss`` (全部, admin), ``manager`` (本部门及下属部门
    of the first top-level team, linked to its head) and ``rep`` (本人, a rep with a typical
    book), each with the password ``demo``. Returns the logins created."""
    if users.all_users() or not str(queries.build_info().get("source", "")).startswith("demo:"):
        return []
    with queries.viewing_as(queries.EVERYONE):
        row = queries.run("demo_accounts").iloc[0]
    users.add("boss", DEMO_PASSWORD, role="admin", scope_kind="all", display_name="Boss 老板")
    users.add("manager", DEMO_PASSWORD, scope_kind="team_and_below", rep_id=row["manager_rep_id"],
              teams=(row["team_id"],), display_name=f"{row['manager_name']} · {row['team_name']}")
    users.add("rep", DEMO_PASSWORD, scope_kind="own", rep_id=row["rep_rep_id"], display_name=row["rep_name"])
    for login in DEMO_LOGINS:
        audit.log("user_add", "demo", {"user": login})
    return list(DEMO_LOGINS)


def _login_name() -> str:
    return "name:" + request.form.get("login", "").strip().lower()[:64]


def _failed(response: flask.Response) -> bool:
    return response.status_code == 401


@blueprint.route("/login", methods=["GET", "POST"])
@limiter.limit(NAME_LIMIT, key_func=_login_name, methods=["POST"], deduct_when=_failed)
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=_failed)
def login():
    target = _safe_next(request.values.get("next"))
    if request.args.get("lang") in LANGS:  # the language switch: remember it, show the form again
        response = redirect(target if current_user.is_authenticated else "/login?" + urlencode({"next": target}))
        response.set_cookie("lang", request.args["lang"], max_age=365 * 86400, samesite="Lax")
        return response
    error = None
    if request.method == "POST":
        if not _csrf_ok():
            return _login_page(target, t("login.expired", current_lang()), 400)
        name = request.form.get("login", "").strip()
        user = users.authenticate(name, request.form.get("password", ""))
        if user is None:
            audit.log("login_failed", name[:64], {"address": request.remote_addr})
            return _login_page(target, t("login.failed", current_lang()), 401)
        session.clear()
        login_user(user)
        session.permanent = True
        audit.log("login", user.login, {"address": request.remote_addr})
        response = redirect(target)
        if user.lang in LANGS:
            response.set_cookie("lang", user.lang, max_age=365 * 86400, samesite="Lax")
        return response
    return _login_page(target, error)


def _login_page(target: str, error: str | None, status: int = 200):
    lang = current_lang()
    no_users = not users.all_users()
    return _render("crm/login.html", status, next=target, error=error, demo=demo_accounts(lang),
                   no_users=t("login.no_users", lang, command=FIRST_ADMIN) if no_users else None)


def _too_many(exc):
    if request.path != "/login":
        return flask.Response("Too many requests", status=429)
    minutes = 15
    limit = getattr(exc, "limit", None)
    if limit is not None:
        minutes = max(1, round(limit.limit.get_expiry() / 60))
    return _login_page(_safe_next(request.values.get("next")), t("login.limited", current_lang(), minutes=minutes),
                       429)


@blueprint.route("/logout")
def logout():
    login = current_login()
    logout_user()
    session.clear()
    if login:
        audit.log("logout", login, {})
    return redirect("/login")


# --- the admin page --------------------------------------------------------------------------

def _admin_only():
    if not is_admin():
        abort(404)  # viewers are told nothing exists here


def _audit_rows(lang: str) -> list[dict]:
    return [{**e, "event": t(f"audit.{e['event']}", lang),
             "detail": ", ".join(f"{k}={v}" for k, v in e["detail"].items())} for e in audit.entries(500)]


@blueprint.route("/admin", methods=["GET"])
def admin():
    _admin_only()
    lang = current_lang()
    return _render("crm/admin.html", users=users.all_users(), audit=_audit_rows(lang), roles=users.ROLES,
                   kinds=users.SCOPE_KINDS, message=request.args.get("message"), next="/admin")


def _form_user() -> dict:
    form = request.form
    return {"display_name": form.get("display_name", "").strip() or None, "role": form.get("role"),
            "scope_kind": form.get("scope_kind"), "rep_id": form.get("rep_id", "").strip() or None,
            "teams": tuple(x.strip() for x in form.get("teams", "").split(",") if x.strip()),
            "disabled": form.get("disabled") == "on"}


def _done(text: str):
    return redirect("/admin?" + urlencode({"message": text}))


def _admin_form(view):
    """An admin page form: administrators only (404 for anyone else), CSRF token checked,
    a refused change shown as a message on the admin page."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        _admin_only()
        if not _csrf_ok():
            abort(400)
        try:
            return view(*args, **kwargs)
        except users.UserError as exc:
            return _done(t("admin.error", current_lang(), error=str(exc)))

    return checked


@blueprint.route("/admin/users", methods=["POST"])
@_admin_form
def admin_add():
    values = _form_user()
    values.pop("disabled")
    user = users.add(request.form.get("login", "").strip(), request.form.get("password", ""), **values)
    audit.log("user_add", current_login(), {"user": user.login, "role": user.role, "scope": user.scope_kind,
                                            "rep_id": user.rep_id, "teams": list(user.teams)})
    return _done(t("admin.saved", current_lang(), login=user.login))


@blueprint.route("/admin/users/<login>", methods=["POST"])
@_admin_form
def admin_change(login: str):
    changes = _form_user()
    if login == current_login() and (changes["disabled"] or changes["role"] != "admin"):
        raise users.UserError(t("admin.not_yourself", current_lang()))
    before = users.get(login)
    user = users.update(login, **{k: v for k, v in changes.items() if v is not None or k == "rep_id"})
    changed = {k: getattr(user, k) for k in changes if getattr(user, k) != getattr(before, k)}
    if changed:
        event = "user_disable" if changed.get("disabled") else "user_change"
        audit.log(event, current_login(), {"user": login, **changed})
    return _done(t("admin.saved", current_lang(), login=login))


@blueprint.route("/admin/users/<login>/password", methods=["POST"])
@_admin_form
def admin_password(login: str):
    users.set_password(login, request.form.get("password", ""))
    audit.log("user_passwd", current_login(), {"user": login})
    return _done(t("admin.saved", current_lang(), login=login))


# --- exports ---------------------------------------------------------------------------------

def audit_export(page: str, card: str, fmt: str, filters: str) -> None:
    """Who exported which card's data with which filters (the checked query string)."""
    audit.log("export", current_login(), {"page": page, "card": card, "format": fmt, "filters": filters})
