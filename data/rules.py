"""The data rules of ../shared/WAREHOUSE.md, checked on every build.

Required columns and enumerations are read back from ``data/schema.sql`` (NOT NULL and
CHECK constraints in the catalogue); keys, foreign keys and the rules that span rows
are listed here. Every rule runs as one set-based query over the staged rows and
returns the offending rows as ``Violation``s naming table, row, column and value.
``_row`` is the row number as the user sees it in the source (a file's line, or the
generator's row), carried by every staged table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

import duckdb

# Load order: parents before children.
TABLES = (
    "teams", "reps", "customers", "products", "stages", "opportunities",
    "opportunity_stage_history", "contracts", "contract_items", "payment_plans",
    "payments", "purchases", "expenses", "activities", "pool_events", "targets",
)
REQUIRED_TABLES = ("teams", "reps", "customers", "products", "contracts", "contract_items")
DERIVED_TABLES = ("cost_of_sales", "build_info")

# Columns marked `?` in the contract: a file may leave them out entirely.
OPTIONAL_COLUMNS = {
    "teams": ("parent_team_id",),
    "reps": ("manager_rep_id", "region", "hired_on"),
    "customers": ("owner_rep_id", "industry", "region", "city", "source", "level"),
    "products": ("unit", "list_price"),
    "opportunities": ("probability", "expected_close_on", "closed_on", "lost_reason", "competitor"),
    "opportunity_stage_history": ("exited_at",),
    "contracts": ("opportunity_id", "ends_on"),
    "payments": ("plan_id", "method"),
}

KEYS = {
    "teams": ("team_id",),
    "reps": ("rep_id",),
    "customers": ("customer_id",),
    "products": ("product_id",),
    "stages": ("stage",),
    "opportunities": ("opportunity_id",),
    "opportunity_stage_history": ("opportunity_id", "entered_at"),
    "contracts": ("contract_id",),
    "contract_items": ("contract_id", "line_no"),
    "payment_plans": ("plan_id",),
    "payments": ("payment_id",),
    "purchases": ("purchase_id",),
    "expenses": ("expense_id",),
    "activities": ("activity_id",),
    "targets": ("rep_id", "month", "measure"),
}

# (table, column, referenced table, referenced column)
REFERENCES = (
    ("teams", "parent_team_id", "teams", "team_id"),
    ("reps", "team_id", "teams", "team_id"),
    ("reps", "manager_rep_id", "reps", "rep_id"),
    ("customers", "owner_rep_id", "reps", "rep_id"),
    ("opportunities", "customer_id", "customers", "customer_id"),
    ("opportunities", "rep_id", "reps", "rep_id"),
    ("opportunities", "stage", "stages", "stage"),
    ("opportunity_stage_history", "opportunity_id", "opportunities", "opportunity_id"),
    ("opportunity_stage_history", "stage", "stages", "stage"),
    ("contracts", "customer_id", "customers", "customer_id"),
    ("contracts", "rep_id", "reps", "rep_id"),
    ("contracts", "opportunity_id", "opportunities", "opportunity_id"),
    ("contract_items", "contract_id", "contracts", "contract_id"),
    ("contract_items", "product_id", "products", "product_id"),
    ("payment_plans", "contract_id", "contracts", "contract_id"),
    ("payments", "contract_id", "contracts", "contract_id"),
    ("payments", "plan_id", "payment_plans", "plan_id"),
    ("purchases", "product_id", "products", "product_id"),
    ("expenses", "rep_id", "reps", "rep_id"),
    ("activities", "customer_id", "customers", "customer_id"),
    ("activities", "rep_id", "reps", "rep_id"),
    ("pool_events", "customer_id", "customers", "customer_id"),
    ("pool_events", "rep_id", "reps", "rep_id"),
    ("targets", "rep_id", "reps", "rep_id"),
)

# Rules that span rows: (message key, table, column, query returning _row and value).
CROSS_ROW_RULES = (
    ("rule.contract_amount", "contracts", "amount", """
        with line_totals as (
            select contract_id, sum(amount) as lines_amount
            from staging.contract_items group by contract_id
        )
        select c._row, c.amount::varchar || ' ≠ ' || coalesce(l.lines_amount, 0)::varchar
        from staging.contracts as c
        left join line_totals as l on l.contract_id = c.contract_id
        where abs(c.amount - coalesce(l.lines_amount, 0)) > 0.01
    """),
    ("rule.payment_before_signing", "payments", "paid_on", """
        select p._row, p.paid_on::varchar || ' < ' || c.signed_on::varchar
        from staging.payments as p
        join staging.contracts as c on c.contract_id = p.contract_id
        where p.paid_on < c.signed_on
    """),
    ("rule.stint_order", "opportunity_stage_history", "exited_at", """
        select _row, entered_at::varchar || ' > ' || exited_at::varchar
        from staging.opportunity_stage_history
        where exited_at < entered_at
    """),
    ("rule.stint_overlap", "opportunity_stage_history", "entered_at", """
        with ordered as (
            select _row, opportunity_id, entered_at,
                   lag(exited_at) over w as previous_exit,
                   lag(entered_at) over w as previous_entry
            from staging.opportunity_stage_history
            window w as (partition by opportunity_id order by entered_at, _row)
        )
        -- a stint overlaps when it starts before the previous one ended (or the previous
        -- one never ended)
        select _row, entered_at::varchar
        from ordered
        where previous_entry is not null
          and (previous_exit is null or entered_at < previous_exit)
    """),
    ("rule.stage_positions", "stages", "position", """
        with ranked as (
            select _row, position, row_number() over (order by position, _row) as expected
            from staging.stages
        )
        select _row, position::varchar from ranked where position <> expected
    """),
)

MAX_PER_RULE = 20
MAX_TOTAL = 200
DATE_MIN = date(1990, 1, 1)
# Dates that plan ahead (a contract's end, an instalment's due date, an expected close, a
# target's month) may lie further in the future than events: up to this many years past
# the window. Events (what set as_of) are held to the window itself.
PLANNED_DATES = {("contracts", "ends_on"), ("payment_plans", "due_on"), ("opportunities", "expected_close_on"),
                 ("targets", "month")}
PLANNED_YEARS = 30


def _plus_years(day: date, years: int) -> date:
    """The same day ``years`` later (29 February -> 28 February)."""
    return (day.replace(day=28) if (day.month, day.day) == (2, 29) else day).replace(year=day.year + years)


def date_window(today: date | None = None) -> tuple[date, date]:
    """The dates data may hold: the settings CRM_DATE_MIN and CRM_DATE_MAX (YYYY-MM-DD),
    by default 1990-01-01 to one year after the build (``today``). A date outside it is a
    typo (9999-12-31, a year 100 years ahead) that would move as_of and empty every page."""
    today = today or date.today()
    default_max = _plus_years(today, 1)

    def setting(name, default):
        try:
            return date.fromisoformat(os.environ.get(name, ""))
        except ValueError:
            return default

    return setting("CRM_DATE_MIN", DATE_MIN), setting("CRM_DATE_MAX", default_max)


@dataclass(frozen=True)
class Violation:
    """One broken rule: where it is (table, row as the user sees it, column) and why."""

    table: str
    row: int | None
    column: str | None
    value: str | None
    rule: str  # a message key of components.messages
    detail: str = ""

    def message(self, lang: str = "en") -> str:
        from components.i18n import t

        return t("rule.violation", lang, table=self.table, row="—" if self.row is None else self.row,
                 column=self.column or "—", value="—" if self.value is None else self.value,
                 rule=t(self.rule, lang, detail=self.detail))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[tuple]:
    return con.execute(f"select * from ({sql}) order by 1 limit {MAX_PER_RULE}", params or {}).fetchall()


def _contract_columns(con: duckdb.DuckDBPyConnection, condition: str) -> list[tuple[str, str]]:
    """(table, column) of the contract tables' columns meeting ``condition`` (a constant
    condition on duckdb_columns()), in schema order."""
    rows = con.execute("select table_name, column_name from duckdb_columns() "
                       "where database_name = current_database() and schema_name = 'main' "
                       f"and {condition} order by table_name, column_index").fetchall()
    return [(table, column) for table, column in rows if table in TABLES]


def check(con: duckdb.DuckDBPyConnection, today: date | None = None) -> list[Violation]:
    """Run every rule over ``staging.*`` (dates checked against ``date_window(today)``);
    return at most MAX_TOTAL violations."""
    found: list[Violation] = []

    def add(table, column, rule, rows, detail=""):
        for row, value in rows:
            found.append(Violation(table, row, column, None if value is None else str(value), rule, detail))

    for table, column in _contract_columns(con, "not is_nullable"):
        add(table, column, "rule.required",
            _rows(con, f'select _row, null from staging."{table}" where "{column}" is null'))

    checks = con.execute(
        "select table_name, expression, constraint_column_names from duckdb_constraints() "
        "where schema_name = 'main' and constraint_type = 'CHECK'"
    ).fetchall()
    for table, expression, cols in checks:
        if table in TABLES:
            column = cols[0]
            add(table, column, "rule.check",
                _rows(con, f'select _row, "{column}" from staging."{table}" where not ({expression})'),
                detail=expression)

    for table, key in KEYS.items():
        cols = ", ".join(f'"{c}"' for c in key)
        shown = " || ' / ' || ".join(f'coalesce("{c}"::varchar, \'\')' for c in key)
        add(table, ", ".join(key), "rule.duplicate_key", _rows(con, f"""
            select _row, {shown} from (
                select *, row_number() over (partition by {cols} order by _row) as occurrence
                from staging."{table}"
            ) where occurrence > 1"""))

    for table, column, parent, parent_column in REFERENCES:
        add(table, column, "rule.foreign_key", _rows(con, f"""
            select s._row, s."{column}" from staging."{table}" as s
            anti join staging."{parent}" as p on p."{parent_column}" = s."{column}"
            where s."{column}" is not null"""), detail=f"{parent}.{parent_column}")

    for rule, table, column, sql in CROSS_ROW_RULES:
        add(table, column, rule, _rows(con, sql))

    low, high = date_window(today)
    for table, column in _contract_columns(con, "(data_type = 'DATE' or data_type like 'TIMESTAMP%')"):
        last = _plus_years(high, PLANNED_YEARS) if (table, column) in PLANNED_DATES else high
        add(table, column, "rule.date_window", _rows(
            con, f'select _row, "{column}" from staging."{table}" '
                 f'where "{column}"::date < $low or "{column}"::date > $high', {"low": low, "high": last}),
            detail=f"{low} – {last}")

    return found[:MAX_TOTAL]
