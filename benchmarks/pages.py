"""Time every dashboard's full render on a warehouse: its layout and every callback the page
fires when it loads (those whose input is the page's query: /overview's "what changed", the
funnel's and the products' pickers beside their page callbacks), run side by side as the
browser sends them and the server's threads answer them; cold (the gateway's cache cleared
before each render: every query runs) and warm (the cache answers), under five filter sets,
against a fixed calibration query.

    CRM_WAREHOUSE=/tmp/large.duckdb python -m benchmarks.pages [--repeat 3] [--json out.json]

Build a large warehouse first: ``python -m data.generate --scale large --out /tmp/large.duckdb``.

Absolute times move with the machine's load, so the same run times a calibration query
(a grouped sum of contract amount by rep over every contract, straight on the base
tables) right before each page and reports the page's cold p95 as a ratio to that
calibration's median. Each
render is split into SQL (time waiting on the gateway's DuckDB calls) and Python (the rest,
added up over its callbacks).
Last, every page is visited under every filter set with the caches kept, and the worker's
resident memory after those visits is reported (``rss_mb``; ``peak_rss_mb`` is the run's peak).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import resource
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

from dash._callback import GLOBAL_CALLBACK_MAP

import app  # registers the pages
import queries
from data.build import warehouse_path

PAGES = ("overview", "revenue", "team", "funnel", "forecast", "products", "customers", "acquisition",
         "lead_pool", "receivables", "data", "alerts")
CALIBRATION = "select rep_id, sum(amount) from contracts group by rep_id"


def filter_sets() -> dict[str, dict]:
    """The five filter sets of the issue, with a team, a rep and a category taken from the
    warehouse itself (the first of each in id order that has contracts)."""
    cursor, _ = queries._warehouse.cursor()
    team, rep = cursor.execute(
        "select r.team_id, r.rep_id from contracts as c join reps as r using (rep_id) "
        "group by all order by count(*) desc limit 1").fetchone()
    (category,) = cursor.execute("select min(category) from products").fetchone()
    return {
        "this_year": {"preset": "this_year"},
        "last_month": {"preset": "last_month"},
        "team": {"team": team},
        "rep": {"rep": rep},
        "category": {"category": category},
    }


def calibrate(repeat: int) -> float:
    cursor, _ = queries._warehouse.cursor()
    times = []
    for _ in range(max(repeat, 5)):
        started = time.perf_counter()
        cursor.execute(CALIBRATION).fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


@functools.cache
def page_callbacks(name: str) -> tuple:
    """The callbacks page ``name`` fires when it loads: its callbacks whose input is the page's
    query (the page-query store), as the page module holds them (a page callback with its
    output cache)."""
    module = importlib.import_module(f"pages.{name}")
    # (the app takes the registered callbacks into its own map when it first serves a request)
    entries = [*GLOBAL_CALLBACK_MAP.values(), *app.app.callback_map.values()]
    found = [getattr(module, entry["callback"].__wrapped__.__name__) for entry in entries
             if "callback" in entry and entry["callback"].__wrapped__.__module__ == module.__name__
             and any(i["id"] == "page-query" and i["property"] == "data" for i in entry["inputs"])]
    return tuple(dict.fromkeys(found))


_callbacks_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="benchmark-callbacks")


def _timed(callback, query: dict) -> tuple[float, float]:
    """(seconds, of which waiting on SQL) of ``callback(query)`` on this thread."""
    sql_before = queries.sql_seconds()
    started = time.perf_counter()
    callback(dict(query))
    return time.perf_counter() - started, queries.sql_seconds() - sql_before


def render(name: str, query: dict) -> tuple[float, float]:
    """(total, python) seconds of one full render of page ``name`` for ``query``: its layout,
    then its callbacks side by side (``page_callbacks``; the browser sends them at once and
    the server answers each on a thread of its own). Python is the rest of each step after
    its waits on SQL, added up."""
    module = importlib.import_module(f"pages.{name}")
    started = time.perf_counter()
    layout_time, layout_sql = _timed(lambda q: module.layout(**q), query)
    steps = list(_callbacks_pool.map(lambda callback: _timed(callback, query), page_callbacks(name)))
    python = layout_time - layout_sql + sum(total - sql for total, sql in steps)
    return time.perf_counter() - started, python


def resident_mb() -> float:
    """This process's resident memory now (Linux), in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages")
    parser.add_argument("--repeat", type=int, default=1, help="cold renders per page and filter set")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--json", dest="json_file", help="also write the results to this file")
    args = parser.parse_args(argv)
    app.warm_up()  # as a serving worker does when it starts
    sets = filter_sets()
    calibration = calibrate(args.repeat)
    source = queries.build_info().get("source")
    print(f"warehouse {warehouse_path()} ({source}); calibration {calibration * 1000:.1f} ms at the start")
    print(f"{'page':12s} {'p50':>7s} {'p95':>7s} {'max':>7s} {'ratio':>6s} {'sql%':>5s} {'py p95':>7s} "
          f"{'warm':>6s} {'calib':>6s} {'calls':>5s}  (ms, cold unless named; ratio = p95 / calibration; "
          "sql% = the share not spent in Python; calls = the callbacks of a render)")
    results = {}
    for name in args.pages.split(","):
        # calibrated again right before each page: the load of a shared machine drifts
        calibration = calibrate(args.repeat)
        cold, python, warm = [], [], []
        for query in sets.values():
            for _ in range(args.repeat):
                queries.clear_cache()
                total, py = render(name, query)
                cold.append(total)
                python.append(py)
            warm.append(render(name, query)[0])
        row = {
            "calibration_ms": calibration * 1000,
            "p50_ms": statistics.median(cold) * 1000, "p95_ms": p95(cold) * 1000, "max_ms": max(cold) * 1000,
            "ratio_p95": p95(cold) / calibration, "ratio_p50": statistics.median(cold) / calibration,
            "sql_share": max(0.0, 1 - sum(python) / sum(cold)), "python_p95_ms": p95(python) * 1000,
            "warm_p95_ms": p95(warm) * 1000, "callbacks": len(page_callbacks(name)),
        }
        results[name] = row
        print(f"{name:12s} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['max_ms']:7.0f} {row['ratio_p95']:6.1f} "
              f"{row['sql_share'] * 100:5.0f} {row['python_p95_ms']:7.0f} {row['warm_p95_ms']:6.0f} "
              f"{row['calibration_ms']:6.1f} {row['callbacks']:5d}", flush=True)
    # a worker after visiting every page under every filter set, its caches kept (issue #17: <= 500 MB)
    queries.clear_cache()
    for name in args.pages.split(","):
        for query in sets.values():
            render(name, query)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"resident memory after visiting every page under every filter set (caches kept) {resident_mb():.0f} MB, "
          f"peak {peak_mb:.0f} MB")
    report = {"warehouse": str(warehouse_path()), "source": source, "filter_sets": sets, "repeat": args.repeat,
              "rss_mb": resident_mb(), "peak_rss_mb": peak_mb, "pages": results}
    if args.json_file:
        with open(args.json_file, "w") as out:
            json.dump(report, out, indent=2, default=str)
    return report


if __name__ == "__main__":
    main()
