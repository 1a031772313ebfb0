"""/receivables on the fixture plus tests/fixtures/acquisition.sql; as_of = 2024-03-15.
Every number worked out by hand in the comments."""

from datetime import date

import pandas as pd
import pytest

from components.grid import customer_href
from queries import run
from queries.filters import Filters
from tests.acquisition_fixture import EXTRA_SQL, acquisition_path, acquisition_warehouse  # noqa: F401  (fixtures)
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract, plain

pytestmark = pytest.mark.usefixtures("acquisition_warehouse")

AS_OF = date(2024, 3, 15)


def overdue(**filters):
    frame = run("receivables_overdue", Filters(**filters), dates=[AS_OF])
    return frame.set_index("plan_id")


def test_settlement_unassigned_partial_and_overpayment():
    o = overdue()
    # K20: PM20 450 without plan_id settles the earliest plan PL20 (300) and 150 of PL21
    assert "PL20" not in o.index
    assert o.loc["PL21", ["settled", "unsettled"]].tolist() == [150, 150]
    assert o.loc["PL22", ["settled", "unsettled"]].tolist() == [0, 300]
    # K21: PM21 500 on PL23 (400) overpays it by 100, which goes to the next plan PL24 (600)
    assert "PL23" not in o.index
    assert o.loc["PL24", ["settled", "unsettled"]].tolist() == [100, 500]
    # K06: PM04 500 without plan_id goes to PL04 (1000, due 1 March): partly settled
    assert o.loc["PL04", ["amount", "settled", "unsettled", "days_late"]].tolist() == [1000, 500, 500, 14]
    # K02: PM02 pays 200 of PL07's 500
    assert o.loc["PL07", "unsettled"] == 300
    # PL06 (K07, due on as_of) is fully paid by PM05: not overdue; PL37 (20 March) is not due
    assert "PL06" not in o.index and "PL37" not in o.index


def test_aging_boundaries_and_a_plan_due_on_as_of():
    o = overdue()
    # K22's unpaid plans, due 30/31, 60/61, 90/91 days before 15 March 2024 and on it; a plan
    # is overdue from the day after its due date (issue #16: PL36, due on as_of, is not)
    assert "PL36" not in o.index
    expected = {"PL30": (30, "1-30"), "PL31": (31, "31-60"), "PL32": (60, "31-60"),
                "PL33": (61, "61-90"), "PL34": (90, "61-90"), "PL35": (91, "90+")}
    for plan, (days, bucket) in expected.items():
        assert tuple(o.loc[plan, ["days_late", "bucket"]]) == (days, bucket), plan
    # per bucket: 1-30: PL04 500 + PL30 100; 31-60: PL31 + PL32; 61-90: PL33 + PL34;
    # 90+: PL07 300 + PL03 1000 + PL21 150 + PL22 300 + PL24 500 + PL35 100
    assert o.groupby("bucket")["unsettled"].sum().to_dict() == {"1-30": 600, "31-60": 200, "61-90": 200,
                                                                 "90+": 2350}
    # ordered by days late, most first
    assert o.index[:3].tolist() == ["PL07", "PL03", "PL21"]


def test_overdue_as_of_several_dates():
    frame = run("receivables_overdue", Filters(), dates=[date(2023, 3, 15), date(2023, 7, 1)])
    by_date = frame.groupby(frame["as_of_date"].dt.date)["unsettled"].sum().to_dict()
    # 15 March 2023: PL07 500 - PM02 200. 1 July 2023: PL07 300 + PL03 1000; PL20 300 is due
    # that very day, so not yet overdue (issue #16: overdue from the day after the due date)
    assert by_date == {date(2023, 3, 15): 300, date(2023, 7, 1): 1300}


