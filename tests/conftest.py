"""Shared fixtures: the literal-SQL fixture warehouse, built by the real build."""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
from pathlib import Path

import orjson
import pytest

# the application database (users, audit) of the test session, never the repository's data/;
# each test that signs in gets its own (the app_db fixture)
os.environ.setdefault("CRM_APP_DB", str(Path(tempfile.mkdtemp(prefix="crm-app-")) / "app.sqlite3"))
os.environ.setdefault("CRM_SECRET_KEY", "test-secret-key")

import app
import crm.web
from components.output_cache import to_json
from crm import users
from data import build, rules

FIXTURE_SQL = Path(__file__).with_name("fixture.sql")


def sql_fill(sql: str):
    """A build ``fill`` that runs literal INSERTs into the staging tables and numbers
    each table's rows in insertion order."""

    def fill(con):
        con.execute("set search_path = 'staging'")
        con.execute(sql)
        con.execute("reset search_path")
        for table in rules.TABLES:
            con.execute(f'update staging."{table}" set _row = rowid + 1 where _row is null')

    return fill


def plain(output):
    """A page callback's output as the browser reads it (a list for a callback's outputs): a
    cached one's JSON (components/output_cache.py), a component or figure in its JSON form."""
    return orjson.loads(to_json(output))


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
def app_db(tmp_path, monkeypatch) -> Path:
    """A fresh application database (users, audit log) and fresh sign-in rate limits."""
    path = tmp_path / "app.sqlite3"
    monkeypatch.setenv("CRM_APP_DB", str(path))
    crm.web.limiter.reset()
    return path


TEST_PASSWORD = "correct horse battery staple"


def sign_in(client, login: str, password: str = TEST_PASSWORD):
    """Sign ``client`` in through the real login form (CSRF token included)."""
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    return client.post("/login", data={"csrf": token, "login": login, "password": password, "next": "/"})


@pytest.fixture
def client_as(warehouse, app_db):
    """``client_as(login, role=..., scope_kind=..., rep_id=..., teams=...)``: a Flask test
    client of the real app, signed in as a new user with that role and data scope."""

    def make(login: str, role: str = "viewer", scope_kind: str = "own", rep_id: str | None = None,
             teams: tuple[str, ...] = ()):
        users.add(login, TEST_PASSWORD, role=role, scope_kind=scope_kind, rep_id=rep_id, teams=teams)
        client = app.server.test_client()
        assert sign_in(client, login).status_code == 302
        return client

    return make


def browser_sign_in(dash_duo, login: str, password: str = TEST_PASSWORD) -> None:
    dash_duo.driver.get(dash_duo.server.url + "/login")
    dash_duo.find_element("#login-name").send_keys(login)
    dash_duo.find_element("#login-password").send_keys(password)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#nav-logout")


@pytest.fixture
def browser_signed_out(request, warehouse, app_db):
    """The real app on a free port of this machine, driven by headless Chromium
    (Debian's chromium and chromedriver; never a downloaded browser), nobody signed in
    (so the page at ``dash_duo.server.url`` is the login page)."""
    if not (shutil.which("chromedriver") and Path("/usr/bin/chromium").exists()):
        pytest.skip("chromium and chromedriver are not installed (make test installs them)")
    os.environ.setdefault("DASH_TEST_CHROMEPATH", "/usr/bin/chromium")
    dash_duo = request.getfixturevalue("dash_duo")
    dash_duo.start_server(app.app, navigate=False, port=_free_port())
    dash_duo.driver.set_window_size(1400, 1000)
    return dash_duo


@pytest.fixture
def browser(browser_signed_out):
    """``browser_signed_out``, signed in as an administrator who sees everything."""
    users.add("admin", TEST_PASSWORD, role="admin", scope_kind="all")
    browser_sign_in(browser_signed_out, "admin")
    browser_signed_out.server_url = browser_signed_out.server.url  # waits for the app's first page
    return browser_signed_out


@pytest.fixture
def app_client(warehouse, app_db):
    """A Flask test client of the real app on the fixture warehouse, signed in as an
    administrator who sees everything: the one place tests that POST callbacks get their
    client."""
    users.add("fuzz-admin", TEST_PASSWORD, role="admin", scope_kind="all")
    client = app.server.test_client()
    assert sign_in(client, "fuzz-admin").status_code == 302
    return client
