"""The serving layer gives every query exactly the answer of the plain definitions.

``tests/reference/scope.sql`` defines the f_* relations straight over the base tables (the
scope prelude before the serving layer), and ``tests/reference/<query>.sql`` keeps the plain
form of each query rewritten to read pre-computed state. Every query runs on the fixture
through both, under several filter sets, scopes and parameter values, and the frames must
be equal."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import queries
from data.serving import SERVING_TABLES
from queries import Scope
from queries.alert_settings import alert_params
from queries.filters import PRESETS, Filters, customer_windows
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract

REFERENCE = Path(__file__).with_name("reference")
WHOLE = {"preset": "custom", "start": date(2022, 1, 1), "end": date(2024, 12, 31)}
FILTER_SETS = {
    "default": Filters(),
    "whole": Filters(**WHOLE),
    "month": Filters(preset="custom", start=date(2024, 3, 1), end=date(2024, 3, 31)),
    "category": Filters(**WHOLE, categories=("软件",)),
    "rep": Filters(**WHOLE, reps=("R3",)),
    "region": Filters(**WHOLE, regions=("华东",)),
}
SCOPES = {"everyone": Scope(), "R1": Scope(reps=("R1",))}
VALUE = {"method": "fifo", "abc_a": 0.7, "abc_b": 0.9}
# each query's own parameters: every combination listed is run
EXTRA = {
    "acquisition_activity_calendar": [{"kind": ""}, {"kind": "visit"}],
    # the fixture's stock raises warnings only with looser thresholds (a long sales window, no
    # regular-seller or value floor)
    "alerts_stock": [{}] + [{"alert_regular_days": 0, "alert_over_min_value": 0, "alert_short_days": 365,
                             "alert_sales_window": 730, "alert_costing_method": m} for m in ("fifo", "moving_average")],
    "acquisition_forgotten": [{"days": 30, "limit": 1000}, {"days": 7, "limit": 3}],
    # slipping customers on the fixture: with every buyer at the top, short gaps and small drops
    "alerts_customers_slipping": [{}] + [{"alert_top_share": 1.0, "alert_min_share": 0, "alert_gap_factor": 1.0,
                                          "alert_gap_min_days": g, "alert_fresh_days": 3650,
                                          "alert_spend_drop": 0.05} for g in (1, 30)]
                                 # as of other days (contracts signed on some, one past the last contract);
                                 # a top share that some standings miss
                                 + [{"alert_top_share": share, "alert_min_share": 0, "alert_gap_factor": 1.0,
                                     "alert_gap_min_days": 1, "alert_fresh_days": 3650, "alert_spend_drop": 0.05,
                                     "as_of": d} for share in (1.0, 0.4)
                                    for d in (date(2023, 3, 10), date(2023, 8, 20), date(2024, 2, 29), date(2024, 3, 1),
                                              date(2025, 2, 10))],
    "customer_activities": [{"customer_id": "C1"}, {"customer_id": "C2"}],
    "customer_contract_lines": [{"customer_id": "C1"}, {"customer_id": "C2"}],
    "customer_groups": [{"group": g, **VALUE} for g in ("tier", "segment", "abc", "cell")]
                       + [{"group": "tier", **VALUE, "method": "monthly_average"}],
    "customer_list": [{"tier": "", "segment": "", "cell": "", "limit": 1000, **VALUE},
                      {"tier": "vip", "segment": "", "cell": "", "limit": 2, **VALUE}],
    "customer_lorenz": [VALUE],
    # the /customers page's bundle (compared section by section; its frame by test_frames_are_as_duckdb_gives_them)
    "customer_page": [{"group": "all", "tier": "", "segment": "", "cell": "", "limit": 1000, **VALUE}],
    "customer_opportunities": [{"customer_id": "C1"}],
    "customer_payment_plans": [{"customer_id": "C1"}, {"customer_id": "C2"}],
    "customer_pool_events": [{"customer_id": "C1"}],
    "customer_profile": [{"customer_id": "C1", **VALUE}, {"customer_id": "C2", **VALUE}],
    "customer_value": [VALUE, {**VALUE, "method": "moving_average"}],
    "forecast_page": [{"day": d, "horizon": 3, "limit": 1000} for d in (date(2024, 1, 15), date(2024, 2, 29),
                                                                       date(2024, 3, 31))]
                     + [{"day": date(2024, 3, 15), "horizon": 1, "limit": 1}],
    "forecast_months": [{"horizon": 3, "day": date(2024, 3, 15)}, {"horizon": 3, "day": date(2024, 2, 29)}],
    "funnel_snapshot": [{"day": d, "stage": s, "limit": 1000} for d in (date(2024, 2, 29), date(2024, 3, 15))
                        for s in ("", "需求确认")] + [{"day": date(2024, 2, 29), "stage": "需求确认", "limit": 1}],
    "line_costs": [{"method": m} for m in ("fifo", "moving_average", "monthly_average")],
    "overview_margin": [{"method": m} for m in ("fifo", "moving_average", "monthly_average")],
    "overview_top_customers": [{"limit": 5}],
    "overview_top_reps": [{"limit": 5}],
    "pipeline_deals": [{"day": d} for d in (date(2023, 6, 1), date(2024, 1, 15), date(2024, 1, 31), date(2024, 2, 20),
                                            date(2024, 2, 29), date(2024, 3, 31))],
    "pool_due_page": [{"limit_days": 30, "window": 7, "limit": 1000}, {"limit_days": 365, "window": 365, "limit": 2}],
    "pool_due": [{"limit_days": 30, "window": 7}, {"limit_days": 365, "window": 365},
                 {"limit_days": 365, "window": 365, "as_of": date(2024, 1, 20)}],
    "product_info": [{"product_id": "P1"}],
    "product_layers": [{"product_id": "P1"}, {"product_id": "P3"}],
    "product_top_customers": [{"product_id": "P1", "method": "fifo", "limit": 5}],
    "products_mix": [{"method": "fifo", "compare": None}, {"method": "fifo", "compare": "moving_average"}],
    "products_monthly": [{"method": "fifo", "compare": "moving_average", "product_id": None},
                         {"method": "monthly_average", "compare": None, "product_id": "P1"}],
    "products_shortfall": [{"method": "fifo", "limit": 1000}, {"method": "moving_average", "limit": 1}],
    "receivables_ending": [{"days": 30, "day": date(2024, 3, 15), "limit": 1000},
                           {"days": 30, "day": date(2024, 3, 15), "limit": 1}],
    "receivables_summary": [{"day": date(2024, 3, 15)}, {"day": date(2023, 12, 31)}],
    "receivables_overdue": [{"dates": [date(2023, 3, 31), date(2023, 12, 31), date(2024, 3, 15),
                                       date(2024, 6, 30)]}],
    "receivables_aging": [{"dates": [date(2024, 3, 15)], "limit": 1000}, {"dates": [date(2023, 12, 31)], "limit": 1000},
                          {"dates": [date(2024, 3, 15)], "limit": 1}],
    "receivables_overdue_states": [{"dates": [date(2023, 3, 31), date(2023, 12, 31), date(2024, 3, 15),
                                              date(2024, 6, 30)]},
                                   {"dates": [date(2024, 3, 15)]}, {"dates": [date(2023, 12, 31)]}],
    "receivables_overdue_plans": [{"dates": [date(2024, 3, 15)], "bucket": b, "limit": 3} for b in ("", "90+")],
    "receivables_overdue_totals": [{"dates": [date(2023, 3, 31), date(2024, 3, 15), date(2024, 6, 30)]}],
    "revenue_breakdown": [{"bucket": "month", "measure": "contract_amount", "dimension": "rep", "top": 8}],
    "revenue_series": [{"bucket": "month", "measure": "contract_amount"}, {"bucket": "week", "measure": "payments"}],
    "team_leaderboard": [{"level": "rep"}, {"level": "team"}],
    "team_targets": [{"level": "rep"}, {"level": "team"}],
    # collection on the fixture: overdue growing two month-ends running up to 2024-04-15 (PL04,
    # then PL05 fall due), the share over 90 days rising up to 2023-09-15 (PL03 turns 90+)
    "alerts_collection": [{}] + [{"as_of": dates[-1], "dates": dates, "alert_overdue_min": 0, "alert_min_share": 0}
                                 for dates in ([date(2024, 2, 15), date(2024, 3, 15), date(2024, 4, 15)],
                                               [date(2023, 7, 15), date(2023, 8, 15), date(2023, 9, 15)])],
}


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Missing values as None whatever the column's dtype (pandas may read an all-empty text
    column as object or as str); lists (a sparkline's values) as tuples, so rows sort."""
    frame = frame.reset_index(drop=True).astype(object)
    frame = frame.where(frame.notna(), None)
    return frame.map(lambda v: tuple(v) if isinstance(v, list | tuple | np.ndarray) else v)


def _run_all(name: str) -> list[pd.DataFrame]:
    frames = []
    for filters in FILTER_SETS.values():
        for scope in SCOPES.values():
            for extra in EXTRA.get(name, [{}]):
                queries.clear_cache()
                frame = queries.run(name, filters, scope, **extra)
                # a page's sections compared one by one, each in its lists' order
                frames.extend(queries.sections(frame).values() if name in queries.SECTIONED else [frame])
    return frames


@pytest.fixture
def reference(monkeypatch):
    """Make the gateway compose queries from the plain definitions of tests/reference/."""
    monkeypatch.setattr(queries, "_prelude", lambda: queries._body((REFERENCE / "scope.sql").read_text()))
    texts = {path.stem: path.read_text() for path in REFERENCE.glob("*.sql") if path.stem != "scope"}
    monkeypatch.setattr(queries, "_texts", {**queries._texts, **texts})
    yield
    queries.clear_cache()


