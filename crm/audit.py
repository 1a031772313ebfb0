"""The audit log: who signed in, failed to, signed out, exported what, changed which user.
Details are a small JSON object; no password is ever passed here."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from crm import appdb

EVENTS = ("login", "login_failed", "logout", "export", "user_add", "user_change", "user_disable", "user_passwd",
          "subscribe", "unsubscribe", "send", "send_failed")


def log(event: str, login: str | None, detail: dict | None = None) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    with appdb.connect() as con:
        con.execute("insert into audit (at, event, login, detail) values (?, ?, ?, ?)",
                    (datetime.now(UTC).isoformat(timespec="seconds"), event, login,
                     json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)))


def entries(limit: int = 500, event: str | None = None) -> list[dict]:
    """The newest entries first (at most ``limit``), optionally of one event."""
    with appdb.connect() as con:
        rows = con.execute("select id, at, event, login, detail from audit"
                           " where ? is null or event = ? order by id desc limit ?", (event, event, limit)).fetchall()
    return [{**dict(row), "detail": json.loads(row["detail"])} for row in rows]
