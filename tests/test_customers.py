"""Customer value on the fixture and on hand-built sets: every answer worked out by hand
(METRICS.md "Customer value"), then the page callbacks called directly."""

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go
import pytest

from components.grid import customer_href
from data.serving import build_serving
from queries import Scope, run, sections
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, plain

EXTRA_SQL = Path(__file__).with_name("fixtures").joinpath("customers.sql")


def params(method="fifo"):
    from pages.customers import value_params

    return value_params({"method": method})


def month(year, m, last):
    return Filters(preset="custom", start=date(year, m, 1), end=date(year, m, last))


def generated_sets() -> str:
    """June 2021: 1000 customers X0001..X1000 with distinct amounts 10 × i.
    August 2021: 50 customers Z01..Z50, amounts 5000, 5000, 3000, 3000, then 2000 - 10 i:
    ties at the VIP (positions 1/2) and the major (3/4) boundaries, broken by id."""
    customers, contracts, items = [], [], []
    amounts = [(f"X{i:04d}", "2021-06-15", 10 * i) for i in range(1, 1001)]
    z = [5000, 5000, 3000, 3000] + [2000 - 10 * i for i in range(5, 51)]
    amounts += [(f"Z{i:02d}", "2021-08-15", a) for i, a in enumerate(z, 1)]
    for n, (cid, signed, amount) in enumerate(amounts, 1):
        customers.append(f"('{cid}', '{cid}', '2021-01-01', 'agent', 'R1', null, '华东', null, null, null)")
        contracts.append(f"('KG{n:04d}', '{cid}', 'R1', '{signed}', {amount}, 'active', null, null)")
        items.append(f"('KG{n:04d}', 1, 'P3', 1, {amount}, {amount})")
    return (
        "\ninsert into customers (customer_id, name, created_at, type, owner_rep_id, industry, region, city, source,"
        " level) values " + ", ".join(customers) + ";\n"
        "insert into contracts (contract_id, customer_id, rep_id, signed_on, amount, status, opportunity_id, ends_on)"
        " values " + ", ".join(contracts) + ";\n"
        "insert into contract_items (contract_id, line_no, product_id, quantity, unit_price, amount) values "
        + ", ".join(items) + ";\n"
    )


@pytest.fixture(scope="module")
def sets_warehouse(tmp_path_factory):
    return build_fixture(tmp_path_factory.mktemp("cust") / "sets.duckdb",
                         FIXTURE_SQL.read_text() + EXTRA_SQL.read_text() + generated_sets())


@pytest.fixture
def sets(sets_warehouse, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(sets_warehouse))


# Hand-set COGS for this year's lines (the costing engine is another branch's; the
# build leaves cost_of_sales empty here, so the test writes it after the build):
# fifo: K06 600 + 200 (C4 margin 1500 - 800 = 700), K07 200 + 100 (C1: 700 - 300 = 400),
# K08 300 - 60 (C5: 400 - 240 = 160); K10 (C6, 600) has no fifo row: uncosted.
# moving_average: only K10, 250 (C6: 600 - 250 = 350).
COGS = [("K06", 1, "P1", "fifo", 10, 600), ("K06", 2, "P2", "fifo", 1, 200), ("K07", 1, "P2", "fifo", 1, 200),
        ("K07", 2, "P3", "fifo", 1, 100), ("K08", 1, "P1", "fifo", 5, 300), ("K08", 2, "P1", "fifo", -1, -60),
        ("K10", 1, "P3", "moving_average", 3, 250)]


@pytest.fixture(scope="module")
def costed_warehouse(tmp_path_factory):
    path = build_fixture(tmp_path_factory.mktemp("cust") / "costed.duckdb")
    con = duckdb.connect(str(path))
    con.execute("delete from cost_of_sales")
    con.executemany("insert into cost_of_sales values (?, ?, ?, ?, ?, ?, 0)", COGS)
    build_serving(con)  # the serving layer carries the COGS: re-derive it, as a build would
    con.close()
    return path


@pytest.fixture
def costed(costed_warehouse, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(costed_warehouse))


def value(filters=None, method="fifo"):
    return run("customer_value", filters or Filters(), **params(method)).set_index("customer_id")


# --- the segment map ---------------------------------------------------------------------

