"""One number, one answer (issue #16): the same label shows the same figure on every page,
under the same filters. The fixture's as_of is 2024-03-15; a URL as_of of 2025-03-15 makes
February 2025 "last month", whose 同比 is all 29 days of February 2024 (K10 600 on the
10th + K06 1500 on the 29th = 2100; 1-28 February 2024 alone is 600)."""

from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest
from dash import html

import queries
from components import format as fmt
from components.cards import export_bytes, frame_for_store, frame_from_store
from pages import forecast, overview, products, receivables
from queries import run, sections
from queries.filters import Filters, year_earlier
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract, plain

AS_OF = date(2024, 3, 15)
FEB_2025 = {"preset": "last_month", "as_of": "2025-03-15"}
COMBINATIONS = [
    {},  # this year (to 15 March 2024)
    {"preset": "last_month"},  # February 2024, ending on the 29th
    {"preset": "last_year"},
    {"team": "T2"},  # 华东区 with its sub-team T4
    {"rep": "R3"},
    {"category": "软件"},
    FEB_2025,  # February of the year after a leap year
    {"preset": "last_quarter", "region": "华北"},
]


# --- 同比: whole calendar months against the whole same months ----------------------------

@pytest.mark.parametrize("start, end, expected", [
    (date(2025, 2, 1), date(2025, 2, 28), (date(2024, 2, 1), date(2024, 2, 29))),  # a whole month
    (date(2025, 1, 1), date(2025, 2, 28), (date(2024, 1, 1), date(2024, 2, 29))),  # whole months
    (date(2024, 3, 1), date(2025, 2, 28), (date(2023, 3, 1), date(2024, 2, 29))),  # a fiscal year
    (date(2025, 2, 1), date(2025, 2, 27), (date(2024, 2, 1), date(2024, 2, 27))),  # to date
    (date(2024, 2, 29), date(2024, 2, 29), (date(2023, 2, 28), date(2023, 2, 28))),  # a day
    (date(2024, 2, 1), date(2024, 2, 29), (date(2023, 2, 1), date(2023, 2, 28))),
])
def test_year_earlier(start, end, expected):
    assert year_earlier(start, end) == expected


def test_february_2025_compares_with_all_of_february_2024_on_every_page(warehouse):
    filters = Filters.from_query(FEB_2025)
    p = filters.periods(AS_OF)
    assert (p["yoy_start"], p["yoy_end"]) == (date(2024, 2, 1), date(2024, 2, 29))
    kpis = run("overview_kpis", filters).set_index("measure")
    assert kpis.loc["contract_amount", ["current", "yoy_base"]].tolist() == [0, 2100]
    series = run("revenue_series", filters, bucket="month", measure="contract_amount")
    assert series["yoy_base"].tolist() == [2100]
    # a quarter cut at the end of February 2025 is January + February: against January and
    # all of February 2024, the sum of its month buckets
    q1 = Filters(preset="custom", start=date(2025, 1, 1), end=date(2025, 2, 28))
    assert run("revenue_series", q1, bucket="quarter", measure="contract_amount")["yoy_base"].tolist() == [2100]
    assert run("revenue_series", q1, bucket="month", measure="contract_amount")["yoy_base"].tolist() == [0, 2100]
    assert run("overview_kpis", q1).set_index("measure").loc["contract_amount", "yoy_base"] == 2100
    breakdown = run("revenue_breakdown", filters, bucket="month", measure="contract_amount", dimension="rep",
                    top=8)
    assert breakdown[breakdown["bucket"].isna()]["yoy_base"].sum() == 2100  # the slices' totals


def test_a_fiscal_year_ending_in_february(warehouse):
    p = Filters(preset="last_year").periods(date(2025, 3, 15), fiscal_start_month=3)
    assert (p["start"], p["end"]) == (date(2024, 3, 1), date(2025, 2, 28))
    assert (p["yoy_start"], p["yoy_end"]) == (date(2023, 3, 1), date(2024, 2, 29))


# --- state pages follow the period (as of its end) ----------------------------------------

def test_receivables_follow_the_period_like_the_overview(warehouse):
    # last month = February 2024: as of 29 February, PL04 (due 1 March) is not yet due; the
    # only overdue plan is PL03 (K03, due 1 June 2023, 1000) and PL07 (K02, 300 left)
    out = plain(receivables.update({"preset": "last_month"}))
    text = str(out[0])
    assert "¥1,300" in text and "2024-02-29" in text
    assert overview.overdue_kpi(run("receivables_overdue", Filters(preset="last_month"),
                                    dates=[date(2024, 2, 29)]),
                                Filters(preset="last_month").periods(AS_OF))["current"] == 1300


