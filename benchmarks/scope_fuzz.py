"""Forged callback requests as a rep (本人) against the fixture warehouse: how many return
another book's rows (it must be 0).

    python -m benchmarks.scope_fuzz [--requests 10000] [--seed 11]

Builds the fixture warehouse (tests/fixture.sql) and a throw-away application database in
a temporary folder, signs in as rep R3 through the real login form and sends the requests
of tests/forgery.py through the real app's Flask test client."""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scope_fuzz")
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="scope-fuzz-"))
    os.environ["CRM_APP_DB"] = str(folder / "app.sqlite3")
    os.environ.setdefault("CRM_SECRET_KEY", "scope-fuzz")
    from tests.conftest import TEST_PASSWORD, build_fixture, sign_in  # after the settings: it imports the app

    os.environ["CRM_WAREHOUSE"] = str(build_fixture(folder / "fixture.duckdb"))
    import app
    from crm import users
    from tests import forgery

    logging.getLogger("app").setLevel(logging.CRITICAL)  # forged junk makes some callbacks fail: not the point
    app.server.logger.setLevel(logging.CRITICAL)
    users.add(forgery.VIEWER["login"], TEST_PASSWORD, scope_kind="own", rep_id="R3")
    client = app.server.test_client()
    sign_in(client, forgery.VIEWER["login"])
    started = time.perf_counter()
    report = forgery.fuzz(client, args.requests, args.seed)
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    print(f"{report['leaks']} of {report['requests']} forged requests returned another rep's rows")
    return 1 if report["leaks"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
