"""Command line for the application side:

    python -m crm user add LOGIN --role admin|viewer --scope own|own_and_below|team|team_and_below|all
                           [--rep R01] [--teams T01,T02] [--name NAME] [--email E] [--lang zh-CN|en]
                           [--password-stdin | --generate]
    python -m crm user list
    python -m crm user set LOGIN [--role ..] [--scope ..] [--rep ..] [--teams ..] [--name ..] [--enable]
    python -m crm user disable LOGIN
    python -m crm user passwd LOGIN [--password-stdin | --generate]

Without --password-stdin or --generate the password is asked for twice (not echoed).
--generate prints a random password once. The database is $CRM_APP_DB (default
app.sqlite3 beside the warehouse)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from crm import appdb, audit, users

ACTOR = "shell"  # who changed a user from the command line (audit log)


def _password(args) -> str:
    if args.generate:
        password = secrets.token_urlsafe(12)
        print(f"password: {password}")
        return password
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise users.UserError("the passwords differ")
    return first


def _teams(value: str | None) -> tuple[str, ...] | None:
    return None if value is None else tuple(t.strip() for t in value.split(",") if t.strip())


def _password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    group.add_argument("--generate", action="store_true", help="generate a password and print it once")


def _user_options(parser: argparse.ArgumentParser, defaults: bool) -> None:
    parser.add_argument("--role", choices=users.ROLES, default="viewer" if defaults else None)
    parser.add_argument("--scope", choices=users.SCOPE_KINDS, default="own" if defaults else None,
                        help="data scope: own 本人, own_and_below 本人及下属, team 本部门, "
                             "team_and_below 本部门及下属部门, all 全部")
    parser.add_argument("--rep", help="the warehouse rep_id this user is ('' to unlink)")
    parser.add_argument("--teams", help="comma-separated team ids the scope also covers ('' for none)")
    parser.add_argument("--name", help="display name")
    parser.add_argument("--email")
    parser.add_argument("--lang", choices=("zh-CN", "en"))


def _show(user: users.User) -> str:
    teams = ",".join(user.teams) or "-"
    state = "disabled" if user.disabled else "active"
    return (f"{user.login:16s} {user.display_name:16s} {user.role:6s} {user.scope_kind:15s} "
            f"rep={user.rep_id or '-':8s} teams={teams:12s} {state}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crm", description="users of the CRM app")
    sub = parser.add_subparsers(dest="command", required=True)
    user = sub.add_parser("user", help="manage users").add_subparsers(dest="action", required=True)
    add = user.add_parser("add", help="add a user")
    add.add_argument("login")
    _user_options(add, defaults=True)
    _password_options(add)
    user.add_parser("list", help="list the users")
    change = user.add_parser("set", help="change a user's role, scope, rep, teams or name")
    change.add_argument("login")
    _user_options(change, defaults=False)
    change.add_argument("--enable", action="store_true", help="enable a disabled user")
    disable = user.add_parser("disable", help="disable a user (their session stops working)")
    disable.add_argument("login")
    passwd = user.add_parser("passwd", help="set a user's password")
    passwd.add_argument("login")
    _password_options(passwd)
    args = parser.parse_args(argv)
    try:
        return _user_command(args)
    except users.UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _user_command(args) -> int:
    if args.action == "list":
        print(f"# {appdb.path()}")
        for u in users.all_users():
            print(_show(u))
        return 0
    if args.action == "add":
        created = users.add(args.login, _password(args), role=args.role, scope_kind=args.scope, rep_id=args.rep,
                            teams=_teams(args.teams) or (), display_name=args.name, email=args.email, lang=args.lang)
        audit.log("user_add", ACTOR, {"user": created.login, "role": created.role, "scope": created.scope_kind,
                                      "rep_id": created.rep_id, "teams": list(created.teams)})
        print(_show(created))
    elif args.action == "set":
        changes = {key: value for key, value in (
            ("role", args.role), ("scope_kind", args.scope), ("rep_id", args.rep), ("teams", _teams(args.teams)),
            ("display_name", args.name), ("email", args.email), ("lang", args.lang)) if value is not None}
        if args.enable:
            changes["disabled"] = False
        changed = users.update(args.login, **changes)
        audit.log("user_change", ACTOR, {"user": changed.login, **{k: v for k, v in changes.items()}})
        print(_show(changed))
    elif args.action == "disable":
        print(_show(users.update(args.login, disabled=True)))
        audit.log("user_disable", ACTOR, {"user": args.login})
    elif args.action == "passwd":
        users.set_password(args.login, _password(args))
        audit.log("user_passwd", ACTOR, {"user": args.login})
        print(f"password of {args.login} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