def test_reference_queries_are_known_queries():
    assert {p.stem for p in REFERENCE.glob("*.sql")} - {"scope"} <= set(queries.names())


def test_reference_reads_no_serving_table():
    for path in REFERENCE.glob("*.sql"):
        for table in SERVING_TABLES:
            assert table not in path.read_text(), f"{path.name} reads {table}"


# build_info, the queries that resolve who a viewer is (they read reps and teams, not a scope)
# and those the gateway reads about the serving layer itself
UNSCOPED = ("build_info", "viewer_scope", "demo_accounts", "category_bits", "customer_window_days")


# a page's sections in one statement: each section is its own query, compared here, and
# test_customers and test_revenue check the bundles against them (the plain customer_groups has no 'all')
BUNDLES = ("customer_page", "team_page")


@pytest.mark.parametrize("name", [n for n in queries.names() if n not in UNSCOPED + BUNDLES])
def test_serving_layer_gives_the_reference_answer(warehouse, name, request):
    served = _run_all(name)
    request.getfixturevalue("reference")
    plain = _run_all(name)
    if (REFERENCE / f"{name}.sql").exists():  # a rewritten query: its rows are really compared
        assert sum(len(f) for f in plain) > 0, f"{name}: no rows to compare"
    ordered = name in queries.SECTIONED or "order by" in queries._body(queries._read(name)).splitlines()[-1]
    for got, want in zip(served, plain, strict=True):
        # a rewritten query may add columns (customer_groups' group_kind); the rest is equal
        got = got[list(want.columns)]
        got, want = _plain(got), _plain(want)
        if not ordered:  # no order promised: compare as sets of rows
            got, want = (f.sort_values(list(f.columns), ignore_index=True, key=lambda c: c.map(repr))
                         for f in (got, want))
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_customer_groups_all_is_every_grouping(warehouse):
    """The /customers page asks customer_groups once with group='all': each grouping's rows
    are exactly what asking for that grouping gives."""
    filters = FILTER_SETS["whole"]
    every = queries.run("customer_groups", filters, group="all", **VALUE)
    assert set(every["group_kind"]) == {"tier", "segment", "abc", "cell"}
    for kind, rows in every.groupby("group_kind"):
        alone = queries.run("customer_groups", filters, group=kind, **VALUE)
        assert (alone["group_kind"] == kind).all()
        pd.testing.assert_frame_equal(_plain(rows), _plain(alone), check_dtype=False)


@pytest.mark.parametrize("name", ["receivables_summary", "overview_kpis", "revenue_series"])
def test_a_shared_category_bit_never_widens_a_category_filter(warehouse, monkeypatch, name):
    """With more than 63 categories some share a bit (s_category_bits): the bits then only
    pre-select, and the list of the row's categories decides. Every bit set and the bits
    marked inexact must give the exact answer."""
    extra = {"receivables_summary": {"day": date(2024, 3, 15)},
             "revenue_series": {"bucket": "month", "measure": "payments"}}.get(name, {})
    filters = FILTER_SETS["category"]
    queries.clear_cache()
    exact = queries.run(name, filters, **extra)
    monkeypatch.setattr(queries, "_category_bits", lambda categories: {"category_mask": -1, "category_exact": False})
    queries.clear_cache()
    pd.testing.assert_frame_equal(queries.run(name, filters, **extra), exact)
    assert exact.select_dtypes("number").abs().fillna(0).to_numpy().sum() > 0  # something to compare
    queries.clear_cache()


def test_category_bits_are_one_per_category_in_order(warehouse):
    bits = queries.run("category_bits")
    assert bits["bit"].tolist() == [1 << i for i in range(len(bits))] and bits["category"].is_monotonic_increasing


def test_cost_of_sales_is_stored_in_its_order(warehouse):
    # s_cost_of_sales has no ORDER BY: it takes s_lines' order, the methods in name order
    # (data/serving.py); a period's rows must stay a range of the stored rows
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute(
            "select signed_on, contract_id, line_no, method from s_cost_of_sales order by rowid").fetchall()
        methods = con.execute("select distinct method from s_cost_of_sales").fetchall()
    assert len(stored) > 20 and len(methods) == 3
    assert stored == sorted(stored)


def test_stage_stints_are_stored_by_rep_then_exit(warehouse):
    # s_stage_stints is read only under a filter: a rep's stints must be a range of the stored
    # rows (a rep's view reads a row group or two), each rep's in exit order (data/serving.py)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute(
            "select rep_id, exited_at, opportunity_id, stage from s_stage_stints order by rowid").fetchall()
    assert len({rep for rep, *_ in stored}) > 1
    assert stored == sorted(stored)
    assert stored != sorted(stored, key=lambda row: row[1:])  # the reps' stints interleave in exit order


def test_last_follow_up_as_of_any_day(tmp_path, monkeypatch, request):
    """s_last_activities gives the last follow-up on or before any day, as the plain form does:
    none before the first, the day's latest of two on one day, the same until the next."""
    sql = FIXTURE_SQL.read_text() + (
        "\ninsert into activities (activity_id, customer_id, rep_id, occurred_at, kind) values "
        "('A4', 'C7', 'R2', '2024-02-05 09:00', 'call'), ('A5', 'C7', 'R1', '2024-02-05 17:30', 'visit'), "
        "('A6', 'C7', 'R2', '2024-03-12 10:00', 'call');\n")
    monkeypatch.setenv("CRM_WAREHOUSE", str(build_fixture(tmp_path / "activities.duckdb", sql)))
    expected = {date(2024, 1, 24): None, date(2024, 1, 25): date(2024, 1, 25), date(2024, 2, 4): date(2024, 1, 25),
                date(2024, 2, 5): date(2024, 2, 5), date(2024, 3, 11): date(2024, 2, 5),
                date(2024, 3, 12): date(2024, 3, 12)}

    def last_follow_ups() -> dict:
        found = {}
        for day in expected:
            queries.clear_cache()
            frame = queries.run("pool_due", Filters(), limit_days=365, window=365, as_of=day)
            value = frame.set_index("customer_id")["last_activity_on"]["C7"]
            found[day] = None if pd.isna(value) else pd.Timestamp(value).date()
        return found

    served = last_follow_ups()
    request.getfixturevalue("reference")
    assert served == last_follow_ups() == expected


