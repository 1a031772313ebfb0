"""The only door to the warehouse: ``run(name, filters) -> DataFrame``.

- One query, one file: ``queries/<name>.sql``; its leading ``--`` lines are its header
  (grain, parameters, pages).
- A query may read another query's result as the relation ``q_<name>`` (a metric defined
  once, reused): ``compose`` splices that query in as a CTE after the prelude, its own
  inclusions first, each once.
- ``run`` binds the filters as named parameters, splices the scope prelude
  (``scope.sql``: the filtered relations ``f_contracts``, ``f_customers``, ...) in
  front of the query's own CTEs, runs it on a per-thread cursor of a read-only
  connection, and caches the result by (query, parameters, build).
- A new warehouse file (an atomic rename by ``data.build``) is noticed on the next call:
  the connection is reopened and the cache, keyed by the build, no longer matches.
  Connections still in use by other threads are left to finish.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from data.build import warehouse_path
from queries.filters import Filters

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
#   workers share the cores (2 threads against 1 made the pages 1.38x faster here).
# - memory_limit: DuckDB's buffer pool (table blocks and the hash tables of a query) is
#   bounded, so a worker stays within its 500 MB (CRM_DUCKDB_MEMORY); a query that needs
#   more spills to temp_directory, in the system's temporary folder (DuckDB's default is
#   .tmp in the working directory).
# - preserve_insertion_order = false: every query orders its own result (ORDER BY), so
#   DuckDB may stream scans without keeping their order, which saves memory on big scans.
# - no object cache: enable_object_cache is gone in DuckDB 2 (its successor, the external
#   file cache, caches Parquet and other external files); the warehouse is a native DuckDB
#   file whose blocks the buffer pool caches already.
DUCKDB_CONFIG = {
    "memory_limit": os.environ.get("CRM_DUCKDB_MEMORY", "256MB"),
    "temp_directory": os.path.join(tempfile.gettempdir(), "crm-duckdb"),
    "preserve_insertion_order": False,
    **({"threads": int(os.environ["CRM_DUCKDB_THREADS"])} if os.environ.get("CRM_DUCKDB_THREADS") else {}),
}


class WarehouseMissingError(RuntimeError):
    """No warehouse file at the configured path."""


@dataclass(frozen=True)
class Scope:
    """Which reps a viewer may see: everyone (``reps=None``) or only ``reps``."""

    reps: tuple[str, ...] | None = None

    def params(self) -> dict:
        return {"scope_all": self.reps is None, "scope_reps": list(self.reps or ())}


EVERYONE = Scope()


def names() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql") if p.stem != "scope")


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


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--")).strip()


def includes(name: str, _path: tuple[str, ...] = ()) -> list[str]:
    """The queries ``name`` reads as ``q_<query>`` relations, dependencies first."""
    order: list[str] = []
    for used in dict.fromkeys(INCLUDE.findall(_body(_read(name)))):
        if used not in names():
            continue
        if used in (*_path, name):
            raise ValueError(f"query {name!r} includes itself through {used!r}")
        for dep in [*includes(used, (*_path, name)), used]:
            if dep not in order:
                order.append(dep)
    return order


def compose(name: str) -> str:
    """The query's SQL with the scope prelude and the queries it includes spliced in as
    leading CTEs."""
    prelude = ",\n".join([_prelude(), *(f"q_{dep} as (\n{_body(_read(dep))}\n)" for dep in includes(name))])
    body = _body(_read(name))
    match = re.match(r"with\s+(recursive\s+)?", body, flags=re.IGNORECASE)
    if match:
        return f"with recursive {prelude},\n{body[match.end():]}"
    return f"with recursive {prelude}\n{body}"


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
                con.execute("attach $path as warehouse (read_only)", {"path": str(path)})
                self._con, self._key, self.path = con, key, path
            con, key = self._con, self._key
        local = self._local
        if getattr(local, "key", None) != key:
            local.cursor, local.key = con.cursor(), key
            local.cursor.execute("use warehouse")
        return local.cursor, key


_warehouse = _Warehouse()
_cache: OrderedDict = OrderedDict()  # key -> (frame, bytes), least recently used first
_cache_bytes = 0
_cache_lock = threading.Lock()
_sql_seconds = [0.0]  # time spent inside DuckDB by this process (benchmarks read it)


def sql_seconds() -> float:
    """Seconds this process has spent running queries in DuckDB (cache hits cost none)."""
    return _sql_seconds[0]


def clear_cache() -> None:
    """Forget every cached result (benchmarks time cold renders with it)."""
    global _cache_bytes
    with _cache_lock:
        _cache.clear()
        _cache_bytes = 0


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
    """Run query ``name`` for ``filters`` (periods resolved against the warehouse's as_of);
    ``extra`` are the query's own parameters (values only: identifiers come from
    allow-lists in the caller)."""
    sql = compose(name)
    needs_period = any(p in ("start", "end", "as_of") for p in PARAM.findall(sql))
    params = params_for(filters, warehouse_as_of() if needs_period else None)
    params.update(scope.params())
    params.update(extra)
    used = set(PARAM.findall(sql))
    missing = used - params.keys()
    if missing:
        raise KeyError(f"query {name!r} needs parameters {sorted(missing)}")
    bound = {k: v for k, v in params.items() if k in used}
    cursor, build = _warehouse.cursor()
    key = (name, tuple(sorted((k, _freeze(v)) for k, v in bound.items())), build, scope)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key][0].copy()
    started = time.perf_counter()
    frame = cursor.execute(sql, bound).df()
    _sql_seconds[0] += time.perf_counter() - started
    _remember(key, frame)
    return frame.copy()


def _remember(key, frame: pd.DataFrame) -> None:
    """Cache ``frame``; evict the least recently used results past CACHE_SIZE or CACHE_BYTES."""
    global _cache_bytes
    size = int(frame.memory_usage(index=True, deep=True).sum())
    with _cache_lock:
        if key in _cache:
            _cache_bytes -= _cache.pop(key)[1]
        _cache[key] = (frame, size)
        _cache_bytes += size
        while len(_cache) > 1 and (len(_cache) > CACHE_SIZE or _cache_bytes > CACHE_BYTES):
            _cache_bytes -= _cache.popitem(last=False)[1][1]


def build_info() -> dict:
    """The warehouse's build_info row (source, built_at, as_of, row counts)."""
    frame = run("build_info")
    return frame.iloc[0].to_dict() if len(frame) else {}


def warehouse_as_of() -> date:
    """The as_of of every relative period: the setting CRM_AS_OF (YYYY-MM-DD) if given,
    else the warehouse's latest transaction date (today for an empty warehouse). A URL's
    ``as_of`` overrides both (Filters.as_of)."""
    setting = os.environ.get("CRM_AS_OF")
    if setting:
        try:
            return date.fromisoformat(setting)
        except ValueError:
            pass  # a malformed setting is ignored, as a malformed URL value is
    as_of = build_info().get("as_of")
    return pd.Timestamp(as_of).date() if as_of is not None and not pd.isna(as_of) else date.today()


def dimension_values(scope: Scope = EVERYONE) -> dict[str, set[str]]:
    """Valid values of each URL list filter (team, rep, region, category, source)."""
    frame = run("dimension_values", Filters(), scope)
    return {key: set(group["value"]) for key, group in frame.groupby("dimension")}


def parse_filters(query, extra_keys: tuple[str, ...] = (), scope: Scope = EVERYONE) -> Filters:
    """``Filters.from_query`` checked against the warehouse's own values."""
    return Filters.from_query(query, dimension_values(scope), extra_keys)