def test_segment_of_each_of_the_25_cells(warehouse):
    cells = run("customer_segment_map").set_index(["r_score", "f_score"])["segment"]
    expected = {  # rows R1..R5, columns F1..F5, straight from METRICS.md
        1: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
        2: ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"],
        3: ["about_to_sleep", "about_to_sleep", "need_attention", "loyal", "loyal"],
        4: ["promising", "potential_loyalist", "potential_loyalist", "loyal", "loyal"],
        5: ["new", "potential_loyalist", "potential_loyalist", "champions", "champions"],
    }
    assert {r: [cells[(r, f)] for f in range(1, 6)] for r in range(1, 6)} == expected


# --- the fixture, this year (2024-01-01..2024-03-15, 75 days) --------------------------

def test_fixture_tiers_abc_and_rfm(warehouse):
    v = value()
    # C4 1500, C1 700, C6 600, C5 400: n = 4, VIP = ceil(0.04) = 1, major and normal
    # reach ceil(0.2) = ceil(0.8) = 1 too, so they are empty; the rest are small
    assert v["position"].sort_values().index.tolist() == ["C4", "C1", "C6", "C5"]
    assert v["tier"].to_dict() == {"C4": "vip", "C1": "small", "C6": "small", "C5": "small"}
    # ABC: prev 0, 1500, 2200 < 0.8 × 3200 = 2560 -> A; 2800 < 3040 -> B
    assert v["abc_class"].to_dict() == {"C4": "A", "C1": "A", "C6": "A", "C5": "B"}
    # recency to 15 March: C6 34 days, C4 15, C1 14, C5 0 -> ranks 1..4, 1 + 5(rank-1)//4
    assert v["recency_days"].to_dict() == {"C4": 15, "C1": 14, "C6": 34, "C5": 0}
    assert v["r_score"].to_dict() == {"C6": 1, "C4": 2, "C1": 3, "C5": 4}
    assert set(v["f_score"]) == {1}  # one contract each: a tie, all F1
    assert v["m_score"].to_dict() == {"C5": 1, "C6": 2, "C1": 3, "C4": 4}
    assert v["segment"].to_dict() == {"C6": "hibernating", "C4": "hibernating", "C1": "about_to_sleep",
                                      "C5": "promising"}
    assert v.loc["C4", "rfm"] == "2-1-4"


def test_fixture_scores_over_three_years_with_tied_contract_counts(warehouse):
    v = value(Filters(preset="custom", start=date(2022, 1, 1), end=date(2024, 12, 31)))
    # n = 6; contracts C1 3, C2 2, C3..C6 1: F rank 1 (four tied), 5, 6 -> 1 + 5(rank-1)//6
    assert v["contracts"].to_dict() == {"C1": 3, "C2": 2, "C3": 1, "C4": 1, "C5": 1, "C6": 1}
    assert v["f_score"].to_dict() == {"C1": 5, "C2": 4, "C3": 1, "C4": 1, "C5": 1, "C6": 1}
    # last days C3 2023-03-20, C2 2023-11-05, C6 2024-02-10, C4 02-29, C1 03-01, C5 03-15:
    # recency ranks 1..6 -> 1, 1, 2, 3, 4, 5
    assert v["r_score"].to_dict() == {"C3": 1, "C2": 1, "C6": 2, "C4": 3, "C1": 4, "C5": 5}


def test_margin_needs_every_line_costed(warehouse):
    # FIFO on the fixture (the build's costing engine): P1 receipts 20@60 then 20@70; K01 10,
    # K04 3, K05 4 at 60 leave 3@60, so K06's 10 units cost 3×60 + 7×70 = 670 and its P2 unit
    # 200: C4 margin = 1500 - 870 = 630. K08 (C5): 5@70 = 350, the return of 1 re-enters at
    # C5's own issue cost 70: COGS 280, margin 400 - 280 = 120. C1 (K07) and C6 (K10) bought
    # P3, which has no receipts: uncosted, so no margin and no CLV (never margin = revenue).
    v = value()
    assert v["margin"].to_dict() == pytest.approx({"C4": 630, "C5": 120, "C1": float("nan"), "C6": float("nan")},
                                                  nan_ok=True)
    assert v.loc["C1", "uncosted_revenue"] == 200 and v.loc["C6", "uncosted_revenue"] == 600
    assert v["clv"].isna().tolist() == [v.index[i] in ("C1", "C6") for i in range(len(v))]
    # CLV C4: aov 1500 × (1 order × 365 / 75 days) × 42% margin × 10 years (churn floored)
    assert v.loc["C4", "clv"] == pytest.approx(1500 * 365 / 75 * 0.42 * 10)
    tiers = run("customer_groups", Filters(), group="tier", **params()).set_index("group_key")
    assert tiers.loc["vip", "margin"] == 630 and pd.isna(tiers.loc["small", "margin"])
    assert tiers["total_uncosted_revenue"].iloc[0] == 800


