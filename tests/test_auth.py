"""Sign-in, roles and data scopes (#11): the five scope kinds on the fixture (answers worked
out by hand from tests/fixture.sql), the gateway's rule that a scoped request cannot see
more, anonymous requests, passwords, rate limits, the audit log, disabled users, the
command lines and the admin page."""

from __future__ import annotations

import io
import json
import logging
import re
from datetime import date

import pytest
from flask_login import login_user

import app
import queries
from components import cards
from crm import appdb, audit, users
from crm.__main__ import main as crm_main
from queries import EVERYONE, Scope, run
from queries.filters import Filters
from tests.conftest import TEST_PASSWORD, sign_in

WHOLE = Filters(preset="custom", start=date(2023, 1, 1), end=date(2024, 3, 15))

# reps R1 (T2), R2 (T4 under T2, reports to R1), R3 (T3), R4 (T3, reports to R3); contracts per
# rep: R1 K01 1000 + K03 2000 + K06 1500 = 4500; R2 K02 500 + K05 800 + K07 700 = 2000;
# R3 K04 300 + K08 400 + K10 600 = 1300; R4 none. Outstanding at 2024-03-15 (amount - paid):
# K02 300, K03 1000, K04 300, K05 800, K06 1000, K08 400, K10 600 (K01, K07 paid).
SCOPES = {
    # kind, rep, teams -> reps, pickable teams, contract amount, pyramid (customer, amount, tier), outstanding
    "own": (("own", "R1", ()), ("R1",), (), 4500,
            [("C1", 3000, "vip"), ("C4", 1500, "small")], 2000),
    "own_and_below": (("own_and_below", "R3", ()), ("R3", "R4"), ("T3",), 1300,
                      [("C6", 600, "vip"), ("C5", 400, "small"), ("C3", 300, "small")], 1300),
    "team": (("team", "R2", ()), ("R2",), ("T4",), 2000,
             [("C2", 1300, "vip"), ("C1", 700, "small")], 1100),
    "team_and_below": (("team_and_below", "R1", ()), ("R1", "R2"), ("T2", "T4"), 6500,
                       [("C1", 3700, "vip"), ("C4", 1500, "small"), ("C2", 1300, "small")], 3100),
    "all": (("all", None, ()), None, None, 7800,
            [("C1", 3700, "vip"), ("C4", 1500, "normal"), ("C2", 1300, "small"), ("C6", 600, "small"),
             ("C5", 400, "small"), ("C3", 300, "small")], 4400),
}


@pytest.mark.parametrize("name", SCOPES)
def test_each_scope_kind_sees_exactly_its_rows(warehouse, app_db, name):
    (kind, rep, teams), reps, pickable, amount, pyramid, outstanding = SCOPES[name]
    user = users.add(f"u-{name}", "pw", scope_kind=kind, rep_id=rep, teams=teams)
    scope = queries.scope_of(user)
    assert (scope.reps, scope.pickable_teams()) == (reps, pickable)
    kpis = run("overview_kpis", WHOLE, scope).set_index("measure")
    assert kpis.loc["contract_amount", "current"] == amount
    tiers = run("customer_tiers", WHOLE, scope)
    tiers = tiers[tiers["window_name"] == "current"].sort_values("position")
    assert [(r.customer_id, r.amount, r.tier) for r in tiers.itertuples()] == pyramid
    assert run("receivables_summary", WHOLE, scope, day=WHOLE.end).loc[0, "outstanding"] == outstanding
    # the customers they own: the filter bar offers only their reps and teams
    values = queries.dimension_values(scope)
    assert values.get("rep", set()) == set(reps or ("R1", "R2", "R3", "R4"))
    assert values.get("team", set()) == set(pickable if pickable is not None else ("T1", "T2", "T3", "T4"))