def test_stage_medians_as_of_month_ends_and_the_latest_exit(warehouse):
    """s_stage_medians: each stage's median days over the fixture's stints exited by each month's
    end before the latest exit (O4 left 需求确认 on 2024-03-01) and by that day. By 2024-01-31:
    初步接洽 O5 90, O3 10 -> 50; 需求确认 O5 61. By 2024-02-29: 初步接洽 90, 10, O1 27, O2 14,
    O4 19 -> 19; 需求确认 61, O3 16 -> 38.5; 方案报价 O3 15. By 2024-03-01: 需求确认 adds O4's 10
    (29 Feb counts) -> 16. pipeline_deals reads them without a filter on those days (and after
    the latest exit: 2024-03-31 above) and works them out from the stints on other days and
    under a filter (all compared with the plain form above)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select as_of, stage, median_days from s_stage_medians").fetchall()
    medians = {(d.isoformat(), stage): m for d, stage, m in rows}
    assert {day for day, _ in medians} == {"2023-04-30", "2023-06-30", "2024-01-31", "2024-02-29", "2024-03-01"}
    assert {k: v for k, v in medians.items() if k[0] >= "2024"} == {
        ("2024-01-31", "初步接洽"): 50.0, ("2024-01-31", "需求确认"): 61.0,
        ("2024-02-29", "初步接洽"): 19.0, ("2024-02-29", "需求确认"): 38.5, ("2024-02-29", "方案报价"): 15.0,
        ("2024-03-01", "初步接洽"): 19.0, ("2024-03-01", "需求确认"): 16.0, ("2024-03-01", "方案报价"): 15.0}
    deals = queries.run("pipeline_deals", Filters(), day=date(2024, 2, 29)).set_index("opportunity_id")
    assert deals["stage_median_days"].to_dict() == {"O1": 15.0, "O2": 38.5, "O4": 38.5}
    deals = queries.run("pipeline_deals", Filters(), day=date(2024, 3, 15)).set_index("opportunity_id")
    assert deals["stage_median_days"].to_dict() == {"O1": 15.0, "O2": 16.0}


# the relations added up per build for the early warnings, and what each is read as (f_sales_months
# as sums per product and month: under a filter it holds the lines themselves)
PRE_ADDED = {"f_measure_months": "measure, month, rep_id, value",
             "f_sales_months": "product_id, month, sum(quantity) as quantity, sum(amount) as amount",
             "f_stock_months": "product_id, method, month, quantity, cogs, last_sale",
             "f_activity_days": "rep_id, day, n",
             "f_course_months": "series_id, subject_type, subject_id, subject_name, measure, month, value, base, "
                                "ratios, trend, mad",
             "f_measure_days": "measure, rep_id, month, days, to_day"}


@pytest.mark.parametrize("relation", PRE_ADDED)
def test_pre_added_relations_are_their_plain_sums(warehouse, monkeypatch, request, relation):
    """Each relation the build adds up ahead (per rep, product or day: s_measure_months,
    s_sales_months, s_stock_months, s_activity_days; per series and month: s_course_months;
    per rep and month, by day: s_measure_days) holds, under every filter set and scope,
    exactly the sums (and the revenue course's band statistics) of its plain form over the
    facts (tests/reference/scope.sql)."""
    name = f"test_{relation}"
    grouped = " group by all" if "sum(" in PRE_ADDED[relation] else ""
    text = f"select {PRE_ADDED[relation]} from {relation}{grouped} order by all"
    known = queries.names()
    monkeypatch.setattr(queries, "names", lambda: (*known, name))
    monkeypatch.setitem(queries._texts, name, text)
    served = _run_all(name)
    request.getfixturevalue("reference")
    monkeypatch.setitem(queries._texts, name, text)
    plain = _run_all(name)
    assert sum(len(f) for f in plain) > 0
    for got, want in zip(served, plain, strict=True):
        pd.testing.assert_frame_equal(_plain(got), _plain(want), check_dtype=False)


def test_stage_medians_pre_computed_or_worked_out(warehouse):
    """The fixture's completed stints: 初步接洽 10, 14, 19, 27 and 90 days (last exit 20 Feb
    2024), 需求确认 10, 16 and 61 (1 March), 方案报价 15 (20 February). From the latest exit of
    any stage on, pipeline_deals reads the median of all of them (s_stage_medians); before it, and
    under a filter, the median of the stints exited by the day."""
    def medians(day, filters=None):
        queries.clear_cache()
        frame = queries.run("pipeline_deals", filters, day=day)
        return {o: (None if pd.isna(m) else m)
                for o, m in zip(frame["opportunity_id"], frame["stage_median_days"], strict=True)}

    # 31 March: every stage past its last exit
    assert medians(date(2024, 3, 31)) == {"O1": 15.0, "O2": 16.0}
    # 16 February: 初步接洽 10, 14, 27, 90 exited; 需求确认 16 and 61; 方案报价 none yet
    assert medians(date(2024, 2, 16)) == {"O1": None, "O2": 38.5, "O3": None, "O4": 20.5}
    # rep R2 (O2 only): 需求确认 has no completed stint of R2's
    assert medians(date(2024, 3, 31), Filters(reps=("R2",))) == {"O2": None}


def test_stage_days_per_calendar_period(warehouse):
    """s_stage_days: the fixture's completed stints per month, quarter and year of their exit.
    February 2024: 初步接洽 O1 27, O2 14, O4 19 days (sorted 14 19 27: p10 = 14 + 0.2 × 5,
    p25 = 14 + 0.5 × 5, p75 = 19 + 0.5 × 8, p90 = 19 + 0.8 × 8), 需求确认 O3 16, 方案报价 O3 15.
    The latest exit (O4 leaving 需求确认, 1 March 2024) makes March, the first quarter and
    2024 open-ended: one row per stage from 1 January (初步接洽 O3 10 joins February's), and
    from 1 March (需求确认 O4 10). funnel_stage_days reads them without a filter, for a period
    ending on or after the latest exit, and works the same figures out under a filter."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select from_day, to_day, last_exit_on, stage, stints, mean_days, p10_days, p25_days, "
                           "median_days, p75_days, p90_days from s_stage_days").fetchall()
    table = {(f.isoformat(), t.isoformat() if t else None, stage): (n, *figures)
             for f, t, last, stage, n, *figures in rows}
    assert {row[2] for row in rows} == {date(2024, 3, 1)}
    assert table[("2024-02-01", "2024-02-29", "初步接洽")] == pytest.approx((3, 20, 15, 16.5, 19, 23, 25.4))
    assert table[("2024-02-01", "2024-02-29", "需求确认")] == (1, 16, 16, 16, 16, 16, 16)
    assert table[("2024-02-01", "2024-02-29", "方案报价")] == (1, 15, 15, 15, 15, 15, 15)
    assert {k: v[0] for k, v in table.items() if k[0] >= "2024" and k[1] is None} == {
        ("2024-01-01", None, "初步接洽"): 4, ("2024-01-01", None, "需求确认"): 2, ("2024-01-01", None, "方案报价"): 1,
        ("2024-03-01", None, "需求确认"): 1}
    assert {k[:2] for k in table if k[0] < "2024"} == {  # O5's exits: April and June 2023
        ("2023-04-01", "2023-04-30"), ("2023-06-01", "2023-06-30"), ("2023-04-01", "2023-06-30"),
        ("2023-01-01", "2023-12-31")}

    def days(start, end, filters=None):
        queries.clear_cache()
        frame = queries.run("funnel_stage_days", Filters(preset="custom", start=start, end=end, **(filters or {})))
        return {s: (n, m) for s, n, m in zip(frame["stage"], frame["stints"], frame["median_days"], strict=True)
                if n > 0}

    february = {"初步接洽": (3, 19.0), "需求确认": (1, 16.0), "方案报价": (1, 15.0)}
    assert days(date(2024, 2, 1), date(2024, 2, 29)) == february
    assert days(date(2024, 2, 1), date(2024, 2, 29), {"reps": ("R1", "R2", "R3")}) == february
    assert days(date(2024, 1, 1), date(2024, 6, 30)) == {"初步接洽": (4, 16.5), "需求确认": (2, 13.0),
                                                         "方案报价": (1, 15.0)}


