"""The application database: stdlib sqlite3 at the setting CRM_APP_DB (default
``app.sqlite3`` beside the warehouse file). Tables are created when missing; every
operation opens one short-lived connection (WAL mode, so readers never wait for the
one writer), which suits several gunicorn workers sharing the file."""

from __future__ import annotations

import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from data.build import warehouse_path

SCHEMA = """
create table if not exists users (
    login text primary key,
    display_name text not null,
    password_hash text not null,
    role text not null check (role in ('admin', 'viewer')),
    scope_kind text not null check (scope_kind in ('own', 'own_and_below', 'team', 'team_and_below', 'all')),
    rep_id text,
    teams text not null default '',
    email text,
    lang text,
    disabled integer not null default 0,
    created_at text not null
);
create table if not exists audit (
    id integer primary key autoincrement,
    at text not null,
    event text not null,
    login text,
    detail text not null default '{}'
);
create index if not exists audit_at on audit (at);
-- subscriptions and their sends: crm.subscriptions
create table if not exists subscriptions (
    id integer primary key autoincrement,
    login text not null,
    target text not null,
    frequency text not null check (frequency in ('weekly', 'monthly')),
    lang text not null,
    created_by text not null,
    created_at text not null,
    cancelled_at text
);
create table if not exists sends (
    id integer primary key autoincrement,
    subscription_id integer not null references subscriptions (id),
    period text not null,
    status text not null check (status in ('sent', 'failed')),
    attempts integer not null,
    error text,
    at text not null,
    unique (subscription_id, period)
);
create table if not exists settings (
    key text primary key,
    value text not null
);
"""


def path() -> Path:
    setting = os.environ.get("CRM_APP_DB")
    return Path(setting) if setting else warehouse_path().with_name("app.sqlite3")


_ready: set[str] = set()


@contextmanager
def connect() -> Iterator[sqlite3.Connection]:
    """One connection for one operation: committed on success, rolled back on error."""
    where = path()
    where.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(where, timeout=10)
    con.row_factory = sqlite3.Row
    try:
        if str(where) not in _ready:
            con.execute("pragma journal_mode = wal")
            con.executescript(SCHEMA)
            _ready.add(str(where))
        with con:
            yield con
    finally:
        con.close()


def secret_key() -> str:
    """The setting CRM_SECRET_KEY, else a random key generated once and kept here (so
    sessions survive restarts and every worker signs with the same key)."""
    setting = os.environ.get("CRM_SECRET_KEY")
    if setting:
        return setting
    with connect() as con:
        con.execute("insert or ignore into settings (key, value) values ('secret_key', ?)", (secrets.token_hex(32),))
        return con.execute("select value from settings where key = 'secret_key'").fetchone()["value"]