def test_explicit_teams_and_unlinked_users(warehouse, app_db):
    # team_and_below of T1 explicitly: everyone; own without a rep: nothing at all
    assert queries.scope_of(users.add("t1", "pw", scope_kind="team_and_below", teams=("T1",))).reps \
        == ("R1", "R2", "R3", "R4")
    nobody = queries.scope_of(users.add("lost", "pw", scope_kind="own"))
    assert nobody.reps == () and run("overview_kpis", WHOLE, nobody).set_index("measure").loc[
        "contract_amount", "current"] == 0
    # an administrator sees everything whatever the scope says
    assert queries.scope_of(users.add("adm", "pw", role="admin", scope_kind="own", rep_id="R4")) == EVERYONE


def test_a_scoped_request_cannot_get_everyone_by_omission(warehouse, app_db):
    rep = users.add("r3", "pw", scope_kind="own", rep_id="R3")
    with app.server.test_request_context():
        login_user(rep)
        # a callback that passes no scope, or everyone, still gets the viewer's book only
        assert run("overview_kpis", WHOLE).set_index("measure").loc["contract_amount", "current"] == 1300
        assert run("overview_kpis", WHOLE, EVERYONE).set_index("measure").loc["contract_amount", "current"] == 1300
        with queries.viewing_as(EVERYONE):
            assert run("overview_kpis", WHOLE).set_index("measure").loc["contract_amount", "current"] == 1300
        # an explicit scope narrows: R1 is not theirs, so nothing
        assert run("overview_kpis", WHOLE, Scope(reps=("R1",))).set_index("measure").loc[
            "contract_amount", "current"] == 0
        assert queries.parse_filters("rep=R1,R3&team=T2").dropped == ("rep=R1", "team=T2")
    with app.server.test_request_context():  # anonymous: nothing
        assert run("overview_kpis", WHOLE).set_index("measure").loc["contract_amount", "current"] == 0
    # outside a request: everyone, unless viewing_as narrows it
    assert run("overview_kpis", WHOLE).set_index("measure").loc["contract_amount", "current"] == 7800
    with queries.viewing_as(Scope(reps=("R2",))):
        assert run("overview_kpis", WHOLE).set_index("measure").loc["contract_amount", "current"] == 2000


def test_anonymous_requests_get_nothing(warehouse, app_db):
    client = app.server.test_client()
    page = client.get("/customers?preset=last_year")
    assert page.status_code == 302 and page.headers["Location"] == "/login?next=%2Fcustomers%3Fpreset%3Dlast_year"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401 and client.get(path).data == b""
    update = client.post("/_dash-update-component", json={"output": "x.children", "inputs": []})
    assert update.status_code == 401 and update.data == b""
    assert client.get("/admin").status_code == 302
    assert client.get("/assets/app.css").status_code == 200
    login = client.get("/login")
    assert login.status_code == 200 and b'name="csrf"' in login.data
    assert "python -m crm user add admin --role admin" in login.get_data(as_text=True)  # no user yet


def test_login_page_follows_the_language(warehouse, app_db):
    client = app.server.test_client()
    assert "账号" in client.get("/login").get_data(as_text=True)
    switched = client.get("/login?lang=en&next=/team")
    assert switched.status_code == 302 and "lang=en" in switched.headers["Set-Cookie"]
    assert "Login name" in client.get("/login").get_data(as_text=True)


def test_sign_in_session_cookie_and_logout(client_as, app_db):
    client = client_as("r3", scope_kind="own", rep_id="R3")
    assert client.get("/").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert client.get("/logout").status_code == 302
    assert client.get("/").status_code == 302
    events = [(e["event"], e["login"]) for e in audit.entries()]
    assert events[:2] == [("logout", "r3"), ("login", "r3")]