def test_win_rates_per_calendar_period(warehouse):
    """s_win_rates: the fixture's opportunities per month, quarter and year of their creation.
    January 2024: R1's O1 (open) and O3 (won 10 Jan -> 20 Feb: 41 days, 1500). The latest
    creation (O2 and O4, 1 February 2024) makes February, the first quarter and 2024
    open-ended: from 1 January (R1 as above, R2's O2 open, R3's O4 lost for 800) and from 1
    February (R2, R3: nothing won, no median). 2023: R3's O5 lost for 3000, in its month,
    quarter and year. funnel_win_rates reads them without a filter and works the same out
    under one."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select from_day, to_day, last_created_on, rep_id, is_total, created, won, lost, "
                           "still_open, won_amount, lost_amount, median_cycle_days from s_win_rates").fetchall()
    assert {row[2] for row in rows} == {date(2024, 2, 1)}
    table = {(f.isoformat(), t.isoformat() if t else None, rep): tuple(figures)
             for f, t, _, rep, _, *figures in rows}
    assert {k: v for k, v in table.items() if k[0] >= "2024"} == {
        ("2024-01-01", "2024-01-31", "R1"): (2, 1, 0, 1, 1500, 0, 41),
        ("2024-01-01", "2024-01-31", None): (2, 1, 0, 1, 1500, 0, 41),
        ("2024-01-01", None, "R1"): (2, 1, 0, 1, 1500, 0, 41),
        ("2024-01-01", None, "R2"): (1, 0, 0, 1, 0, 0, None),
        ("2024-01-01", None, "R3"): (1, 0, 1, 0, 0, 800, None),
        ("2024-01-01", None, None): (4, 1, 1, 2, 1500, 800, 41),
        ("2024-02-01", None, "R2"): (1, 0, 0, 1, 0, 0, None),
        ("2024-02-01", None, "R3"): (1, 0, 1, 0, 0, 800, None),
        ("2024-02-01", None, None): (2, 0, 1, 1, 0, 800, None)}
    assert {k for k in table if k[0] < "2024"} == {
        (f, t, rep) for f, t in (("2023-01-01", "2023-01-31"), ("2023-01-01", "2023-03-31"),
                                 ("2023-01-01", "2023-12-31")) for rep in ("R3", None)}

    def rates(start, end, filters=None):
        queries.clear_cache()
        frame = queries.run("funnel_win_rates", Filters(preset="custom", start=start, end=end, **(filters or {})))
        return [[None if pd.isna(v) else v for v in row]
                for row in frame[["rep_id", "created", "won", "median_cycle_days"]].itertuples(index=False)]

    january = [[None, 2, 1, 41.0], ["R1", 2, 1, 41.0]]
    assert rates(date(2024, 1, 1), date(2024, 1, 31)) == january
    assert rates(date(2024, 1, 1), date(2024, 1, 31), {"reps": ("R1", "R2", "R3")}) == january
    assert rates(date(2024, 1, 1), date(2024, 12, 31)) == [[None, 4, 1, 41.0], ["R1", 2, 1, 41.0],
                                                          ["R2", 1, 0, None], ["R3", 1, 0, None]]


def test_cohort_and_lost_counts_per_calendar_period(warehouse):
    """s_cohort_counts and s_lost_counts: the fixture's opportunities per month, quarter and year
    of their creation (open-ended from the period holding the latest, as s_win_rates). January
    2024: R1's O1 (now 方案报价) and O3 (won), both furthest at 方案报价 (position 3). Lost: O4
    (价格, 竞品甲, 800, 1 February 2024, the latest lost one) and O5 (预算, 竞品乙, 3000, 2023).
    funnel_cohort and funnel_lost read them without a filter and count the same under one."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cohort = con.execute("select from_day, to_day, rep_id, stage, furthest_open_position, deals "
                             "from s_cohort_counts where from_day = '2024-01-01'").fetchall()
        lost = con.execute("select from_day, to_day, last_created_on, lost_reason, competitor, deals, amount "
                           "from s_lost_counts").fetchall()
    assert sorted(cohort, key=lambda r: (r[1] is None, r[2], r[3])) == [
        (date(2024, 1, 1), date(2024, 1, 31), "R1", "方案报价", 3, 1),
        (date(2024, 1, 1), date(2024, 1, 31), "R1", "赢单", 3, 1),
        (date(2024, 1, 1), None, "R1", "方案报价", 3, 1),
        (date(2024, 1, 1), None, "R1", "赢单", 3, 1),
        (date(2024, 1, 1), None, "R2", "需求确认", 2, 1),
        (date(2024, 1, 1), None, "R3", "输单", 2, 1)]
    assert {(f.isoformat(), t and t.isoformat(), reason, n, amount) for f, t, last, reason, _, n, amount in lost
            if last == date(2024, 2, 1)} == {
        ("2023-01-01", "2023-01-31", "预算", 1, 3000), ("2023-01-01", "2023-03-31", "预算", 1, 3000),
        ("2023-01-01", "2023-12-31", "预算", 1, 3000), ("2024-01-01", None, "价格", 1, 800),
        ("2024-02-01", None, "价格", 1, 800)} and len(lost) == 5

    def both(filters=None):
        queries.clear_cache()
        given = Filters(preset="custom", start=date(2024, 1, 1), end=date(2024, 3, 31), **(filters or {}))
        return [_plain(queries.run(name, given)) for name in ("funnel_cohort", "funnel_lost")]

    served, counted = both(), both({"reps": ("R1", "R2", "R3")})
    for got, want in zip(served, counted, strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert served[1]["value"].tolist() == ["竞品甲", "价格"] and served[1]["amount"].tolist() == [800, 800]


def test_revenue_course_cut_per_build_only_for_one_known_category(warehouse, monkeypatch, request):
    """The build cuts the revenue course per single category (s_course_months, s_measure_days):
    under one known category f_course_months and f_measure_days hold its cut; under two
    categories, or one no product has, they are empty and alerts_revenue_course works the
    course out from the facts. Either way, served and plain give the same answer."""
    sets = {"one": FILTER_SETS["category"], "two": Filters(**WHOLE, categories=("软件", "硬件")),
            "unknown": Filters(**WHOLE, categories=("不存在",))}
    known = queries.names()
    monkeypatch.setattr(queries, "names", lambda: (*known, "test_cuts"))
    monkeypatch.setitem(queries._texts, "test_cuts", "select (select count(*) from f_course_months) as months, "
                                                     "(select count(*) from f_measure_days) as days")

    def run(name: str) -> dict[str, list[pd.DataFrame]]:
        frames = {}
        for key, filters in sets.items():
            frames[key] = []
            for scope in SCOPES.values():
                queries.clear_cache()
                frames[key].append(queries.run(name, filters, scope))
        return frames

    served, served_cuts = run("alerts_revenue_course"), run("test_cuts")
    request.getfixturevalue("reference")
    plain, plain_cuts = run("alerts_revenue_course"), run("test_cuts")
    # everyone: the cut of 软件; the scope of R1 narrows the facts (worked out)
    assert served_cuts["one"][0].iloc[0].tolist() == plain_cuts["one"][0].iloc[0].tolist()
    assert min(served_cuts["one"][0].iloc[0]) > 0
    for key in sets:
        assert served_cuts[key][1].iloc[0].tolist() == [0, 0]
        if key != "one":
            assert served_cuts[key][0].iloc[0].tolist() == plain_cuts[key][0].iloc[0].tolist() == [0, 0]
        for got, want in zip(served[key], plain[key], strict=True):
            pd.testing.assert_frame_equal(_plain(got), _plain(want), check_dtype=False)


# two contracts on a customer's day each: C1 on 1 March 2024 (K07: 软件 500, 服务 200; K11: 软件
# 300, 硬件 100), C2 on 5 November 2023 (K05: 硬件 400, 服务 400; K12: 软件 100 and -100, 服务 50)
SHARED_DAYS = """
insert into contracts (contract_id, customer_id, rep_id, signed_on, amount, status) values
    ('K11', 'C1', 'R1', '2024-03-01', 400, 'active'), ('K12', 'C2', 'R2', '2023-11-05', 50, 'active');
insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount) values
    ('K11', 1, 'P2', 1, 300, 300), ('K11', 2, 'P1', 1, 100, 100),
    ('K12', 1, 'P2', 1, 100, 100), ('K12', 2, 'P2', -1, 100, -100), ('K12', 3, 'P3', 1, 50, 50);
"""
SLIPPING_LOOSE = {"alert_top_share": 1.0, "alert_min_share": 0, "alert_gap_factor": 1.0, "alert_gap_min_days": 1,
                  "alert_fresh_days": 3650, "alert_spend_drop": 0.05}


# customer_churn's two counts by their definition, on every day of a range: the buyers of the
# year before the day's year and those of them not buying in the year to the day
CHURN_TEST_DAYS = "select unnest(generate_series(date '2022-01-01', date '2028-06-30', interval 1 day))::date as day"
PLAIN_CHURN_DAYS = f"""
with days as ({CHURN_TEST_DAYS}),
yearly as (
    select d.day, c.customer_id,
           sum(c.amount) filter (where c.signed_on > (d.day - interval 1 year)::date) as this_year,
           sum(c.amount) filter (where c.signed_on <= (d.day - interval 1 year)::date) as year_before
    from days as d
    join contracts as c
      on c.status = 'active' and c.signed_on > (d.day - interval 2 year)::date and c.signed_on <= d.day
    group by all
)
select d.day, count(y.customer_id) filter (where y.year_before > 0) as buyers_before,
       count(y.customer_id) filter (where y.year_before > 0 and not coalesce(y.this_year > 0, false)) as churned
from days as d
left join yearly as y on y.day = d.day
group by d.day
order by d.day
"""


def test_churn_counts_on_every_day(tmp_path):
    """s_churn_days gives, on every day from 2022 to mid-2028, customer_churn's two counts by
    their plain definition (0 before its first row): across 29 February (C4's K06 on
    2024-02-29; C7 on 2024-02-28, 2024-02-29, 2025-02-28 and 2025-03-01; C5 on 2025-02-28), two contracts
    on one day (C2), and a year that a return cancels (C8: 300 on 2024-05-10, -300 on
    2024-09-01: not a buyer of that year; 100 on 2025-05-10)."""
    sql = (FIXTURE_SQL.read_text()
           + extra_contract("K20", "C7", "R2", "2024-02-28", 250) + extra_contract("K21", "C7", "R2", "2025-02-28", 90)
           + extra_contract("K22", "C7", "R2", "2025-03-01", 60) + extra_contract("K23", "C5", "R3", "2025-02-28", 120)
           + extra_contract("K24", "C2", "R2", "2023-11-05", 70) + extra_contract("K25", "C8", "R3", "2024-05-10", 300)
           + extra_contract("K27", "C8", "R3", "2025-05-10", 100) + extra_contract("K28", "C7", "R2", "2024-02-29", 40)
           + "\ninsert into contracts (contract_id, customer_id, rep_id, signed_on, amount, status) values "
             "('K26', 'C8', 'R3', '2024-09-01', -300, 'active');\n"
             "insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount) values "
             "('K26', 1, 'P3', -1, 300, -300);\n")
    path = build_fixture(tmp_path / "churn.duckdb", sql)
    with duckdb.connect(str(path), read_only=True) as con:
        plain = con.execute(PLAIN_CHURN_DAYS).fetchall()
        served = con.execute(
            f"select d.day, coalesce(cd.buyers_before, 0), coalesce(cd.churned, 0) from ({CHURN_TEST_DAYS}) as d "
            "left join s_churn_days as cd on cd.from_day <= d.day and (cd.to_day is null or cd.to_day > d.day) "
            "order by d.day").fetchall()
        steps = con.execute("select count(*) from s_churn_days").fetchone()[0]
    assert served == plain
    assert len(plain) == 2373 and steps > 10
    by_day = {day: (before, churned) for day, before, churned in plain}
    # 2025-02-28: the year before, (2023-02-28, 2024-02-28], holds C1, C2, C3, C6 and C7 (not C2's
    # 2023-02-28 nor C4's 29 February); the year to the day C1 (2024-03-01) and C7: C2, C3, C6 churned
    assert by_day[date(2025, 2, 28)] == (5, 3)
    # 2025-05-10: C1, C2, C4, C5, C6, C7 and C8 (its 300 of 2024-05-10) bought the year before; in the
    # year to the day C5 and C7 buy, and C8's -300 and 100 sum to -200: C1, C2, C4, C6, C8 churned
    assert by_day[date(2025, 5, 10)] == (7, 5)
    # 2025-09-01: C8's year before sums to 0 (the return): not a buyer; C1, C2, C4, C6 churned
    assert by_day[date(2025, 9, 1)] == (6, 4)

def test_purchase_days_under_several_categories(tmp_path, monkeypatch, request):
    """s_purchase_days adds up a customer's day's contracts per category; under a category filter
    a day counts when one of its contracts has a line in one of the categories, its amount the
    sum of those lines: C1's 1 March 2024 is 800 under 软件 (500 + 300) and 900 under 软件 and
    硬件; C2's 5 November 2023 is 0 under 软件 (K12's lines cancel out, yet it has them) and 400
    under 软件 and 硬件. The slipping customers read the same days as the plain form (every
    bit set and marked inexact too)."""
    path = build_fixture(tmp_path / "shared.duckdb", FIXTURE_SQL.read_text() + SHARED_DAYS)
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select customer_id, day, amount, categories, category_bits, category_amounts "
                           "from s_purchase_days where customer_id in ('C1', 'C2') and day in "
                           "('2024-03-01', '2023-11-05') order by day").fetchall()
        bits = dict(con.execute("select category, bit from s_category_bits").fetchall())
    every = ["服务", "硬件", "软件"]
    assert rows == [("C2", date(2023, 11, 5), 850, every, sum(bits.values()),
                     [{"category": "服务", "amount": 450}, {"category": "硬件", "amount": 400},
                      {"category": "软件", "amount": 0}]),
                    ("C1", date(2024, 3, 1), 1100, every, sum(bits.values()),
                     [{"category": "服务", "amount": 200}, {"category": "硬件", "amount": 100},
                      {"category": "软件", "amount": 800}])]
    name = "test_f_purchase_days"
    known = queries.names()
    monkeypatch.setattr(queries, "names", lambda: (*known, name))
    days = "select customer_id, day, amount from f_purchase_days order by all"
    filter_sets = [Filters(**WHOLE, categories=c) for c in (("软件",), ("硬件", "软件"), ("服务",))]

    def run_all() -> list[pd.DataFrame]:
        monkeypatch.setitem(queries._texts, name, days)
        frames = []
        for filters in filter_sets:
            queries.clear_cache()
            frames.append(queries.run(name, filters))
            queries.clear_cache()
            frames.append(queries.run("alerts_customers_slipping", filters, as_of=date(2024, 3, 20), **SLIPPING_LOOSE))
        return frames

    served = run_all()
    with monkeypatch.context() as patch:
        patch.setattr(queries, "_category_bits", lambda categories: {"category_mask": -1, "category_exact": False})
        inexact = run_all()
    shared = {(f.categories, d): a for f, frame in zip(filter_sets, served[::2], strict=True)
              for d, a in zip(frame["day"], frame["amount"], strict=True)
              if pd.Timestamp(d).date() in (date(2024, 3, 1), date(2023, 11, 5))}
    assert shared == {(("软件",), pd.Timestamp("2023-11-05")): 0, (("软件",), pd.Timestamp("2024-03-01")): 800,
                      (("硬件", "软件"), pd.Timestamp("2023-11-05")): 400,
                      (("硬件", "软件"), pd.Timestamp("2024-03-01")): 900,
                      (("服务",), pd.Timestamp("2023-11-05")): 450, (("服务",), pd.Timestamp("2024-03-01")): 200}
    request.getfixturevalue("reference")
    plain = run_all()
    assert all(len(f) for f in plain[1::2])  # slipping customers to compare
    for got, also, want in zip(served, inexact, plain, strict=True):
        pd.testing.assert_frame_equal(_plain(got), _plain(want), check_dtype=False)
        pd.testing.assert_frame_equal(_plain(also), _plain(want), check_dtype=False)
    queries.clear_cache()