def test_forecast_follows_the_period_and_names_its_date(warehouse):
    # February 2024 ends on the 29th: O1 500 + O2 800 + O4 (需求确认 until 1 March) 240 = 1540,
    # the overview's 加权商机 for last month
    badges = str(plain(forecast.update({"preset": "last_month"}))[0])
    assert "2024-02-29" in badges and "¥1,540" in badges
    months = plain(forecast.update({"preset": "last_month", "horizon": "3"}))[2]
    assert [row[0] for row in months["data"]][:3] == ["2024-02-01", "2024-03-01", "2024-04-01"]


# --- overdue from the day after the due date ----------------------------------------------

def test_a_plan_due_on_the_date_is_not_overdue(warehouse):
    # PL06 (K07, 700, due 15 March 2024) is paid on 10 March; PL04 (1000, due 1 March) is
    # half paid: as of 1 March it is due, not overdue; as of 2 March it is 1 day late
    frame = run("receivables_overdue", Filters(), dates=[date(2024, 3, 1), date(2024, 3, 2)])
    pl04 = frame[frame["plan_id"] == "PL04"]
    assert pl04["as_of_date"].dt.date.tolist() == [date(2024, 3, 2)]
    assert pl04[["days_late", "bucket", "unsettled"]].values.tolist() == [[1, "1-30", 500]]


# --- the cross-page check --------------------------------------------------------------------

def labelled_values(node, out: dict | None = None) -> dict:
    """Every (label, value) a page shows as a label Div followed by a value Div (KPI cards,
    stat badges, summary tiles), found anywhere in a callback's output."""
    out = {} if out is None else out
    children = node if isinstance(node, list | tuple) else getattr(node, "children", None)
    if isinstance(children, list | tuple):
        texts = [c.children if isinstance(c, html.Div) and isinstance(c.children, str) else None
                 for c in children[:2]]
        if len(texts) == 2 and all(texts):
            out.setdefault(texts[0], set()).add(texts[1])
        for child in children:
            labelled_values(child, out)
    elif children is not None and not isinstance(children, str):
        labelled_values(children, out)
    return out


def page_values(query: dict) -> dict[str, dict]:
    return {
        "overview": labelled_values(overview.update.__wrapped__(query)[0]),
        "forecast": labelled_values(forecast.update.__wrapped__(query)[0]),
        "receivables": labelled_values(receivables.update.__wrapped__(query)[0]),
        "products": labelled_values(products.update.__wrapped__(query)[1]),
    }