def test_pyramid_groups_and_inactive(warehouse):
    tiers = run("customer_groups", Filters(), group="tier", **params()).set_index("group_key")
    assert tiers.index.tolist() == ["vip", "major", "normal", "small", "inactive"]
    assert tiers["customers"].tolist() == [1, 0, 0, 3, 2]  # inactive: C2 and C3 (type customer, no 2024 purchase)
    assert tiers.loc["vip", "revenue_share"] == pytest.approx(1500 / 3200)
    assert tiers.loc["small", "revenue"] == 1700 and tiers.loc["small", "orders"] == 3
    assert tiers.loc["small", "aov"] == pytest.approx(1700 / 3)
    assert pd.isna(tiers.loc["major", "aov"]) and tiers.loc["major", "revenue"] == 0
    assert pd.isna(tiers.loc["inactive", "customer_share"])


def test_pareto_share(warehouse):
    lorenz = run("customer_lorenz", Filters(), **params()).set_index("pct")
    # top ceil(20% × 4) = 1 customer: C4 1500 of 3200
    assert lorenz.loc[20, ["customers", "n"]].tolist() == [1, 4]
    assert lorenz.loc[20, "revenue_share"] == pytest.approx(0.46875)
    # ceil(50% × 4) = 2: C4 + C1 = 2200; p = 0 is the origin, p = 100 everything
    assert lorenz.loc[50, "revenue_share"] == pytest.approx(2200 / 3200)
    assert lorenz.loc[0, ["customers", "revenue_share"]].tolist() == [0, 0]
    assert lorenz.loc[100, "revenue_share"] == pytest.approx(1)


def test_churn_zero_is_floored(warehouse):
    churn = run("customer_churn", Filters()).iloc[0]
    # bought 16 Mar 2022 - 15 Mar 2023: C1, C2; both bought again in the last twelve months
    assert churn[["buyers_before", "churned", "churn"]].tolist() == [2, 0, 0]
    assert churn["churn_used"] == pytest.approx(0.1) and churn["lifespan_years"] == pytest.approx(10)


def test_churn_unknown_without_a_year_before(warehouse):
    churn = run("customer_churn", month(2022, 6, 30)).iloc[0]
    assert churn["buyers_before"] == 0 and pd.isna(churn["churn"]) and pd.isna(churn["lifespan_years"])


def test_tier_moves_against_the_previous_period(warehouse):
    moves = run("customer_tier_moves", Filters()).set_index(["prev_tier", "tier"])
    # previous = 1 Jan - 15 Mar 2023: C1 3000 (VIP of 2), C2 500 (small)
    # now: C4 VIP, C1 / C6 / C5 small
    assert moves["customers"][moves["customers"] > 0].to_dict() == {
        ("vip", "small"): 1, ("small", "none"): 1, ("none", "vip"): 1, ("none", "small"): 2}
    totals = moves.drop_duplicates("direction").set_index("direction")["direction_total"].to_dict()
    assert totals == {"same": 0, "down": 1, "left": 1, "up": 0, "new": 3}
    assert len(moves) == 24


# --- margin and CLV with hand-set COGS ---------------------------------------------------

