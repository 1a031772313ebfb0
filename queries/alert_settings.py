"""The thresholds of the early warnings (/alerts, ``queries/alerts*.sql``), read in one
place: each is an environment variable ``CRM_ALERT_<NAME>`` with a default, and reaches
the queries as the bound parameter ``$alert_<name>`` (``queries.run`` binds them, with the
month-end dates the collection rule compares, for every ``alerts*`` query; a caller's own
parameters override them). A malformed or out-of-range value falls back to the default,
as a malformed URL value does."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Setting:
    name: str  # alert_<name> in SQL, CRM_ALERT_<NAME> in the environment
    default: float | int | str
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    env_name: str | None = None  # when the variable is not CRM_<NAME>

    @property
    def env(self) -> str:
        return self.env_name or "CRM_" + self.name.upper()

    def read(self):
        raw = os.environ.get(self.env)
        if raw is None:
            return self.default
        if self.choices:
            return raw if raw in self.choices else self.default
        try:
            value = type(self.default)(raw)
        except ValueError:
            return self.default
        return value if self.low <= value <= self.high else self.default


SETTINGS = (
    # materiality: a warning about one customer or rep puts at least this share of the
    # scope's revenue (customers slipping) or monthly target (coverage) at stake
    Setting("alert_min_share", 0.01, 0.0, 1.0),
    # revenue and activity off course
    Setting("alert_band_k", 3.5, 0.5, 10.0),          # band half-width in robust standard deviations
    Setting("alert_mtd_min_days", 10, 1, 31),         # the month to date is judged from this day on
    # customers slipping
    Setting("alert_top_share", 0.05, 0.001, 1.0),     # VIP + major = the top 5% of the pyramid
    Setting("alert_gap_factor", 3.0, 1.0, 20.0),      # days since last purchase > factor x usual interval
    Setting("alert_gap_min_days", 60, 1, 3650),       # ... and more than this many days
    Setting("alert_fresh_days", 90, 1, 3650),         # ... crossed within this many days (older: churn)
    Setting("alert_spend_drop", 0.8, 0.05, 1.0),      # 90-day spend down by more than this vs a year earlier
    # deals at risk
    Setting("alert_deal_top_share", 0.05, 0.001, 1.0),  # large deal = top 5% of open deals by amount
    Setting("alert_stale_factor", 2.0, 1.0, 20.0),    # days in stage > factor x the stage's median
    Setting("alert_stale_min_days", 45, 0, 3650),     # ... and more than this many days
    Setting("alert_overdue_days", 30, 0, 3650),       # expected close passed more than this many days ago
    Setting("alert_probability_cut", 30, 1, 100),     # rep's probability this many points under the stage's
    Setting("alert_coverage", 0.5, 0.0, 10.0),        # weighted pipeline / next month's target below this
    # stock
    Setting("alert_sales_window", 90, 7, 730),        # days of sales that set the daily rate
    Setting("alert_short_days", 2, 0, 365),           # stock covers fewer days than this: shortage
    Setting("alert_over_days", 180, 1, 3650),         # ... more than this: overstock
    Setting("alert_regular_days", 12, 0, 3650),       # shortage and cost rise: sold on this many days of the window
    Setting("alert_over_min_value", 100_000, 0, 10**12),  # overstock: holding at least this much money
    Setting("alert_margin_cut", 0.10, 0.01, 1.0),     # cost rise cuts the margin by more than this (points)
    Setting("alert_costing_method", "fifo", choices=("fifo", "moving_average", "monthly_average")),
    # collection
    Setting("alert_overdue_growth", 0.2, 0.0, 100.0),  # overdue up by more than this, two month-ends running
    Setting("alert_overdue_min", 200_000, 0, 10**12), # ... and at least this much overdue now
    Setting("alert_aged_share_rise", 0.05, 0.0, 1.0),  # share of overdue over 90 days up this many points
    # effort
    Setting("alert_effort_drop", 0.4, 0.05, 1.0),     # follow-ups down by more than this vs own usual rate
    Setting("alert_pool_bulk", 10, 1, 10**6),         # at least this many of a rep's customers due back in 7 days
)


# the lead pool's own setting (/lead-pool): customers due back within POOL_WINDOW days
POOL_LIMIT = Setting("limit_days", 30, 1, 365, env_name="CRM_POOL_LIMIT_DAYS")
POOL_WINDOW = 7


def alert_params(as_of: date | None = None) -> dict:
    """Every threshold by its SQL parameter name (with the pool limit and window that
    pool_due takes); with ``as_of``, also ``$dates``: as_of and
    the same day one and two months earlier (31 March -> 28/29 February), the as-of dates
    at which alerts_collection compares overdue receivables (receivables_overdue), and
    ``$day`` = as_of for pipeline_deals."""
    out = {s.name: s.read() for s in SETTINGS}
    out.update(limit_days=POOL_LIMIT.read(), window=POOL_WINDOW)
    if as_of is not None:
        out["dates"] = [(pd.Timestamp(as_of) - pd.DateOffset(months=n)).date() for n in (2, 1, 0)]
        out["day"] = as_of  # pipeline_deals' day: deal health as of as_of
    return out
