"""Early warnings (/alerts): each kind fires exactly where worked out by hand in the small
worlds of tests/fixtures/alerts/ (each file's header gives the reasoning), and nowhere
else; the union's shape, the settings, the command line, the page and the overview block."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import queries
from components.i18n import t
from pages import alerts as page
from pages import overview
from queries import Scope
from queries.__main__ import main as cli
from queries.alert_settings import SETTINGS, alert_params
from queries.filters import Filters
from tests.conftest import build_fixture

WORLDS = Path(__file__).parent / "fixtures" / "alerts"
D = date.fromisoformat


# variants: the course world whose June to date brings 100 instead of 1000; whose May brings
# 1600 (and whose June to date too); the deals world whose O3 ties O2 at 80000; the effort
# world where R1 follows up six times in the last 30 days (22 May - 20 June: every 5 days from
# 22 May) instead of once
VARIANTS = {
    "course_mtd": ("course", """
update contracts set amount = 100 where contract_id = 'K202406';
update contract_items set unit_price = 100, amount = 100 where contract_id = 'K202406';
"""),
    "course_above_once": ("course", """
update contracts set amount = 1600 where contract_id = 'K202405';
update contract_items set unit_price = 1600, amount = 1600 where contract_id = 'K202405';
"""),
    "course_above_twice": ("course", """
update contracts set amount = 1600 where contract_id in ('K202405', 'K202406');
update contract_items set unit_price = 1600, amount = 1600 where contract_id in ('K202405', 'K202406');
"""),
    # the course world with a 软件 line of 500 beside each 硬件 line: contracts of 1500, May 900
    "course_software": ("course", """
insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount)
select contract_id, 2, 'P2', 1, 500, 500 from contracts;
update contracts set amount = amount + 500;
"""),
    "deals_tie": ("deals", """
update opportunities set amount = 80000 where opportunity_id = 'O3';
"""),
    "effort_six": ("effort", """