def test_margin_by_method_and_clv(costed):
    v = value()
    assert v.loc[["C4", "C1", "C5"], "margin"].tolist() == [700, 400, 160] and pd.isna(v.loc["C6", "margin"])
    assert v.loc["C6", "uncosted_revenue"] == 600
    # CLV C4 = aov 1500 × orders/yr (1 × 365 / 75) × margin % (700 / 1500) × lifespan 10
    #        = 700 × 365 / 75 × 10 = 34066.67
    assert v.loc["C4", "clv"] == pytest.approx(700 * 365 / 75 * 10)
    assert pd.isna(v.loc["C6", "clv"])
    tiers = run("customer_groups", Filters(), group="tier", **params()).set_index("group_key")
    assert tiers.loc["vip", "margin"] == 700 and tiers.loc["vip", "margin_pct"] == pytest.approx(700 / 1500)
    assert tiers.loc["vip", "clv"] == pytest.approx(34066.6667)
    # small holds C6 (no COGS): its margin and CLV stay unknown, never the revenue
    assert pd.isna(tiers.loc["small", "margin"]) and pd.isna(tiers.loc["small", "clv"])
    assert tiers.loc["small", "uncosted_revenue"] == 600
    moving = value(method="moving_average")
    assert moving.loc["C6", "margin"] == 350 and moving["margin"].isna().sum() == 3


def test_group_clv_equals_the_formula_on_group_totals(costed):
    segments = run("customer_groups", Filters(), group="segment", **params()).set_index("group_key")
    # promising = C5 alone: 400 revenue, margin 160: 160 × 365 / 75 × 10
    assert segments.loc["promising", "clv"] == pytest.approx(160 * 365 / 75 * 10)
    # hibernating = C4 (margin 700) and C6 (none): unknown
    assert pd.isna(segments.loc["hibernating", "clv"]) and segments.loc["hibernating", "customers"] == 2
    assert segments["customers"].sum() == 4 and len(segments) == 10


# --- hand-built sets ---------------------------------------------------------------------

def test_pyramid_of_1000_customers(sets):
    v = value(month(2021, 6, 30))
    assert len(v) == 1000
    assert v.groupby("tier").size().to_dict() == {"vip": 10, "major": 40, "normal": 150, "small": 800}
    # distinct amounts 10 × i: the largest are X1000..X0991
    assert sorted(v.index[v["tier"] == "vip"]) == [f"X{i:04d}" for i in range(991, 1001)]
    assert v.loc["X0951", "tier"] == "major" and v.loc["X0950", "tier"] == "normal"
    lorenz = run("customer_lorenz", month(2021, 6, 30), **params()).set_index("pct")
    # top 200 = X0801..X1000: 10 × (801 + ... + 1000) = 1,801,000 of 10 × 500,500
    assert lorenz.loc[20, "revenue_share"] == pytest.approx(1_801_000 / 5_005_000)


def test_pyramid_of_7_and_abc_vector(sets):
    v = value(month(2021, 7, 31)).sort_values("position")
    # n = 7: VIP ceil(0.07) = 1, major ceil(0.35) = 1 (empty), normal ceil(1.4) = 2, small 5
    assert v["tier"].tolist() == ["vip", "normal", "small", "small", "small", "small", "small"]
    # 500, 200, 120, 80, 50, 30, 20 -> prev 0, 500, 700, 820, 900, 950, 980 of 1000
    assert v["amount"].tolist() == [500, 200, 120, 80, 50, 30, 20]
    assert v["abc_class"].tolist() == ["A", "A", "A", "B", "B", "C", "C"]
    abc = run("customer_groups", month(2021, 7, 31), group="abc", **params()).set_index("group_key")
    assert abc["customers"].tolist() == [3, 2, 2]
    assert abc["revenue_share"].tolist() == pytest.approx([0.82, 0.13, 0.05])


def test_pyramid_of_50_with_ties_at_the_boundaries(sets):
    v = value(month(2021, 8, 31))
    # n = 50: VIP ceil(0.5) = 1, major ceil(2.5) = 3, normal ceil(10) = 10
    assert v.groupby("tier").size().to_dict() == {"vip": 1, "major": 2, "normal": 7, "small": 40}
    # Z01 and Z02 tie at 5000, Z03 and Z04 at 3000: the lower id is ranked first
    assert v.loc[["Z01", "Z02", "Z03", "Z04"], "tier"].tolist() == ["vip", "major", "major", "normal"]
    assert v.loc[["Z01", "Z02", "Z03", "Z04"], "position"].tolist() == [1, 2, 3, 4]


