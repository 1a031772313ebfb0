"""Load test: simulated users browse the dashboards against gunicorn (with gunicorn.conf.py)
on 127.0.0.1 while the warehouse is rebuilt underneath it.

    python -m benchmarks.load [--users 50] [--minutes 3] [--rebuilds 5] [--warehouse PATH]

Each user keeps one HTTP session (connections reused, as a browser does) and renders
pages the way the browser does: Dash's page router callback for a URL with varied
filters, the filter bar's sync, then every callback the page fires on load (those whose
inputs the new layout holds), each a POST to /_dash-update-component. Meanwhile
``data.generate --scale demo --out`` rewrites the served file ``--rebuilds`` times.
Reported: requests, errors (5xx and failed requests), connection resets, latency
percentiles and the workers' memory (RSS) at the start and at the end. Bounded in time
(``--minutes``) and count (``--max-requests``); it only ever talks to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).parents[1]
PAGES = ("/", "/revenue", "/team", "/funnel", "/forecast", "/products", "/customers", "/acquisition",
         "/lead-pool", "/receivables", "/data")
PRESETS = ("this_year", "last_year", "this_quarter", "last_quarter", "this_month", "last_month",
           "last_90_days", "year_to_date")
VIEWS = {"/revenue": [("measure", "payments"), ("bucket", "quarter"), ("by", "rep")],
         "/products": [("method", "moving_average")], "/customers": [("method", "monthly_average")],
         "/funnel": [("measure", "amount")], "/forecast": [("horizon", "12")]}
TIMEOUT = 120


LOGIN, PASSWORD = "load-test", "load-test-password"  # an all-scope admin in the run's own app database


def new_session(base: str) -> requests.Session:
    """One simulated user's session: a browser's first visit, signed in through the login form."""
    session = requests.Session()
    form = session.get(base + "/login", timeout=TIMEOUT)
    form.raise_for_status()
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    signed_in = session.post(base + "/login", data={"csrf": token, "login": LOGIN, "password": PASSWORD, "next": "/"},
                             timeout=TIMEOUT, allow_redirects=False)
    if signed_in.status_code != 302:
        raise RuntimeError(f"sign-in refused: {signed_in.status_code}")
    session.get(base + "/", timeout=TIMEOUT).raise_for_status()
    return session


def _load_user(app_db: Path) -> None:
    """The load test's user, in an application database of its own (never the real one)."""
    os.environ["CRM_APP_DB"] = str(app_db)
    from crm import users

    if users.get(LOGIN) is None:
        users.add(LOGIN, PASSWORD, role="admin", scope_kind="all")


# --- building the requests a browser sends ---------------------------------------------

def _ids(node, found: dict) -> None:
    """Every component id in a layout (JSON) -> its props."""
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "id" in props:
            key = json.dumps(props["id"], sort_keys=True, separators=(",", ":")) \
                if isinstance(props["id"], dict) else props["id"]
            found[key] = props
        for value in node.values():
            _ids(value, found)
    elif isinstance(node, list):
        for value in node:
            _ids(value, found)


def _matches(pattern: dict, ident: dict) -> bool:
    return pattern.keys() == ident.keys() and all(
        isinstance(v, list) or ident[k] == v for k, v in pattern.items())


def _resolve(spec: str, components: dict) -> list | dict | None:
    """The concrete ids for a dependency id: itself, or every component an ALL pattern matches."""
    if not spec.startswith("{"):
        return spec if spec in components else None
    pattern = json.loads(spec)
    if not any(v == ["ALL"] for v in pattern.values()):  # a concrete id (MATCH never fires on load)
        return pattern if json.dumps(pattern, sort_keys=True, separators=(",", ":")) in components else None
    return [json.loads(k) for k in components if k.startswith("{") and _matches(pattern, json.loads(k))]


def _slot(dep: dict, components: dict, with_value: bool):
    ids = _resolve(dep["id"], components)
    if ids is None:
        return None

    def one(ident):
        key = json.dumps(ident, sort_keys=True, separators=(",", ":")) if isinstance(ident, dict) else ident
        item = {"id": ident, "property": dep["property"]}
        if with_value:
            item["value"] = components[key].get(dep["property"])
        return item

    return [one(i) for i in ids] if isinstance(ids, list) else one(ids)


