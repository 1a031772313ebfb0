"""Filters: the state a user can share, parsed from and written to the URL query string.

``Filters.from_query`` never raises: an unknown key, an unknown value or a malformed
date is dropped and named in ``dropped`` (the shell shows it as a notice), so nothing
a URL says reaches SQL unchecked. Periods follow ../shared/METRICS.md ("Common ground").
"""

from __future__ import annotations

import calendar
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode

PRESETS = (
    "today", "yesterday", "this_week", "last_week", "this_month", "last_month",
    "this_quarter", "last_quarter", "this_year", "last_year", "last_7_days",
    "last_30_days", "last_90_days", "year_to_date", "custom",
)
DEFAULT_PRESET = "this_year"
CUSTOMER_TYPES = ("prospect", "customer", "agent", "lost")
# dates a URL may name: the periods step years and custom lengths back and forth from them,
# which must stay inside Python's date range (a year-0 同比 base raised on every page)
DATE_BOUNDS = (date(1900, 1, 1), date(2999, 12, 31))


def configured_fiscal_start_month() -> int:
    """The setting CRM_FISCAL_START_MONTH (1-12, default January): when "this year" starts."""
    value = os.environ.get("CRM_FISCAL_START_MONTH", "1")
    return int(value) if value.isdigit() and 1 <= int(value) <= 12 else 1

# URL key -> Filters field, for the multi-valued dimension filters.
LIST_KEYS = {
    "team": "teams", "rep": "reps", "region": "regions",
    "category": "categories", "ctype": "customer_types", "source": "sources",
}
GLOBAL_KEYS = ("preset", "start", "end", "as_of", *LIST_KEYS)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (29 Feb -> 28 Feb)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def year_earlier(start: date, end: date) -> tuple[date, date]:
    """The 同比 window of [start, end] (METRICS.md, "YoY"): whole calendar months (start on
    a 1st, end on a month's last day: a month, quarter, year, fiscal year) against the same
    whole months a year earlier (February 2025 against all 29 days of February 2024); any
    other window against its dates minus one year (29 Feb -> 28 Feb, like DuckDB's
    ``- interval 1 year``). queries/revenue_series.sql applies the same rule per bucket."""
    if start.day == 1 and end == _month_end(end):
        return _add_months(start, -12), _month_end(_add_months(end, -12))
    return _add_months(start, -12), _add_months(end, -12)


def customer_windows(periods: dict) -> tuple[tuple[date, date], ...]:
    """The windows (first day, last day) queries/customer_windows.sql reads for ``periods``
    (Filters.periods): [start, end], [prev_start, prev_end] and the two years up to end,
    (end − 1 year, end] and (end − 2 years, end − 1 year] (a year back as DuckDB's ``- interval
    1 year``: 29 Feb -> 28 Feb). The build works out the customers' figures for those of the
    usual periods (data/serving.py, s_customer_windows); queries.windows_built checks them."""
    start, end = periods["start"], periods["end"]
    one, two = _add_months(end, -12), _add_months(end, -24)
    return ((start, end), (periods["prev_start"], periods["prev_end"]),
            (one + timedelta(days=1), end), (two + timedelta(days=1), one))


def _fiscal_year_start(d: date, start_month: int) -> date:
    year = d.year if d.month >= start_month else d.year - 1
    return date(year, start_month, 1)