def test_rfm_scores_with_ties(sets):
    v = value(month(2021, 9, 30)).sort_index()
    # monetary 100,100,100,200,300,300,400,500,500,1000: ranks 1,1,1,4,5,5,7,8,8,10 of 10
    # -> 1 + 5(rank-1)//10 = 1,1,1,2,3,3,4,4,4,5 (NTILE would split the ties)
    assert v["m_score"].tolist() == [1, 1, 1, 2, 3, 3, 4, 4, 4, 5]
    # recency 9,9,9,8,7,7,6,5,5,0 days: ranked over the days descending, same scores
    assert v["recency_days"].tolist() == [9, 9, 9, 8, 7, 7, 6, 5, 5, 0]
    assert v["r_score"].tolist() == [1, 1, 1, 2, 3, 3, 4, 4, 4, 5]
    assert set(v["f_score"]) == {1}
    assert v["segment"].tolist() == ["hibernating"] * 4 + ["about_to_sleep"] * 2 + ["promising"] * 3 + ["new"]
    cells = run("customer_groups", month(2021, 9, 30), group="cell", **params()).set_index("group_key")
    assert cells.loc["4-1", ["customers", "revenue"]].tolist() == [3, 1400]
    assert cells["customers"].sum() == 10 and len(cells) == 25


def test_churn_with_a_lost_customer(sets):
    churn = run("customer_churn", Filters()).iloc[0]
    # year before: C1, C2 and C9 (2022-04-01); C9 has not bought since: 1 / 3, lifespan 3
    assert churn[["buyers_before", "churned"]].tolist() == [3, 1]
    assert churn["churn"] == pytest.approx(1 / 3) and churn["lifespan_years"] == pytest.approx(3)


def test_no_purchase_in_the_period_gives_no_value(warehouse):
    profile = run("customer_profile", Filters(), customer_id="C2", **params()).iloc[0]
    # C2 bought in 2023 only: visible, with no tier, RFM or CLV for this year
    assert profile["customer_name"] == "杭州远景科技"
    assert profile[["tier", "segment", "abc_class"]].isna().all() and pd.isna(profile["clv"])


# --- the customer page's queries -------------------------------------------------------

def test_profile_visibility(warehouse):
    c4 = run("customer_profile", Filters(), customer_id="C4", **params()).iloc[0]
    assert (c4["tier"], int(c4["position"]), int(c4["n"]), c4["rfm"]) == ("vip", 1, 4, "2-1-4")
    assert run("customer_profile", Filters(), customer_id="nope", **params()).empty
    assert run("customer_profile", Filters(), customer_id="C1' or '1'='1", **params()).empty
    # a viewer scoped to R3 sees R3's own customers (C3) and those R3 dealt with (C6: K10)
    r3 = Scope(reps=("R3",))
    assert run("customer_profile", Filters(), r3, customer_id="C1", **params()).empty
    assert not run("customer_profile", Filters(), r3, customer_id="C3", **params()).empty
    assert not run("customer_profile", Filters(), r3, customer_id="C6", **params()).empty


def test_payment_plans_against_payments(warehouse):
    c1 = run("customer_payment_plans", Filters(), customer_id="C1").set_index("plan_id")
    # PL01, PL02, PL06 settled by their own payments; PL03 (due 2023-06-01) unpaid:
    # 1000 overdue for 288 days (30 + 31 + 31 + 30 + 31 + 30 + 31 + 31 + 29 + 14)
    assert c1["settled"].tolist() == [1000, 1000, 0, 700]
    assert c1.loc["PL03", ["outstanding", "overdue", "days_overdue"]].tolist() == [1000, 1000, 288]
    assert c1["overdue_total"].iloc[0] == 1000
    c4 = run("customer_payment_plans", Filters(), customer_id="C4").set_index("plan_id")
    # PM04 500 names no plan: it goes to K06's earliest open plan PL04 (1000, due 1 March)
    assert c4.loc["PL04", ["settled", "outstanding", "overdue", "days_overdue"]].tolist() == [500, 500, 500, 14]
    # PL05 is due 1 April, after as_of: outstanding, not overdue
    assert c4.loc["PL05", ["settled", "outstanding", "overdue"]].tolist() == [0, 500, 0]
    assert pd.isna(c4.loc["PL05", "days_overdue"])


