"""The only door to the warehouse: ``run(name, filters) -> DataFrame``.

- One query, one file: ``queries/<name>.sql``; its leading ``--`` lines are its header
  (grain, parameters, pages).
- A query may read another query's result as the relation ``q_<name>`` (a metric defined
  once, reused): ``compose`` splices that query in as a CTE after the prelude, its own
  inclusions first, each once.
- ``run`` binds the filters as named parameters, splices the scope prelude
  (``scope.sql``: the filtered relations ``f_contracts``, ``f_customers``, ...) in
  front of the query's own CTEs, runs it on a per-thread cursor of a read-only
  connection, and caches the result by (query, parameters, build, scope) in a
  least-recently-used cache bounded by bytes (``queries/cache.py``).
- The viewer's scope is not a parameter a caller may forget: ``run`` takes it from the
  request (the signed-in user, resolved once per request and kept in ``flask.g``) whenever
  there is one, and a scope passed by the caller can only narrow it. Outside a request
  (command line, tests) it is everyone unless ``viewing_as(scope)`` says otherwise.
- A query of ``APART`` (alerts) runs the queries it unions as their own statements, two at a
  time, and the union over their Arrow results: planning one statement of six kinds cost
  more than planning the six.
- A query of ``JUDGED`` (alerts; the figures of /overview, /team, /customers, /receivables,
  /acquisition, /lead-pool and /data) is answered by the build itself for the views opened
  most (no filter but a period preset or one category at most, and with few teams and reps
  one team or rep, for a viewer who sees everyone, with its page's default parameters), each
  answer stored under the key of the text and parameters it was worked out with; a call with
  that key reads the stored rows, any other works them out.
- ``run_all(filters, [(name, extra), ...])`` is ``run`` of each, the queries run two at a
  time on threads of their own (a page's callback: one plans and runs while another does).
- Each composed text is parsed once (``_parsed``) and re-run with each call's values.
- A new warehouse file (an atomic rename by ``data.build``) is noticed on the next call:
  the connection is reopened and the cache, keyed by the build, no longer matches.
  Connections still in use by other threads are left to finish.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import flask
import numpy as np
import pandas as pd
import pyarrow as pa

from data.build import warehouse_path
from data.serving import SERVING_STAMP, SERVING_TABLES
from queries.alert_settings import POOL_LIMIT, alert_params
from queries.cache import Cache, clear_every
from queries.filters import DATE_BOUNDS, DEFAULT_PRESET, PRESETS, Filters, customer_windows

QUERY_DIR = Path(__file__).parent
PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")
INCLUDE = re.compile(r"\bq_([a-z][a-z0-9_]*)\b")
CACHE_SIZE = 512  # results at most ...
# ... and this much memory: one page under one filter set caches a few MB of frames on a
# million contracts (the overdue plans are the largest), so 128 MB holds every page under
# dozens of filter sets and keeps one worker within its 500 MB (issue #17).
CACHE_BYTES = int(os.environ.get("CRM_CACHE_MB", "128")) * 2**20
# DuckDB settings of the app's connection, chosen for one worker of a shared 2-core machine:
# - threads: DuckDB's default (every core); CRM_DUCKDB_THREADS lowers it when several
#   workers share the cores (2 threads against 1 made the pages 1.38x faster here). Measured
#   again on large once pages ran their queries side by side (run_all, APART; two rounds,
#   p50/p95 ms): 1 thread is faster for those, whose two statements already fill both cores
#   (alerts 245-257/280-284 against 272-287/310-313, lead pool 72-76 against 76-90), and
#   slower for the pages of one big statement (customers 160-168/283-292 against
#   141/220-229, data 100-104 against 64-70, team p95 195-207 against 161-171). The threads
#   setting is the process's, not a statement's: every core stays the default, except on a
#   small warehouse (under SMALL_WAREHOUSE_CONTRACTS counted contracts), where statements
#   take longer to plan than to run and one thread is faster: no hand-off of small pipelines
#   between threads, and the statements a page runs side by side each have a core. Demo
#   (15,000 contracts), medians of three cold renders per filter set, averaged over three
#   paired runs, 1 thread against 2: the early warnings 99 against 111 ms, receivables
#   57/64, products 43/51, funnel 56/63, team 74/70 (its one big statement gains from two),
#   customers 89/88; the twelve pages 686 against 730 ms. A warehouse of 150,000 contracts:
#   as many pages faster as slower (958 against 968 ms); large: slower.
# - memory_limit: DuckDB's buffer pool (table blocks and the hash tables of a query) is
#   bounded, so a worker stays within its 500 MB (CRM_DUCKDB_MEMORY while statements run,
#   CRM_DUCKDB_RESTING_MEMORY once none does: _rest); a query that needs more spills to
#   temp_directory, in the system's temporary folder (DuckDB's default is .tmp in the
#   working directory). Statements run two at a time per process (_statement), so
#   concurrent requests do not add to it. Two statements at once under a tight limit evict
#   each other's blocks: the early warnings' revenue course under a team on large, two at
#   once on one thread each, took 62-64 ms of CPU each at 192 MB, 56 at 256, 52 at 320 and
#   44 at 384, as much as alone (two instances of their own in one process: 44; two
#   processes: 46). So statements run under 384 MB and the pool goes back to 64 MB between
#   them. On large (python -m benchmarks.pages, p50/p95 ms) /overview 142/316 -> 121/274,
#   /alerts 43/269 -> 38/197, /customers 167/188 -> 140/170, /receivables 163/195 ->
#   132/161; a worker that visited every page under the five filter sets holds 390 MB, peak
#   461 (192 MB throughout: 484-487, peak 493-494; 384 MB throughout: 591, peak 615; 384 and
#   128 MB at rest: 452, peak 522; 320 and 128: slower, peak 515). 160 MB throughout ran the
#   team page and the early warnings of the whole company out of memory.
# - allocator_flush_threshold: DuckDB's allocator returns freed memory to the system after
#   a query that peaked above this (default 128 MB); 8 MB keeps a worker's resident memory
#   near what it uses (about 25 MB less on large), at no measurable cost.
# - preserve_insertion_order = false: every query orders its own result (ORDER BY), so
#   DuckDB may stream scans without keeping their order, which saves memory on big scans.
# - no object cache: enable_object_cache is gone in DuckDB 2 (its successor, the external
#   file cache, caches Parquet and other external files); the warehouse is a native DuckDB
#   file whose blocks the buffer pool caches already.
DUCKDB_CONFIG = {
    "memory_limit": os.environ.get("CRM_DUCKDB_MEMORY", "384MB"),
    "allocator_flush_threshold": "8MB",
    "temp_directory": os.path.join(tempfile.gettempdir(), "crm-duckdb"),
    "preserve_insertion_order": False,
    **({"threads": int(os.environ["CRM_DUCKDB_THREADS"])} if os.environ.get("CRM_DUCKDB_THREADS") else {}),
}
# the buffer pool's size while no statement runs (see memory_limit above; empty: no change)
RESTING_MEMORY = os.environ.get("CRM_DUCKDB_RESTING_MEMORY", "64MB")


SMALL_WAREHOUSE_CONTRACTS = 100_000

# Arrow's buffers (the text columns of large results, the early warnings' parts) from the C
# library's malloc, not pyarrow's default mimalloc, which keeps what it freed for reuse: on
# large a worker after every page under the five filter sets (three cold renders each) held
# 447-464 MB against 489-526, at the same speed. (Capping glibc's arenas at two as well saved
# nothing more with it, and made demo's pages about 5% slower: DuckDB allocates through them.)
pa.set_memory_pool(pa.system_memory_pool())


class WarehouseMissingError(RuntimeError):
    """No warehouse file at the configured path."""


class WarehouseUnreadableError(WarehouseMissingError):
    """A warehouse file that cannot be read: corrupt, truncated, half-written or not
    readable by this process. Served like a missing one (the same friendly page), and
    reopened as soon as a good file replaces it."""


class WarehouseOutdatedError(WarehouseUnreadableError):
    """A warehouse built before the serving layer (data/serving.py): the queries read its
    tables, so it must be rebuilt; served like a damaged one until it is."""


# what DuckDB raises for a file it cannot read (as opposed to a wrong query)
STORAGE_ERRORS = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException,
                  duckdb.FatalException, OSError)


@dataclass(frozen=True)
class Scope:
    """Which reps a viewer may see: everyone (``reps=None``) or only ``reps``; and which
    teams they may pick in the filter bar (``teams``: every team when ``reps`` is None,
    else only these, none when not given)."""

    reps: tuple[str, ...] | None = None
    teams: tuple[str, ...] | None = None

    def params(self) -> dict:
        return {"scope_all": self.reps is None, "scope_reps": list(self.reps or ())}

    def pickable_teams(self) -> tuple[str, ...] | None:
        return None if self.reps is None else (self.teams or ())

    def intersect(self, other: Scope) -> Scope:
        """What both scopes allow: never more than either."""
        if other.reps is None:
            return self
        if self.reps is None:
            return Scope(other.reps, other.pickable_teams())
        return Scope(tuple(sorted(set(self.reps) & set(other.reps))),
                     tuple(sorted(set(self.pickable_teams()) & set(other.pickable_teams()))))


EVERYONE = Scope()
NOBODY = Scope(reps=(), teams=())  # an anonymous request: nothing

_viewing: ContextVar[Scope | None] = ContextVar("viewing", default=None)


@contextmanager
def viewing_as(scope: Scope) -> Iterator[Scope]:
    """Run the queries inside the block under ``scope`` (``python -m queries run --as``);
    inside a request it narrows the viewer's scope, never widens it."""
    token = _viewing.set(scope)
    try:
        yield scope
    finally:
        _viewing.reset(token)