@dataclass(frozen=True)
class Filters:
    preset: str = DEFAULT_PRESET
    start: date | None = None  # custom range only
    end: date | None = None
    as_of: date | None = None  # None: the warehouse's as_of
    teams: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    customer_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    dropped: tuple[str, ...] = field(default=(), compare=False)

    # --- URL -----------------------------------------------------------------------
    @classmethod
    def from_query(cls, query: str | dict | None,
                   known: dict[str, set[str]] | Callable[[], dict[str, set[str]]] | None = None,
                   extra_keys: tuple[str, ...] = ()) -> Filters:
        """Parse ``?preset=..&team=T1,T2``; ``known`` maps a list key (team, rep, ...) to
        its valid values (unknown ones are dropped), or is a function giving that map, called
        only when the query has such a key (a query without one needs no lookup).
        ``extra_keys`` are a page's own keys, passed over silently."""
        if isinstance(query, dict):
            pairs = {k: v if isinstance(v, list) else [v] for k, v in query.items()}
        else:
            pairs = parse_qs((query or "").lstrip("?"), keep_blank_values=False)
        dropped: list[str] = []
        values: dict = {}
        for key, raw in pairs.items():
            items = [p for v in raw for p in str(v).split(",") if p != ""]
            if key in LIST_KEYS:
                if key != "ctype" and callable(known):
                    known = known()
                valid = CUSTOMER_TYPES if key == "ctype" else (known or {}).get(key)
                kept = [v for v in dict.fromkeys(items) if valid is None or v in valid]
                dropped += [f"{key}={v}" for v in items if v not in kept]
                if kept:
                    values[LIST_KEYS[key]] = tuple(sorted(kept))
            elif key == "preset":
                if items and items[0] in PRESETS:
                    values["preset"] = items[0]
                else:
                    dropped += [f"preset={v}" for v in items]
            elif key in ("start", "end", "as_of"):
                try:
                    day = date.fromisoformat(items[0])
                except (ValueError, IndexError):
                    day = None
                if day is not None and DATE_BOUNDS[0] <= day <= DATE_BOUNDS[1]:
                    values[key] = day
                else:
                    dropped += [f"{key}={v}" for v in items]
            elif key not in extra_keys:
                dropped.append(key)
        if values.get("preset") == "custom" and not (values.get("start") and values.get("end")):
            dropped.append("preset=custom")
            values.pop("preset")
        if values.get("preset") != "custom":
            values.pop("start", None), values.pop("end", None)
        elif values["start"] > values["end"]:
            values["start"], values["end"] = values["end"], values["start"]
        return cls(**values, dropped=tuple(dropped))

    def to_query(self) -> str:
        """The canonical query string (defaults left out), with a leading '?' or ''."""
        pairs: list[tuple[str, str]] = []
        if self.preset != DEFAULT_PRESET:
            pairs.append(("preset", self.preset))
        if self.preset == "custom":
            pairs += [("start", self.start.isoformat()), ("end", self.end.isoformat())]
        if self.as_of:
            pairs.append(("as_of", self.as_of.isoformat()))
        for key, name in LIST_KEYS.items():
            if getattr(self, name):
                pairs.append((key, ",".join(getattr(self, name))))
        return "?" + urlencode(pairs, safe=",") if pairs else ""

    def replace(self, **changes) -> Filters:
        return replace(self, dropped=(), **changes)

    # --- periods -------------------------------------------------------------------
    def period(self, as_of: date, fiscal_start_month: int | None = None) -> Period:
        """The whole period of the preset (it may reach past as_of)."""
        a = self.as_of or as_of
        p = self.preset
        if p == "custom":
            return Period(self.start, self.end)
        if p in ("today", "yesterday"):
            d = a - timedelta(days=p == "yesterday")
            return Period(d, d)
        if p in ("this_week", "last_week"):
            monday = a - timedelta(days=a.weekday()) - timedelta(weeks=p == "last_week")
            return Period(monday, monday + timedelta(days=6))
        if p in ("this_month", "last_month"):
            first = _add_months(a.replace(day=1), -(p == "last_month"))
            return Period(first, _add_months(first, 1) - timedelta(days=1))
        if p in ("this_quarter", "last_quarter"):
            first = _add_months(_quarter_start(a), -3 * (p == "last_quarter"))
            return Period(first, _add_months(first, 3) - timedelta(days=1))
        if p in ("this_year", "last_year"):
            first = _fiscal_year_start(a, fiscal_start_month or configured_fiscal_start_month())
            first = _add_months(first, -12 * (p == "last_year"))
            return Period(first, _add_months(first, 12) - timedelta(days=1))
        if p == "year_to_date":
            return Period(date(a.year, 1, 1), a)
        days = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90}[p]
        return Period(a - timedelta(days=days - 1), a)

    def periods(self, as_of: date, fiscal_start_month: int | None = None) -> dict[str, date]:
        """Current period (cut at as_of), its MoM base (环比) and YoY base (同比).

        A period that includes as_of is compared to-date: 1-15 March against 1-15 Feb
        (环比, the same dates of the period before, cut at its end) and against
        1-15 March a year earlier (同比, dates minus one year: 29 Feb -> 28 Feb). 同比 of
        whole calendar months is the same whole months a year earlier (``year_earlier``;
        a period cut at as_of on a month's last day is whole).
        Presets of whole months/quarters/years step back by that unit; other periods
        (days, weeks, custom) step back by their own length in days.
        """
        a = self.as_of or as_of
        whole = self.period(a, fiscal_start_month)
        cur = Period(whole.start, min(whole.end, a)) if whole.start <= a else whole
        unit = {"this_month": 1, "last_month": 1, "this_quarter": 3, "last_quarter": 3,
                "this_year": 12, "last_year": 12}.get(self.preset)
        if unit:
            prev_whole_start = _add_months(whole.start, -unit)
            prev_start = prev_whole_start
            prev_end = whole.start - timedelta(days=1)
            if cur.end < whole.end:  # to-date: cut the period before at the same date
                prev_end = min(_add_months(cur.end, -unit), prev_end)
        elif self.preset == "year_to_date":
            prev_start, prev_end = _add_months(cur.start, -12), _add_months(cur.end, -12)
        else:
            prev_start = cur.start - timedelta(days=cur.days)
            prev_end = cur.start - timedelta(days=1)
        yoy_start, yoy_end = year_earlier(cur.start, cur.end)
        return {
            "start": cur.start, "end": cur.end, "as_of": a,
            "prev_start": prev_start, "prev_end": prev_end,
            "yoy_start": yoy_start, "yoy_end": yoy_end,
        }