insert into activities (activity_id, customer_id, rep_id, occurred_at, kind)
select 'B-R1-' || k, 'C1', 'R1', timestamp '2024-05-22 10:00' + to_days(5 * k::integer), 'call'
from range(1, 6) as s(k);
"""),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in cache:
            world, extra = VARIANTS.get(name, (name, ""))
            sql = (WORLDS / "base.sql").read_text() + (WORLDS / f"{world}.sql").read_text() + extra
            cache[name] = build_fixture(tmp_path_factory.mktemp(name) / f"{name}.duckdb", sql)
        return cache[name]

    return get


@pytest.fixture
def world(built, monkeypatch):
    """Point the gateway at one world, judged as of 2024-06-20 with the default thresholds."""
    for setting in SETTINGS:
        monkeypatch.delenv(setting.env, raising=False)
    monkeypatch.setenv("CRM_AS_OF", "2024-06-20")

    def use(name: str) -> Path:
        path = built(name)
        monkeypatch.setenv("CRM_WAREHOUSE", str(path))
        return path

    return use


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    out = []
    for record in frame.loc[:, list(columns)].to_dict("records"):
        out.append(tuple(None if not isinstance(v, list | tuple) and pd.isna(v) else
                         round(v, 2) if isinstance(v, float) else
                         v.date() if isinstance(v, pd.Timestamp) else v for v in record.values()))
    return out


# --- each kind on its own world ----------------------------------------------------------

def test_revenue_off_course_where_the_band_breaks(world):
    world("course")
    frame = queries.run("alerts_revenue_course")
    assert rows(frame, "subject_type", "subject_id", "measure", "rule", "severity", "figure", "expected",
                "expected_low", "expected_high", "since", "gap", "month_to_date") == [
        (subject_type, subject_id, "contract_amount", "course_below", 3, 400.0, 1000.0, 1000.0, 1000.0,
         D("2024-05-01"), 600.0, False)
        for subject_type, subject_id in (("company", "company"), ("rep", "R1"), ("team", "T1"), ("team", "T2"))
    ]
    # the twelve months up to May and June to date
    assert list(frame["sparkline"].iloc[0]) == [1000.0] * 11 + [400.0, 1000.0]


def test_month_to_date_off_course_says_what_the_month_still_needs(world):
    """June 1-20 brings 100 against 1000 on the same days a year earlier (band 1000, the
    history's ratios being 1 but May's): out since May; the whole of June needs 1000, so
    900 more."""
    world("course_mtd")
    frame = queries.run("alerts_revenue_course")
    assert rows(frame, "subject_id", "severity", "figure", "expected", "expected_low", "since", "gap",
                "period_start", "month_to_date") == [
        (subject_id, 3, 100.0, 1000.0, 1000.0, D("2024-05-01"), 900.0, D("2024-06-01"), True)
        for subject_id in ("company", "R1", "T1", "T2")
    ]


def test_an_opportunity_needs_two_months_running(world):
    """May at 1600 against a band of exactly 1000 is above it, but one month alone (an
    opportunity, severity 1) may be a blip: no warning while June to date (1000) is back in
    its band. When June to date brings 1600 too (the band of June is 1000 as well: eleven
    of its twelve ratios are 1), two judged points in a row are above: a warning since May,
    showing June to date, 600 over the band."""
    world("course_above_once")
    assert queries.run("alerts_revenue_course").empty
    world("course_above_twice")
    frame = queries.run("alerts_revenue_course")
    assert rows(frame, "subject_id", "rule", "severity", "figure", "expected", "expected_high", "since", "gap",
                "period_start", "month_to_date") == [
        (subject_id, "course_above", 1, 1600.0, 1000.0, 1000.0, D("2024-05-01"), 600.0, D("2024-06-01"), True)
        for subject_id in ("company", "R1", "T1", "T2")
    ]


def test_revenue_course_read_per_build_is_the_one_worked_out(world):
    """Without a filter the course reads its months and band statistics from the build
    (s_course_months), and under one category alone from its cut; under another filter or a
    narrower scope it works them out from the facts. The top team T1, a scope of all three
    reps, the category 硬件 of every line, and 硬件 with 软件 keep every fact of these worlds
    (no pool customer), so every way gives the same rows: below, below to date, above twice."""
    for name in ("course", "course_mtd", "course_above_twice"):
        world(name)
        whole = queries.run("alerts_revenue_course")
        assert len(whole) == 4
        for filters, scope in ((Filters(teams=("T1",)), Scope()), (None, Scope(reps=("R1", "R2", "R3"))),
                               (Filters(categories=("硬件",)), Scope()),
                               (Filters(categories=("硬件", "软件")), Scope())):
            pd.testing.assert_frame_equal(queries.run("alerts_revenue_course", filters, scope), whole)


def test_revenue_course_under_a_category_follows_its_lines(world):
    """With a 软件 line of 500 beside each 硬件 line, every month brings 1500 but May 900
    (below a band of exactly 1500, under 1500²/1500: severity 3, 600 short). Under 硬件 the
    course is the course world's own (May's 400 against 1000), read from the build's cut of
    that category or worked out (beside a category no product has: the same lines); under
    软件 (500 every month) nothing is off course."""
    world("course")
    hardware = queries.run("alerts_revenue_course")
    world("course_software")
    assert rows(queries.run("alerts_revenue_course"), "subject_id", "severity", "figure", "expected", "since",
                "gap") == [(subject_id, 3, 900.0, 1500.0, D("2024-05-01"), 600.0)
                           for subject_id in ("company", "R1", "T1", "T2")]
    for categories in (("硬件",), ("硬件", "不存在")):
        pd.testing.assert_frame_equal(queries.run("alerts_revenue_course", Filters(categories=categories)), hardware)
    assert queries.run("alerts_revenue_course", Filters(categories=("软件",))).empty


def test_band_k_is_a_setting(world, monkeypatch):
    world("course")
    monkeypatch.setenv("CRM_ALERT_BAND_K", "2")
    assert alert_params()["alert_band_k"] == 2.0
    monkeypatch.setenv("CRM_ALERT_BAND_K", "lots")  # malformed: the default
    assert alert_params()["alert_band_k"] == 3.5
    monkeypatch.setenv("CRM_ALERT_BAND_K", "99")  # out of range: the default
    assert alert_params()["alert_band_k"] == 3.5


def test_customers_slipping(world):
    world("customers")
    frame = queries.run("alerts_customers_slipping", alert_top_share=0.75)
    assert rows(frame, "subject_id", "rule", "severity", "rep_id", "figure", "expected", "expected_low",
                "expected_high", "since", "impact", "last_follow_up") == [
        ("C1", "customer_gap", 3, "R1", 171.0, 31.0, 0.0, 93.0, D("2024-01-02"), 2465.75, D("2024-03-10")),
        ("C2", "customer_drop", 2, "R2", 1500.0, 30000.0, 6000.0, 30000.0, D("2024-03-23"), 11835.62, None),
    ]
    # with the default top 5% only C4 (rank 1 of 4) is a key customer, and its gap is stale
    assert queries.run("alerts_customers_slipping").empty
    # a longer memory sees C4's churn (crossed 2 September 2023, 292 days ago)
    assert list(queries.run("alerts_customers_slipping", alert_fresh_days=293)["subject_id"]) == ["C4"]


def test_customers_slipping_only_when_material(world):
    """The scope's contract amount of 24 March 2023 - 22 March 2024 is 73000 (C1 10000, C2
    48000, C4 15000): a normal quarter of 18000. C1's normal quarter (2465.75) is 13.7% of
    it, C2's (11835.62) 65.8%: with a floor of 14% C1's slip is left to /customers."""
    world("customers")
    frame = queries.run("alerts_customers_slipping", alert_top_share=0.75, alert_min_share=0.14)
    assert list(frame["subject_id"]) == ["C2"]
    frame = queries.run("alerts_customers_slipping", alert_top_share=0.75, alert_min_share=0.13)
    assert list(frame["subject_id"]) == ["C1", "C2"]


def test_customers_slipping_counts_purchase_days_before_the_two_years(world):
    """As of 15 March 2025 C4's last 730 days (from 16 March 2023) hold only its purchases of
    April-June 2023 (3), yet it bought monthly from July 2022: 12 purchase days, enough for the
    gap rule (4). 653 days since 1 June 2023 over max(3 × 31, 60) = 93 (usual interval: the
    median of 31, 31, 30, 31, 30, 31, 31, 28, 31, 30, 31), a gap (however stale, with a memory
    of 3650 days); its normal quarter is 0 (no floor here)."""
    world("customers")
    frame = queries.run("alerts_customers_slipping", as_of=D("2025-03-15"), alert_top_share=1.0, alert_min_share=0,
                        alert_fresh_days=3650)
    assert rows(frame[frame["subject_id"] == "C4"], "rule", "severity", "figure", "expected", "expected_high",
                "since", "impact") == [("customer_gap", 2, 653.0, 31.0, 93.0, D("2023-06-02"), 0.0)]


def test_deals_at_risk(world):
    world("deals")
    frame = queries.run("alerts_deals_at_risk", alert_deal_top_share=0.5)
    assert rows(frame, "subject_id", "rule", "severity", "rep_id", "figure", "expected", "expected_low",
                "expected_high", "since", "impact") == [
        ("O1", "deal_stale", 2, "R1", 111.0, 20.0, None, 45.0, D("2024-03-01"), 100000.0),
        ("O6", "deal_marked_down", 2, "R3", 20.0, 50.0, 20.0, None, D("2024-06-15"), 90000.0),
        ("O2", "deal_overdue", 2, "R2", 50.0, 0.0, None, 30.0, D("2024-05-01"), 80000.0),
        ("R3", "coverage_low", 2, "R3", 0.0, 90000.0, 45000.0, None, D("2024-06-01"), 45000.0),
        ("R2", "coverage_low", 2, "R2", 8000.0, 100000.0, 50000.0, None, D("2024-06-01"), 42000.0),
    ]
    # June's target where there is one (R2), else the average of March-May's (R3)
    assert list(frame["measure"].iloc[3:]) == ["recent_target", "contract_amount"]
    # days in the current stage at the month-ends of July 2023 - May 2024 and on 20 June: O1
    # entered 方案报价 on 1 March, O6 on 15 June, O2 初步接洽 on 10 June; a rep's contract
    # amount by month: R3 signed K1 in January, R2 nothing
    sparks = dict(zip(frame["subject_id"], frame["sparkline"].map(list), strict=True))
    assert sparks == {"O1": [0.0] * 8 + [30.0, 60.0, 91.0, 111.0], "O6": [0.0] * 11 + [5.0],
                      "O2": [0.0] * 11 + [10.0], "R2": [0.0] * 12, "R3": [0.0] * 6 + [1000.0] + [0.0] * 5}


def test_a_tie_at_the_edge_of_the_large_deals(world):
    """Large = competition rank within ceil(share × open deals). With O3 raised to O2's 80000 the
    five open deals rank O1 1, O6 2, O2 and O3 3: a share of 0.5 (3 deals) takes both tied ones,
    and O3, in 方案报价 since 11 January (161 days, over twice the stage's median), is stale; a
    share of 0.4 (2 deals) takes neither, 0.1 (1 deal) O1 alone."""
    world("deals_tie")
    deals = queries.run("alerts_deals_at_risk", alert_deal_top_share=0.5)
    assert rows(deals[deals["subject_type"] == "opportunity"], "subject_id", "rule", "figure") == [
        ("O1", "deal_stale", 111.0), ("O6", "deal_marked_down", 20.0), ("O2", "deal_overdue", 50.0),
        ("O3", "deal_stale", 161.0)]
    for share, expected in ((0.4, ["O1", "O6"]), (0.1, ["O1"]), (0.0, [])):
        deals = queries.run("alerts_deals_at_risk", alert_deal_top_share=share)
        assert list(deals.loc[deals["subject_type"] == "opportunity", "subject_id"]) == expected


def test_coverage_without_a_target_for_the_month(world):
    """The page says which target a coverage warning holds the rep to; before day 10 of a
    month (here 8 June: 8 days elapsed) there is no month to judge."""
    world("deals")
    frame = queries.run("alerts", alert_deal_top_share=0.5)
    sentences = [page.warning_sentence(r, "en") for r in frame.to_dict("records") if r["rule"] == "coverage_low"]
    assert sentences == [
        "王强: this month's forecast ¥0 (signed so far and weighted pipeline due by month-end), under ¥45,000 "
        "(50.0% of ¥90,000, the average of their last three monthly targets: this month has none yet).",
        "李娜: this month's forecast ¥8,000 (signed so far and weighted pipeline due by month-end), under "
        "¥50,000 (50.0% of the target ¥100,000)."]
    early = queries.run("alerts_deals_at_risk", alert_deal_top_share=0.5, as_of=D("2024-06-08"))
    assert "coverage_low" not in set(early["rule"])


def test_coverage_only_when_material(world):
    """June's targets in scope add up to 290000 (R1 100000, R2 100000, R3's 90000): with a
    floor of 15% (43500), R3's shortfall of 45000 is news, R2's 42000 is not."""
    world("deals")
    frame = queries.run("alerts_deals_at_risk", alert_min_share=0.15)
    assert rows(frame[frame["rule"] == "coverage_low"], "subject_id", "impact") == [("R3", 45000.0)]


def test_stock_short_over_and_cost_jump(world):
    """With every product counted as a regular seller (one sale day) and overstock from
    10000 on: the three warnings of the world's header."""
    world("stock")
    frame = queries.run("alerts_stock", alert_regular_days=1, alert_over_min_value=10_000)
    assert rows(frame, "subject_id", "rule", "severity", "figure", "expected", "expected_high", "since",
                "impact", "on_hand", "stock_value") == [
        ("P2", "stock_over", 3, None, None, 180.0, D("2023-02-02"), 16000.0, 40.0, 16000.0),
        ("P3", "cost_jump", 2, 130.0, 100.0, 120.0, D("2024-04-22"), 180.0, 9.0, 1170.0),
        ("P1", "stock_short", 2, 0.91, None, 180.0, D("2024-03-23"), 12.0, 1.0, 10.0),
    ]