def scope_of(user) -> Scope:
    """A user's Scope: everything for admins and the scope kind ``all``; otherwise the reps
    and teams the query ``viewer_scope`` finds for the kind, the linked rep and the
    explicit teams (cached per build like any query)."""
    if user.role == "admin" or user.scope_kind == "all":
        return EVERYONE
    frame = _execute("viewer_scope", Filters(), EVERYONE, viewer_kind=user.scope_kind,
                     viewer_rep=user.rep_id, viewer_teams=list(user.teams))
    ids = frame.groupby("kind")["id"].apply(tuple).to_dict()
    return Scope(reps=ids.get("rep", ()), teams=ids.get("team", ()))


def viewer_scope() -> Scope:
    """The scope every query runs under now: the signed-in viewer's within a request
    (nothing for an anonymous one), everyone outside; narrowed by ``viewing_as``."""
    scope = EVERYONE
    if flask.has_request_context():
        if "viewer_scope" not in flask.g:
            flask.g.viewer_scope = _request_scope()
        scope = flask.g.viewer_scope
    override = _viewing.get()
    return scope if override is None else scope.intersect(override)


def _request_scope() -> Scope:
    manager = getattr(flask.current_app, "login_manager", None)
    if manager is None:
        return NOBODY
    from flask_login import current_user

    return scope_of(current_user) if current_user.is_authenticated else NOBODY


@functools.cache
def names() -> tuple[str, ...]:
    """Every query's name (the files of queries/ do not change while the app runs)."""
    return tuple(sorted(p.stem for p in QUERY_DIR.glob("*.sql") if p.stem != "scope"))


def header(name: str) -> str:
    lines = []
    for line in _read(name).splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)


_texts: dict[str, str] = {}


def _read(name: str) -> str:
    if name not in _texts:
        if name not in names():
            raise KeyError(f"unknown query {name!r}")
        _texts[name] = (QUERY_DIR / f"{name}.sql").read_text()
    return _texts[name]


@functools.lru_cache(maxsize=1024)  # the texts of the queries, each read once: a render composes 5-20
def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()


def includes(name: str, _path: tuple[str, ...] = ()) -> list[str]:
    """The queries ``name`` reads as ``q_<query>`` relations, dependencies first."""
    order: list[str] = []
    for used in _mentioned(_body(_read(name))):
        if used not in names():
            continue
        if used in (*_path, name):
            raise ValueError(f"query {name!r} includes itself through {used!r}")
        for dep in [*includes(used, (*_path, name)), used]:
            if dep not in order:
                order.append(dep)
    return order


# the ORDER BY that ends a query ("select * from final order by ..."): a relation included as
# q_<name> has no order, and sorting it costs (the overdue plans on /alerts: 0.25-0.4 s on large);
# kept when a LIMIT or OFFSET follows (then the order picks the rows)
FINAL_ORDER = re.compile(r"(\nselect \* from final)\s+order\s+by\b(?:(?!\b(?:limit|offset)\b)[\s\S])*$",
                         flags=re.IGNORECASE)


