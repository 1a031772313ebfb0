"""Subscriptions: a user receives the brief, or any page with its filters, weekly or
monthly, in their language, as a PDF by e-mail (or into a folder when no SMTP server is
configured).

``send_due`` sends what is due and records every attempt in ``sends``, one row per
(subscription, period): a period with a 'sent' row is never sent again, so running it
twice sends nothing twice; a failed attempt stays 'failed' (with its error and the count
of attempts) and is tried again on the next run until it goes through. A weekly
subscription is due for the last complete ISO week (Monday-Sunday) before today, a
monthly one for the last complete calendar month; periods that ended before the
subscription was made are not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from crm import appdb, audit

FREQUENCIES = ("weekly", "monthly")
BRIEF_PATH = "/brief"
BRIEF_PRESET = {"weekly": "last_week", "monthly": "last_month"}



class SubscriptionError(ValueError):
    """A subscription that cannot be made or changed (bad page, frequency, language, user)."""


@dataclass(frozen=True)
class Subscription:
    id: int
    login: str
    target: str
    frequency: str
    lang: str
    created_by: str
    created_at: str
    cancelled_at: str | None


def _connect():
    return appdb.connect()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def subscribe(login: str, target: str, frequency: str, lang: str, by: str) -> Subscription:
    """``login`` receives ``target`` (a path with its query, already checked by the caller
    with crm.render.target_of) every ``frequency``."""
    from components.i18n import LANGS
    from crm import users

    if frequency not in FREQUENCIES:
        raise SubscriptionError(f"unknown frequency {frequency!r}")
    if lang not in LANGS:
        raise SubscriptionError(f"unknown language {lang!r}")
    if users.get(login) is None:
        raise SubscriptionError(f"unknown user {login!r}")
    with _connect() as con:
        cursor = con.execute(
            "insert into subscriptions (login, target, frequency, lang, created_by, created_at)"
            " values (?, ?, ?, ?, ?, ?)", (login, target, frequency, lang, by, _now()))
        sub_id = cursor.lastrowid
    audit.log("subscribe", by, {"id": sub_id, "for": login, "target": target, "frequency": frequency})
    return get(sub_id)


def brief_target(frequency: str, query: str = "") -> str:
    """The brief's target for ``frequency``: the global filters of ``query`` with the
    period of the frequency (last week or last month)."""
    from urllib.parse import parse_qsl, urlencode

    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?")) if k not in ("preset", "start", "end")]
    return f"{BRIEF_PATH}?" + urlencode([("preset", BRIEF_PRESET[frequency]), *pairs], safe=",")


def get(sub_id: int) -> Subscription | None:
    with _connect() as con:
        row = con.execute("select * from subscriptions where id = ?", (sub_id,)).fetchone()
    return Subscription(**dict(row)) if row else None


def listing(login: str | None = None) -> list[Subscription]:
    """Active subscriptions, of ``login`` only when given, oldest first."""
    with _connect() as con:
        rows = con.execute("select * from subscriptions where cancelled_at is null"
                           " and (? is null or login = ?) order by id", (login, login)).fetchall()
    return [Subscription(**dict(row)) for row in rows]


def cancel(sub_id: int, by: str, admin: bool = False) -> bool:
    """Cancel subscription ``sub_id`` if ``by`` owns it (or is an admin)."""
    with _connect() as con:
        changed = con.execute("update subscriptions set cancelled_at = ? where id = ? and cancelled_at is null"
                              " and (? or login = ?)", (_now(), sub_id, admin, by)).rowcount
    if changed:
        audit.log("unsubscribe", by, {"id": sub_id})
    return bool(changed)


# --- what is due ----------------------------------------------------------------------------

def period_of(frequency: str, today: date) -> tuple[str, date, date]:
    """(key, first day, last day) of the last complete week or month before ``today``."""
    if frequency == "weekly":
        monday = today - timedelta(days=today.weekday() + 7)
        year, week, _ = monday.isocalendar()
        return f"{year}-W{week:02d}", monday, monday + timedelta(days=6)
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    return f"{first:%Y-%m}", first, last


def due(today: date) -> list[tuple[Subscription, str]]:
    """(subscription, period key) for every active subscription whose last complete period
    ended on or after the day it was made and has no successful send."""
    out = []
    with _connect() as con:
        sent = {(r["subscription_id"], r["period"]) for r in
                con.execute("select subscription_id, period from sends where status = 'sent'")}
    for sub in listing():
        key, _first, last = period_of(sub.frequency, today)
        if last >= date.fromisoformat(sub.created_at[:10]) and (sub.id, key) not in sent:
            out.append((sub, key))
    return out


def record(sub: Subscription, period: str, error: str | None) -> None:
    """Write one attempt: 'sent', or 'failed' with its error (attempts counted)."""
    status = "failed" if error else "sent"
    with _connect() as con:
        con.execute(
            "insert into sends (subscription_id, period, status, attempts, error, at) values (?, ?, ?, 1, ?, ?)"
            " on conflict (subscription_id, period) do update set status = excluded.status,"
            " attempts = sends.attempts + 1, error = excluded.error, at = excluded.at",
            (sub.id, period, status, error, _now()))
    audit.log("send_failed" if error else "send", sub.login,
              {"subscription": sub.id, "period": period, "target": sub.target, **({"error": error} if error else {})})


def pending() -> list[dict]:
    """Failed sends still waiting for their next try (what ``send-due`` reports)."""
    with _connect() as con:
        rows = con.execute("select s.*, sub.login, sub.target from sends as s join subscriptions as sub"
                           " on sub.id = s.subscription_id where s.status = 'failed' order by s.id").fetchall()
    return [dict(row) for row in rows]


def send_due(today: date | None = None, log=print) -> int:
    """Send every due subscription; the number of sends that failed (0 = all went out)."""
    from crm import delivery, render

    failed = 0
    for sub, period in due(today or date.today()):
        try:
            pdf = render.page_pdf(sub.target, sub.login, sub.lang)
            where = delivery.deliver(sub, period, pdf)
        except (render.RenderError, delivery.DeliveryError, OSError) as error:
            failed += 1
            record(sub, period, str(error) or type(error).__name__)
            log(f"FAILED  #{sub.id} {sub.login} {sub.target} {period}: {error}")
        else:
            record(sub, period, None)
            log(f"sent    #{sub.id} {sub.login} {sub.target} {period} -> {where}")
    return failed