def test_stock_judges_regular_sellers_and_material_overstock(world):
    """With the defaults: P1 sold on 3 days of the window (1 April, 1 May, 1 June) and P3 on
    one (15 May) are not regular sellers (12 days): P1's shortage and P3's cost rise are not
    judged; P2's idle 16000 is under 100000. From 3 sale days on P1 is judged again, P3
    still not."""
    world("stock")
    assert queries.run("alerts_stock").empty
    frame = queries.run("alerts_stock", alert_regular_days=3)
    assert rows(frame, "subject_id", "rule") == [("P1", "stock_short")]


def test_collection(world):
    world("collection")
    frame = queries.run("alerts_collection")
    assert rows(frame, "subject_type", "subject_id", "rule", "severity", "figure", "expected", "expected_high",
                "since", "impact") == [
        ("customer", "C1", "overdue_growing", 3, 900000.0, 600000.0, 720000.0, D("2024-05-20"), 600000.0),
        ("team", "T1", "overdue_growing", 3, 1000000.0, 700000.0, 840000.0, D("2024-05-20"), 600000.0),
        ("team", "T2", "overdue_growing", 3, 900000.0, 600000.0, 720000.0, D("2024-05-20"), 600000.0),
        ("company", "company", "aged_share_rising", 2, 0.1, 0.0, 0.05, D("2024-05-20"), 100000.0),
        ("team", "T1", "aged_share_rising", 2, 0.1, 0.0, 0.05, D("2024-05-20"), 100000.0),
    ]
    assert list(frame["sparkline"].iloc[0]) == [300000.0, 600000.0, 900000.0]


