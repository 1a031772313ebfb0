"""/lead-pool on the fixture plus tests/fixtures/acquisition.sql; as_of = 2024-03-15,
pool limit 30 days unless said. Every number worked out by hand in the comments."""

import json
from datetime import date

import plotly.graph_objects as go
import pytest

from queries import run
from queries.filters import Filters
from tests.acquisition_fixture import acquisition_path, acquisition_warehouse  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("acquisition_warehouse")


def test_pool_size_reconstructed_from_events():
    size = run("pool_size", Filters()).set_index("day")["pool_size"]
    size.index = size.index.date
    at = {d: size[date.fromisoformat(d)] for d in (
        "2024-01-01", "2024-01-05", "2024-01-20", "2024-01-21", "2024-02-01", "2024-02-04", "2024-02-16",
        "2024-02-17", "2024-03-10", "2024-03-11", "2024-03-15")}
    # 1 Jan: C6 (released 2023-09-01) and C23-C26 (created without owner 2023-10-01: their
    # first event is a claim) = 5; C24 claimed 5 Jan -> 4; C7 created 20 Jan in the pool -> 5,
    # claimed 21 Jan -> 4; C23 claimed 1 Feb -> 3; C24 auto-returned 4 Feb -> 4; C26 claimed
    # 16 Feb -> 3; C25 17 Feb -> 2; C8 created 10 Mar -> 3, claimed 11 Mar -> 2 (C6, C24: the
    # customers without owner now)
    assert list(at.values()) == [5, 4, 5, 4, 3, 4, 3, 2, 3, 2, 2]
    assert len(size) == 75


def test_pool_size_at_the_end_of_last_year():
    # a customer claimed only later (C23, first event 2024) was already in the pool in 2023
    size = run("pool_size", Filters(preset="last_year"))["pool_size"]
    # 1 Jan 2023: nobody (C6 was created in August, owned); 1 Sep: C6 released -> 1; 1 Oct: +4
    assert size.iloc[0] == 0 and size.iloc[-1] == 5
    assert size.iloc[243] == 1  # 1 September 2023


def test_claims_releases_and_auto_returns_per_rep():
    reps = run("pool_by_rep", Filters())
    # R1 claimed C23 and C26 (C26 signed K25 on 1 March, 14 days later: converted);
    # R2 claimed C7 and C24, C24 auto-returned 4 Feb; R3 claimed C8 and C25
    assert reps[["rep_id", "claims", "assigns", "releases", "auto_returns", "claims_converted"]].values.tolist() \
        == [["R1", 2, 0, 0, 0, 1], ["R2", 2, 0, 0, 1, 0], ["R3", 2, 0, 0, 0, 0]]
    assert reps["claim_conversion"].tolist() == [0.5, 0.0, 0.0]
    # last year: only R3's release of C6 (1 Sep 2023): no claims, no conversion share
    last = run("pool_by_rep", Filters(preset="last_year"))
    assert last[["rep_id", "claims", "releases"]].values.tolist() == [["R3", 0, 1]]
    assert last["claim_conversion"].isna().all()


def test_customers_due_back_in_the_next_7_days():
    def due(limit, **filters):
        d = run("pool_due", Filters(**filters), limit_days=limit, window=7)
        return list(zip(d["customer_id"], d["rep_id"], d["days_left"], strict=True))

    # limit 30: C25 claimed 17 Feb, never followed up -> 18 March, 3 days left; C21 owned
    # since created 20 Feb, no follow-up -> 21 March, 6 days. Not: C23 (followed up 25 Feb ->
    # 26 March, 11 days), C26 (due 17 March but K25 keeps it), C8 (claimed 11 March -> 10 April),
    # C7 (due 24 Feb, already past), C20/C22 (contracts)
    assert due(30) == [("C25", "R3", 3), ("C21", "R3", 6)]
    # limit 20: C23 25 Feb + 20 = 16 March (1 day); C25 and C21 are past already
    assert due(20) == [("C23", "R1", 1)]
    assert due(30, reps=("R1",)) == []
    d = run("pool_due", Filters(), limit_days=30, window=7)
    assert d.loc[0, "taken_on"].date() == date(2024, 2, 17) and d["last_activity_on"].isna().all()


def test_pool_limit_setting(monkeypatch):
    from pages import lead_pool

    monkeypatch.delenv("CRM_POOL_LIMIT_DAYS", raising=False)
    assert lead_pool.pool_limit_days({}) == 30
    monkeypatch.setenv("CRM_POOL_LIMIT_DAYS", "45")
    assert lead_pool.pool_limit_days({}) == 45
    assert lead_pool.pool_limit_days({"limit_days": "20"}) == 20
    assert lead_pool.pool_limit_days({"limit_days": "0"}) == 45  # out of range: the setting
    assert lead_pool.pool_limit_days({"limit_days": "abc"}) == 45


