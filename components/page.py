"""What every page does the same way: keep the URL query it was rendered for, and turn
it into checked Filters and periods."""

from __future__ import annotations

from urllib.parse import urlencode

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