def test_a_customers_overdue_growth_must_be_material(world):
    """All overdue on 20 June is 1000000 (C1 900000, C2 100000); C1's grew 600000 since 20
    April: with a floor of 70% (700000) only the teams carrying it are warned about."""
    world("collection")
    frame = queries.run("alerts_collection", alert_min_share=0.7)
    assert rows(frame[frame["rule"] == "overdue_growing"], "subject_type", "subject_id") == [
        ("team", "T1"), ("team", "T2")]


def test_collection_follows_the_viewers_scope(world, monkeypatch):
    """A rep sees their own warnings: R3 only has C2, never growing, and its 100000 overdue is
    under the 200000 that makes a warning; from 50000 on, all of R3's overdue turned 90+ days
    late."""
    world("collection")
    assert queries.run("alerts_collection", scope=Scope(reps=("R3",))).empty
    monkeypatch.setenv("CRM_ALERT_OVERDUE_MIN", "50000")
    frame = queries.run("alerts_collection", scope=Scope(reps=("R3",)))
    assert rows(frame, "subject_id", "rule", "figure", "expected") == [
        ("company", "aged_share_rising", 1.0, 0.0), ("T1", "aged_share_rising", 1.0, 0.0)]


def test_effort(world, monkeypatch):
    world("effort")
    monkeypatch.setenv("CRM_ALERT_POOL_BULK", "2")
    frame = queries.run("alerts_effort")
    assert rows(frame, "subject_id", "rule", "severity", "figure", "expected", "expected_low", "expected_high",
                "since", "impact") == [
        ("R1", "followups_drop", 2, 1.0, 15.5, 1.72, None, D("2024-05-22"), 14.5),
        ("R3", "pool_returns", 2, 2.0, None, None, 2.0, D("2024-06-21"), 2.0),
    ]
    assert list(frame["sparkline"].iloc[0]) == [30.0] * 6 + [1.0]
    monkeypatch.setenv("CRM_ALERT_POOL_BULK", "3")
    assert list(queries.run("alerts_effort")["rule"]) == ["followups_drop"]


