"""Time every dashboard's main callback on a warehouse, cold (first call: the queries
run) and warm (the gateway's cache answers).

    CRM_WAREHOUSE=/tmp/large.duckdb python -m benchmarks.pages [--query 'preset=last_year']

Build a large warehouse first: ``python -m data.generate --scale large --out /tmp/large.duckdb``.
"""

from __future__ import annotations

import argparse
import importlib
import time
from urllib.parse import parse_qs

import app  # noqa: F401  (registers the pages)
from data.build import warehouse_path

PAGES = ("overview", "revenue", "team", "funnel", "forecast", "products", "customers", "acquisition",
         "lead_pool", "receivables", "data")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages")
    parser.add_argument("--query", default="", help="the URL query every page is rendered for")
    args = parser.parse_args(argv)
    query = {k: v[0] for k, v in parse_qs(args.query).items()}
    print(f"warehouse {warehouse_path()}, query {query or '(defaults)'}")
    for name in PAGES:
        update = importlib.import_module(f"pages.{name}").update
        started = time.perf_counter()
        update(dict(query))
        cold = time.perf_counter() - started
        started = time.perf_counter()
        update(dict(query))
        warm = time.perf_counter() - started
        print(f"{name:12s} cold {cold:6.2f} s   warm {warm:5.2f} s", flush=True)


if __name__ == "__main__":
    main()
