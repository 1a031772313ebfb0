"""Precision and recall of the early warnings (/alerts) against known planted events, the
warnings raised on an un-planted history (noise), and how long /alerts takes.

    python -m benchmarks.alerts [--seeds 42 7] [--end 2025-06-20] [--large /tmp/large-base.duckdb]

For each seed it builds the demo company twice into a temporary folder, with and without
``data.generate``'s planted events (PLANTS), and runs the ``alerts`` query on both:
- recall: planted events found by a warning of the expected kind about their subject;
- new warnings: those on the planted history whose (kind, rule, subject) the un-planted
  one does not raise; explained = about an event's subject or what it touches (the VIP's
  owner and the products of its voided orders, the team's reps, parents and customers, the
  new model that took the idle product's sales, the rep whose follow-ups halved); precision
  = explained / new;
- noise: every warning on the un-planted history (the issue's yardstick: at most one in
  five of the planted history's warnings).
Then it times the page's callback (pages.alerts.update) cold and warm on the demo and, if
given, on a large warehouse.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

import queries
from data import build, generate

DIRECT = {  # event -> does this warning find it?
    "vip_stops_buying": lambda w, e: w["kind"] == "customers_slipping" and w["subject_id"] == e["subject_id"],
    "rep_follow_ups_halve": lambda w, e: w["rule"] == "followups_drop" and w["subject_id"] == e["subject_id"],
    "product_cost_jumps": lambda w, e: w["rule"] == "cost_jump" and w["subject_id"] == e["subject_id"],
    "product_stops_selling": lambda w, e: w["rule"] == "stock_over" and w["subject_id"] == e["subject_id"],
    "team_payments_slip": lambda w, e: w["subject_type"] == "team" and w["subject_id"] == e["subject_id"] and (
        w["kind"] == "collection" or (w["kind"] == "revenue_course" and w["measure"] == "payments")),
    "large_deal_stalls": lambda w, e: w["kind"] == "deals_at_risk" and w["subject_id"] == e["subject_id"],
}


def _build(path: Path, seed: int, end: date, planted: list | None) -> None:
    build.build(path, lambda con: generate.fill_demo(con, "demo", seed, end, progress=False, planted=planted),
                source=f"demo:demo:{seed}", progress=False)


def _alerts(path: Path) -> list[dict]:
    os.environ["CRM_WAREHOUSE"] = str(path)
    return queries.run("alerts").to_dict("records")


def _touched(path: Path, events: list[dict], end: date) -> set[str]:
    """Every subject id a planted event may fairly raise a warning about."""
    ids = {"company"}
    with duckdb.connect(str(path), read_only=True) as con:
        def col(sql, params=None):
            return {r[0] for r in con.execute(sql, params).fetchall() if r[0] is not None}

        for e in events:
            sid = e["subject_id"]
            ids |= {sid, e["rep_id"]} - {None}
            if e["event"] == "vip_stops_buying":
                ids |= col("select owner_rep_id from customers where customer_id = $c", {"c": sid})
                ids |= col("select i.product_id from contract_items as i join contracts as c using (contract_id) "
                           "where c.customer_id = $c and c.status = 'void' and c.signed_on > $d::date - 120",
                           {"c": sid, "d": end})
            elif e["event"] == "team_payments_slip":
                reps = col("select rep_id from reps where team_id = $t", {"t": sid})
                ids |= reps
                ids |= col("select parent_team_id from teams where team_id = $t", {"t": sid})
                ids |= col("select distinct customer_id from contracts where list_contains($r, rep_id)",
                           {"r": sorted(reps)})
            elif e["event"] == "product_stops_selling":
                ids.add(f"{sid}-N")  # the new model that took its sales
    return ids


def _signature(w: dict) -> tuple:
    return (w["kind"], w["rule"], w["subject_type"], w["subject_id"])


def measure(seed: int, end: date, folder: Path) -> dict:
    events: list = []
    planted_path, plain_path = folder / f"planted-{seed}.duckdb", folder / f"plain-{seed}.duckdb"
    _build(planted_path, seed, end, events)
    _build(plain_path, seed, end, None)
    planted, plain = _alerts(planted_path), _alerts(plain_path)
    found = {e["event"]: any(DIRECT[e["event"]](w, e) for w in planted) for e in events}
    before = {_signature(w) for w in plain}
    new = [w for w in planted if _signature(w) not in before]
    touched = _touched(planted_path, events, end)
    unexplained = [w for w in new if w["subject_id"] not in touched and w["rep_id"] not in touched]
    return {"seed": seed, "events": events, "found": found, "planted": planted, "plain": plain,
            "new": new, "unexplained": unexplained}


def time_page(path: Path) -> tuple[float, float]:
    """/alerts's callback on ``path``: cold (queries run) and warm (the gateway's cache)."""
    import app  # noqa: F401  (registers the pages)
    from pages import alerts as page

    os.environ["CRM_WAREHOUSE"] = str(path)
    queries._cache.clear()  # cold: the gateway's cache may hold the benchmark's own runs
    started = time.perf_counter()
    page.update({})
    cold = time.perf_counter() - started
    started = time.perf_counter()
    page.update({})
    return cold, time.perf_counter() - started


def _by_kind(warnings: list[dict]) -> str:
    counts: dict[str, int] = {}
    for w in warnings:
        counts[w["kind"]] = counts.get(w["kind"], 0) + 1
    return ", ".join(f"{k} {n}" for k, n in counts.items()) or "none"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alerts")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 6, 20))
    parser.add_argument("--large", type=Path, default=None, help="also time /alerts on this warehouse")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        found_all = events_all = new_all = unexplained_all = planted_all = plain_all = 0
        for seed in args.seeds:
            r = measure(seed, args.end, Path(tmp))
            n_found = sum(r["found"].values())
            found_all += n_found
            events_all += len(r["events"])
            new_all += len(r["new"])
            unexplained_all += len(r["unexplained"])
            planted_all += len(r["planted"])
            plain_all += len(r["plain"])
            print(f"seed {seed}, end {args.end}")
            for e in r["events"]:
                print(f"  {'found ' if r['found'][e['event']] else 'MISSED'} {e['event']}: "
                      f"{e['subject_type']} {e['subject_id']}")
            print(f"  planted history: {len(r['planted'])} warnings ({_by_kind(r['planted'])})")
            print(f"    new with the events: {len(r['new'])}, explained by them: "
                  f"{len(r['new']) - len(r['unexplained'])}")
            for w in r["unexplained"]:
                print(f"    unexplained: {w['kind']}/{w['rule']} {w['subject_type']} {w['subject_id']}")
            print(f"  un-planted history (noise): {len(r['plain'])} warnings ({_by_kind(r['plain'])})")
            cold, warm = time_page(Path(tmp) / f"plain-{seed}.duckdb")
            print(f"  /alerts on demo: cold {cold:.2f} s, warm {warm:.2f} s")
        precision = (new_all - unexplained_all) / new_all if new_all else float("nan")
        print(f"recall {found_all}/{events_all} = {found_all / events_all:.0%}; "
              f"precision of the new warnings {precision:.0%}; "
              f"noise {plain_all} un-planted warnings against {planted_all} planted "
              f"({plain_all / planted_all:.0%})")
    if args.large and args.large.exists():
        cold, warm = time_page(args.large)
        print(f"/alerts on {args.large}: cold {cold:.2f} s, warm {warm:.2f} s")


if __name__ == "__main__":
    main()