def test_contracts_opportunities_and_timeline(warehouse):
    lines = run("customer_contract_lines", Filters(), customer_id="C1")
    # K07 (2024), K03 two lines, K01: newest first
    assert lines[["contract_id", "line_no"]].values.tolist() == [["K07", 1], ["K07", 2], ["K03", 1], ["K03", 2],
                                                                ["K01", 1]]
    opps = run("customer_opportunities", Filters(), customer_id="C1")
    # O1 skipped 需求确认: two stints, the open one 43 days to 15 March
    assert opps["stage"].tolist() == ["初步接洽", "方案报价"]
    assert opps["days"].tolist() == [27, 43]
    assert run("customer_activities", Filters(), customer_id="C1")["activity_id"].tolist() == ["A1"]
    pool = run("customer_pool_events", Filters(), customer_id="C7")
    assert pool[["event", "rep_name"]].values.tolist() == [["claim", "李娜"]]


@pytest.mark.parametrize("query", [{}, {"preset": "custom", "start": "2024-03-01", "end": "2024-03-31"},
                                   {"preset": "custom", "start": "2015-01-01", "end": "2015-01-31"},
                                   {"rep": "R3"}, {"category": "软件"}])
@pytest.mark.parametrize("chosen", [{}, {"tier": "vip"}, {"cell": "1-1"}])
def test_customer_page_sections_are_the_queries(warehouse, query, chosen):
    """customer_page holds exactly what each section's own query gives, typed as the gateway
    types it (an empty section too: a period without purchases)."""
    filters = Filters.from_query(query)
    selection = {"tier": "", "segment": "", "cell": "", **chosen}
    page = sections(run("customer_page", filters, group="all", **selection, limit=3, **params()))
    own = {"groups": run("customer_groups", filters, group="all", **params()),
           "lorenz": run("customer_lorenz", filters), "churn": run("customer_churn", filters),
           "moves": run("customer_tier_moves", filters),
           "listed": run("customer_list", filters, **selection, limit=3, **params())}
    assert page.keys() == own.keys()
    for name, frame in own.items():
        if name == "moves":  # no order promised
            frame, page[name] = (f.sort_values(["prev_tier", "tier"], ignore_index=True) for f in (frame, page[name]))
        pd.testing.assert_frame_equal(page[name], frame, check_dtype=False, check_exact=True)
        assert [str(t).lower()[:3] for t in page[name].dtypes] == [str(t).lower()[:3] for t in frame.dtypes], name


# --- the pages ---------------------------------------------------------------------------

def test_customers_callback_lists_a_tier(warehouse):
    from pages import customers

    out = customers.update.__wrapped__({"tier": "vip"})
    pyramid_fig, tiers_data = go.Figure(out[0]), out[1]
    assert list(pyramid_fig.data[0].customdata) == ["vip", "major", "normal", "small"]
    assert [row[0] for row in tiers_data["data"]] == ["vip", "major", "normal", "small", "inactive"]
    rows = out[13]
    assert [r["customer_id"] for r in rows] == ["C4"]
    assert "VIP" in str(out[16])  # the list says what it shows
    assert "46.9%" in str(out[5])  # the Pareto headline
    assert "—" in str(out[2])  # margin unknown in the tier table
    assert "1 moved down" in str(out[12]) or "1 家降级" in str(out[12])
    everyone = customers.update.__wrapped__({})
    assert [r["customer_id"] for r in everyone[13]] == ["C4", "C1", "C6", "C5"]


def test_selection_and_links_keep_the_filters():
    from pages import customers

    assert customers.select_search("?preset=last_year&cell=5-1", "tier", "vip") == "?preset=last_year&tier=vip"
    assert customers.select_search("?tier=vip&method=moving_average", None, None) == "?method=moving_average"
    assert customers.selection({"segment": "at_risk", "tier": "bogus"}) == ("segment", "at_risk")
    assert customer_href("C 1", {"preset": "last_year", "tier": "vip", "method": "monthly_average"}) == \
        "/customer/C%201?preset=last_year&method=monthly_average"


def test_customer_page_and_not_found(warehouse):
    from pages import customer

    out = plain(customer.update({}, "C4"))
    assert out[0] is None and out[1] is False and out[2] == "苏州新材料"
    assert "VIP" in str(out[4]) and "R2 F1 M4" in str(out[4])
    missing = plain(customer.update({}, "../etc"))
    assert missing[1] is True and "../etc" in str(missing[0])