def test_a_drop_in_follow_ups_must_beat_chance(world):
    """R1 with six follow-ups in the last 30 days: the company moved from 60 to 36 per 30
    days, so R1's usual is 30 × 36/60 = 18; six is 67% down (more than 40%), but within the
    count's chance noise: 18 − 3.5 × √18 = 3.15. No warning; with a band of k = 2
    (18 − 2 × √18 = 9.51) the drop shows."""
    world("effort_six")
    assert queries.run("alerts_effort").empty
    frame = queries.run("alerts_effort", alert_band_k=2.0)
    assert rows(frame, "subject_id", "rule", "figure", "expected", "expected_low") == [
        ("R1", "followups_drop", 6.0, 18.0, 9.51)]


# --- the union, the command line ------------------------------------------------------------

COLUMNS = ["kind", "rule", "severity", "subject_type", "subject_id", "subject_name", "rep_id", "rep_name",
           "measure", "figure", "expected", "expected_low", "expected_high", "since", "gap", "impact",
           "sparkline", "last_follow_up", "period_start", "month_to_date", "link"]


def test_alerts_unions_every_kind_in_one_shape(world):
    world("course")
    frame = queries.run("alerts")
    assert list(frame.columns) == COLUMNS
    assert rows(frame, "kind", "subject_id", "link") == [
        ("revenue_course", "R1", "/revenue?rep=R1&measure=contract_amount&bucket=month"),
        ("revenue_course", "T1", "/revenue?team=T1&measure=contract_amount&bucket=month"),
        ("revenue_course", "T2", "/revenue?team=T2&measure=contract_amount&bucket=month"),
        ("revenue_course", "company", "/revenue?measure=contract_amount&bucket=month"),
    ]  # one severity, since and impact: by subject id
    world("collection")
    frame = queries.run("alerts")
    assert list(frame["kind"]) == ["collection"] * 5
    assert frame.loc[frame["subject_id"] == "C1", "link"].item() == "/customer/C1"


