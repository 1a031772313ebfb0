"""Command line for the application side:

    python -m crm user add LOGIN --role admin|viewer --scope own|own_and_below|team|team_and_below|all
                           [--rep R01] [--teams T01,T02] [--name NAME] [--email E] [--lang zh-CN|en]
                           [--password-stdin | --generate]
    python -m crm user list
    python -m crm user set LOGIN [--role ..] [--scope ..] [--rep ..] [--teams ..] [--name ..] [--enable]
    python -m crm user disable LOGIN
    python -m crm user passwd LOGIN [--password-stdin | --generate]
    python -m crm pdf /revenue 'preset=last_month&team=T02' --as LOGIN --out FILE [--lang en]
    python -m crm subscribe LOGIN [/page ['filters']] [--frequency weekly|monthly] [--lang zh-CN|en]
    python -m crm subscriptions
    python -m crm send-due [--today YYYY-MM-DD]       (for cron: see the README)

Without --password-stdin or --generate the password is asked for twice (not echoed).
--generate prints a random password once. The database is $CRM_APP_DB (default
app.sqlite3 beside the warehouse)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from datetime import date
from pathlib import Path

from crm import appdb, audit, render, subscriptions, users

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
    pdf = sub.add_parser("pdf", help="a page as PDF, as a user sees it")
    pdf.add_argument("path", help="the page, e.g. /revenue")
    pdf.add_argument("query", nargs="?", default="",
                     help="its filters as in the URL: 'preset=last_month&team=T02'")
    pdf.add_argument("--as", dest="login", required=True, help="the user whose view (scope) is drawn")
    pdf.add_argument("--lang", choices=("zh-CN", "en"), help="default: the user's language")
    pdf.add_argument("--out", required=True, help="the PDF file to write")
    subscribe = sub.add_parser("subscribe", help="subscribe a user to the brief or a page")
    subscribe.add_argument("login")
    subscribe.add_argument("path", nargs="?", default=subscriptions.BRIEF_PATH, help="default: the brief")
    subscribe.add_argument("query", nargs="?", default="", help="the page's filters as in the URL")
    subscribe.add_argument("--frequency", choices=subscriptions.FREQUENCIES, default="weekly")
    subscribe.add_argument("--lang", choices=("zh-CN", "en"), default="zh-CN")
    sub.add_parser("subscriptions", help="list the subscriptions and the sends waiting for a retry")
    send = sub.add_parser("send-due", help="send every subscription that is due (for cron or a systemd timer)")
    send.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD: decide what is due as on this day")
    args = parser.parse_args(argv)
    commands = {"user": _user_command, "pdf": _pdf_command, "subscribe": _subscribe_command,
                "subscriptions": _subscriptions_command, "send-due": _send_due_command}
    try:
        return commands[args.command](args)
    except (users.UserError, subscriptions.SubscriptionError, render.RenderError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _pdf_command(args) -> int:
    target = render.target_of(args.path, args.query)
    if target is None:
        raise render.RenderError(f"no page at {args.path!r} (or its query is longer than {render.MAX_QUERY})")
    Path(args.out).write_bytes(render.page_pdf(target, args.login, args.lang))
    audit.log("export", args.login, {"format": "pdf", "target": target, "by": ACTOR})
    print(args.out)
    return 0


def _subscribe_command(args) -> int:
    if args.path == subscriptions.BRIEF_PATH:
        target = subscriptions.brief_target(args.frequency, args.query)
    else:
        target = render.target_of(args.path, args.query)
    if target is None:
        raise subscriptions.SubscriptionError(f"no page at {args.path!r}")
    created = subscriptions.subscribe(args.login, target, args.frequency, args.lang, by=ACTOR)
    print(f"#{created.id} {created.login} {created.target} {created.frequency} {created.lang}")
    return 0


def _subscriptions_command(_args) -> int:
    for s in subscriptions.listing():
        print(f"#{s.id} {s.login} {s.target} {s.frequency} {s.lang} since {s.created_at[:10]}")
    for p in subscriptions.pending():
        print(f"pending #{p['subscription_id']} {p['login']} {p['period']} after {p['attempts']} attempt(s): "
              f"{p['error']}")
    return 0


def _send_due_command(args) -> int:
    failed = subscriptions.send_due(args.today)
    if failed:
        print(f"{failed} send(s) failed and will be tried again on the next run", file=sys.stderr)
    return 1 if failed else 0


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