def test_next_is_kept_and_only_local(warehouse, app_db):
    users.add("r3", TEST_PASSWORD, scope_kind="own", rep_id="R3")
    client = app.server.test_client()
    page = client.get("/login?next=/team").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    ok = client.post("/login", data={"csrf": token, "login": "r3", "password": TEST_PASSWORD, "next": "/team"})
    assert ok.headers["Location"] == "/team"
    client.get("/logout")
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    evil = client.post("/login", data={"csrf": token, "login": "r3", "password": TEST_PASSWORD,
                                       "next": "//evil.example/"})
    assert evil.headers["Location"] == "/"
    # no CSRF token, no sign-in
    assert client.post("/login", data={"login": "r3", "password": TEST_PASSWORD}).status_code == 400


def test_passwords_are_never_stored_or_logged_in_plain(warehouse, app_db, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "S3cret-Pa55word-xyz"
    user = users.add("r3", secret, scope_kind="own", rep_id="R3")
    assert user.password_hash.startswith("scrypt:") and secret not in user.password_hash
    client = app.server.test_client()
    assert sign_in(client, "r3", secret).status_code == 302
    assert sign_in(app.server.test_client(), "r3", "wrong-" + secret).status_code == 401
    users.set_password("r3", secret + "2")
    raw = b"".join(p.read_bytes() for p in app_db.parent.glob("app.sqlite3*"))
    assert secret.encode() not in raw
    assert secret not in caplog.text
    assert secret not in json.dumps(audit.entries())
    assert "password_hash" not in user.public()


def test_failed_sign_ins_are_rate_limited_per_name_and_address(warehouse, app_db):
    users.add("r3", TEST_PASSWORD, scope_kind="own", rep_id="R3")
    client = app.server.test_client()
    for _ in range(5):
        assert sign_in(client, "r3", "wrong").status_code == 401
    blocked = sign_in(client, "r3")  # even the right password, until the window passes
    assert blocked.status_code == 429
    assert "15 minutes" in blocked.get_data(as_text=True) or "15 分钟" in blocked.get_data(as_text=True)
    # another name from the same address still signs in (the address limit is higher)
    users.add("r1", TEST_PASSWORD, scope_kind="own", rep_id="R1")
    assert sign_in(app.server.test_client(), "r1").status_code == 302
    # ... until the address has failed 20 times
    for i in range(15):
        assert sign_in(client, f"nobody{i}", "wrong").status_code == 401
    assert sign_in(app.server.test_client(), "r1").status_code == 429
    failed = [e for e in audit.entries() if e["event"] == "login_failed"]
    assert len(failed) == 20 and failed[-1]["detail"] == {"address": "127.0.0.1"}


def test_a_disabled_user_is_signed_out_on_the_next_request(client_as, app_db):
    client = client_as("r3", scope_kind="own", rep_id="R3")
    assert client.get("/").status_code == 200
    users.update("r3", disabled=True)
    assert client.get("/").status_code == 302
    assert client.post("/_dash-update-component", json={}).status_code == 401
    assert sign_in(app.server.test_client(), "r3").status_code == 401
    # a new password ends the sessions signed in with the old one
    users.update("r3", disabled=False)
    other = app.server.test_client()
    assert sign_in(other, "r3").status_code == 302 and other.get("/").status_code == 200
    users.set_password("r3", "new password")
    assert other.get("/").status_code == 302


def test_exports_are_audited(warehouse, app_db):
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    rep = users.add("r3", "pw", scope_kind="own", rep_id="R3")
    store = cards.frame_for_store(run("overview_top_reps", Filters(), limit=5))

    def export():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "x.n_clicks", "value": 1}]))
        return cards.export_data([1, None], store, {"preset": "last_year"}, "/team")

    with app.server.test_request_context(), pytest.MonkeyPatch.context() as patch:
        login_user(rep)
        patch.setattr(cards, "ctx", AttributeDict(triggered_id={"card": "team-reps", "fmt": "csv"}))
        assert copy_context().run(export)["filename"].endswith(".csv")
    entry = audit.entries()[0]
    assert (entry["event"], entry["login"]) == ("export", "r3")
    assert entry["detail"] == {"page": "team", "card": "team-reps", "format": "csv",
                               "filters": "?preset=last_year"}