def compose(name: str) -> str:
    """The query's SQL with the relations of the scope prelude it reads (directly or through
    other relations) and the queries it includes spliced in as leading CTEs (without their
    final ORDER BY). DuckDB binds and optimises every CTE of a statement, used or not: with
    only the relations a query needs, planning takes a fraction of the time."""
    included = [f"q_{dep} as (\n{_unordered(_body(_read(dep)))}\n)" for dep in includes(name)]
    body = _body(_read(name))
    ctes = [*_relations_read(_prelude(), "\n".join([*included, body])), *included]
    if not ctes:
        return body
    leading = ",\n".join(ctes)
    match = re.match(r"with\s+(recursive\s+)?", body, flags=re.IGNORECASE)
    if match:
        return f"with recursive {leading},\n{body[match.end():]}"
    return f"with recursive {leading}\n{body}"


@functools.lru_cache(maxsize=1024)
def _mentioned(body: str) -> tuple[str, ...]:
    """The q_<query> names ``body`` mentions, in order, each once."""
    return tuple(dict.fromkeys(INCLUDE.findall(body)))


@functools.lru_cache(maxsize=1024)
def _parameters(sql: str) -> frozenset[str]:
    """The $parameters ``sql`` uses."""
    return frozenset(PARAM.findall(sql))


@functools.lru_cache(maxsize=1024)
def _parsed(sql: str) -> duckdb.Statement:
    """``sql`` parsed once, for every run of it: DuckDB's parser takes 5-15 ms over a query
    and the scope relations it reads (the revenue course on demo ran in 45 ms from its text,
    31 from the parsed statement). ``execute`` runs a copy of it, so threads may share it."""
    (statement,) = duckdb.extract_statements(sql)
    return statement


def prepare_all() -> None:
    """Compose and parse every query once (0.7 s), when a worker starts (app.py): its first
    render of each page would otherwise do it for the page's queries (the first render of a
    page on large spent 40-55 ms of its Python on this)."""
    for name in names():
        sql = compose(name)
        _parameters(sql)
        _parsed(sql)
        if name in APART:
            _parsed(_body(_read(name)))


RELATION = re.compile(r"^(\w+) as (?:not materialized )?\(", flags=re.MULTILINE)


@functools.lru_cache(maxsize=512)
def _relations_read(prelude: str, text: str) -> tuple[str, ...]:
    """The relations of ``prelude`` (in its order) that ``text`` reads, directly or through
    the relations it reads."""
    starts = [(m.start(), m.group(1)) for m in RELATION.finditer(prelude)]
    blocks = {name: prelude[start:end].rstrip().rstrip(",")
              for (start, name), (end, _) in zip(starts, [*starts[1:], (len(prelude), "")], strict=True)}
    mentions = {name: re.compile(rf"\b{name}\b") for name in blocks}
    wanted, pending = set(), [name for name in blocks if mentions[name].search(text)]
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending += [other for other in blocks if other not in wanted and mentions[other].search(blocks[name])]
    return tuple(block for name, block in blocks.items() if name in wanted)


@functools.lru_cache(maxsize=1024)
def _unordered(body: str) -> str:
    return FINAL_ORDER.sub(r"\1", body)


@functools.cache
def _prelude() -> str:
    return _body((QUERY_DIR / "scope.sql").read_text())


# --- the connection --------------------------------------------------------------------

class _Warehouse:
    def __init__(self):
        self._lock = threading.Lock()
        self._local = threading.local()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._key: tuple | None = None
        self.path: Path | None = None
        self.rests = False  # whether the buffer pool rests between statements (_rest)

    def _stat_key(self, path: Path) -> tuple:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise WarehouseMissingError(f"no warehouse at {path}: run `make run` or `python -m data.load`") from None
        return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)

    def cursor(self) -> tuple[duckdb.DuckDBPyConnection, tuple]:
        path = warehouse_path()
        key = self._stat_key(path)
        with self._lock:
            if key != self._key:
                # A fresh in-memory instance that attaches the file: duckdb.connect(path)
                # would hand back its cached instance of the old file.
                con = duckdb.connect(config=DUCKDB_CONFIG)
                # the pool rests between statements unless the file is no larger than its resting
                # size, whose blocks cannot fill it: on demo (42 MB) a rest took 1.3 ms and handed
                # back memory the next statement took again (medians per filter set: /customers
                # 93-109 ms with rests, 78-90 without). A value DuckDB refuses fails here, as one
                # of DUCKDB_CONFIG does.
                rests = bool(RESTING_MEMORY) and _shrink_pool(con) < key[3]
                try:
                    con.execute("attach $path as warehouse (read_only)", {"path": str(path)})
                    current = _serving_layer_current(con)
                    small = current and con.execute("select count(*) from warehouse.s_contracts").fetchone()[0] \
                        < SMALL_WAREHOUSE_CONTRACTS
                except STORAGE_ERRORS as e:
                    con.close()
                    raise WarehouseUnreadableError(f"cannot read the warehouse at {path}: {e}") from e
                if not current:
                    con.close()
                    raise WarehouseOutdatedError(f"the warehouse at {path} has no serving layer of this release: "
                                                 "rebuild it")
                if small and "threads" not in DUCKDB_CONFIG:
                    con.execute("set threads = 1")  # see DUCKDB_CONFIG
                self._con, self._key, self.path, self.rests = con, key, path, rests
            con, key = self._con, self._key
        local = self._local
        if getattr(local, "key", None) != key:
            local.cursor, local.key = con.cursor(), key
            local.cursor.execute("use warehouse")
        return local.cursor, key

    def forget(self, key: tuple) -> None:
        """Drop the connection of build ``key`` (its file failed to read): the next call reopens."""
        with self._lock:
            if self._key == key:
                self._key = None


