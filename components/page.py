"""What every page does the same way: keep the URL query it was rendered for, and turn
it into checked Filters and periods."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pandas as pd
from dash import dcc

from components import inputs
from components.i18n import t
from crm.web import is_admin
from data.build import warehouse_path
from queries import WarehouseMissingError, WarehouseOutdatedError, WarehouseUnreadableError, warehouse_as_of
from queries.filters import Filters


def query_store(query: dict) -> dcc.Store:
    """The page's URL query (global filters and its own view keys); page callbacks take
    ``Input("page-query", "data")`` and run once per render."""
    return dcc.Store(id="page-query", data=inputs.query(query).as_dict())


def warehouse_problem(error: WarehouseMissingError, lang: str) -> str:
    """What the shell says when there is no readable warehouse (missing, or damaged)."""
    key = ("warehouse.outdated" if isinstance(error, WarehouseOutdatedError)
           else "warehouse.unreadable" if isinstance(error, WarehouseUnreadableError) else "warehouse.missing")
    return t(key, lang, path=warehouse_path() if is_admin() else "…")  # server paths for admins only


def filters_and_periods(query: dict | None, view_keys: tuple[str, ...] = ()) -> tuple[Filters, dict]:
    filters = inputs.filters(query, view_keys)
    return filters, filters.periods(warehouse_as_of())


def view_value(query: dict | None, key: str, allowed, default):
    """A page's own URL key, checked against its allow-list (else the default)."""
    values = [v for k, v in inputs.query(query).pairs if k == key]
    return inputs.choice(values[0], allowed, default) if values else default


def with_params(search: str | None, **changes) -> str:
    """``search`` with keys set (a list is joined by commas) or removed (None): how a
    click narrows the global filter (``rep="R1"``) or a page stores its view state."""
    pairs = [(k, v) for k, v in inputs.query(search).pairs if k not in changes]
    for key, value in changes.items():
        if value is None or value == []:
            continue
        pairs.append((key, ",".join(value) if isinstance(value, list | tuple) else str(value)))
    return "?" + urlencode(pairs, safe=",") if pairs else ""


def sections(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The frames of a query that returns a page's sections in one row (customer_page): each
    column is JSON text, {"values": an object of lists, one list per column of the section,
    "type": their SQL struct type}, and becomes the frame the section's own query gives
    through the gateway (decimals as floats, dates as datetime64, whole numbers with a gap as
    nullable integers, text without a value as objects), typed even when it has no rows.
    DuckDB writes doubles in JSON with every digit they need: they read back exactly."""
    return {name: _section(json.loads(frame[name].iloc[0])) for name in frame.columns}


# the frame dtype of a section column's SQL type (its base name); NULLs keep integers nullable
SECTION_DTYPES = {"DECIMAL": "float64", "DOUBLE": "float64", "FLOAT": "float64", "BIGINT": "int64",
                  "INTEGER": "int64", "SMALLINT": "int64", "DATE": "datetime64[us]",
                  "TIMESTAMP": "datetime64[us]", "VARCHAR": "str", "BOOLEAN": "bool"}


def _section(section: dict) -> pd.DataFrame:
    values = section["values"]
    # 'STRUCT(a BIGINT[], "1-30" DECIMAL(18,2)[], ...)': one field per column, in order
    fields = re.split(r",\s*(?![^()]*\))", section["type"][len("STRUCT("):-1])
    out = {}
    for name, field in zip(values, fields, strict=True):
        column = pd.Series(values[name] or [], dtype=object)
        dtype = SECTION_DTYPES.get(re.search(r"(\w+)(\([^()]*\))?\[\]$", field).group(1), "object")
        if column.isna().any() and dtype in ("int64", "bool"):
            dtype = "Int64" if dtype == "int64" else "boolean"
        elif column.isna().all() and dtype == "str":  # as DuckDB gives text without a value
            dtype = "object"
        out[name] = column.astype(dtype)
    return pd.DataFrame(out)