def test_one_date_gives_the_rows_of_that_date_among_several(tmp_path, monkeypatch):
    # one date (the page's state date) reads the states without a join with the dates: the
    # same rows as that date's among several. PL90 (800, due 10 January 2024) is paid 300 on
    # 20 February, late: on 1 February it is 22 days late with 800 unsettled (its state from
    # 20 February does not hold yet), on 15 March 65 days late with 500.
    late = (extra_contract("K90", "C4", "R1", "2023-12-20", 800)
            + "insert into payment_plans (plan_id, contract_id, due_on, amount) values "
              "('PL90', 'K90', '2024-01-10', 800);\n"
            + "insert into payments (payment_id, contract_id, paid_on, amount, plan_id, method) values "
              "('PM90', 'K90', '2024-02-20', 300, 'PL90', '转账');\n")
    path = build_fixture(tmp_path / "late.duckdb", FIXTURE_SQL.read_text() + EXTRA_SQL.read_text() + late)
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    days = [date(2023, 3, 31), date(2023, 12, 31), date(2024, 2, 1), AS_OF, date(2024, 6, 30)]
    together = run("receivables_overdue_states", Filters(), dates=days)
    for day in days:
        alone = run("receivables_overdue_states", Filters(), dates=[day])
        expected = together[together["as_of_date"] == pd.Timestamp(day)].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, expected)
    pl90 = together[together["plan_id"] == "PL90"]
    assert pl90[["as_of_date", "unsettled", "days_late"]].values.tolist() == [
        [pd.Timestamp(2024, 2, 1), 800, 22], [pd.Timestamp(AS_OF), 500, 65], [pd.Timestamp(2024, 6, 30), 500, 172]]


def test_overdue_follows_the_rep_filter():
    o = overdue(reps=("R3",))
    assert o.index.tolist() == ["PL24"]


def test_due_and_received_by_month():
    m = run("receivables_by_month", Filters())
    # January: PL32 + PL33; February: PL30 + PL31; March (to the 15th): PL04 1000 + PL06 700 + PL36 100
    assert m["due"].tolist() == [200, 200, 1800]
    # received: PM04 500 + PM05 700 in March
    assert m["received"].tolist() == [0, 0, 1200]
    assert m["collection_rate"].tolist() == pytest.approx([0, 0, 1200 / 1800])
    last_year = run("receivables_by_month", Filters(preset="last_year"))
    # January 2023: nothing due: no rate ("—"), not inf
    assert last_year.loc[0, ["due", "received"]].tolist() == [0, 0]
    assert pd.isna(last_year.loc[0, "collection_rate"])
    # July 2023: PL20 300 due, PM20 450 received
    assert last_year.loc[6, "collection_rate"] == pytest.approx(1.5)


def test_summary_and_ending_contracts():
    s = run("receivables_summary", Filters(), day=AS_OF).iloc[0]
    # outstanding: fixture K02 300 + K03 1000 + K04 300 + K05 800 + K06 1000 + K08 400 + K10 600
    # plus K20 450 + K21 500 + K22 800 + K23 300 + K24 200 + K25 400
    assert s.tolist() == [2200, 1200, pytest.approx(1200 / 2200), 7050]
    e = run("receivables_ending", Filters(), days=30, day=AS_OF, limit=1000)
    # ends_on in [15 March, 14 April]: K03 (31 March) and K21 (14 April); K20 (15 April) is out
    assert e[["contract_id", "amount", "paid", "outstanding", "total_rows"]].values.tolist() == [
        ["K03", 2000, 1000, 1000, 2], ["K21", 1000, 500, 500, 2]]
    first = run("receivables_ending", Filters(), days=30, day=AS_OF, limit=1)
    assert first[["contract_id", "paid", "total_rows"]].values.tolist() == [["K03", 1000, 2]]


def test_nothing_due_gives_a_dash():
    from pages import receivables

    s = run("receivables_summary", Filters(preset="custom", start=date(2022, 1, 1), end=date(2022, 1, 31)),
            day=date(2022, 1, 31))
    assert "—" in str(receivables.summary_children(s, 0.0, AS_OF, "en"))