def _outputs(output: str, components: dict):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    slots = []
    for part in parts:
        ident, prop = part.split("@")[0].rsplit(".", 1)
        slot = _slot({"id": ident, "property": prop}, components, with_value=False)
        if slot is None:
            return None
        slots.append(slot)
    return slots if output.startswith("..") else slots[0]


def initial_calls(deps: list[dict], components: dict) -> list[dict]:
    """The bodies of the callbacks a freshly rendered layout fires: every server callback
    not prevented on load whose inputs and outputs are all in the layout."""
    bodies = []
    for dep in deps:
        if dep.get("clientside_function") or dep.get("prevent_initial_call") \
                or dep["output"].startswith(".._pages_content"):
            continue
        inputs = [_slot(d, components, True) for d in dep["inputs"]]
        state = [_slot(d, components, True) for d in dep["state"]]
        outputs = _outputs(dep["output"], components)
        if outputs is None or any(s is None for s in inputs + state):
            continue
        first = inputs[0][0] if isinstance(inputs[0], list) and inputs[0] else inputs[0]
        if not first:
            continue
        ident = first["id"] if isinstance(first["id"], str) else json.dumps(first["id"], sort_keys=True,
                                                                             separators=(",", ":"))
        bodies.append({"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
                       "changedPropIds": [f"{ident}.{first['property']}"]})
    return bodies


# --- the run -------------------------------------------------------------------------------

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.counts: Counter = Counter()

    def add(self, kind: str, seconds: float | None = None) -> None:
        with self.lock:
            self.counts[kind] += 1
            if seconds is not None:
                self.latencies.append(seconds)


def _reset(error: Exception) -> bool:
    text = repr(error)
    return any(word in text for word in ("ConnectionResetError", "RemoteDisconnected", "BrokenPipe",
                                         "Connection aborted"))


def user(base: str, deps: list[dict], dims: dict, stop: threading.Event, stats: Stats, budget, seed: int,
         think: float):
    rng = random.Random(seed)
    session = new_session(base)

    def post(body) -> dict | None:
        if not budget():
            stop.set()
            return None
        started = time.perf_counter()
        try:
            answer = session.post(base + "/_dash-update-component", json=body, timeout=TIMEOUT)
        except requests.RequestException as e:
            stats.add("reset" if _reset(e) else "failed")
            return None
        stats.add("5xx" if answer.status_code >= 500 else "4xx" if answer.status_code >= 400 else "ok",
                  time.perf_counter() - started)
        return answer.json() if answer.status_code == 200 and answer.content else None

    router = next(d for d in deps if d["output"].startswith(".._pages_content"))
    shell: dict = {}
    _ids(session.get(base + "/_dash-layout", timeout=TIMEOUT).json(), shell)
    while not stop.is_set():
        path = rng.choice(PAGES)
        query = [("preset", rng.choice(PRESETS))]
        for key in ("team", "rep", "region", "category"):
            if dims.get(key) and rng.random() < 0.25:
                query.append((key, rng.choice(dims[key])))
        query += [pair for pair in VIEWS.get(path, []) if rng.random() < 0.5]
        search = "?" + "&".join(f"{k}={v}" for k, v in query)
        page = post({"output": router["output"],
                     "outputs": [{"id": "_pages_content", "property": "children"},
                                 {"id": "_pages_store", "property": "data"}],
                     "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                {"id": "_pages_location", "property": "search", "value": search}],
                     "state": [], "changedPropIds": ["_pages_location.pathname"]})
        if page is None:
            continue
        components = dict(shell)
        _ids(page["response"], components)
        components["url"] = {"pathname": path, "search": search}
        for body in initial_calls(deps, components):
            if stop.is_set():
                break
            post(body)
        stop.wait(think * rng.uniform(0.5, 1.5))  # a person reads the page before the next one


