"""Build a warehouse file: stage -> check the data rules -> publish -> derived tables.

The new warehouse is written beside the old one and renamed into place only when it
is complete, so a failed build (a broken rule, a crash, Ctrl-C) leaves the previous
file untouched and a running app keeps serving it. Both the demo generator
(``data.generate``) and the importer (``data.load``) build through ``build()``: they
differ only in the ``fill`` function that writes the staged rows.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from tqdm import tqdm

from data import rules

SCHEMA = Path(__file__).with_name("schema.sql")
DEFAULT_WAREHOUSE = Path(__file__).with_name("warehouse.duckdb")


# errno -> (message key, the words DuckDB's errors carry for it)
WRITE_FAILURES = {
    errno.ENOSPC: ("build.disk_full", "No space left on device"), errno.EDQUOT: ("build.disk_full", "quota"),
    errno.EROFS: ("build.read_only", "Read-only file system"),
    errno.EACCES: ("build.not_writable", "Permission denied"),
    errno.EPERM: ("build.not_writable", "Operation not permitted"),
}


class JudgeError(Exception):
    """The early warnings could not be worked out on the new file (data.serving.judge: the
    app's own settings refused it, or a query failed there); the file was not published."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail

    def message(self, lang: str | None = None) -> str:
        from components.i18n import t

        return t("build.judge_failed", lang, detail=self.detail)


class WriteError(Exception):
    """The new warehouse could not be written: the disk is full, the place is read-only or
    not writable. Nothing was changed (the old file, if any, is untouched)."""

    def __init__(self, out: Path, reason: str):
        self.out, self.reason = out, reason
        place = next((p for p in (out, *out.parents) if p.exists()), Path("/"))
        self.free = shutil.disk_usage(place).free
        super().__init__(f"cannot write {out}: {reason}")

    @classmethod
    def of(cls, out: Path, error: BaseException) -> WriteError | None:
        """The WriteError ``error`` stands for, or None when it is not about writing ``out``."""
        if isinstance(error, OSError) and error.errno in WRITE_FAILURES:
            return cls(out, WRITE_FAILURES[error.errno][0])
        if isinstance(error, duckdb.Error):
            for key, words in WRITE_FAILURES.values():
                if words.lower() in str(error).lower():
                    return cls(out, key)
        return None

    def message(self, lang: str | None = None) -> str:
        from components.i18n import t

        return t("build.write_failed", lang, path=self.out, reason=t(self.reason, lang),
                 free=f"{self.free / 2**20:,.1f} MB")


def warehouse_path() -> Path:
    """The warehouse the app reads: $CRM_WAREHOUSE, else data/warehouse.duckdb."""
    return Path(os.environ.get("CRM_WAREHOUSE", DEFAULT_WAREHOUSE))


class BuildError(Exception):
    """The staged data broke data rules; nothing was published."""

    def __init__(self, violations: list[rules.Violation]):
        self.violations = violations
        super().__init__(f"{len(violations)} data rule violation(s)")

    def report(self, lang: str = "en") -> str:
        return "\n".join(v.message(lang) for v in self.violations)


def _derived_steps() -> list[Callable[[duckdb.DuckDBPyConnection], None]]:
    """Derived tables, computed from the published base tables on every build.

    Each step reads ``main.*`` and writes its own derived table. The costing engine
    (``cost_of_sales`` for FIFO, moving and monthly average) plugs in here, then the
    serving layer the queries read (data/serving.py), which needs the costing.
    """
    from data.costing import build_cost_of_sales
    from data.serving import build_serving

    return [build_cost_of_sales, build_serving]


def create_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Typed, unconstrained copies of every contract table in ``staging``, an in-memory
    database (the staged rows are never written to the file), each with ``_row`` (the row
    as the user sees it in the source)."""
    con.execute("attach ':memory:' as staging")
    for table in rules.TABLES:
        con.execute(f'create table staging."{table}" as select * from main."{table}" limit 0')
        con.execute(f'alter table staging."{table}" add column _row bigint')


AS_OF_SQL = """
select greatest(
    (select max(signed_on) from contracts),
    (select max(paid_on) from payments),
    (select max(incurred_on) from expenses),
    (select max(created_at)::date from customers),
    (select max(created_at)::date from opportunities),
    (select max(occurred_at)::date from activities),
    (select max(received_on) from purchases)
)
"""


def _publish(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    counts = {}
    for table in rules.TABLES:
        cols = ", ".join(
            f'"{c}"' for (c,) in con.execute(
                "select column_name from duckdb_columns() where database_name = current_database() "
                "and schema_name = 'main' "
                "and table_name = ? order by column_index", [table]).fetchall()
        )
        con.execute(f'insert into main."{table}" ({cols}) select {cols} from staging."{table}" order by _row')
        counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
    con.execute("detach staging")
    return counts


class Clock:
    """Wall and CPU seconds (every thread of the process: DuckDB's too) of each build step."""

    def __init__(self) -> None:
        self.steps: dict[str, tuple[float, float]] = {}
        self._wall, self._cpu = time.monotonic(), time.process_time()

    def lap(self, step: str) -> None:
        wall, cpu = time.monotonic(), time.process_time()
        self.steps[step] = (round(wall - self._wall, 2), round(cpu - self._cpu, 2))
        self._wall, self._cpu = wall, cpu


def build_memory() -> dict:
    """The build's DuckDB memory bound (CRM_BUILD_MEMORY, e.g. 14GB): beyond it DuckDB spills
    to the system's temporary folder. Unset, DuckDB's default (80% of the RAM), which leaves
    too little beside the generator's own arrays for the xl scale on a 24 GB machine (10M
    contracts: 6-7 GB of arrays; with 14GB the build peaked at 16.7 GB)."""
    limit = os.environ.get("CRM_BUILD_MEMORY")
    return {"memory_limit": limit, "temp_directory": os.path.join(tempfile.gettempdir(), "crm-build")} if limit else {}


def build(
    out: Path,
    fill: Callable[[duckdb.DuckDBPyConnection], None],
    source: str,
    *,
    progress: bool = True,
) -> dict:
    """Build ``out`` from the rows ``fill`` stages; return the build_info as a dict, with
    ``steps``: each step's (wall, CPU) seconds.

    Raises ``BuildError`` (with every violation, up to a limit) when a data rule is
    broken, ``WriteError`` when the disk is full or the place not writable, ``JudgeError``
    when the early warnings cannot be worked out on the new file (data.serving.judge); ``out``
    is then untouched.
    """
    from data.serving import judge  # (data.serving imports this module)

    out = Path(out)
    tmp = out.with_name(f"{out.name}.building-{os.getpid()}")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        # one checkpoint, at the end: none after each statement that wrote much
        config = {"checkpoint_threshold": "1TB", **build_memory()}
        con = duckdb.connect(str(tmp), config=config)
    except (OSError, duckdb.Error) as e:
        raise (WriteError.of(out, e) or e) from e
    started = time.monotonic()
    clock = Clock()
    steps = ["stage", "check", "publish", *[s.__name__ for s in _derived_steps()], "finish", "judge"]
    bar = tqdm(total=len(steps), desc="build", disable=not progress, unit="step")
    try:
        con.execute(SCHEMA.read_text())
        create_staging(con)
        fill(con)
        clock.lap("stage")
        bar.update()
        violations = rules.check(con)
        clock.lap("check")
        bar.update()
        if violations:
            raise BuildError(violations)
        counts = _publish(con)
        clock.lap("publish")
        bar.update()
        for step in _derived_steps():
            step(con)
            clock.lap(step.__name__)
            bar.update()
        for table in rules.DERIVED_TABLES[:-1]:
            counts[table] = con.execute(f'select count(*) from main."{table}"').fetchone()[0]
        as_of = con.execute(AS_OF_SQL).fetchone()[0]
        con.execute(
            "insert into build_info values (current_timestamp::timestamp, ?, ?, map(?, ?))",
            [source, as_of, list(counts), list(counts.values())],
        )
        con.execute("checkpoint")
        con.close()
        clock.lap("finish")
        bar.update()
        judge(tmp, config)
        os.replace(tmp, out)
        clock.lap("judge")
        bar.update()
    except BaseException as e:
        con.close()
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        failed = WriteError.of(out, e)
        if failed:
            raise failed from e
        raise
    finally:
        bar.close()
    return {"source": source, "as_of": as_of, "rows": counts, "seconds": round(time.monotonic() - started, 1),
            "steps": clock.steps}