def test_aging_tables():
    from pages import receivables

    rows = run("receivables_aging", Filters(), dates=[AS_OF], limit=1000)
    reps = receivables.aging(rows, "rep")
    # R1: K03 1000 + K06 500 + K22 600 (PL36, due on as_of, is not overdue); R2: K02 300 + K20 450; R3: K21 500
    assert reps[["rep_id", "1-30", "31-60", "61-90", "90+", "total"]].values.tolist() == [
        ["R1", 600, 200, 200, 1100, 2100], ["R2", 0, 0, 0, 750, 750], ["R3", 0, 0, 0, 500, 500]]
    customers = receivables.aging(rows, "customer")
    assert customers[["customer_id", "total"]].values.tolist() == [["C4", 1100], ["C1", 1000], ["C2", 750],
                                                                   ["C3", 500]]
    assert receivables.level_rows(rows, "customer") == 4 and receivables.level_rows(rows, "rep") == 3
    # the grid's first customers: the others are counted, and the reps and totals stay whole
    cut = run("receivables_aging", Filters(), dates=[AS_OF], limit=2)
    assert receivables.aging(cut, "customer")["customer_id"].tolist() == ["C4", "C1"]
    assert receivables.level_rows(cut, "customer") == 4
    pd.testing.assert_frame_equal(receivables.aging(cut, "rep"), reps)
    pd.testing.assert_frame_equal(receivables.bucket_totals(cut), receivables.bucket_totals(rows))
    # the same plans as receivables_overdue lists, bucket by bucket
    plans = run("receivables_overdue", Filters(), dates=[AS_OF])
    totals = receivables.bucket_totals(rows)
    assert totals["plans"].tolist() == plans.groupby("bucket")["plan_id"].count().reindex(
        list(receivables.BUCKETS), fill_value=0).tolist()
    assert totals["unsettled"].sum() == 3350 == plans["unsettled"].sum()
    nothing = run("receivables_aging", Filters(), dates=[date(2020, 1, 1)], limit=1000)
    assert receivables.aging(nothing, "rep").empty
    assert receivables.bucket_totals(nothing)[["unsettled", "plans"]].values.sum() == 0


def test_overdue_plans_are_the_first_of_the_bucket_with_the_count():
    every = run("receivables_overdue", Filters(), dates=[AS_OF])
    first = run("receivables_overdue_plans", Filters(), dates=[AS_OF], bucket="", limit=3)
    assert first["plan_id"].tolist() == every["plan_id"].head(3).tolist()
    assert first["total_rows"].tolist() == [len(every)] * 3 and len(every) > 3
    late = run("receivables_overdue_plans", Filters(), dates=[AS_OF], bucket="90+", limit=100)
    assert late["plan_id"].tolist() == every.loc[every["bucket"] == "90+", "plan_id"].tolist()
    assert set(late["total_rows"]) == {len(late)}


def test_page_callback():
    from pages import receivables

    out = plain(receivables.update({"bucket": "31-60"}))
    summary, aging_store, plans_store = out[0], out[4], out[12]
    assert "¥3,350" in str(summary) and "54.5%" in str(summary) and "¥7,050" in str(summary)
    assert aging_store["data"] == [["1-30", 600, 2], ["31-60", 200, 2], ["61-90", 200, 2], ["90+", 2350, 6]]
    # the bucket narrows the instalment list
    assert [row[0] for row in plans_store["data"]] == ["PL32", "PL31"]
    assert len(plain(receivables.update({}))[12]["data"]) == 12


def test_the_reps_chart_shows_the_reps_with_most_overdue_and_the_store_keeps_every_rep():
    # 600 reps on large drew 600 stacked bars in 340 pixels (and 2,400 hover texts a render):
    # the chart shows the CHART_REPS largest, the leader on top; the card's data (its export)
    # keeps every rep, in receivables_aging's order (largest total first)
    from components import figures
    from pages import receivables

    n = figures.CHART_REPS + 8
    table = pd.DataFrame({"rep_id": [f"R{i}" for i in range(n)], "rep_name": [f"员工{i}" for i in range(n)],
                          **{b: [float(100 * (n - i)) for i in range(n)] for b in receivables.BUCKETS}})
    table["total"] = table[list(receivables.BUCKETS)].sum(axis=1)
    fig = receivables.reps_figure(table, "zh-CN", "light")
    for trace in fig["data"]:
        assert list(trace["customdata"]) == [f"R{i}" for i in reversed(range(figures.CHART_REPS))]
    out = plain(receivables.update({}))
    reps_store = out[6]
    assert len(reps_store["data"]) == len(run("receivables_aging", Filters(), dates=[AS_OF], limit=1000)
                                          .query("level == 'rep'"))


