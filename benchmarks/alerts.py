"""Precision and recall of the early warnings (/alerts) against known planted events, the
warnings raised on an un-planted history (noise), and how long /alerts takes.

    python -m benchmarks.alerts [--seeds 42 7] [--end 2025-06-20] [--folder DIR]
                                [--large /work/bench/large.duckdb] [--json FILE]

For each seed it builds the demo company twice (into ``--folder``, reusing the files
already there, else a temporary folder), with and without ``data.generate``'s planted
events (PLANTS), and runs the ``alerts`` query on both:
- recall: planted events found by a warning of the expected kind about their subject;
- new warnings: those on the planted history whose (kind, rule, subject) the un-planted
  one does not raise; explained = about an event's subject or what it touches (the VIP's
  owner and the products of its voided orders, the team's reps, parents and customers, the
  new model that took the idle product's sales, the rep whose follow-ups halved); precision
  = explained / new;
- noise: every warning on the un-planted history; the noise ratio = those against the
  planted history's warnings (the issue's yardstick: at most one in five, 20%).
Then it times the page's callback (pages.alerts.update) cold (the gateway's cache
cleared) and warm on the un-planted demo and, if given, on a large warehouse (opened
read-only, as the app does).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb

import queries
from data import build, generate

NOISE_TARGET = 0.20
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


def _planted_events(path: Path) -> list[dict]:
    """The events planted in a warehouse built earlier, read from the JSON written beside it."""
    return json.loads(path.with_suffix(".events.json").read_text())


def _warehouses(folder: Path, seed: int, end: date) -> tuple[Path, Path, list[dict]]:
    """The planted and un-planted warehouses of ``seed`` in ``folder``, built unless there."""
    planted_path, plain_path = folder / f"planted-{seed}-{end}.duckdb", folder / f"plain-{seed}-{end}.duckdb"
    if not planted_path.exists() or not planted_path.with_suffix(".events.json").exists():
        events: list = []
        _build(planted_path, seed, end, events)
        planted_path.with_suffix(".events.json").write_text(json.dumps(events))
    if not plain_path.exists():
        _build(plain_path, seed, end, None)
    return planted_path, plain_path, _planted_events(planted_path)


def measure(seed: int, end: date, folder: Path) -> dict:
    planted_path, plain_path, events = _warehouses(folder, seed, end)
    planted, plain = _alerts(planted_path), _alerts(plain_path)
    found = {e["event"]: any(DIRECT[e["event"]](w, e) for w in planted) for e in events}
    before = {_signature(w) for w in plain}
    new = [w for w in planted if _signature(w) not in before]
    touched = _touched(planted_path, events, end)
    unexplained = [w for w in new if w["subject_id"] not in touched and w["rep_id"] not in touched]
    return {"seed": seed, "events": events, "found": found, "planted": planted, "plain": plain,
            "new": new, "unexplained": unexplained, "plain_path": plain_path}


def time_page(path: Path) -> tuple[float, float]:
    """/alerts's callback on ``path``: cold (the gateway's cache cleared: every query runs)
    and warm (the cache answers)."""
    import app  # noqa: F401  (registers the pages)
    from pages import alerts as page

    os.environ["CRM_WAREHOUSE"] = str(path)
    queries.build_info()  # open the file and read as_of first: the page's own cost is timed
    queries.clear_cache()
    started = time.perf_counter()
    page.update({})
    cold = time.perf_counter() - started
    started = time.perf_counter()
    page.update({})
    return cold, time.perf_counter() - started


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _by_rule(warnings: list[dict]) -> dict[str, int]:
    return dict(Counter(f"{w['kind']}/{w['rule']}" for w in warnings))


def _summary(rows: list[dict]) -> dict:
    found = sum(sum(r["found"].values()) for r in rows)
    events = sum(len(r["events"]) for r in rows)
    new = sum(len(r["new"]) for r in rows)
    explained = new - sum(len(r["unexplained"]) for r in rows)
    plain = sum(len(r["plain"]) for r in rows)
    planted = sum(len(r["planted"]) for r in rows)
    return {"found": found, "events": events, "recall": _ratio(found, events),
            "new": new, "explained": explained, "precision": _ratio(explained, new),
            "plain_warnings": plain, "planted_warnings": planted, "noise": _ratio(plain, planted)}


def _seed_report(r: dict, end: date) -> dict:
    out = _summary([r])
    out.update(seed=r["seed"], end=str(end),
               planted_events=[{**e, "found": r["found"][e["event"]]} for e in r["events"]],
               planted_by_rule=_by_rule(r["planted"]), plain_by_rule=_by_rule(r["plain"]),
               unexplained=[{k: w[k] for k in ("kind", "rule", "subject_type", "subject_id")}
                            for w in r["unexplained"]],
               plain=[{k: w[k] for k in ("kind", "rule", "severity", "subject_type", "subject_id", "impact")}
                      for w in r["plain"]])
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.alerts")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 7])
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 6, 20))
    parser.add_argument("--folder", type=Path, default=None,
                        help="build the demo warehouses here and reuse them (default: a temporary folder)")
    parser.add_argument("--large", type=Path, default=None, help="also time /alerts on this warehouse")
    parser.add_argument("--no-timing", action="store_true", help="skip timing the page")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    report: dict = {"seeds": [], "timing": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.folder or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for seed in args.seeds:
            r = measure(seed, args.end, folder)
            rows.append(r)
            s = _seed_report(r, args.end)
            report["seeds"].append(s)
            print(f"seed {seed}, end {args.end}")
            for e in r["events"]:
                print(f"  {'found ' if r['found'][e['event']] else 'MISSED'} {e['event']}: "
                      f"{e['subject_type']} {e['subject_id']}")
            print(f"  recall {s['found']}/{s['events']} ({_pct(s['recall'])}); "
                  f"precision {s['explained']}/{s['new']} new warnings explained ({_pct(s['precision'])}); "
                  f"noise {s['plain_warnings']} un-planted / {s['planted_warnings']} planted warnings "
                  f"({_pct(s['noise'])})")
            for w in r["unexplained"]:
                print(f"    unexplained: {w['kind']}/{w['rule']} {w['subject_type']} {w['subject_id']}")
            print("  un-planted warnings by rule: "
                  + (", ".join(f"{k} {n}" for k, n in s["plain_by_rule"].items()) or "none"))
            print("  planted warnings by rule:    "
                  + (", ".join(f"{k} {n}" for k, n in s["planted_by_rule"].items()) or "none"))
            if not args.no_timing:
                cold, warm = time_page(r["plain_path"])
                report["timing"][f"demo-{seed}"] = {"cold": cold, "warm": warm}
                print(f"  /alerts on demo: cold {cold:.2f} s, warm {warm:.2f} s")
        total = _summary(rows)
        report["total"] = total
        print(f"ALL SEEDS: recall {total['found']}/{total['events']} ({_pct(total['recall'])}), "
              f"precision {total['explained']}/{total['new']} ({_pct(total['precision'])}), "
              f"noise {total['plain_warnings']}/{total['planted_warnings']} ({_pct(total['noise'])}; "
              f"target ≤ {NOISE_TARGET:.0%}: {'met' if (total['noise'] or 0) <= NOISE_TARGET else 'NOT met'})")
    if args.large and args.large.exists() and not args.no_timing:
        cold, warm = time_page(args.large)
        report["timing"]["large"] = {"cold": cold, "warm": warm}
        print(f"/alerts on {args.large}: cold {cold:.2f} s, warm {warm:.2f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