def test_purchase_days_of_a_team_or_rep_add_up_their_reps_rows(tmp_path, monkeypatch, request):
    """Under a team, rep filter or a narrower scope f_purchase_days adds up the reps' rows of
    s_rep_purchase_days (per rep, customer and day, sorted by rep, then day). C1's 1 March
    2024 holds K07 (R2: 500 软件, 200 服务) and K11 (R1: 300 软件, 100 硬件): R1's day is 400
    (软件 300, no 服务 line: no day), R2's 700 (软件 500, 服务 200), team T2's (R1 and R2 under
    T4) 1100 (软件 800, 服务 200); a viewer who sees R1 only gets R1's. C2's 5 November 2023
    (K05 and K12, both R2's) is one row of R2. The slipping customers give the plain form's
    answer under each."""
    path = build_fixture(tmp_path / "reps.duckdb", FIXTURE_SQL.read_text() + SHARED_DAYS)
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select rep_id, customer_id, day, amount from s_rep_purchase_days").fetchall()
    assert [(r, d) for r, _, d, _ in rows] == sorted((r, d) for r, _, d, _ in rows)
    assert [r for r in rows if r[2] in (date(2024, 3, 1), date(2023, 11, 5))] == [
        ("R1", "C1", date(2024, 3, 1), 400), ("R2", "C2", date(2023, 11, 5), 850), ("R2", "C1", date(2024, 3, 1), 700)]
    name = "test_f_purchase_days"
    known = queries.names()
    monkeypatch.setattr(queries, "names", lambda: (*known, name))
    monkeypatch.setitem(queries._texts, name, "select customer_id, day, amount from f_purchase_days order by all")
    views = [(Filters(**WHOLE, reps=reps, teams=teams, categories=categories), scope)
             for reps, teams, scope in ((("R1",), (), Scope()), (("R2",), (), Scope()), ((), ("T2",), Scope()),
                                        ((), (), Scope(reps=("R1",))))
             for categories in ((), ("软件",), ("服务",))]

    def run_all(query: str, **extra) -> list[pd.DataFrame]:
        frames = []
        for filters, scope in views:
            queries.clear_cache()
            frames.append(queries.run(query, filters, scope, **extra))
        return frames

    served = run_all(name)
    slipping = run_all("alerts_customers_slipping", as_of=date(2024, 3, 20), **SLIPPING_LOOSE)
    march = [{str(c): a for c, d, a in zip(f["customer_id"], f["day"], f["amount"], strict=True)
              if pd.Timestamp(d).date() == date(2024, 3, 1)} for f in served]
    assert march == [{"C1": 400}, {"C1": 300}, {},
                     {"C1": 700}, {"C1": 500}, {"C1": 200},
                     {"C1": 1100}, {"C1": 800}, {"C1": 200},
                     {"C1": 400}, {"C1": 300}, {}]
    request.getfixturevalue("reference")
    plain = run_all("alerts_customers_slipping", as_of=date(2024, 3, 20), **SLIPPING_LOOSE)
    assert sum(len(f) for f in plain) > 0  # slipping customers to compare
    for got, want in zip(served + slipping, run_all(name) + plain, strict=True):
        pd.testing.assert_frame_equal(_plain(got), _plain(want), check_dtype=False)
    queries.clear_cache()


# C9 buys only on the edges of the slipping customers' windows as of the fixture's as_of,
# 2024-03-15 (A): A - 730 = 2022-03-16 (before the 730 days), A - 455 = 2022-12-16 (before the
# normal quarter's days), the year-ago 90 days (2022-12-15, 2023-03-15], A - 90 = 2023-12-16 (the
# normal quarter's last day); each amount a power of two, so a sum says which days it holds.
# The last day's contract is 硬件 (P1), the others 服务 (P3).
EDGE_CUSTOMER = (
    "\ninsert into customers (customer_id, name, created_at, type, owner_rep_id, industry, region, city, source,"
    " level) values\n('C9', '保定边界机械', '2022-01-05 09:00', 'customer', 'R3', '制造', '华北', '保定', '展会',"
    " 'C');\n")
EDGE_DAYS = (
    EDGE_CUSTOMER
    + "".join(extra_contract(f"E{n}", "C9", "R3", day, 2 ** n, "P1" if day == "2023-12-17" else "P3")
              for n, day in enumerate(("2022-03-16", "2022-03-17", "2022-12-16", "2022-12-17", "2023-03-15",
                                       "2023-03-16", "2023-12-16", "2023-12-17"))))


def _served_with(tmp_path, monkeypatch, extra_sql: str, select: str) -> list[tuple]:
    """Serve the fixture with ``extra_sql``'s rows added (its as_of still 2024-03-15) and return
    the rows of ``select`` on it."""
    path = build_fixture(tmp_path / "edges.duckdb", FIXTURE_SQL.read_text() + extra_sql)
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    assert queries.warehouse_as_of() == date(2024, 3, 15)
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(select).fetchall()


def test_slipping_sums_built_for_the_as_of(tmp_path, monkeypatch, request):
    """s_purchase_standing holds, as of the build's as_of, each customer's sums and counts over
    its purchase days, whole and per category (worked out by hand for C9 below); the slipping
    customers read them at that as_of unless a team, rep, the viewer's scope or two categories
    narrow the facts, and give what they give from the purchase days (standing_built off) and
    what the plain form gives, under each filter set."""
    rows = _served_with(tmp_path, monkeypatch, EDGE_DAYS,
                        "select * exclude (customer_id, c_region, c_type, c_source) from s_purchase_standing "
                        "where customer_id = 'C9' order by category")
    # category, amount, last_purchase, recent_purchases, earlier_purchases, spend_90, spend_90_year_ago,
    # usual_sum, quarter_sum: the 730 days hold 2 .. 128 (not 1); the year-ago 90 days 4 + 8 + 16;
    # the normal quarter's days 8 + 16 + 32 + 64; the last 90 days 128 (硬件)
    assert rows == [("", 254, date(2023, 12, 17), 7, 1, 128, 28, 120, 120),
                    ("服务", 126, date(2023, 12, 16), 6, 1, None, 28, 120, 120),
                    ("硬件", 128, date(2023, 12, 17), 1, 0, 128, None, None, None)]
    filter_sets = [Filters(**WHOLE), Filters(**WHOLE, categories=("服务",)), Filters(**WHOLE, categories=("硬件",)),
                   Filters(**WHOLE, regions=("华北",)), Filters(**WHOLE, categories=("服务", "硬件")),
                   Filters(**WHOLE, reps=("R3",))]
    assert [queries._prepare("alerts_customers_slipping", f, Scope(), {})[1]["standing_built"]
            for f in filter_sets] == [True, True, True, True, False, False]
    assert not queries._prepare("alerts_customers_slipping", Filters(**WHOLE), Scope(reps=("R3",)), {})[1][
        "standing_built"]
    assert not queries._prepare("alerts_customers_slipping", Filters(**WHOLE), Scope(),
                                {"as_of": date(2024, 3, 14)})[1]["standing_built"]

    def run_all() -> list[pd.DataFrame]:
        frames = []
        for filters in filter_sets:
            for extra in ({}, SLIPPING_LOOSE, {**SLIPPING_LOOSE, "alert_gap_min_days": 400}):
                queries.clear_cache()
                frames.append(queries.run("alerts_customers_slipping", filters, **extra))
        return frames

    built = _built_as_counted(run_all, "standing_built", monkeypatch, request)
    assert "C9" in set(built[1]["subject_id"]) and "C9" in set(built[4]["subject_id"])  # loose: all and 服务


def _built_as_counted(run_all, switch: str, monkeypatch, request) -> list[pd.DataFrame]:
    """``run_all()``'s frames as the queries give them reading a build's judged table, checked
    to be those they give with ``switch`` (queries.standing_built, overdue_built, windows_built) off and those
    of the plain form, frame for frame."""
    built = run_all()
    with monkeypatch.context() as patch:
        patch.setattr(queries, switch, lambda params: False)
        counted = run_all()
    request.getfixturevalue("reference")
    plain = run_all()
    for got, also, want in zip(built, counted, plain, strict=True):
        # a rewritten query may add columns (customer_groups' group_kind); the rest is equal
        pd.testing.assert_frame_equal(_plain(got[list(want.columns)]), _plain(want), check_dtype=False)
        pd.testing.assert_frame_equal(_plain(also[list(want.columns)]), _plain(want), check_dtype=False)
    queries.clear_cache()
    return built