def _serving_layer_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the attached warehouse has every serving table, stamped by this release's build
    (data/serving.py): not a file built before the serving layer, or whose layer another
    release built."""
    tables = con.execute("select count(*) from duckdb_tables() where database_name = 'warehouse'"
                         " and list_contains($tables, table_name)", {"tables": list(SERVING_TABLES)}).fetchone()[0]
    return (tables == len(SERVING_TABLES)
            and con.execute("select any_value(stamp) from warehouse.s_layer").fetchone()[0] == SERVING_STAMP)


_warehouse = _Warehouse()
_results = Cache(CACHE_BYTES, CACHE_SIZE)  # query results (DataFrames) by (query, parameters, build, scope)
# what pages work out from a cached result on every render (build_info's row, the valid filter
# values), kept beside it by (what, build, scope): emptied with it
_derived = Cache(4 * 2**20, 64)
_sql_time = threading.local()  # time each thread has waited on DuckDB (benchmarks read it)


def sql_seconds() -> float:
    """Seconds this thread has waited for its queries' answers from DuckDB (run or started
    by it; cache hits cost none)."""
    return getattr(_sql_time, "seconds", 0.0)


def _waited(started: float) -> None:
    _sql_time.seconds = sql_seconds() + time.perf_counter() - started


def clear_cache() -> None:
    """Forget every cached result: the queries' and the pages' outputs built from them
    (benchmarks time cold renders with it)."""
    clear_every()


def build_key() -> tuple:
    """The identity of the warehouse file now served (path, inode, mtime, size): what a
    cached result was computed from; a new build has a new key."""
    return _warehouse.cursor()[1]


def _freeze(value):
    return tuple(value) if isinstance(value, list | tuple) else value


def params_for(filters: Filters | None, as_of: date | None = None) -> dict:
    """Named parameters for ``filters``: the periods and the dimension lists."""
    filters = filters or Filters()
    out = {
        "teams": list(filters.teams), "reps": list(filters.reps), "regions": list(filters.regions),
        "categories": list(filters.categories), "ctypes": list(filters.customer_types),
        "sources": list(filters.sources),
    }
    if as_of is not None:
        out.update(filters.periods(as_of))
    return out


def run(name: str, filters: Filters | None = None, scope: Scope = EVERYONE, **extra) -> pd.DataFrame:
    """Run query ``name`` for ``filters`` (periods resolved against the warehouse's as_of)
    under the viewer's scope narrowed by ``scope``; ``extra`` are the query's own
    parameters (values only: identifiers come from allow-lists in the caller)."""
    return _execute(name, filters, viewer_scope().intersect(scope), **extra)


def run_all(filters: Filters | None, calls: list[tuple[str, dict]], scope: Scope = EVERYONE) -> list[pd.DataFrame]:
    """``run`` of each query of ``calls`` = [(name, extra)] with ``filters`` and ``scope``, in
    order, the queries run two at a time on threads of their own: one plans and runs while
    another does, on both cores (the overview's seven queries took 60 ms one after another on
    demo, 42 side by side; 165 and 145 on large)."""
    narrowed = viewer_scope().intersect(scope)
    # the longest first (as their last runs took; unknown ones in the caller's order): the last
    # to start is a short one, which the other lane ends alongside
    for name, extra in sorted(calls, key=lambda call: -_took.get(call[0], 0.0)):
        sql, bound, key = _prepare(name, filters, narrowed, extra)
        with _pending_lock:
            if key in _pending or _results.get(key) is not None:
                continue
            future = _together_pool.submit(_fetch, name, sql, bound, key)
            _pending[key] = future
        future.add_done_callback(lambda _, key=key: _forget_pending(key))
    return [_execute(name, filters, narrowed, **extra) for name, extra in calls]


_together_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="queries-together")
_pending: dict[tuple, Future] = {}  # key -> the future of a query still running (run_all's or _execute's)
_pending_lock = threading.Lock()


def _forget_pending(key: tuple) -> None:
    with _pending_lock:
        _pending.pop(key, None)


def _execute(name: str, filters: Filters | None, scope: Scope, **extra) -> pd.DataFrame:
    """Query ``name``'s frame: from the cache; or, when another thread (run_all's, or another
    callback's asking the same) is running it, its result (or its error); else run here, and
    any thread asking meanwhile waits for it (the overview's two callbacks each checked the
    URL's filters with dimension_values: 11 ms twice on demo)."""
    sql, bound, key = _prepare(name, filters, scope, extra)
    with _pending_lock:
        future = _pending.get(key)
        cached = None if future is not None else _results.get(key)
        own = future is None and cached is None
        if own:
            future = _pending[key] = Future()
    if cached is not None:
        return cached.copy()
    started = time.perf_counter()
    if own:
        try:
            future.set_result(_fetch(name, sql, bound, key))
        except BaseException as e:  # handed on below, and to the threads waiting
            future.set_exception(e)
        finally:
            _forget_pending(key)
    try:
        frame = future.result()
    finally:
        _waited(started)
    return frame.copy()


def _prepare(name: str, filters: Filters | None, scope: Scope, extra: dict) -> tuple[str, dict, tuple]:
    """Query ``name``'s text, its bound parameters and its key in the cache."""
    sql = compose(name)
    used = _parameters(sql)
    needs_period = not used.isdisjoint(("start", "end", "as_of"))
    params = params_for(filters, warehouse_as_of() if needs_period else None)
    params.update(scope.params())
    if name.startswith("alerts"):  # thresholds and judged dates of the early warnings
        params.update(alert_params(params.get("as_of")))
    if "company_wide" in used:  # f_company_days' switch (scope.sql), and the facts' in the queries reading it
        params["company_wide"] = company_wide(params)
    if "reps_narrowed" in used:  # the switch to the copies sorted by rep (scope.sql)
        params["reps_narrowed"] = reps_narrowed(params)
    if "category_mask" in sql:  # a category filter's quick test (scope.sql); off without one
        params.update(_category_bits(params["categories"]) if params["categories"]
                      else {"category_mask": 0, "category_exact": True})
    params.update(extra)
    if "standing_built" in used:  # f_purchase_standing's switch (scope.sql), after a caller's own as_of
        params["standing_built"] = standing_built(params)
    if "overdue_built" in used:  # f_overdue_judged's (scope.sql), after a caller's own dates
        params["overdue_built"] = overdue_built(params)
    if "windows_built" in used:  # f_customer_windows' (scope.sql), after a caller's own dates
        params["windows_built"] = windows_built(params)
    if "ranks_built" in used:  # the built windows' ranks (customer_tiers)
        params["ranks_built"] = ranks_built(params)
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query {name!r} needs parameters {sorted(missing)}")
    bound = {k: v for k, v in params.items() if k in used}
    _, build = _warehouse.cursor()
    return sql, bound, (name, tuple(sorted((k, _freeze(v)) for k, v in bound.items())), build, scope)


def company_wide(params: dict) -> bool:
    """Whether nothing but a category narrows the facts and the viewer sees everyone: the
    company's daily sums (f_company_days) answer then, the facts otherwise. Bound as
    $company_wide, a constant when DuckDB plans, so each query's other branch is pruned."""
    return bool(params["scope_all"]) and not any(params[k] for k in ("teams", "reps", "regions", "ctypes", "sources"))


def reps_narrowed(params: dict) -> bool:
    """Whether a team, a rep or the viewer's scope narrows the reps: the scope prelude then
    reads the customers and the largest facts from their copies sorted by rep (data/serving.py,
    BY_REP_SQL), else from the date-sorted tables. Bound as $reps_narrowed, a constant when
    DuckDB plans, so the other branch is pruned."""
    return bool(params["teams"] or params["reps"] or not params["scope_all"])


def _build_as_of() -> date | None:
    """The build's as_of (its latest transaction date; none for an empty warehouse): the day
    its judged tables were worked out for."""
    built = build_info().get("as_of")
    return None if built is None or pd.isna(built) else pd.Timestamp(built).date()


def _every_rep_one_category(params: dict) -> bool:
    """Whether the facts are every rep's (the viewer sees everyone, no team or rep filter) and
    at most one category narrows them: what the build's per-customer tables hold, whole and per
    category (a customer filter applies through their own columns)."""
    return (bool(params["scope_all"]) and not params["teams"] and not params["reps"]
            and len(params["categories"]) <= 1)


def standing_built(params: dict) -> bool:
    """Whether the build's slipping-customer sums (s_purchase_standing) are what
    f_purchase_days would give: the as_of judged is the build's own, no team, rep or narrower
    scope narrows the contracts (f_purchase_days reads s_purchase_days then) and at most one
    category does. Bound as $standing_built, a constant when DuckDB plans, so the slipping
    customers' other branch is pruned."""
    built = _build_as_of()
    return (_every_rep_one_category(params) and built is not None
            and built == pd.Timestamp(params["as_of"]).date())


def overdue_built(params: dict) -> bool:
    """Whether the build's overdue amounts (s_overdue_judged) are for the dates judged: those
    alert_params gives for the build's as_of. Bound as $overdue_built (a constant when DuckDB
    plans: the collection warnings' other branch is pruned); every filter and scope applies to
    them as to the plan states."""
    built = _build_as_of()
    return built is not None and [pd.Timestamp(d).date() for d in params["dates"]] == alert_params(built)["dates"]


def windows_built(params: dict) -> bool:
    """Whether the build's customer figures (s_customer_windows) are what f_contracts and
    f_lines would give customer_windows and customer_value: every window they read for the
    period (filters.customer_windows) is built, and no team, rep, narrower scope or second
    category narrows the facts. Bound as $windows_built, a constant when DuckDB plans, so the
    other branch is pruned."""
    return (_every_rep_one_category(params)
            and _built_windows().issuperset(customer_windows(
                {k: pd.Timestamp(params[k]).date() for k in ("start", "end", "prev_start", "prev_end")})))


def ranks_built(params: dict) -> bool:
    """Whether the ranks of s_customer_windows are customer_tiers': its windows are built
    (windows_built) and no customer filter narrows their buyers. Bound as $ranks_built (a
    constant when DuckDB plans)."""
    return windows_built(params) and not any(params[k] for k in ("regions", "ctypes", "sources"))


def _built_windows() -> frozenset:
    """The windows of s_customer_windows (customer_window_days), once per build."""
    def read() -> frozenset:
        frame = _execute("customer_window_days", None, EVERYONE)
        return frozenset(zip((d.date() for d in frame["from_day"]), (d.date() for d in frame["to_day"]),
                             strict=True))

    return _derive("customer_window_days", EVERYONE, read)


# At most two statements run at once in a process, whichever threads ask (a worker's request
# threads, run_all's and the early warnings' pools): each already uses every core, and their
# hash tables share DuckDB's memory_limit. Held only around running a statement and reading
# its result, never while waiting for another query. A statement that still runs out of
# memory beside another runs again alone: four renders at once on large had 12-15 queries
# fail at 192 or 256 MB; two at a time, 1-3 (the team page of the whole company, twice at
# once); two at a time and alone after a failure, none.
STATEMENTS_AT_ONCE = 2
_running = threading.BoundedSemaphore(STATEMENTS_AT_ONCE)
_alone = threading.Lock()  # one thread at a time gathers every slot


def _statement(run, cursor: duckdb.DuckDBPyConnection):
    """``run()`` (a statement and the reading of its result, on ``cursor``) within the bound
    above; then, when no other statement runs, the buffer pool back to its resting size."""
    try:
        with _running:
            result = run()
    except duckdb.OutOfMemoryException:
        with _alone:
            for _ in range(STATEMENTS_AT_ONCE):
                _running.acquire()
            try:
                result = run()
            finally:
                for _ in range(STATEMENTS_AT_ONCE):
                    _running.release()
    _rest(cursor)
    return result


def _rest(cursor: duckdb.DuckDBPyConnection) -> None:
    """When no statement runs (every slot free, none retrying alone), DuckDB's buffer pool
    down to RESTING_MEMORY (lowering memory_limit evicts the least recently used blocks)
    and its limit back up: statements run under CRM_DUCKDB_MEMORY, a worker at rest holds
    less (see DUCKDB_CONFIG). A rest takes 0.4-1.3 ms; a statement that waits for it
    starts once it is done. Not on a warehouse no larger than the resting size (rests)."""
    if not _warehouse.rests or not _alone.acquire(blocking=False):
        return
    held = 0
    try:
        while held < STATEMENTS_AT_ONCE and _running.acquire(blocking=False):
            held += 1
        if held == STATEMENTS_AT_ONCE:
            _shrink_pool(cursor)
    finally:
        for _ in range(held):
            _running.release()
        _alone.release()


def _shrink_pool(con: duckdb.DuckDBPyConnection) -> int:
    """The buffer pool down to RESTING_MEMORY, its limit back to CRM_DUCKDB_MEMORY; the
    resting size in bytes, as DuckDB reads it."""
    con.execute("set memory_limit = $limit", {"limit": RESTING_MEMORY})
    resting = con.execute("select parse_formatted_bytes(current_setting('memory_limit'))").fetchone()[0]
    con.execute("set memory_limit = $limit", {"limit": DUCKDB_CONFIG["memory_limit"]})
    return resting


def _fetch(name: str, sql: str, bound: dict, key: tuple) -> pd.DataFrame:
    """Run query ``name`` on this thread's cursor and cache its frame under ``key``."""
    cursor, build = _warehouse.cursor()
    started = time.perf_counter()
    try:
        judged = _judged_key(sql, bound) if name in JUDGED else None
        if judged is not None and judged in _judged_keys():
            frame = _statement(lambda: _result_frame(
                name, cursor.execute(_parsed(JUDGED_ROWS.format(name=name)), {"judged_key": judged}), cursor), cursor)
        elif name in APART:
            frame = _run_apart(name, bound, cursor)
        else:
            frame = _statement(lambda: _result_frame(name, cursor.execute(_parsed(sql), bound), cursor), cursor)
    except STORAGE_ERRORS as e:
        _warehouse.forget(build)
        raise WarehouseUnreadableError(f"cannot read the warehouse at {_warehouse.path}: {e}") from e
    texts = sum(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes) * len(frame)
    if texts >= TEXT_HEAVY_VALUES:
        _text_heavy.add(name)
    else:
        _text_heavy.discard(name)
    _results.put(key, frame, _frame_bytes(frame))
    _took[name] = time.perf_counter() - started
    return frame


# The queries the build answers ahead (data.serving.judge, through judged_answers) for the
# views opened most (judged_views): no filter, each period preset, each category alone and,
# where the teams and reps are JUDGED_PEOPLE or fewer, each team and each rep alone (the
# boss's or a manager's drill); for a viewer who sees everyone. By query, the parameters
# beyond the filters that its page passes for its default view (a test renders each page's
# and checks that every query below reads a stored answer):
# - alerts (the early warnings of /alerts and of the overview's "what changed"), with the
#   settings' costing method: they are judged as of the build's as_of anyway; worked out per
#   request they cost 180-230 ms of the /alerts render on large (six statements, a third of
#   it planning) and as much beside the overview's figures. Their answer does not depend on
#   the period: the presets give the unfiltered view's key, judged once.
# - the overview's figures (FIFO margin, top 5 reps and customers; its overdue KPI's dates
#   move with the period: worked out), /team's sections and /customers' (no tier, segment or
#   cell picked, FIFO, the ABC thresholds of METRICS.md, the grid's first 1,000 customers:
#   pages.customers.page_params): the landing pages of the boss and the managers. On demo
#   they were bound by planning (customer_page alone plans in about 26 ms; the overview's
#   seven statements in 5-25 ms each), so their renders were at or over 80 ms.
# - /receivables' figures as of the period's end (a function of the view's periods), no
#   bucket picked: on large, without a filter or for last month, its aging and overdue plans
#   read every plan's state on that day (80 and 64 ms), and the page's median was 132-163 ms.
# - /data's costing figures (WHOLE_ONLY below).
# - /lead-pool's claims by rep and its customers due back in the next 7 days under the pool
#   limit of the settings (CRM_POOL_LIMIT_DAYS: a limit in the URL is worked out), the grid's
#   first 1,000: on xl, 185 and 300 ms of CPU (every claim's conversion looked up in the
#   contracts; every customer's last follow-up and claim), and the page's p50 was 295 ms.
# - /acquisition's figures (every kind of follow-up, customers forgotten for 30 days, the grid's
#   first 1,000): on xl this year's took 800-850 ms (every customer created, every contract and
#   follow-up of the year), its p95 983.
# Each answer is stored (s_judged_<query>) under the key of the text and every parameter it
# was worked out with (s_judged lists the keys): a call with the same key reads its rows in
# their order; another filter, scope, setting, as_of or release's text gives another key.
JUDGED = {
    "alerts": {},
    "overview_kpis": {}, "overview_margin": {"method": "fifo"}, "overview_sparklines": {}, "overview_trend": {},
    "overview_top_reps": {"limit": 5}, "overview_top_customers": {"limit": 5},
    "team_page": {},
    "customer_page": {"group": "all", "tier": "", "segment": "", "cell": "", "method": "fifo",
                      "abc_a": Decimal("0.80"), "abc_b": Decimal("0.95"), "limit": 1000},
    "receivables_summary": lambda periods: {"day": periods["end"]}, "receivables_by_month": {},
    "receivables_aging": lambda periods: {"dates": [periods["end"]], "limit": 1000},
    "receivables_overdue_plans": lambda periods: {"dates": [periods["end"]], "bucket": "", "limit": 1000},
    "receivables_ending": lambda periods: {"days": 30, "day": periods["end"], "limit": 1000},
    "data_costing": {}, "data_costing_products": {},
    "pool_by_rep": {},
    "pool_due_page": lambda periods: {"limit_days": POOL_LIMIT.read(), "window": 7, "limit": 1000},
    "acquisition_new_customers": {}, "acquisition_conversion": {}, "acquisition_activity_calendar": {"kind": ""},
    "acquisition_activity_by_rep": {}, "acquisition_forgotten": {"days": 30, "limit": 1000},
}
# the queries of JUDGED their page asks only without a filter: /data describes the build
# (every line costed or not, all dates, whatever the filter bar holds), so its two costing
# figures are judged for the unfiltered view alone. Each groups every counted line by product:
# on xl they took 430 and 365 ms of each visit (the page's p50 was 511 ms).
WHOLE_ONLY = frozenset({"data_costing", "data_costing_products"})
# Each view is worked out as a request does (the early warnings' six kinds apart), each query's
# views one after another, two queries at a time. Judging takes 13.7 s of demo's build (56
# views: 8 teams and 30 reps among them), 8.3 s of large's (19 views) and 32 s of xl's; large's
# 125 teams and 600 reps would add minutes, so there the build judges the other views only.
JUDGED_PEOPLE = 64
JUDGED_ROWS = ("select * exclude (judged_key, judged_row) from s_judged_{name} where judged_key = $judged_key "
               "order by judged_row")


def _judged_key(sql: str, bound: dict) -> str:
    """The identity of an answer: the query's text and every parameter it is bound with."""
    return hashlib.sha256(repr((sql, sorted((k, _freeze(v)) for k, v in bound.items()))).encode()).hexdigest()


def _judged_keys() -> frozenset[str]:
    """The keys of the answers the build stored (s_judged), once per build. (Read within
    _fetch, whose caller counts the wait; a few rows, outside the bound on statements.)"""
    def read() -> frozenset[str]:
        cursor, _ = _warehouse.cursor()
        return frozenset(key for (key,) in cursor.execute("select judged_key from s_judged").fetchall())

    return _derive("judged_keys", EVERYONE, read)


def judged_views(name: str | None = None) -> list[Filters]:
    """The views the build judges (``JUDGED``): no filter, each period preset, each category
    alone, and where there are JUDGED_PEOPLE or fewer teams and reps, each team and each rep
    alone; for a query of ``WHOLE_ONLY``, the view without a filter alone."""
    if name in WHOLE_ONLY:
        return [Filters()]
    values = dimension_values()
    people = [*(Filters(teams=(t,)) for t in sorted(values["team"])),
              *(Filters(reps=(r,)) for r in sorted(values["rep"]))]
    return [Filters(), *(Filters(preset=p) for p in PRESETS if p not in (DEFAULT_PRESET, "custom")),
            *(Filters(categories=(c,)) for c in sorted(values["category"])),
            *(people if len(people) <= JUDGED_PEOPLE else ())]


def judged_params(name: str, filters: Filters) -> dict:
    """The parameters beyond ``filters`` that query ``name`` is judged with (``JUDGED``): its
    page's for its default view, some worked out from the view's periods."""
    params = JUDGED[name]
    return params(filters.periods(warehouse_as_of())) if callable(params) else params


def judged_answers(name: str) -> pa.Table:
    """Query ``name``'s answers for the views the build judges (``judged_views``), called
    with its page's parameters (``judged_params``), each distinct answer once: every view's rows in
    the query's order with its key (``judged_key``) and place (``judged_row``), every key (one
    may have no rows) in the schema's metadata (``judged_keys``, a JSON list). Run by the
    build on the new file."""
    cursor, _ = _warehouse.cursor()
    tables, keys = [], []
    for filters in judged_views(name):
        sql, bound, _ = _prepare(name, filters, EVERYONE, judged_params(name, filters))
        key = _judged_key(sql, bound)
        if key in keys:
            continue
        keys.append(key)
        table = (_run_apart(name, bound, cursor, lambda result: result.to_arrow_table()) if name in APART
                 else _arrow(name, bound))
        tables.append(table.append_column("judged_key", pa.array([key] * table.num_rows, pa.string()))
                      .append_column("judged_row", pa.array(range(table.num_rows), pa.int64())))
    return pa.concat_tables(tables).replace_schema_metadata({"judged_keys": json.dumps(keys)})


# how long each query's last run took (seconds), by name: run_all starts the longest first. On
# large, /receivables' aging (61 ms) and overdue plans (49) ran side by side and its ending
# list (30) after them; started first, the ending list shares a lane with the overdue plans.
_took: dict[str, float] = {}


def _result_frame(name: str, result: duckdb.DuckDBPyConnection, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Query ``name``'s executed ``result`` as its frame: a sections query's through
    ``_sectioned``, a text-heavy one's through Arrow (``_frame``), the others by ``df()``."""
    if name in SECTIONED:
        return _sectioned(result.to_arrow_table(), cursor)
    return _frame(result.to_arrow_table(), cursor) if name in _text_heavy else result.df()


# the queries whose last result held TEXT_HEAVY_VALUES text values or more: their next results
# are read through Arrow (_frame), which saves about 0.2 µs a value and costs about 1.2 ms a
# query (pipeline_deals on large: 37,515 deals, 6 text columns, 74 -> 41 ms); the others by df()
TEXT_HEAVY_VALUES = 6000
_text_heavy: set[str] = set()


# queries planned apart: each q_<query> relation the query reads itself (the six kinds of
# early warnings; /team's two levels of leaderboard and targets) runs as its own statement,
# two at a time, and the query reads their results as Arrow tables (DuckDB's own types:
# decimals, dates and lists come back as they were). One statement of the six kinds took
# longer to plan than the six apart (optimiser passes grow faster than the plan: 936
# operators on demo); apart, two plan and run side by side. team_page as one statement took
# 118 ms on large against 52 + 36 for its two parts alone; apart, the /team page's medians
# per filter set went from 73/71/84/74/80 to 62/59/77/66/71 ms on demo and from
# 139/118/106/85/170 to 128/109/104/78/158 on large. The other pages of sections share
# their work between sections (customer_page values the period's customers once for five)
# or read one query: apart they were slower (/customers on large 162-207 ms against 122-170).
APART = frozenset({"alerts", "team_page"})
_apart_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="queries-apart")
# (set once here: warnings.catch_warnings around each call is not safe across threads)
warnings.filterwarnings("ignore", "Arrow output on a DB-API result", UserWarning, __name__)


def _run_apart(name: str, bound: dict, cursor: duckdb.DuckDBPyConnection, read=None):
    """Query ``name`` with the queries it reads run apart (``APART``), bound from ``bound``; its
    own text reads only them (a test checks). Its frame, or what ``read`` makes of its result."""
    body = _body(_read(name))
    parts = [used for used in _mentioned(body) if used in names()]
    tables = list(_apart_pool.map(lambda part: _arrow(part, bound), parts))
    for part, table in zip(parts, tables, strict=True):
        cursor.register(f"q_{part}", table)
    read = read or (lambda result: _result_frame(name, result, cursor))
    try:
        return _statement(lambda: read(
            cursor.execute(_parsed(body), {k: v for k, v in bound.items() if k in _parameters(body)})), cursor)
    finally:
        for part in parts:
            cursor.unregister(f"q_{part}")


def _arrow(name: str, bound: dict):
    """Query ``name``'s result as an Arrow table, on this thread's cursor. Through execute:
    ``cursor.sql(...)`` plans the statement twice (to learn its columns, then to run it:
    deals at risk on demo 64 ms against 44); the copy of the rows DuckDB warns about (the
    warning is silenced below) is of a few hundred rows."""
    cursor, _ = _warehouse.cursor()
    sql = compose(name)
    return _statement(lambda: cursor.execute(
        _parsed(sql), {k: v for k, v in bound.items() if k in _parameters(sql)}).to_arrow_table(), cursor)


def _frame(table: pa.Table, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A result read as the Arrow ``table``, as a DataFrame exactly as the result's ``df()``
    gives it, its text columns taken through Arrow: ``df()`` makes a Python string of each
    value, which pandas 3 then copies into its Arrow-backed str column. Numbers, days and
    flags are converted here where that gives df()'s values (_numpy); the other columns are
    DuckDB's own conversion of the same rows, one call for them all (about a millisecond: a
    page's sections are a few small tables). A test compares every query's frames both ways."""
    columns: dict[int, object] = {}
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type) \
                or pa.types.is_string_view(field.type):
            # as df() gives it: a column with a value is str, one without (empty, or all null) object
            columns[i] = (column.to_pandas() if column.null_count < len(column)
                          else np.full(len(column), None, dtype=object))
        else:
            values = _numpy(column.combine_chunks())
            if values is not None:
                columns[i] = values
    others = [i for i in range(table.num_columns) if i not in columns]
    if others:
        rest = table.select(others)
        converted = cursor.from_arrow(rest.rename_columns([f"c{i}" for i in others])).df()
        columns.update({i: converted[f"c{i}"] for i in others})
    frame = pd.DataFrame({f"c{i}": columns[i] for i in range(table.num_columns)}, index=pd.RangeIndex(table.num_rows))
    frame.columns = table.column_names
    return frame


def _numpy(values: pa.Array):
    """``values`` as the array DuckDB's ``df()`` makes of them, where that is quick and sure to
    be the same here: floats; whole numbers and flags (with a gap: nullable); times and days
    (datetime64[us]); decimals whose unscaled integers are exact as doubles (DuckDB divides
    that double by 10^scale, as here: the same correctly rounded value; Arrow's own cast
    differed on 13% of random decimals). None for the rest."""
    kind = values.type
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        if values.null_count == 0:
            return values.to_numpy(zero_copy_only=False)
        # with a gap, pandas' nullable (masked) array of the same width, as df() gives it
        filled = values.fill_null(False if pa.types.is_boolean(kind) else 0).to_numpy(zero_copy_only=False)
        masked = pd.arrays.BooleanArray if pa.types.is_boolean(kind) else pd.arrays.IntegerArray
        return masked(filled, ~values.is_valid().to_numpy(zero_copy_only=False))
    if pa.types.is_floating(kind) or (pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz is None):
        return values.to_numpy(zero_copy_only=False)
    if pa.types.is_date32(kind):
        return values.cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
    if pa.types.is_decimal128(kind) and kind.scale <= 18:
        raw = np.frombuffer(values.buffers()[1], dtype=np.int64)[2 * values.offset:2 * (values.offset + len(values))]
        low, high = raw[0::2], raw[1::2]
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        if ((high == low >> 63) & (np.abs(low) < 2**53) | ~valid).all():
            out = low / 10.0**kind.scale
            out[~valid] = np.nan
            return out
    return None


def _frame_bytes(frame: pd.DataFrame) -> int:
    """What ``frame.memory_usage(index=True, deep=True).sum()`` says, a column at a time: the
    buffers' sizes, the objects' only for a column of Python objects (pandas' own took about
    a millisecond a result, whatever its size: 5-7 ms of a cold render)."""
    return int(frame.index.memory_usage(deep=True) + sum(
        column.memory_usage(index=False, deep=True) if column.dtype == object else column.array.nbytes
        for _, column in frame.items()))


def _category_bits(categories: list[str]) -> dict:
    """$category_mask: the bits of ``categories`` (s_category_bits); $category_exact: no two
    categories share a bit, so a row's bits alone say whether it has one of them. Worked out
    once per build and list (every query of a page asks: 10-12 ms of a render on xl)."""
    def compute() -> dict:
        bits = _execute("category_bits", None, EVERYONE)
        chosen = bits[bits["category"].isin(categories)]
        return {"category_mask": int(np.bitwise_or.reduce(chosen["bit"].to_numpy(), initial=0)),
                "category_exact": bool(bits["bit"].is_unique)}

    return dict(_derive(("category_bits", tuple(categories)), EVERYONE, compute))


# the queries that return a page's sections in one row (customer_page): each column a struct of
# lists, one list per column of the section. The gateway reads them through Arrow (_sectioned)
# and ``sections`` hands out the frames. As JSON text, parsed and typed in Python, /team's four
# sections (tens of thousands of values) took 48 ms of Python per render on xl.
SECTIONED = frozenset({"customer_page", "forecast_page", "funnel_snapshot", "pool_due_page", "team_page"})


def _sectioned(table: pa.Table, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """A sections row read as the Arrow ``table``, as a one-row frame holding one frame per
    section: its lists side by side, as the frame the section's own query gives through the
    gateway (_frame: df()'s dtypes and values), typed even without rows."""
    out = pd.DataFrame(index=pd.RangeIndex(1))
    for name, column in zip(table.column_names, table.columns, strict=True):
        section = column.combine_chunks()
        lists = pa.table([values.flatten() for values in section.flatten()],
                         names=[field.name for field in section.type])
        out[name] = pd.Series([_frame(lists, cursor)], dtype=object)
    return out


def sections(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The frames of a query of ``SECTIONED`` (run's one-row frame), one per section, each
    the caller's own copy."""
    return {name: frame[name].iloc[0].copy() for name in frame.columns}


def build_info() -> dict:
    """The warehouse's build_info row (source, built_at, as_of, row counts)."""
    def row():
        frame = run("build_info")
        return frame.iloc[0].to_dict() if len(frame) else {}

    return dict(_derive("build_info", viewer_scope(), row))


def _derive(what, scope: Scope, compute):
    """``compute()``, worked out once per build and scope (its value is shared: not to be changed)."""
    key = (what, build_key(), scope)
    value = _derived.get(key)
    if value is None:
        value = compute()
        _derived.put(key, value, 1)
    return value


def warehouse_as_of() -> date:
    """The as_of of every relative period: the setting CRM_AS_OF (YYYY-MM-DD) if given,
    else the warehouse's latest transaction date (today for an empty warehouse). A URL's
    ``as_of`` overrides both (Filters.as_of). Held to the window URL dates are held to
    (filters.DATE_BOUNDS), so the periods stepped back and forth from it stay valid dates."""
    setting = os.environ.get("CRM_AS_OF")
    as_of = None
    with contextlib.suppress(ValueError):  # a malformed setting is ignored, as a malformed URL value is
        as_of = date.fromisoformat(setting or "")
    if as_of is None:
        as_of = _build_as_of() or date.today()
    return min(max(as_of, DATE_BOUNDS[0]), DATE_BOUNDS[1])


def dimension_values(scope: Scope = EVERYONE) -> dict[str, frozenset[str]]:
    """Valid values of each URL list filter (team, rep, region, category, source)."""
    def values():
        found: dict[str, set] = {}
        frame = dimension_rows(scope)
        for key, value in zip(frame["dimension"].tolist(), frame["value"].tolist(), strict=True):
            found.setdefault(key, set()).add(value)  # a loop over lists: a groupby took 7 times longer
        # a dimension with no value in sight checks against the empty set (a missing key is not checked)
        return {key: frozenset(found.get(key, ())) for key in ("team", "rep", "region", "category", "source")}

    return dict(_derive("dimension_values", viewer_scope().intersect(scope), values))


def dimension_rows(scope: Scope = EVERYONE) -> pd.DataFrame:
    """The ``dimension_values`` rows the viewer may pick: teams only those of the scope."""
    scope = viewer_scope().intersect(scope)
    frame = _execute("dimension_values", Filters(), scope)
    teams = scope.pickable_teams()
    if teams is None:
        return frame
    return frame[(frame["dimension"] != "team") | frame["value"].isin(teams)].reset_index(drop=True)


def parse_filters(query, extra_keys: tuple[str, ...] = (), scope: Scope = EVERYONE) -> Filters:
    """``Filters.from_query`` checked against the warehouse's own values, looked up only when
    the query names a dimension (a page without a dimension filter renders without them)."""
    return Filters.from_query(query, lambda: dimension_values(scope), extra_keys)
