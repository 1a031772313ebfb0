"""Shared fixtures: the literal-SQL fixture warehouse, built by the real build."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

import app  # the Dash app registers the pages, so tests can import them
from data import build, rules

FIXTURE_SQL = Path(__file__).with_name("fixture.sql")


def sql_fill(sql: str):
    """A build ``fill`` that runs literal INSERTs into the staging tables and numbers
    each table's rows in insertion order."""

    def fill(con):
        con.execute("set search_path = 'staging'")
        con.execute(sql)
        con.execute("set search_path = 'main'")
        for table in rules.TABLES:
            con.execute(f'update staging."{table}" set _row = rowid + 1 where _row is null')

    return fill


def build_fixture(path: Path, sql: str | None = None) -> Path:
    build.build(path, sql_fill(sql if sql is not None else FIXTURE_SQL.read_text()),
                "fixture", progress=False)
    return path


def extra_contract(contract_id, customer_id, rep_id, signed_on, amount, product_id="P3") -> str:
    """SQL adding one active one-line contract to the fixture."""
    return (
        "\ninsert into contracts (contract_id, customer_id, rep_id, signed_on, amount, status) values "
        f"('{contract_id}', '{customer_id}', '{rep_id}', '{signed_on}', {amount}, 'active');\n"
        "insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount) values "
        f"('{contract_id}', 1, '{product_id}', 1, {amount}, {amount});\n"
    )


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("wh") / "fixture.duckdb")


@pytest.fixture
def warehouse(fixture_warehouse, monkeypatch) -> Path:
    """Point the gateway (and the app) at the fixture warehouse."""
    monkeypatch.setenv("CRM_WAREHOUSE", str(fixture_warehouse))
    return fixture_warehouse


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def browser(request, warehouse):
    """The real app on a free port of this machine, driven by headless Chromium
    (Debian's chromium and chromedriver; never a downloaded browser)."""
    if not (shutil.which("chromedriver") and Path("/usr/bin/chromium").exists()):
        pytest.skip("chromium and chromedriver are not installed (make test installs them)")
    os.environ.setdefault("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
    dash_duo = request.getfixturevalue("dash_duo")
    dash_duo.start_server(app.app, port=_free_port())
    dash_duo.driver.set_window_size(1400, 1000)
    return dash_duo


@pytest.fixture
def app_client(warehouse):
    """A Flask test client of the real app on the fixture warehouse: the one place tests
    that POST callbacks get their client (a signed-in session, once the app has one)."""
    return app.server.test_client()