# C9's one contract (服务, 255) has a plan due on each edge of the dates the collection warnings
# judge as of the fixture's as_of: d0 = 2024-03-15, d1 = 2024-02-15, d2 = 2024-01-15 (overdue at d
# when due before d; 90+ days late when due before d - 90: 2023-12-16 at d0, 2023-11-17 at d1);
# each amount a power of two. Q2 (4) is paid on 2024-03-01 (after d1), Q6 (64) before it falls due.
EDGE_PLANS = (
    EDGE_CUSTOMER + extra_contract("E0", "C9", "R3", "2023-06-01", 255)
    + "insert into payment_plans (plan_id, contract_id, due_on, amount) values "
    + ", ".join(f"('Q{n}', 'E0', '{day}', {2 ** n})"
                for n, day in enumerate(("2023-11-16", "2023-11-17", "2023-12-15", "2023-12-16", "2024-01-14",
                                         "2024-01-15", "2024-02-14", "2024-02-15")))
    + ";\ninsert into payments (payment_id, contract_id, paid_on, amount, plan_id, method) values "
      "('QP2', 'E0', '2024-03-01', 4, 'Q2', '转账'), ('QP6', 'E0', '2024-01-10', 64, 'Q6', '转账');\n")
COLLECTION_LOOSE = {"alert_overdue_growth": 0, "alert_overdue_min": 0, "alert_min_share": 0,
                    "alert_aged_share_rise": 0}


def test_overdue_built_for_the_judged_dates(tmp_path, monkeypatch, request):
    """s_overdue_judged holds the overdue amounts at the three dates judged as of the build's
    as_of, per customer and rep (worked out by hand for C9 below) and per categories; the
    collection warnings read them whenever those are the dates judged, under every filter and
    scope, and give what they give from the plan states (overdue_built off) and what the plain
    form gives. The build steps back a month as alert_params does, on every day of eight years."""
    with duckdb.connect() as con:
        days = pd.date_range("2020-01-01", "2027-12-31").date.tolist()
        stepped = con.execute("select [(d - interval 2 month)::date, (d - interval 1 month)::date, d] "
                              "from (select unnest($days::date[]) as d)", {"days": days}).fetchall()
    assert [row[0] for row in stepped] == [alert_params(d)["dates"] for d in days]
    rows = _served_with(tmp_path, monkeypatch, EDGE_PLANS,
                        "select whole, categories, o0, o1, o2, aged0, aged1 from s_overdue_judged "
                        "where customer_id = 'C9' order by whole desc")
    # o2: Q0-Q4 (1 + 2 + 4 + 8 + 16); o1: and Q5 (32); o0: and Q7 (128), less Q2 (paid); 90+ days
    # late at d0: Q0, Q1 (Q2 paid), at d1: Q0
    assert rows == [(True, None, 187, 63, 31, 3, 1), (False, ["服务"], 187, 63, 31, 3, 1)]
    filter_sets = [Filters(**WHOLE), Filters(**WHOLE, categories=("服务",)), Filters(**WHOLE, regions=("华北",)),
                   Filters(**WHOLE, categories=("服务", "硬件")), Filters(**WHOLE, reps=("R3",)),
                   Filters(**WHOLE, teams=("T3",))]
    scopes = [Scope(), Scope(reps=("R3",))]
    assert all(queries._prepare("alerts_collection", f, scope, {})[1]["overdue_built"]
               for f in filter_sets for scope in scopes)
    assert not queries._prepare("alerts_collection", Filters(**WHOLE), Scope(),
                                {"dates": alert_params(date(2024, 3, 14))["dates"]})[1]["overdue_built"]

    def run_all() -> list[pd.DataFrame]:
        frames = []
        for filters in filter_sets:
            for scope in scopes:
                for extra in ({}, COLLECTION_LOOSE):
                    queries.clear_cache()
                    frames.append(queries.run("alerts_collection", filters, scope, **extra))
        return frames

    built = _built_as_counted(run_all, "overdue_built", monkeypatch, request)
    assert "C9" in set(built[1]["subject_id"])  # loose: C9's overdue grew


# C9's contracts of EDGE_DAYS and five more on the edges of the windows built as of the fixture's
# as_of 2024-03-15 (among them this and last year's: [2024-01-01, 03-15] against [2023-01-01, 03-15],
# the two years up to 03-15, 2023 against 2022), each amount a power of two: 2022-12-31 256,
# 2023-01-01 512, 2023-12-31 1024 (服务); 2024-01-01 2048 (硬件, P1); 2024-03-15 4096 (服务)
EDGE_WINDOWS = EDGE_DAYS + "".join(
    extra_contract(f"E{n}", "C9", "R3", day, 2 ** n, product)
    for n, day, product in ((8, "2022-12-31", "P3"), (9, "2023-01-01", "P3"), (10, "2023-12-31", "P3"),
                            (11, "2024-01-01", "P1"), (12, "2024-03-15", "P3")))