def test_bucket_and_rep_clicks_write_the_url():
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    from pages import receivables

    def call(prop_id, *args):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": prop_id, "value": None}]))
        return receivables.narrow(*args)

    assert call("rcv-bucket.value", "61-90", None, None, "?preset=last_year") == "?preset=last_year&bucket=61-90"
    assert call("rcv-bucket.value", "all", None, None, "?bucket=61-90") == ""
    chart = '{"card":"rcv-aging","type":"chart"}.clickData'
    assert call(chart, "all", {"points": [{"customdata": "90+"}]}, None, "") == "?bucket=90%2B"
    reps = '{"card":"rcv-aging-reps","type":"chart"}.clickData'
    assert call(reps, "all", None, {"points": [{"customdata": "R2"}]}, "?bucket=90%2B") == "?bucket=90%2B&rep=R2"


def test_customer_cells_link_to_the_customer():
    from pages import receivables

    # last year's state is as of 31 December 2023 (issue #16), when PL24 was 30 days late
    rows, columns = plain(receivables.update({"preset": "last_year", "bucket": "1-30"}))[10:12]
    row = next(r for r in rows if r["plan_id"] == "PL24")
    # a real link keeping the global filters (not the page's own bucket)
    assert row["customer_name"] == "[北京华泰实业](/customer/C3?preset=last_year)"
    assert next(c for c in columns if c["field"] == "customer_name")["cellRenderer"] == "markdown"
    assert customer_href("C3", {"preset": "last_year", "bucket": "90+"}) == "/customer/C3?preset=last_year"


def test_category_filter_keeps_whole_contract_amounts_against_whole_payments():
    # 软件 (P2) selects K02, K03, K06, K07 (fixture) and K21 (acquisition.sql); plans and
    # payments are whole-contract, so the amount they are set against must be too.
    # Per contract, amount - payments by 15 March 2024: K02 500-200 = 300, K03 2000-1000 = 1000,
    # K06 1500-500 = 1000, K07 700-700 = 0, K21 1000-500 = 500 -> 2800.
    # (The 软件 lines alone, 500+1000+500+500+1000 = 3500, less the 2900 paid gave 600.)
    s = run("receivables_summary", Filters(categories=("软件",)), day=AS_OF).iloc[0]
    assert s["outstanding"] == 2800
    # due in 2024 to 15 March: PL04 (K06) 1000 + PL06 (K07) 700; received PM04 500 + PM05 700
    assert s[["due", "received"]].tolist() == [1700, 1200]
    e = run("receivables_ending", Filters(categories=("软件",)), days=30, day=AS_OF, limit=1000)
    # K03 ends 31 March: 2000 (not its 软件 line's 1000), paid 1000 -> 1000 outstanding
    assert e[["contract_id", "amount", "paid", "outstanding"]].values.tolist() == [
        ["K03", 2000, 1000, 1000], ["K21", 1000, 500, 500]]


def test_ending_contracts_count_only_payments_made_by_the_day():
    """K03 (ends 31 March 2024, 2000) was paid once: PM03, 1000 on 1 April 2023. Seen from a
    day before that payment it has received nothing; from the payment's day on, 1000 (the
    contract's per-build sum, s_contract_paid, holds only from its last payment on)."""
    def k03(day):
        frame = run("receivables_ending", Filters(), days=400, day=day, limit=1000).set_index("contract_id")
        return frame.loc["K03", ["paid", "outstanding"]].tolist()

    assert k03(date(2023, 3, 31)) == [0, 2000]
    assert k03(date(2023, 4, 1)) == [1000, 1000]
    assert k03(date(2023, 4, 2)) == [1000, 1000]