def test_page_callback(monkeypatch):
    from pages import lead_pool

    monkeypatch.delenv("CRM_POOL_LIMIT_DAYS", raising=False)
    out = lead_pool.update.__wrapped__({})
    assert len(out) == 10
    size_fig, due_rows, due_store, rule = go.Figure(out[0]), out[4], out[6], out[9]
    assert "2" in size_fig.layout.annotations[0].text
    assert [r["customer_id"] for r in due_rows] == ["C25", "C21"]
    assert due_store["columns"][0] == "rep_name"
    assert "30" in rule and "2024-03-15" in rule
    out = lead_pool.update.__wrapped__({"limit_days": "20"})
    assert [r["customer_id"] for r in out[4]] == ["C23"] and "20" in out[9]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_empty_due_list_explains_itself(lang):
    import pandas as pd

    from pages import lead_pool

    fig = go.Figure(lead_pool.due_by_rep_figure(pd.DataFrame(columns=["rep_id", "rep_name"]), lang, "light"))
    assert fig.layout.annotations[0].text


def test_rep_charts_draw_the_reps_with_the_most():
    # 600 reps on large drew 600 bars (x4) in 300 pixels: each chart draws figures.CHART_REPS
    # reps, by its measure (pool_by_rep comes most claims first), the leader first or on top
    import pandas as pd

    from components import figures
    from pages import lead_pool

    n = figures.CHART_REPS + 5
    ids = [f"R{i:02d}" for i in range(n)]
    reps = pd.DataFrame({"rep_id": ids, "rep_name": ids, "claims": range(n, 0, -1), "assigns": 1, "releases": 1,
                         "auto_returns": 1, "claims_converted": 0, "claim_conversion": 0.0})
    fig = lead_pool.reps_figure(reps, "zh-CN", "light")
    assert all(list(tr["customdata"]) == ids[:figures.CHART_REPS] for tr in fig["data"])
    # customers due per rep, most first (pool_due_page's by_rep): rep R<i> has n - i of them
    by_rep = pd.DataFrame({"rep_id": ids, "rep_name": ids, "customers": range(n, 0, -1)})
    fig = lead_pool.due_by_rep_figure(by_rep, "en", "light")
    (bars,) = fig["data"]
    assert list(bars["customdata"]) == ids[:figures.CHART_REPS][::-1]  # the most on top (last)
    assert list(bars["x"]) == list(range(n - figures.CHART_REPS + 1, n + 1))


@pytest.mark.parametrize(("limit_days", "window", "limit"), [(30, 7, 1000), (365, 365, 2), (365, 365, 1000)])
def test_due_page_cuts_and_counts_the_customers_due(limit_days, window, limit):
    # pool_due_page: the due customers in the grid's order (rep, due day, customer), the first
    # `limit`, their count per rep (most first, ties by rep) and in all, as pool_due gives them
    from queries import sections

    due = run("pool_due", Filters(), limit_days=limit_days, window=window)
    page = sections(run("pool_due_page", Filters(), limit_days=limit_days, window=window, limit=limit))
    ordered = due.sort_values(["rep_id", "due_on", "customer_id"]).head(limit).reset_index(drop=True)
    assert page["listed"]["customer_id"].tolist() == ordered["customer_id"].tolist()
    assert page["listed"]["days_left"].tolist() == ordered["days_left"].tolist()
    counts = due.groupby("rep_id").size()
    expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    assert list(zip(page["by_rep"]["rep_id"], page["by_rep"]["customers"], strict=True)) == expected
    assert int(page["totals"]["customers"].iloc[0]) == len(due)
    assert len(due) >= (2 if window == 7 else 3)  # C25 and C21 (above); the wide window holds more


def test_cli_writes_each_section_of_a_page(capsys):
    # `python -m queries run pool_due_page`: each section under its name, as the page reads it
    from queries.__main__ import main as cli

    due = run("pool_due", Filters(), limit_days=365, window=365)
    assert cli(["run", "pool_due_page", "", "--param", "limit_days=365", "--param", "window=365",
                "--param", "limit=2", "--format", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0::2] == ["# listed", "# by_rep", "# totals"]
    listed, by_rep, totals = (json.loads(line) for line in lines[1::2])
    assert len(listed) == 2 and totals == [{"customers": len(due)}]
    assert sum(row["customers"] for row in by_rep) == len(due)