def test_the_users_command(warehouse, app_db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("first password\n"))
    assert crm_main(["user", "add", "mgr", "--role", "viewer", "--scope", "team_and_below", "--rep", "R1",
                     "--password-stdin", "--name", "经理"]) == 0
    assert crm_main(["user", "add", "mgr", "--generate"]) == 1  # taken
    assert crm_main(["user", "set", "mgr", "--scope", "own", "--teams", "T3"]) == 0
    assert crm_main(["user", "disable", "mgr"]) == 0
    assert crm_main(["user", "passwd", "mgr", "--generate"]) == 0
    out = capsys.readouterr().out
    generated = re.findall(r"password: (\S+)", out)[-1]
    assert crm_main(["user", "list"]) == 0
    listing = capsys.readouterr().out
    assert str(appdb.path()) in listing and re.search(r"mgr\s+经理\s+viewer\s+own\s+rep=R1\s+teams=T3\s+disabled",
                                                      listing)
    assert users.authenticate("mgr", generated) is None  # disabled
    assert crm_main(["user", "set", "mgr", "--enable"]) == 0
    assert users.authenticate("mgr", generated) is not None
    assert [e["event"] for e in audit.entries()][::-1] == ["user_add", "user_change", "user_disable", "user_passwd",
                                                           "user_change"]


def test_queries_run_as_a_user(warehouse, app_db, capsys):
    from queries.__main__ import main as queries_main

    users.add("r2", "pw", scope_kind="own", rep_id="R2")
    assert queries_main(["run", "overview_top_reps", "preset=last_year&rep=R1", "--as", "r2",
                         "--param", "limit=5"]) == 0
    captured = capsys.readouterr()
    assert "ignored: rep=R1" in captured.err
    rows = captured.out.strip().splitlines()
    assert len(rows) == 2 and rows[1].startswith("1,R2,")  # 2023: K02 500 + K05 800
    assert queries_main(["run", "overview_top_reps", "--as", "nobody"]) == 1


def test_secret_key_is_generated_once_and_kept(app_db, monkeypatch):
    monkeypatch.delenv("CRM_SECRET_KEY")
    first = appdb.secret_key()
    assert len(first) == 64 and appdb.secret_key() == first
    monkeypatch.setenv("CRM_SECRET_KEY", "from-the-setting")
    assert appdb.secret_key() == "from-the-setting"


def test_admin_page_for_admins_only(client_as, app_db):
    viewer = client_as("r3", scope_kind="own", rep_id="R3")
    assert viewer.get("/admin").status_code == 404
    assert b"nav-admin" not in viewer.get("/_dash-layout").data
    admin = client_as("boss", role="admin", scope_kind="all")
    assert b"nav-admin" in admin.get("/_dash-layout").data
    page = admin.get("/admin").get_data(as_text=True)
    assert "<code>r3</code>" in page and "admin-audit" in page
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    added = admin.post("/admin/users", data={"csrf": token, "login": "new", "password": "pw", "role": "viewer",
                                             "scope_kind": "team", "rep_id": "R3", "teams": ""})
    assert added.status_code == 302 and users.get("new").scope_kind == "team"
    admin.post("/admin/users/new", data={"csrf": token, "role": "viewer", "scope_kind": "own", "rep_id": "R3",
                                         "teams": "", "disabled": "on"})
    assert users.get("new").disabled and users.get("new").scope_kind == "own"
    admin.post("/admin/users/new/password", data={"csrf": token, "password": "other"})
    assert users.authenticate("new", "other") is None and users.get("new").password_hash.startswith("scrypt:")
    # an admin cannot lock themselves out; a viewer cannot post to the admin routes
    admin.post("/admin/users/boss", data={"csrf": token, "role": "viewer", "scope_kind": "all"})
    assert users.get("boss").role == "admin"
    assert viewer.post("/admin/users", data={"login": "x", "password": "y"}).status_code == 404
    events = [e["event"] for e in audit.entries()]
    assert events[:3] == ["user_passwd", "user_disable", "user_add"]
    assert "r3" in admin.get("/admin").get_data(as_text=True)