def test_cli_writes_the_warning_list(world, capsys):
    world("collection")
    assert cli(["run", "alerts", "preset=this_year", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [(r["subject_id"], r["rule"]) for r in records] == [
        ("C1", "overdue_growing"), ("T1", "overdue_growing"), ("T2", "overdue_growing"),
        ("T1", "aged_share_rising"), ("company", "aged_share_rising")]
    assert records[0]["since"].startswith("2024-05-20")
    assert cli(["run", "alerts", "rep=R1", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert len(lines) == 4  # R1's book: C1, T1 and T2 growing; the sparkline as one JSON array
    assert lines[1].startswith("collection,overdue_growing,3,customer,C1,上海恒信贸易,R1,张伟,overdue,900000.0,")
    assert '"[300000.0, 600000.0, 900000.0]"' in lines[1]


# --- the page and the overview block --------------------------------------------------------

def test_top_warnings_spread_over_the_kinds():
    frame = pd.DataFrame({"kind": ["revenue_course"] * 3 + ["stock"] * 2 + ["effort"],
                          "severity": [3, 3, 1, 3, 2, 2], "subject_id": list("abcdef")})
    assert list(page.top_warnings(frame)["subject_id"]) == ["a", "d", "b", "f", "e"]
    assert list(page.top_warnings(frame, 2)["subject_id"]) == ["a", "d"]


def test_spark_text():
    assert page.spark_text([0, 7, 3.5]) == "▁█▅"
    assert page.spark_text([2, 2]) == "▄▄"
    assert page.spark_text(None) == "" and page.spark_text([float("nan")]) == ""


def _text(component) -> str:
    """Every string inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return str(component)
    if isinstance(component, list | tuple):
        return " ".join(_text(c) for c in component)
    return _text(getattr(component, "children", None))


def test_page_lists_warnings_by_kind_with_rule_and_links(world):
    world("collection")
    layout = page.layout()
    assert {"page-query", "alerts-intro", "alerts-list", "alerts-rules"} <= _ids(layout)
    intro, children, rules = page.update.__wrapped__({})
    assert "2024-06-20" in intro
    summary, *sections = children
    assert _text(summary) == t("alerts.summary", "zh-CN", n=5, high=3, medium=2, low=0)
    assert [s.id for s in sections] == [f"alerts-kind-{k}" for k in page.KINDS]
    collection = _text(sections[4])
    assert "上海恒信贸易：逾期应收 ¥90.00万，一个月前为 ¥60.00万，持续增长。" in collection
    assert "负责人：张伟" in collection and "自 2024-05-20 起" in collection and "▁▅█" in collection
    assert "nan" not in collection  # a team's warning has no owner line
    hrefs = _hrefs(sections[4])
    assert "/customer/C1" in hrefs and "/receivables?team=T1" in hrefs
    # an empty kind says what it checked; the rules carry the thresholds in force
    assert t("alerts.kind_empty", "zh-CN", rule="").split("。")[0] in _text(sections[0])
    assert "¥20.00万" in _text(rules) and "CRM_ALERT_" in _text(rules)


def test_page_in_english_and_with_no_warnings(world, monkeypatch):
    world("course")
    monkeypatch.setenv("CRM_ALERT_BAND_K", "10")  # no band breaks... except a zero-width one
    monkeypatch.setattr(page, "current_lang", lambda: "en")
    _, children, _ = page.update.__wrapped__({})
    text = _text(children)
    assert ("The company: Contract amount 2024-05 ¥400, below the expected band ¥1,000–¥1,000 (expected "
            "¥1,000). It takes ¥600 more to get back into the band.") in text
    world("deals")  # deals only, with the default top 5%: O1 alone is large, and stale; R2 and R3 short
    _, children, _ = page.update.__wrapped__({})
    assert _text(children[0]) == "Warnings: 3 (0 high, 3 medium, 0 opportunities)"
    assert "▁▁▁▁▁▁▁▁▃▅▇█" in _text(children[3])  # O1's days in its stage, month by month
    world("effort")  # R1's drop needs a 99% fall now, and R3's 2 returns are under 10
    monkeypatch.setenv("CRM_ALERT_EFFORT_DROP", "0.99")
    _, children, rules = page.update.__wrapped__({})
    assert _text(children[0]) == t("alerts.none", "en")
    assert _text(children[6]).startswith("Effort 0 Nothing to report: A rep's follow-ups in the last 30 days "
                                         "down more than 99.0%")
    assert "10 or more of a rep's customers" in _text(rules)


def test_overview_says_what_changed(world, monkeypatch):
    world("collection")
    block = overview.update_changes.__wrapped__({"rep": "R1"})
    text = _text(block)
    assert text.count("逾期应收") == 3  # R1's book: C1, T1 and T2 (the same 900000), no 90+ share
    assert _hrefs(block) == ["/alerts?rep=R1"]
    world("stock")
    monkeypatch.setenv("CRM_ALERT_REGULAR_DAYS", "1")
    monkeypatch.setenv("CRM_ALERT_OVER_MIN_VALUE", "10000")
    assert len(overview.update_changes.__wrapped__({})[0].children) == 3


def _ids(component) -> set:
    out = set()
    if isinstance(component, list | tuple):
        for c in component:
            out |= _ids(c)
    elif component is not None and not isinstance(component, str | int | float):
        if getattr(component, "id", None):
            out.add(component.id)
        out |= _ids(getattr(component, "children", None))
    return out


def _hrefs(component) -> list:
    out = []
    if isinstance(component, list | tuple):
        for c in component:
            out += _hrefs(c)
    elif component is not None and not isinstance(component, str | int | float):
        if getattr(component, "href", None):
            out.append(component.href)
        out += _hrefs(getattr(component, "children", None))
    return out


def test_team_members_take_sub_teams_at_any_depth(warehouse):
    """The shared fixture: T4 under T2 under T1, T3 under T1; R2 sits in T4."""
    frame = queries.run("alerts_team_members")
    assert rows(frame, "team_id", "rep_id") == [
        ("T1", "R1"), ("T1", "R2"), ("T1", "R3"), ("T1", "R4"), ("T2", "R1"), ("T2", "R2"),
        ("T3", "R3"), ("T3", "R4"), ("T4", "R2")]
    narrowed = queries.run("alerts_team_members", queries.parse_filters("team=T2"))
    assert rows(narrowed, "team_id", "rep_id") == [("T2", "R1"), ("T2", "R2"), ("T4", "R2")]


@pytest.mark.parametrize("name", ["course", "customers", "deals", "stock", "collection", "effort"])
def test_kinds_run_apart_give_the_one_statement_answer(world, monkeypatch, name):
    """The gateway runs the six kinds apart, two at a time, and the union reads their Arrow
    results (queries.APART): value for value and type for type the one statement's frame."""
    world(name)
    params = {"alert_deal_top_share": 0.5, "alert_regular_days": 1, "alert_over_min_value": 10_000}
    apart = queries.run("alerts", **params)
    assert not apart.empty
    monkeypatch.setattr(queries, "APART", frozenset())
    queries.clear_cache()
    pd.testing.assert_frame_equal(apart, queries.run("alerts", **params))


def test_the_union_reads_only_the_kinds():
    """Run apart, the union's own text is run alone: it may read nothing but the six kinds."""
    body = queries._body(queries._read("alerts"))
    assert queries._relations_read(queries._prelude(), body) == ()
    assert set(queries._mentioned(body)) == {f"alerts_{kind}" for kind in page.KINDS}
