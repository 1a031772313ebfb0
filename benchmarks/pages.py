"""Time every dashboard's full render (its layout and its page callback) on a warehouse,
cold (the gateway's cache cleared before each render: every query runs) and warm (the
cache answers), under five filter sets, against a fixed calibration query.

    CRM_WAREHOUSE=/tmp/large.duckdb python -m benchmarks.pages [--repeat 3] [--json out.json]

Build a large warehouse first: ``python -m data.generate --scale large --out /tmp/large.duckdb``.

Absolute times move with the machine's load, so the same run times a calibration query
(a grouped sum of contract amount by rep over every contract, straight on the base
tables) right before each page and reports the page's cold p95 as a ratio to that
calibration's median. Each
render is split into SQL (time inside the gateway's DuckDB calls) and Python (the rest).
Last, every page is visited under every filter set with the caches kept, and the worker's
resident memory after those visits is reported (``rss_mb``; ``peak_rss_mb`` is the run's peak).
"""

from __future__ import annotations

import argparse
import importlib
import json
import resource
import statistics
import time

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


def render(name: str, query: dict) -> tuple[float, float]:
    """(total, sql) seconds of one full render of page ``name`` for ``query``."""
    module = importlib.import_module(f"pages.{name}")
    sql_before = queries.sql_seconds()
    started = time.perf_counter()
    module.layout(**query)
    module.update(dict(query))
    return time.perf_counter() - started, queries.sql_seconds() - sql_before


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
          f"{'warm':>6s} {'calib':>6s}  (ms, cold unless named; ratio = p95 / calibration)")
    results = {}
    for name in args.pages.split(","):
        # calibrated again right before each page: the load of a shared machine drifts
        calibration = calibrate(args.repeat)
        cold, python, warm, sql_total = [], [], [], 0.0
        for query in sets.values():
            for _ in range(args.repeat):
                queries.clear_cache()
                total, sql = render(name, query)
                cold.append(total)
                python.append(total - sql)
                sql_total += sql
            warm.append(render(name, query)[0])
        row = {
            "calibration_ms": calibration * 1000,
            "p50_ms": statistics.median(cold) * 1000, "p95_ms": p95(cold) * 1000, "max_ms": max(cold) * 1000,
            "ratio_p95": p95(cold) / calibration, "ratio_p50": statistics.median(cold) / calibration,
            "sql_share": sql_total / sum(cold), "python_p95_ms": p95(python) * 1000,
            "warm_p95_ms": p95(warm) * 1000,
        }
        results[name] = row
        print(f"{name:12s} {row['p50_ms']:7.0f} {row['p95_ms']:7.0f} {row['max_ms']:7.0f} {row['ratio_p95']:6.1f} "
              f"{row['sql_share'] * 100:5.0f} {row['python_p95_ms']:7.0f} {row['warm_p95_ms']:6.0f} "
              f"{row['calibration_ms']:6.1f}", flush=True)
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