def test_customer_windows_built_for_the_usual_periods(tmp_path, monkeypatch, request):
    """s_customer_windows holds, for the windows of the usual periods (WINDOW_PRESETS) as of the
    build's as_of, each customer's contracts and lines added up, whole and per category
    (worked out by hand for C9 below), and each window's buyers ranked; the customer metrics
    read them when a period's windows are all built and no team, rep, narrower scope or second
    category narrows the facts (the ranks: nor a customer filter), and give what they give from
    the contracts (windows_built off) and what the plain form gives."""
    rows = _served_with(tmp_path, monkeypatch, EDGE_WINDOWS,
                        "select from_day, to_day, category, amount, contracts, last_signed_on, lines, "
                        "cogs_fifo, costed_fifo, uncosted_fifo, cogs_moving_average, uncosted_monthly_average "
                        "from s_customer_windows where customer_id = 'C9' order by category, from_day, to_day")
    with duckdb.connect(os.environ["CRM_WAREHOUSE"], read_only=True) as con:
        days = con.execute("select from_day, to_day from s_customer_window_days").fetchall()
        # the 硬件 lines' own COGS (the costing's, tested there): FIFO 60.00, moving average 67.41 each
        (fifo, moving), = set(con.execute("select cogs_fifo, cogs_moving_average from s_lines "
                                          "where contract_id in ('E7', 'E11')").fetchall())
    d = date
    year, prev, last, before = (d(2024, 1, 1), d(2024, 3, 15)), (d(2023, 1, 1), d(2023, 3, 15)), \
        (d(2023, 1, 1), d(2023, 12, 31)), (d(2022, 1, 1), d(2022, 12, 31))
    one, two = (d(2023, 3, 16), d(2024, 3, 15)), (d(2022, 3, 16), d(2023, 3, 15))
    # this month and the same days of February; last month (February 2024) and January, and the two
    # years up to its end (29 Feb back a year: 28 Feb); this quarter's days of the quarter before;
    # the last 90 days and the 90 before
    days_90, before_90 = (d(2023, 12, 17), d(2024, 3, 15)), (d(2023, 9, 18), d(2023, 12, 16))
    one_feb, two_feb = (d(2023, 3, 1), d(2024, 2, 29)), (d(2022, 3, 1), d(2023, 2, 28))
    assert days == sorted([year, prev, one, two, last, before,
                           (d(2024, 3, 1), d(2024, 3, 15)), (d(2024, 2, 1), d(2024, 2, 15)),
                           (d(2024, 2, 1), d(2024, 2, 29)), (d(2024, 1, 1), d(2024, 1, 31)),
                           one_feb, two_feb, (d(2023, 10, 1), d(2023, 12, 15)), days_90, before_90])
    # window, category: amount, contracts, last day, lines, FIFO COGS, costed lines, uncosted amount
    # (FIFO), moving-average COGS, uncosted amount (monthly average); 服务 lines have no COGS
    want = {
        (before, ""): (1 + 2 + 4 + 8 + 256, 5, d(2022, 12, 31), 5, None, 0, 271, None, 271),
        (two, ""): (1 + 2 + 4 + 8 + 256 + 512 + 16, 7, d(2023, 3, 15), 7, None, 0, 799, None, 799),
        (prev, ""): (512 + 16, 2, d(2023, 3, 15), 2, None, 0, 528, None, 528),
        (last, ""): (512 + 16 + 32 + 64 + 128 + 1024, 6, d(2023, 12, 31), 6, fifo, 1, 1648, moving, 1648),
        (one, ""): (32 + 64 + 128 + 1024 + 2048 + 4096, 6, d(2024, 3, 15), 6, 2 * fifo, 2, 5216, 2 * moving, 5216),
        (year, ""): (2048 + 4096, 2, d(2024, 3, 15), 2, fifo, 1, 4096, moving, 4096),
        (last, "硬件"): (128, 1, d(2023, 12, 17), 1, fifo, 1, 0, moving, 0),
        (one, "硬件"): (128 + 2048, 2, d(2024, 1, 1), 2, 2 * fifo, 2, 0, 2 * moving, 0),
        (year, "硬件"): (2048, 1, d(2024, 1, 1), 1, fifo, 1, 0, moving, 0),
        (before, "服务"): (1 + 2 + 4 + 8 + 256, 5, d(2022, 12, 31), 5, None, 0, 271, None, 271),
        (two, "服务"): (1 + 2 + 4 + 8 + 256 + 512 + 16, 7, d(2023, 3, 15), 7, None, 0, 799, None, 799),
        (prev, "服务"): (512 + 16, 2, d(2023, 3, 15), 2, None, 0, 528, None, 528),
        (last, "服务"): (512 + 16 + 32 + 64 + 1024, 5, d(2023, 12, 31), 5, None, 0, 1648, None, 1648),
        (one, "服务"): (32 + 64 + 1024 + 4096, 4, d(2024, 3, 15), 4, None, 0, 5216, None, 5216),
        (year, "服务"): (4096, 1, d(2024, 3, 15), 1, None, 0, 4096, None, 4096),
        # the two years up to 29 February 2024 (last month's end)
        (two_feb, ""): (1 + 2 + 4 + 8 + 256 + 512, 6, d(2023, 1, 1), 6, None, 0, 783, None, 783),
        (two_feb, "服务"): (1 + 2 + 4 + 8 + 256 + 512, 6, d(2023, 1, 1), 6, None, 0, 783, None, 783),
        (one_feb, ""): (16 + 32 + 64 + 128 + 1024 + 2048, 6, d(2024, 1, 1), 6, 2 * fifo, 2, 1136, 2 * moving, 1136),
        (one_feb, "硬件"): (128 + 2048, 2, d(2024, 1, 1), 2, 2 * fifo, 2, 0, 2 * moving, 0),
        (one_feb, "服务"): (16 + 32 + 64 + 1024, 4, d(2023, 12, 31), 4, None, 0, 1136, None, 1136),
    }
    assert [row for row in rows if (row[:2], row[2]) in want] \
        == sorted(((*window, category, *values) for (window, category), values in want.items()),
                  key=lambda row: (row[2], row[0], row[1]))
    # the last 90 days hold 128 (2023-12-17, its first day) + 1024 + 2048 + 4096 (2024-03-15, its
    # last), the 90 before 64 (2023-12-16, its last day)
    with duckdb.connect(os.environ["CRM_WAREHOUSE"], read_only=True) as con:
        short = con.execute("select from_day, to_day, amount, contracts from s_customer_windows "
                            "where customer_id = 'C9' and category = '' and from_day in (?, ?) and to_day in (?, ?) "
                            "order by from_day", [before_90[0], days_90[0], before_90[1], days_90[1]]).fetchall()
    assert short == [(*before_90, 64, 1), (*days_90, 128 + 1024 + 2048 + 4096, 4)]

    switched = [Filters(), Filters(preset="last_year"), Filters(preset="last_90_days"),
                Filters(categories=("服务",)), Filters(categories=("硬件",)), Filters(regions=("华北",)),
                Filters(categories=("服务", "硬件")), Filters(reps=("R3",)), Filters(teams=("T3",)),
                Filters(preset="last_quarter"), Filters(**WHOLE)]
    assert [queries._prepare("customer_windows", f, Scope(), {})[1]["windows_built"] for f in switched] \
        == [True] * 6 + [False] * 5
    assert [queries._prepare("customer_tiers", f, Scope(), {})[1]["ranks_built"] for f in switched] \
        == [True] * 5 + [False] * 6  # the region narrows the buyers ranked
    assert not queries._prepare("customer_windows", Filters(), Scope(reps=("R3",)), {})[1]["windows_built"]
    # each window's buyers (amount > 0) ranked by amount descending, then customer_id, counted here
    with duckdb.connect(os.environ["CRM_WAREHOUSE"], read_only=True) as con:
        table = con.execute("select from_day, to_day, category, customer_id, amount, position, n, amount_before, "
                            "window_amount, at_least from s_customer_windows").fetchall()
    groups: dict[tuple, list] = {}
    for row in table:
        groups.setdefault(row[:3], []).append(row[3:])
    for rows_of_window in groups.values():
        buyers = sorted((r for r in rows_of_window if r[1] > 0), key=lambda r: (-r[1], r[0]))
        for k, (_, amount, *ranks) in enumerate(buyers):
            assert ranks == [k + 1, len(buyers), sum(b[1] for b in buyers[:k]), sum(b[1] for b in buyers),
                             sum(b[1] >= amount for b in buyers)]
        assert all(r[2:] == (None,) * 5 for r in rows_of_window if r[1] <= 0)

    def run_all() -> list[pd.DataFrame]:
        frames = []
        for filters in switched[:8]:
            for name, extra in (("customer_tiers", {}), ("customer_churn", {}), ("customer_value", VALUE),
                                ("customer_value", {**VALUE, "method": "moving_average"}),
                                ("customer_groups", {"group": "tier", **VALUE}),
                                ("customer_list", {"tier": "", "segment": "", "cell": "", "limit": 1000, **VALUE}),
                                ("overview_top_customers", {"limit": 3})):
                queries.clear_cache()
                frame = queries.run(name, filters, **extra)
                key = [c for c in ("window_name", "customer_id", "group_key") if c in frame.columns]
                frames.append(frame.sort_values(key, ignore_index=True) if key else frame)
        return frames

    built = _built_as_counted(run_all, "windows_built", monkeypatch, request)
    # C9 this year (customer_value, FIFO): whole, no margin (the 服务 line has no COGS); 硬件 alone, 2048 − COGS
    whole, hardware = (built[k].set_index("customer_id").loc["C9"] for k in (2, 4 * 7 + 2))
    assert whole["amount"] == 6144 and pd.isna(whole["margin"]) and whole["uncosted_revenue"] == 4096
    assert hardware["amount"] == 2048 and hardware["margin"] == float(2048 - fifo)


def test_customer_windows_step_years_as_duckdb():
    """The years before a period's end that filters.customer_windows gives are DuckDB's
    ``- interval 1 year`` and ``2 year`` (customer_windows.sql compares them) on every day of
    2020-2031, leap days included."""
    with duckdb.connect() as con:
        rows = con.execute("select d::date, (d - interval 1 year)::date + 1, (d - interval 2 year)::date + 1, "
                           "(d - interval 1 year)::date from range(date '2020-01-01', date '2032-01-01', "
                           "interval 1 day) as t(d)").fetchall()
    for end, one, two, one_end in rows:
        periods = {"start": end, "end": end, "prev_start": end, "prev_end": end}
        assert customer_windows(periods)[2:] == ((one, end), (two, one_end))


@pytest.mark.parametrize("name", [n for n in queries.names() if n not in UNSCOPED])
def test_frames_are_as_duckdb_gives_them(warehouse, monkeypatch, name):
    """The gateway reads a text-heavy query's result through Arrow (queries._frame): with every
    query counted as text-heavy, under every filter set, scope and parameter of this file, each
    query's frames are exactly DuckDB's df(): the same columns, dtypes and values."""
    monkeypatch.setattr(queries, "TEXT_HEAVY_VALUES", 0)  # every result through Arrow from its second run
    _run_all(name)
    assert name in queries._text_heavy
    ours = _run_all(name)
    monkeypatch.setattr(queries, "_text_heavy", set())
    monkeypatch.setattr(queries, "TEXT_HEAVY_VALUES", 10**12)  # none
    theirs = _run_all(name)
    for got, want in zip(ours, theirs, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_alerts_judged_by_the_build(warehouse, tmp_path, monkeypatch):
    """The build stores the early warnings without a filter, under each category alone and,
    with JUDGED_PEOPLE or fewer teams and reps, under each team and each rep alone, for a
    viewer who sees everyone (s_judged, s_judged_alerts); the gateway reads them for those
    views and works any other out. The stored answers are the worked-out ones, dtypes and
    order included; and they are what is read: in a copy of the file without its stored rows,
    those views have no warnings, while another costing method or a viewer who sees R1 only
    is worked out."""
    values = queries.dimension_values()
    categories, teams, reps = (sorted(values[k]) for k in ("category", "team", "rep"))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        keys = con.execute("select count(*) from s_judged where query = 'alerts'").fetchone()[0]
        stored = con.execute("select count(*) from s_judged_alerts").fetchone()[0]
    assert len(teams) + len(reps) <= queries.JUDGED_PEOPLE
    assert keys == 1 + len(categories) + len(teams) + len(reps) and stored > 0
    views = [(f, Scope()) for f in (Filters(), Filters(**WHOLE), *(Filters(categories=(c,)) for c in categories),
                                    *(Filters(teams=(t,)) for t in teams), *(Filters(reps=(r,)) for r in reps))]
    views.append((Filters(), Scope(reps=("R1",))))

    def answers(**extra) -> list[pd.DataFrame]:
        queries.clear_cache()
        return [queries.run("alerts", f, scope, **extra) for f, scope in views]

    judged = answers()
    with monkeypatch.context() as patch:
        patch.setattr(queries, "_judged_keys", frozenset)  # none stored: every view worked out
        worked_out = answers()
        other_method = answers(alert_costing_method="moving_average")
    assert sum(len(f) for f in judged[:-1]) > 0 and len(judged[-1]) > 0
    for got, want in zip(judged, worked_out, strict=True):
        pd.testing.assert_frame_equal(got, want)

    emptied = tmp_path / "emptied.duckdb"
    emptied.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(emptied)) as con:
        con.execute("delete from s_judged_alerts")
    monkeypatch.setenv("CRM_WAREHOUSE", str(emptied))
    counts = [len(f) for f in answers()]  # the viewer who sees R1 only: worked out
    assert counts == [0] * (len(views) - 1) + [len(worked_out[-1])]
    for got, want in zip(answers(alert_costing_method="moving_average"), other_method, strict=True):
        pd.testing.assert_frame_equal(got, want)