@pytest.mark.parametrize("query", COMBINATIONS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default")
def test_one_label_one_number_across_pages(warehouse, query):
    pages = page_values(query)
    shown: dict[str, dict[str, set]] = {}
    for page, values in pages.items():
        for label, value in values.items():
            shown.setdefault(label, {})[page] = value
    shared = {label: by_page for label, by_page in shown.items() if len(by_page) > 1}
    # the labels the issue names do appear on two pages (the default language is zh-CN) ...
    assert {"加权商机金额", "逾期应收"} <= shared.keys()
    for label, by_page in shared.items():
        values = set().union(*by_page.values())
        assert len(values) == 1, (label, by_page)


@pytest.mark.parametrize("query", COMBINATIONS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "default")
def test_one_number_across_queries(warehouse, query):
    """The sums behind the pages: the overview's contract amount, payments and 同比 bases
    against /revenue's month buckets, /team's leaderboard and /receivables' received."""
    filters = Filters.from_query(query)
    k = run("overview_kpis", filters).set_index("measure")
    for measure in ("contract_amount", "payments", "contracts"):
        s = run("revenue_series", filters, bucket="month", measure=measure)
        assert s["value"].sum() == pytest.approx(k.loc[measure, "current"]), measure
        assert s["yoy_base"].sum() == pytest.approx(k.loc[measure, "yoy_base"]), measure
    summary = run("receivables_summary", filters, day=filters.periods(AS_OF)["end"]).iloc[0]
    assert summary["received"] == pytest.approx(k.loc["payments", "current"])
    board = run("team_leaderboard", filters, level="rep")
    assert board["contract_amount"].sum() == pytest.approx(k.loc["contract_amount", "current"])
    day = filters.periods(AS_OF)["end"]
    assert run("pipeline_deals", filters, day=day)["weighted_amount"].sum() == pytest.approx(
        k.loc["weighted_pipeline", "current"])
    # 加权商机 as /forecast's badge and /funnel's snapshot show it (their sums, not the deals)
    forecast = sections(run("forecast_page", filters, day=day, horizon=3, limit=0))
    assert forecast["totals"]["weighted"].iloc[0] == pytest.approx(k.loc["weighted_pipeline", "current"])
    snapshot = sections(run("funnel_snapshot", filters, day=day, stage="", limit=0))["stages"]
    assert snapshot["weighted_amount"].sum() == pytest.approx(k.loc["weighted_pipeline", "current"])
    assert fmt.money(k.loc["weighted_pipeline", "current"], "en")  # formats


# --- money stays exact from the warehouse to the export ------------------------------------

CENTS_SQL = (extra_contract("K91", "C1", "R1", "2022-06-10", "156494.74")
             + extra_contract("K92", "C2", "R1", "2022-06-15", "169253.61")
             + extra_contract("K93", "C3", "R1", "2022-06-20", "153499.96"))


@pytest.fixture
def cents(tmp_path_factory, monkeypatch):
    path = build_fixture(tmp_path_factory.mktemp("cents") / "cents.duckdb", FIXTURE_SQL.read_text() + CENTS_SQL)
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    return path


def test_sums_of_cents_stay_cents_in_the_export(cents):
    # 156494.74 + 169253.61 + 153499.96 = 479248.31 exactly; added as doubles it is
    # 479248.30999999994, which the export wrote as 479248.3099999999
    june = Filters(preset="custom", start=date(2022, 6, 1), end=date(2022, 6, 30))
    for name, extra in [("revenue_series", {"bucket": "month", "measure": "contract_amount"}),
                        ("team_leaderboard", {"level": "team"}),
                        ("revenue_breakdown", {"bucket": "month", "measure": "contract_amount",
                                               "dimension": "team", "top": 8})]:
        frame = run(name, june, **extra)
        csv = export_bytes(frame_from_store(frame_for_store(frame)), "csv").decode("utf-8-sig")
        assert "479248.31" in csv and "479248.30999" not in csv, name
    assert run("overview_kpis", june).set_index("measure").loc["contract_amount", "current"] == 479248.31


# --- KPI cards say what they compare with -------------------------------------------------

def comparison_rows(card: list) -> list[tuple[str, str | None]]:
    return [(row.children[0].children, row.title) for row in card
            if isinstance(row, html.Div) and row.className == "kpi-cmp"]


def test_this_year_shows_one_comparison_row_with_its_dates(warehouse):
    cards = overview.update.__wrapped__({})[0]
    # 本年 to 15 March 2024: 环比 (the year before, to date) and 同比 are both 1 Jan-15 Mar 2023
    amount = comparison_rows(cards[0])
    assert amount == [("同比（即环比）", "对比 2023-01-01 至 2023-03-15")]
    assert "本期：2024-01-01 至 2024-03-15" in str(cards[0])
    # a state KPI compares the amounts on the last days
    assert comparison_rows(cards[6]) == [("同比（即环比）", "对比 截至 2023-03-15")]


def test_last_month_shows_both_comparisons_with_their_dates(warehouse):
    cards = overview.update.__wrapped__({"preset": "last_month"})[0]
    assert comparison_rows(cards[0]) == [("环比", "对比 2024-01-01 至 2024-01-31"),
                                         ("同比", "对比 2023-02-01 至 2023-02-28")]
    assert comparison_rows(cards[4]) == [("环比", "对比 截至 2024-01-31"), ("同比", "对比 截至 2023-02-28")]


# --- a one-month period's trend shows its days -----------------------------------------------

def test_one_month_trend_shows_days_against_a_year_earlier(warehouse):
    figure, data = overview.update.__wrapped__({"preset": "last_month"})[1:3]
    assert data["columns"][0] == "day" and len(data["data"]) == 29
    days = {row[0]: row[1:3] for row in data["data"]}
    # 10 February 2024: K10 600; 28 February: nothing, against K02 500 on 28 February 2023;
    # 29 February: K06 1500 against 28 February 2023 too (29 Feb -> 28 Feb)
    assert days["2024-02-10"] == [600, 0] and days["2024-02-28"] == [0, 500] and days["2024-02-29"] == [1500, 500]
    figure = go.Figure(figure)
    assert [trace.type for trace in figure.data] == ["bar", "scatter"] and len(figure.data[0].x) == 29
    # longer periods keep their months
    assert overview.update.__wrapped__({})[2]["columns"][0] == "month"


def test_aging_totals_of_cents_stay_cents():
    # three overdue plans of one rep: 156494.74 + 169253.61 + 153499.96 = 479248.31 (as
    # doubles, 479248.30999999994)
    # added up by receivables_aging's own SQL over those rows of receivables_overdue_states
    overdue = pd.DataFrame({"rep_id": ["R1"] * 3, "bucket": ["90+"] * 3, "customer_id": ["C1"] * 3,
                            "plan_id": ["A", "B", "C"], "unsettled": [156494.74, 169253.61, 153499.96]})
    con = duckdb.connect()
    con.register("q_receivables_overdue_states", overdue)
    con.register("f_accounts", pd.DataFrame({"customer_id": ["C1"], "name": ["甲"]}))
    con.register("f_reps", pd.DataFrame({"rep_id": ["R1"], "name": ["张伟"]}))
    rows = con.execute(queries._body(queries._read("receivables_aging")), {"limit": 1000}).df()
    for frame in (receivables.aging(rows, "rep"), receivables.aging(rows, "customer"),
                  receivables.bucket_totals(rows)):
        csv = export_bytes(frame_from_store(frame_for_store(frame)), "csv").decode("utf-8-sig")
        assert "479248.31" in csv and "479248.30999" not in csv