def rss_mib(master: int) -> list[float]:
    """Resident memory of the gunicorn workers (the master's children), MiB."""
    out = []
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                out.append(int(line.split()[1]) / 1024)
    return sorted(out)


def _dimensions(warehouse: Path) -> dict:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {"team": [r[0] for r in con.execute("select team_id from teams order by 1").fetchall()],
                "rep": [r[0] for r in con.execute("select rep_id from reps order by 1 limit 30").fetchall()],
                "region": [r[0] for r in con.execute(
                    "select distinct region from customers where region is not null order by 1").fetchall()],
                "category": [r[0] for r in con.execute(
                    "select distinct category from products order by 1").fetchall()]}


def _generate(warehouse: Path, seed: int) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data.generate", "--scale", "demo", "--seed", str(seed),
                           "--out", str(warehouse), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rebuilds", type=int, default=5)
    parser.add_argument("--max-requests", type=int, default=500_000)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds a user reads a page")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--warehouse", type=Path, default=Path("/tmp/crm-load/warehouse.duckdb"))
    args = parser.parse_args(argv)
    if not args.warehouse.exists():
        args.warehouse.parent.mkdir(parents=True, exist_ok=True)
        _generate(args.warehouse, 42).check_returncode()
    base = f"http://127.0.0.1:{args.port}"
    app_db = args.warehouse.parent / "app.sqlite3"
    _load_user(app_db)
    env = {**os.environ, "CRM_WAREHOUSE": str(args.warehouse), "GUNICORN_BIND": f"127.0.0.1:{args.port}",
           "CRM_APP_DB": str(app_db)}
    log = (args.warehouse.parent / "gunicorn.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:server"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(120):
            try:
                if requests.get(base + "/", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        deps = new_session(base).get(base + "/_dash-dependencies", timeout=TIMEOUT).json()
        rss_start = rss_warm = rss_mib(server.pid)
        stats, stop, lock = Stats(), threading.Event(), threading.Lock()
        sent = [0]

        def budget() -> bool:
            with lock:
                sent[0] += 1
                return sent[0] <= args.max_requests

        dims = _dimensions(args.warehouse)
        users = [threading.Thread(target=user, args=(base, deps, dims, stop, stats, budget, seed, args.think),
                                  daemon=True) for seed in range(args.users)]
        started = time.monotonic()
        for thread in users:
            thread.start()
        duration = args.minutes * 60
        rebuilds = []
        for i in range(args.rebuilds):
            stop.wait(max(0.0, started + duration * (i + 0.5) / args.rebuilds - time.monotonic()))
            if stop.is_set():
                break
            if i == 0:  # after warm-up: every page has been rendered, the caches hold their working set
                rss_warm = rss_mib(server.pid)
            done = _generate(args.warehouse, 42 + i)
            rebuilds.append(done.returncode)
        stop.wait(max(0.0, started + duration - time.monotonic()))
        stop.set()
        for thread in users:
            thread.join(TIMEOUT)
        elapsed = time.monotonic() - started
        rss_end = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    lat = sorted(stats.latencies)
    cuts = statistics.quantiles(lat, n=100) if len(lat) > 1 else [float("nan")] * 99
    report = {
        "users": args.users, "seconds": round(elapsed, 1), "requests": sum(stats.counts.values()),
        "ok": stats.counts["ok"], "errors_5xx": stats.counts["5xx"], "failed": stats.counts["failed"],
        "client_errors_4xx": stats.counts["4xx"], "connection_resets": stats.counts["reset"],
        "p50_ms": round(cuts[49] * 1000), "p95_ms": round(cuts[94] * 1000), "p99_ms": round(cuts[98] * 1000),
        "rebuilds": f"{sum(code == 0 for code in rebuilds)}/{len(rebuilds)} succeeded",
        "worker_rss_start_mib": [round(v) for v in rss_start],
        "worker_rss_warm_mib": [round(v) for v in rss_warm], "worker_rss_end_mib": [round(v) for v in rss_end],
    }
    for key, value in report.items():
        print(f"{key:22s} {value}")
    return report


if __name__ == "__main__":
    main()
