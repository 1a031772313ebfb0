"""Filters: URL round trip, unknown values dropped, and the periods of METRICS.md."""

from datetime import date

import pytest

from queries.filters import Filters, Period

KNOWN = {"team": {"T1", "T2"}, "rep": {"R1", "R2"}, "region": {"华东"}, "category": {"硬件"}, "source": {"官网"}}


def test_url_round_trip():
    f = Filters(preset="custom", start=date(2024, 1, 1), end=date(2024, 2, 29), teams=("T1", "T2"),
                reps=("R1",), regions=("华东",), categories=("硬件",), customer_types=("agent", "customer"),
                sources=("官网",), as_of=date(2024, 3, 1))
    query = f.to_query()
    assert Filters.from_query(query, KNOWN) == f
    assert Filters.from_query(query, KNOWN).dropped == ()


def test_defaults_write_an_empty_query():
    assert Filters().to_query() == ""
    assert Filters.from_query("") == Filters()


def test_known_values_are_looked_up_only_for_a_dimension_key():
    """A page without a dimension filter renders without the warehouse's values (the lookup
    was the first statement of every cold render); with one, they are looked up once."""
    calls = []

    def known():
        calls.append(1)
        return KNOWN
    assert Filters.from_query("preset=this_year&ctype=agent&horizon=3", known, ("horizon",)) == \
        Filters(preset="this_year", customer_types=("agent",))
    assert calls == []
    f = Filters.from_query("team=T2,T9&rep=R1&region=华东", known)
    assert (f.teams, f.reps, f.regions, f.dropped) == (("T2",), ("R1",), ("华东",), ("team=T9",))
    assert calls == [1]


@pytest.mark.parametrize("query, dropped", [
    ("preset=nonsense", ("preset=nonsense",)),
    ("team=T9", ("team=T9",)),
    ("rep=R1,R7", ("rep=R7",)),
    ("ctype=vip", ("ctype=vip",)),
    ("as_of=2024-13-01", ("as_of=2024-13-01",)),
    ("preset=custom&start=2024-01-01", ("preset=custom",)),
    ("hack=1;drop table", ("hack",)),
    ("rep=' or 1=1 --", ("rep=' or 1=1 --",)),
])
def test_bad_values_are_dropped_and_named(query, dropped):
    f = Filters.from_query(query, KNOWN)
    assert f.dropped == dropped
    assert "R7" not in f.reps and "T9" not in f.teams


def test_page_keys_pass_silently():
    f = Filters.from_query("measure=payments&team=T1", KNOWN, extra_keys=("measure",))
    assert f.dropped == () and f.teams == ("T1",)


def test_custom_range_is_ordered():
    f = Filters.from_query("preset=custom&start=2024-03-01&end=2024-01-01", KNOWN)
    assert (f.start, f.end) == (date(2024, 1, 1), date(2024, 3, 1))


AS_OF = date(2024, 3, 15)


@pytest.mark.parametrize("preset, expected", [
    # to-date periods: 环比 the same dates of the period before, 同比 a year earlier
    ("this_month", (date(2024, 3, 1), date(2024, 3, 15), date(2024, 2, 1), date(2024, 2, 15),
                    date(2023, 3, 1), date(2023, 3, 15))),
    ("this_year", (date(2024, 1, 1), date(2024, 3, 15), date(2023, 1, 1), date(2023, 3, 15),
                   date(2023, 1, 1), date(2023, 3, 15))),
    # a whole month ending on 29 February: 同比 ends on 28 February
    ("last_month", (date(2024, 2, 1), date(2024, 2, 29), date(2024, 1, 1), date(2024, 1, 31),
                    date(2023, 2, 1), date(2023, 2, 28))),
    ("this_quarter", (date(2024, 1, 1), date(2024, 3, 15), date(2023, 10, 1), date(2023, 12, 15),
                      date(2023, 1, 1), date(2023, 3, 15))),
    ("last_quarter", (date(2023, 10, 1), date(2023, 12, 31), date(2023, 7, 1), date(2023, 9, 30),
                      date(2022, 10, 1), date(2022, 12, 31))),
    ("last_7_days", (date(2024, 3, 9), date(2024, 3, 15), date(2024, 3, 2), date(2024, 3, 8),
                     date(2023, 3, 9), date(2023, 3, 15))),
    ("this_week", (date(2024, 3, 11), date(2024, 3, 15), date(2024, 3, 6), date(2024, 3, 10),
                   date(2023, 3, 11), date(2023, 3, 15))),
    ("yesterday", (date(2024, 3, 14), date(2024, 3, 14), date(2024, 3, 13), date(2024, 3, 13),
                   date(2023, 3, 14), date(2023, 3, 14))),
    ("year_to_date", (date(2024, 1, 1), date(2024, 3, 15), date(2023, 1, 1), date(2023, 3, 15),
                      date(2023, 1, 1), date(2023, 3, 15))),
])
def test_periods(preset, expected):
    p = Filters(preset=preset).periods(AS_OF)
    assert (p["start"], p["end"], p["prev_start"], p["prev_end"], p["yoy_start"], p["yoy_end"]) == expected


def test_month_end_clamps_for_the_previous_month():
    # 1-31 March (as_of on the 31st) against 1-29 February
    p = Filters(preset="this_month").periods(date(2024, 3, 31))
    assert (p["prev_start"], p["prev_end"]) == (date(2024, 2, 1), date(2024, 2, 29))


def test_custom_range_steps_back_by_its_length():
    f = Filters(preset="custom", start=date(2024, 2, 28), end=date(2024, 3, 1))
    p = f.periods(AS_OF)
    assert (p["prev_start"], p["prev_end"]) == (date(2024, 2, 25), date(2024, 2, 27))
    assert (p["yoy_start"], p["yoy_end"]) == (date(2023, 2, 28), date(2023, 3, 1))


def test_as_of_in_the_url_overrides_the_warehouse():
    p = Filters(preset="this_month", as_of=date(2023, 6, 10)).periods(AS_OF)
    assert (p["start"], p["end"], p["as_of"]) == (date(2023, 6, 1), date(2023, 6, 10), date(2023, 6, 10))


def test_fiscal_year_start_month():
    p = Filters(preset="this_year").periods(AS_OF, fiscal_start_month=4)
    assert (p["start"], p["end"]) == (date(2023, 4, 1), date(2024, 3, 15))


def test_fiscal_year_setting(monkeypatch):
    monkeypatch.setenv("CRM_FISCAL_START_MONTH", "7")
    assert Filters(preset="last_year").period(AS_OF) == Period(date(2022, 7, 1), date(2023, 6, 30))
    monkeypatch.setenv("CRM_FISCAL_START_MONTH", "13")
    assert Filters(preset="last_year").period(AS_OF) == Period(date(2023, 1, 1), date(2023, 12, 31))
