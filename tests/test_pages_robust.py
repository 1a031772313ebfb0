"""Every page's main callback (and layout) on the fixture warehouse with queries that leave
nothing to show or make no sense: a custom range without data, filters that match nothing,
junk view keys. Each must answer (an explanatory empty state or the default view), never
raise; the layout must render for the same query."""

from __future__ import annotations

import importlib
import inspect
import json
from datetime import date
from pathlib import Path

import dash
import plotly.io as pio
import pytest
from flask_login import login_user

import app
from components.context import current_lang, current_theme
from crm import users
from queries.filters import DEFAULT_PRESET, Filters
from tests.conftest import plain

PAGES = sorted(p.stem for p in (Path(__file__).parents[1] / "pages").glob("*.py")
               if p.stem not in ("__init__", "not_found_404"))

# the path argument of the detail pages: an existing id, and one that does not exist
DETAIL_IDS = {"customer": ("C4", "nope"), "product": ("P1", "nope")}

QUERIES = {
    "empty_range": {"preset": "custom", "start": "2001-01-01", "end": "2001-01-31"},
    "rep_without_data": {"rep": "R4"},
    "category_without_data": {"category": "服务"},
    "ctype_without_data": {"ctype": "lost"},
    "junk_view": {"method": "x", "bucket": "y", "horizon": "999", "measure": "z", "split": "w",
                  "days": "-1", "kind": "?", "limit_days": "abc", "compare": "x", "tier": "y",
                  "stage": "nope", "segment": "z", "dimension": "q"},
    "junk_dates": {"preset": "nonsense", "start": "2024-13-45", "end": "yesterday", "as_of": "x"},
    "reversed_range": {"preset": "custom", "start": "2024-03-01", "end": "2024-01-01"},
    # valid ISO dates whose year-earlier or year-later bounds leave Python's date range
    "as_of_year_9999": {"as_of": "9999-12-31"},
    "range_in_year_1": {"preset": "custom", "start": "0001-01-01", "end": "0001-02-01"},
}


def _module(slug):
    return importlib.import_module(f"pages.{slug}")


def _cases():
    for slug in PAGES:
        for name in QUERIES:
            for detail in DETAIL_IDS.get(slug, (None,)):
                yield pytest.param(slug, name, detail, id=f"{slug}-{name}" + (f"-{detail}" if detail else ""))


def _serialisable(value):
    """Every output must be something Dash can send: figures and components included."""
    return json.loads(pio.json.to_json_plotly(value))


def _dicts(value, keys: tuple[str, ...]):
    """Every dict among a callback's outputs that has all of ``keys`` (not looking inside it)."""
    if isinstance(value, dict):
        if all(key in value for key in keys):
            yield value
        else:
            for item in value.values():
                yield from _dicts(item, keys)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _dicts(item, keys)


def _figures(value):
    return _dicts(value, ("data", "layout"))


def _has_points(trace) -> bool:
    return any(trace.get(key) not in (None, [], {}) and _non_empty(trace.get(key))
               for key in ("x", "y", "z", "values", "r"))


def _non_empty(values) -> bool:
    if isinstance(values, dict):  # plotly's typed-array encoding
        return bool(values.get("bdata"))
    return len(values) > 0


@pytest.mark.parametrize(("slug", "query_name", "detail"), list(_cases()))
def test_page_answers_every_query(warehouse, slug, query_name, detail):
    _answers(slug, query_name, detail)


@pytest.mark.parametrize("slug", PAGES)
def test_page_answers_in_english_and_dark_mode(warehouse, app_db, slug):
    boss = users.add("boss", "pw", role="admin", scope_kind="all")
    # the viewer's cookies, as the browser sends them
    with app.app.server.test_request_context(headers={"Cookie": "lang=en; theme=dark"}):
        login_user(boss)  # since #11 a request without a signed-in user sees nothing
        assert (current_lang(), current_theme()) == ("en", "dark")
        for query_name in ("empty_range", "rep_without_data", "junk_view"):
            for detail in DETAIL_IDS.get(slug, (None,)):
                _answers(slug, query_name, detail)


def _answers(slug, query_name, detail):
    page = _module(slug)
    query = dict(QUERIES[query_name])
    args = (query, detail) if detail else (query,)
    kwargs = {f"{slug}_id": detail} if detail else {}
    layout = page.layout(**kwargs, **query)
    _serialisable(layout)
    assert "page-query" in str(layout) or slug == "data"
    out = plain(page.update(*args))
    assert out is not None
    for figure in _figures(_serialisable(list(out))):
        # a chart with nothing to draw says why (figures.empty), never blank axes
        if not any(_has_points(trace) for trace in figure["data"]):
            assert figure["layout"].get("annotations"), f"{slug}: a blank chart without a message"


def test_every_page_is_covered():
    registered = {Path(p["module"].replace(".", "/")).name for p in dash.page_registry.values()}
    assert set(PAGES) == registered - {"not_found_404"}
    for slug in PAGES:
        params = inspect.signature(_module(slug).update).parameters
        assert 1 <= len(params) <= 2, slug


def test_dates_out_of_range_are_dropped_like_junk():
    # 9999-12-31: "this year" ends 9999-12-31 and its end + 12 months is year 10000;
    # 0001-01-01: its 同比 base would be year 0. Both raised in Filters.periods before.
    filters = Filters.from_query({"as_of": "9999-12-31", "preset": "custom", "start": "0001-01-01",
                                  "end": "2024-01-31"})
    assert filters.as_of is None
    assert filters.preset == DEFAULT_PRESET
    assert set(filters.dropped) == {"as_of=9999-12-31", "start=0001-01-01", "preset=custom"}
    # an ordinary old or future date still passes
    assert Filters.from_query({"as_of": "1990-06-30"}).as_of == date(1990, 6, 30)