def test_the_build_judges_each_team_and_rep_only_for_few_of_them(warehouse, monkeypatch):
    """The build judges the views without a filter, for each period preset (a custom period
    is not), under each category alone and, with JUDGED_PEOPLE teams and reps together or
    fewer, under each team and each rep alone; each distinct answer once, in that order. The
    early warnings do not depend on the period: its presets are the unfiltered view."""
    values = queries.dimension_values()
    plain = [Filters(), *(Filters(preset=p) for p in PRESETS if p not in ("this_year", "custom")),
             *(Filters(categories=(c,)) for c in sorted(values["category"]))]
    people = [*(Filters(teams=(t,)) for t in sorted(values["team"])),
              *(Filters(reps=(r,)) for r in sorted(values["rep"]))]
    assert queries.judged_views() == plain + people

    def keys(name: str) -> list[str]:
        return json.loads(queries.judged_answers(name).schema.metadata[b"judged_keys"])

    def distinct(name: str, views: list[Filters]) -> list[str]:
        prepared = (queries._prepare(name, f, Scope(), queries.judged_params(name, f)) for f in views)
        return list(dict.fromkeys(queries._judged_key(sql, bound) for sql, bound, _ in prepared))

    every = {name: keys(name) for name in queries.JUDGED}
    monkeypatch.setattr(queries, "JUDGED_PEOPLE", len(people) - 1)
    fewer = {name: keys(name) for name in queries.JUDGED}
    for name in queries.JUDGED:
        whole = [Filters()] if name in queries.WHOLE_ONLY else None  # (/data: the unfiltered view alone)
        assert every[name] == distinct(name, whole or plain + people) and fewer[name] == distinct(name, whole or plain)
    assert queries.WHOLE_ONLY and all(len(every[name]) == 1 for name in queries.WHOLE_ONLY)
    assert len(every["alerts"]) == 1 + len(values["category"]) + len(people)
    assert len(every["customer_page"]) > len(plain) - 3 + len(people)  # (a few presets may be the same days)


def test_customers_page_judged_by_the_build(warehouse, tmp_path, monkeypatch):
    """The build stores /customers' sections (customer_page) for the page's default view
    (pages.customers.page_params of a URL without a selection or method), and they are what
    is read: in a copy where the unfiltered view's stored answer is last year's, the page's
    unfiltered view shows last year's customers, while a selection is worked out."""
    from pages import customers

    params = queries.JUDGED["customer_page"]
    assert customers.page_params({}) == params
    assert customers.page_params({"tier": "vip"}) != params
    views = queries.judged_views()
    last_year = next(i for i, f in enumerate(views) if f.preset == "last_year")

    def answers(filters: list[Filters], **extra) -> list[dict[str, pd.DataFrame]]:
        queries.clear_cache()
        return [queries.sections(queries.run("customer_page", f, **{**params, **extra})) for f in filters]

    with monkeypatch.context() as patch:
        patch.setattr(queries, "_judged_keys", frozenset)  # none stored: worked out
        worked_out = answers([views[0], views[last_year]])
        vip = answers([Filters()], tier="vip")
    assert not worked_out[0]["listed"].equals(worked_out[1]["listed"])

    swapped = tmp_path / "swapped.duckdb"
    swapped.write_bytes(warehouse.read_bytes())
    unfiltered, other = (queries._judged_key(*queries._prepare("customer_page", views[i], Scope(), params)[:2])
                         for i in (0, last_year))
    with duckdb.connect(str(swapped)) as con:
        con.execute("delete from s_judged_customer_page where judged_key = $key", {"key": unfiltered})
        con.execute("update s_judged_customer_page set judged_key = $key where judged_key = $other",
                    {"key": unfiltered, "other": other})
    monkeypatch.setenv("CRM_WAREHOUSE", str(swapped))
    shown = answers([Filters()])[0]
    pd.testing.assert_frame_equal(shown["listed"], worked_out[1]["listed"])
    pd.testing.assert_frame_equal(answers([Filters()], tier="vip")[0]["listed"], vip[0]["listed"])


def test_the_pages_default_views_read_what_the_build_judged(warehouse, monkeypatch):
    """Rendered as a user opens them (their callbacks, as benchmarks.pages renders them),
    /overview, /alerts, /team, /customers, /receivables, /data, /lead-pool and /acquisition ask
    every query of JUDGED, and for their default views (no filter, a period preset, a category, a team)
    with exactly the parameters the build judged them with: each call's key is one the build
    stored. (The overview's overdue KPI is worked out: its dates move with the period.)"""
    from benchmarks.pages import render

    asked = []
    real = queries._fetch

    def spy(name, sql, bound, key):
        if name in queries.JUDGED:
            asked.append((name, queries._judged_key(sql, bound)))
        return real(name, sql, bound, key)

    monkeypatch.setattr(queries, "_fetch", spy)
    for query in ({}, {"preset": "last_year"}, {"category": "软件"}, {"team": "T2"}):
        queries.clear_cache()
        for page in ("overview", "alerts", "team", "customers", "receivables", "data", "lead_pool", "acquisition"):
            render(page, query)
    assert {name for name, _ in asked} == set(queries.JUDGED)
    assert {key for _, key in asked} <= queries._judged_keys()


@pytest.mark.parametrize("name", [n for n in queries.JUDGED if n != "alerts"])  # (alerts: above)
def test_each_judged_answer_is_the_worked_out_one(warehouse, monkeypatch, name):
    """For every view the build judges, a judged query's stored answer (with its page's
    parameters) is what working it out gives: the same frame, dtypes and order included (a
    page of sections: each section)."""
    views = queries.judged_views(name)

    def answers() -> list[dict[str, pd.DataFrame]]:
        queries.clear_cache()
        frames = [queries.run(name, f, **queries.judged_params(name, f)) for f in views]
        return [queries.sections(f) if name in queries.SECTIONED else {"": f} for f in frames]

    judged = answers()
    monkeypatch.setattr(queries, "_judged_keys", frozenset)  # none stored: every view worked out
    worked_out = answers()
    assert sum(sum(len(f) for f in a.values()) > 0 for a in judged) > len(views) // 2
    for got, want in zip(judged, worked_out, strict=True):
        assert got.keys() == want.keys()
        for section in want:
            pd.testing.assert_frame_equal(got[section], want[section])


def test_a_viewer_who_sees_less_never_reads_a_judged_answer(warehouse):
    """The build judges for a viewer who sees everyone. Every judged query is bound with the
    viewer's scope, so for a manager who sees a team's reps, a rep who sees their own book or
    an anonymous request, no view's key is one of the stored answers."""
    stored = queries._judged_keys()
    assert stored
    for name in queries.JUDGED:
        for f in queries.judged_views(name):
            for scope in (Scope(reps=("R1", "R2"), teams=("T1",)), Scope(reps=("R1",)), queries.NOBODY):
                sql, bound, _ = queries._prepare(name, f, scope, queries.judged_params(name, f))
                assert queries._judged_key(sql, bound) not in stored, (name, f, scope)


# the copies sorted by rep (data/serving.py, BY_REP_SQL): copy -> (its table, its rep column)
BY_REP = {"s_contracts_by_rep": ("s_contracts", "rep_id"), "s_lines_by_rep": ("s_lines", "rep_id"),
          "s_payments_by_rep": ("s_payments", "rep_id"), "s_plan_states_by_rep": ("s_plan_states", "rep_id"),
          "s_stage_intervals_by_rep": ("s_stage_intervals", "rep_id"),
          "s_customers_by_owner": ("customers", "owner_rep_id")}


@pytest.mark.parametrize("copy", BY_REP)
def test_copies_by_rep_hold_their_tables_rows_by_rep(warehouse, copy):
    """Each copy holds exactly its table's rows (as many times each), stored by rep: a rep's
    rows are a range of the stored rows, which a narrowed view reads by the rep's zone."""
    table, rep = BY_REP[copy]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for one, other in ((table, copy), (copy, table)):
            assert con.execute(f"select count(*) from (select * from {one} except all select * from {other})"
                               ).fetchone()[0] == 0
        stored = [r for (r,) in con.execute(f"select {rep} from {copy} order by rowid").fetchall()]
        dated = [r for (r,) in con.execute(f"select {rep} from {table} order by rowid").fetchall()]
    assert len(set(stored)) > 1
    assert stored == sorted(stored, key=lambda r: (r is None, r))
    assert dated != stored  # (the table itself interleaves its reps)


# a query reading each relation read from a copy: f_contracts, f_payments, f_lines,
# f_plan_states, f_stage_intervals, f_customers
READ_BY_REP = [("revenue_series", {"bucket": "month", "measure": "contract_amount"}),
               ("revenue_series", {"bucket": "week", "measure": "payments"}),
               ("products_mix", {"method": "fifo", "compare": None}),
               ("receivables_overdue_totals", EXTRA["receivables_overdue_totals"][0]),
               ("pipeline_deals", {"day": date(2024, 2, 20)}),
               ("customer_list", EXTRA["customer_list"][0])]


def test_narrowed_reps_read_the_copies_by_rep(warehouse, tmp_path, monkeypatch):
    """A view whose reps are narrowed (a rep filter, a rep's scope) reads the copies sorted by
    rep, one that is not reads the date-sorted tables: in a copy of the warehouse whose copies
    by rep lost R2's rows, R2's views lose them, and the whole company's view does not."""
    whole, rep, own = Filters(**WHOLE), Filters(**WHOLE, reps=("R2",)), Scope(reps=("R2",))

    def answers() -> list[tuple[pd.DataFrame, ...]]:
        queries.clear_cache()
        return [(queries.run(name, whole, **extra), queries.run(name, rep, **extra),
                 queries.run(name, whole, own, **extra)) for name, extra in READ_BY_REP]

    before = answers()
    emptied = tmp_path / "emptied.duckdb"
    emptied.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(emptied)) as con:
        for copy, (_, column) in BY_REP.items():
            assert con.execute(f"delete from {copy} where {column} = 'R2'").fetchone()[0] > 0, copy
    monkeypatch.setenv("CRM_WAREHOUSE", str(emptied))
    after = answers()
    for (name, _), (whole_before, rep_before, own_before), (whole_after, rep_after, own_after) in zip(
            READ_BY_REP, before, after, strict=True):
        pd.testing.assert_frame_equal(whole_after, whole_before)
        assert not rep_after.equals(rep_before), name
        assert not own_after.equals(own_before), name