def test_data_page_shows_server_paths_to_admins_only(client_as, app_db):
    from pages import data

    viewer = client_as("r3", scope_kind="own", rep_id="R3")
    admin = client_as("boss", role="admin", scope_kind="all")
    for client, shown in ((viewer, False), (admin, True)):
        with app.server.test_request_context():
            login_user(users.get("boss" if shown else "r3"))
            text = json.dumps(data.load_instructions("en").to_plotly_json(), default=str)
            assert ("--out" in text) is shown and ("data-paths-hidden" in text) is not shown
        assert client.get("/data").status_code == 200


def test_demo_accounts_on_a_demo_warehouse_only(tmp_path, app_db, monkeypatch):
    import duckdb

    from crm import web
    from data.generate import main as generate

    path = tmp_path / "demo.duckdb"
    generate(["--scale", "tiny", "--seed", "7", "--end", "2024-02-29", "--out", str(path)])
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    assert web.create_demo_accounts() == ["boss", "manager", "rep"]
    assert web.create_demo_accounts() == []  # once: users exist
    boss, manager, rep = (users.get(x) for x in ("boss", "manager", "rep"))
    assert users.authenticate("rep", "demo") is not None
    assert (boss.role, boss.scope_kind) == ("admin", "all")
    with duckdb.connect(str(path), read_only=True) as con:
        top = con.execute("select min(team_id) from teams where parent_team_id is null").fetchone()[0]
        below = {r[0] for r in con.execute(
            "select rep_id from reps where team_id = $t or team_id in (select team_id from teams"
            " where parent_team_id = $t)", {"t": top}).fetchall()}
        head = con.execute("select rep_id from reps where team_id = $t and manager_rep_id is null",
                           {"t": top}).fetchone()[0]
    assert (manager.scope_kind, manager.teams, manager.rep_id) == ("team_and_below", (top,), head)
    assert set(queries.scope_of(manager).reps) == below
    assert queries.scope_of(rep).reps == (rep.rep_id,) and rep.rep_id in below - {head}
    page = app.server.test_client().get("/login").get_data(as_text=True)
    assert all(f"<code>{x}</code>" in page for x in ("boss", "manager", "rep"))
    users.update("rep", disabled=True)
    page = app.server.test_client().get("/login").get_data(as_text=True)
    assert "<code>boss</code>" in page and "<code>rep</code>" not in page


def test_no_demo_accounts_listed_for_other_warehouses(warehouse, app_db):
    users.add("boss", "demo", role="admin", scope_kind="all")  # the fixture's source is not a demo
    assert "<code>boss</code>" not in app.server.test_client().get("/login").get_data(as_text=True)


def test_only_the_gateway_runs_queries_without_the_viewer_scope():
    from pathlib import Path

    root = Path(__file__).parents[1]
    for path in [*root.glob("pages/*.py"), *root.glob("components/*.py"), *root.glob("crm/*.py"), root / "app.py"]:
        assert "_execute(" not in path.read_text(), f"{path.name} bypasses the viewer's scope"


def test_the_first_requests_of_a_worker_have_a_session(warehouse, app_db, monkeypatch):
    """Without CRM_SECRET_KEY the key comes from the application database; a worker's very
    first request (the login form, which needs the session for its CSRF token) must have it
    (it was set in a before_request hook, after Flask had opened a keyless session: 500)."""
    monkeypatch.delenv("CRM_SECRET_KEY", raising=False)
    monkeypatch.setattr(app.server, "secret_key", None)
    response = app.server.test_client().get("/login")
    assert response.status_code == 200 and 'name="csrf"' in response.get_data(as_text=True)
    assert app.server.secret_key  # generated once, kept in the application database
