"""The gateway: binding, scope, the cache and its drop on rebuild, SQL hygiene."""

import os
import re
import shutil
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

import queries
from data.serving import SERVING_TABLES
from queries import Scope, run
from queries.filters import Filters
from tests.conftest import FIXTURE_SQL, build_fixture, extra_contract

QUERY_DIR = Path(queries.__file__).parent
BASE_TABLES = ("teams", "reps", "customers", "products", "stages", "opportunities",
               "opportunity_stage_history", "contracts", "contract_items", "payment_plans", "payments",
               "purchases", "expenses", "activities", "pool_events", "targets", "cost_of_sales", "build_info")


# the one exception: the query that resolves a user's data scope reads reps and teams (and nothing else)
SCOPE_RESOLUTION = ("viewer_scope", ("reps", "teams"))


def test_no_query_names_a_base_table():
    for path in QUERY_DIR.glob("*.sql"):
        if path.stem == "scope":
            continue
        body = "\n".join(line.split("--")[0] for line in path.read_text().splitlines())
        allowed = SCOPE_RESOLUTION[1] if path.stem == SCOPE_RESOLUTION[0] else ()
        for table in (t for t in BASE_TABLES if t not in allowed):
            assert not re.search(rf"(from|join)\s+{table}\b", body, re.IGNORECASE), f"{path.name} reads {table}"


def test_every_query_has_a_header():
    for name in queries.names():
        assert queries.header(name), name


def test_no_value_is_formatted_into_sql():
    for path in list(QUERY_DIR.glob("*.py")) + list(Path("pages").glob("*.py")) + list(Path("components").glob("*.py")):
        text = path.read_text()
        assert not re.search(r"execute\(f[\"']", text), f"{path} formats SQL"


def test_an_included_query_is_not_sorted():
    """q_receivables_overdue_states inside receivables_overdue_totals (q_alerts_team_members inside
    alerts_collection) drops its final ORDER BY (a relation has no order); one that picks rows
    with LIMIT keeps it; the query run keeps its own."""
    assert "order by as_of_date, days_late desc, plan_id" not in queries.compose("receivables_overdue_totals")
    composed = queries.compose("alerts_collection")
    assert "order by team_id, rep_id" not in composed
    assert composed.rstrip().endswith("order by severity desc, impact desc, subject_type, subject_id")
    assert queries._unordered("x\nselect * from final order by a limit 5").endswith("order by a limit 5")


def test_unknown_query_is_refused(warehouse):
    with pytest.raises(KeyError):
        run("scope")
    with pytest.raises(KeyError):
        run("../data/schema")


def test_team_filter_takes_sub_teams(warehouse):
    # T2 has sub-team T4 (R2): both reps' contracts count
    reps = run("overview_top_reps", Filters(teams=("T2",)), limit=10)
    assert list(reps["rep_id"]) == ["R1", "R2"]


def test_scope_narrows_everything(warehouse):
    kpis = run("overview_kpis", Filters(), Scope(reps=("R3",))).set_index("measure")
    # R3 this year: K08 400 + K10 600
    assert kpis.loc["contract_amount", "current"] == 1000
    assert run("dimension_values", Filters(), Scope(reps=("R3",))).query("dimension == 'rep'")["value"].tolist() \
        == ["R3"]


def test_filter_values_are_bound_not_spliced(warehouse):
    hostile = Filters(reps=("R1' or '1'='1",))
    assert run("overview_top_reps", hostile, limit=5).empty


def test_parse_filters_checks_values_against_the_warehouse(warehouse):
    f = queries.parse_filters("team=T2,T99&region=华东&category=硬件")
    assert f.teams == ("T2",) and f.regions == ("华东",) and f.categories == ("硬件",)
    assert f.dropped == ("team=T99",)


def test_cache_hits_and_returns_copies(warehouse):
    first = run("overview_top_reps", Filters(), limit=5)
    first.loc[0, "contract_amount"] = -1
    assert run("overview_top_reps", Filters(), limit=5).loc[0, "contract_amount"] == 1500


def test_new_build_is_picked_up_without_restart(tmp_path, monkeypatch):
    path = build_fixture(tmp_path / "wh.duckdb")
    monkeypatch.setenv("CRM_WAREHOUSE", str(path))
    before = run("overview_kpis", Filters()).set_index("measure").loc["contract_amount", "current"]
    assert before == 3200
    # a rebuild with one more contract on as_of, renamed into place
    build_fixture(path, FIXTURE_SQL.read_text() + extra_contract("K11", "C2", "R2", "2024-03-15", 50))
    after = run("overview_kpis", Filters()).set_index("measure").loc["contract_amount", "current"]
    assert after == 3250


def test_a_query_is_parsed_once_for_every_filter(warehouse):
    """The parsed statement is kept and re-run with each filter's values: one parse of the
    top reps for three periods, each with its own answer (the period's contract amounts)."""
    queries.clear_cache()
    queries._parsed.cache_clear()
    totals = [run("overview_top_reps", Filters(preset="this_year"), limit=5)["contract_amount"].sum()]
    first = queries._parsed.cache_info()
    totals += [run("overview_top_reps", Filters(preset=preset), limit=5)["contract_amount"].sum()
               for preset in ("last_year", "this_month")]
    after = queries._parsed.cache_info()
    assert first.misses >= 1 and after.misses == first.misses and after.hits == first.hits + 2
    assert totals[0] != totals[1]


def test_run_all_answers_as_run_does(warehouse):
    """Side by side, each query gives run's answer, in the order asked, as a copy of its own;
    a query failing on its thread fails the call."""
    calls = [("overview_top_reps", {"limit": 5}), ("overview_kpis", {}), ("overview_top_reps", {"limit": 1})]
    queries.clear_cache()
    together = queries.run_all(Filters(), calls)
    queries.clear_cache()
    for frame, (name, extra) in zip(together, calls, strict=True):
        pd.testing.assert_frame_equal(frame, run(name, Filters(), **extra))
    assert together[0]["contract_amount"].iloc[0] == 1500 and len(together[2]) == 1
    together[0].loc[0, "contract_amount"] = -1
    assert queries.run_all(Filters(), calls[:1])[0].loc[0, "contract_amount"] == 1500
    with pytest.raises(duckdb.ConversionException):
        queries.run_all(Filters(), [("overview_kpis", {}), ("overview_top_reps", {"limit": "five"})])


def test_run_all_starts_the_longest_first(warehouse, monkeypatch):
    """The queries start in the order of how long their last runs took, the longest first
    (one never run in the caller's order); the answers come in the order asked."""
    started = []
    submit = queries._together_pool.submit
    monkeypatch.setattr(queries._together_pool, "submit",
                        lambda fn, name, *args: started.append(name) or submit(fn, name, *args))
    calls = [("overview_top_reps", {"limit": 5}), ("pool_size", {}), ("overview_kpis", {})]
    monkeypatch.setattr(queries, "_took", {})
    queries.clear_cache()
    first = queries.run_all(Filters(), calls)
    assert started == ["overview_top_reps", "pool_size", "overview_kpis"]
    assert set(queries._took) >= {"overview_top_reps", "pool_size", "overview_kpis"}
    monkeypatch.setattr(queries, "_took", {"overview_top_reps": 0.001, "pool_size": 0.003, "overview_kpis": 0.002})
    started.clear()
    queries.clear_cache()
    again = queries.run_all(Filters(), calls)
    assert started == ["pool_size", "overview_kpis", "overview_top_reps"]
    for a, b in zip(first, again, strict=True):
        pd.testing.assert_frame_equal(a, b)


class _CountedCursor:
    """A thread's real cursor that counts the statements running at once, each held a moment so
    that threads overlap; with ``meet``, the first statements wait for one another and then fail
    as DuckDB fails a statement whose hash tables outgrow memory_limit beside another's."""

    def __init__(self, real, state):
        self._real, self._state = real, state

    def execute(self, statement, parameters=None):
        state = self._state
        with state["lock"]:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            first, state["started"] = state["started"] < 2, state["started"] + 1
        try:
            time.sleep(0.02)
            if state["meet"] is not None and first:
                state["meet"].wait(timeout=5)
            with state["lock"]:  # the first two, having met, ran side by side
                beside = state["now"] > 1 or (state["meet"] is not None and first)
                state["alone" if not beside else "together"] += 1
            if state["meet"] is not None and beside:
                raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block (beside another)")
            return self._real.execute(statement, parameters)
        finally:
            with state["lock"]:
                state["now"] -= 1

    def __getattr__(self, name):
        return getattr(self._real, name)


def _counting(monkeypatch, meet=None) -> dict:
    state = {"lock": threading.Lock(), "now": 0, "peak": 0, "started": 0, "alone": 0, "together": 0, "meet": meet}
    real = queries._warehouse.cursor

    def counted():
        cursor, key = real()
        return _CountedCursor(cursor, state), key

    monkeypatch.setattr(queries._warehouse, "cursor", counted)
    return state


def _side_by_side(calls) -> list:
    out, errors = [None] * len(calls), []

    def work(i, name, extra):
        try:
            out[i] = run(name, Filters(), **extra)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, *call)) for i, call in enumerate(calls)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    if errors:
        raise errors[0]
    return out


def test_at_most_two_statements_run_at_once(warehouse, monkeypatch):
    """Six threads asking at once run two statements at a time (their hash tables share
    memory_limit: four renders at once ran out of it on large), each with its own answer."""
    calls = [("overview_top_reps", {"limit": n}) for n in (1, 2, 3)] + [("overview_kpis", {}),
                                                                       ("overview_trend", {}), ("funnel_stages", {})]
    queries.clear_cache()
    alone = [run(name, Filters(), **extra) for name, extra in calls]
    queries.clear_cache()
    queries._judged_keys()  # (the build's list of stored answers, read once: not a query's statement)
    state = _counting(monkeypatch)
    for got, expected in zip(_side_by_side(calls), alone, strict=True):
        pd.testing.assert_frame_equal(got, expected)
    assert state["peak"] == 2 and state["alone"] + state["together"] >= len(calls)


def test_a_statement_out_of_memory_beside_another_runs_again_alone(warehouse, monkeypatch):
    """Two statements that outgrow memory_limit together (DuckDB fails them rather than wait)
    each run again, alone: the viewer gets the answer, not an error."""
    calls = [("overview_kpis", {}), ("overview_top_reps", {"limit": 5})]
    queries.clear_cache()
    alone = [run(name, Filters(), **extra) for name, extra in calls]
    queries.clear_cache()
    # what every query looks up first (the build's as_of, ...), looked up once: the first two
    # statements are then the two queries (a lookup both ask for runs once, the other waits)
    run("overview_trend", Filters())
    state = _counting(monkeypatch, meet=threading.Barrier(2))
    for got, expected in zip(_side_by_side(calls), alone, strict=True):
        pd.testing.assert_frame_equal(got, expected)
    # the first two met and failed together; each ran again alone
    assert state["together"] >= 2 and state["alone"] >= len(calls) and state["peak"] == 2


def test_a_query_asked_twice_at_once_runs_once(warehouse, monkeypatch):
    """Two threads asking the same query at once (the overview's two callbacks each checked the
    URL's filters with dimension_values) run one statement: the other waits for its frame, and
    for its error when it fails."""
    queries.clear_cache()
    run("overview_trend", Filters())  # the lookups every query does first (the build's as_of, ...)
    state = _counting(monkeypatch)
    first, second = _side_by_side([("overview_kpis", {}), ("overview_kpis", {})])
    pd.testing.assert_frame_equal(first, second)
    assert state["started"] == 1
    first.loc[0, first.columns[0]] = None  # each has its own copy
    assert not first.equals(second)

    calls, errors = [], []

    def failing(*args):
        calls.append(args[0])
        time.sleep(0.1)
        raise duckdb.IOException("IO Error: the disk went away")

    monkeypatch.setattr(queries, "_fetch", failing)

    def ask():
        try:
            run("overview_top_reps", Filters(), limit=5)
        except duckdb.IOException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert calls == ["overview_top_reps"] and len(errors) == 2 and not queries._pending


def test_the_buffer_pool_rests_between_statements(fixture_warehouse, tmp_path, monkeypatch):
    """Statements run under CRM_DUCKDB_MEMORY (DUCKDB_CONFIG's memory_limit: two at once under
    a tight limit evict each other's blocks); once none runs, DuckDB's cached blocks go down to
    CRM_DUCKDB_RESTING_MEMORY (RESTING_MEMORY) and the limit back up, but not while another
    statement holds a slot; not at all without a resting size or with one above the file's."""
    size = fixture_warehouse.stat().st_size

    def connect(name: str, resting: str) -> duckdb.DuckDBPyConnection:
        path = tmp_path / f"{name}.duckdb"  # a file of its own: a connection of its own
        shutil.copy(fixture_warehouse, path)
        monkeypatch.setenv("CRM_WAREHOUSE", str(path))
        monkeypatch.setattr(queries, "RESTING_MEMORY", resting)
        queries.clear_cache()
        cursor, _ = queries._warehouse.cursor()
        return cursor

    def cached() -> int:
        return cursor.execute("select memory_usage_bytes from duckdb_memory() where tag = 'BASE_TABLE'").fetchone()[0]

    def read_every_table() -> None:
        for table in SERVING_TABLES:
            cursor.execute(f"select * from {table}").fetchall()  # (names of this release, not values)
        assert cached() > 2**20

    assert size > 2 * 2**20
    cursor = connect("rests", "1MiB")
    limit = cursor.execute("select current_setting('memory_limit')").fetchone()[0]
    assert queries._warehouse.rests
    read_every_table()
    run("overview_kpis", Filters())  # through _statement
    assert cached() <= 2**20
    assert cursor.execute("select current_setting('memory_limit')").fetchone()[0] == limit
    read_every_table()
    with queries._running:  # another statement runs
        queries._rest(cursor)
        assert cached() > 2**20
    queries._rest(cursor)
    assert cached() <= 2**20
    for name, resting in (("keeps", ""), ("larger", f"{2 * size}B")):
        cursor = connect(name, resting)
        assert not queries._warehouse.rests
        read_every_table()
        run("overview_kpis", Filters())
        assert cached() > 2**20


def test_arrow_buffers_come_from_the_c_library():
    """Arrow's buffers come from malloc, not from a pool that keeps what it freed (pyarrow's
    mimalloc: a worker on large held ~35 MB more)."""
    assert pa.default_memory_pool().backend_name == "system"


def test_a_small_warehouse_runs_on_one_thread(fixture_warehouse, tmp_path, monkeypatch):
    """Under SMALL_WAREHOUSE_CONTRACTS counted contracts the connection runs on one thread
    (its statements take longer to plan than to run); from it on, on DuckDB's default (every
    core); CRM_DUCKDB_THREADS (DUCKDB_CONFIG's threads) wins over both."""
    every_core = duckdb.connect().execute("select current_setting('threads')").fetchone()[0]

    def threads(name: str) -> int:
        path = tmp_path / f"{name}.duckdb"  # a file of its own: a connection of its own
        shutil.copy(fixture_warehouse, path)
        monkeypatch.setenv("CRM_WAREHOUSE", str(path))
        cursor, _ = queries._warehouse.cursor()
        return cursor.execute("select current_setting('threads')").fetchone()[0]

    contracts = duckdb.connect(str(fixture_warehouse), read_only=True).execute(
        "select count(*) from s_contracts").fetchone()[0]
    assert contracts > 1
    monkeypatch.setattr(queries, "SMALL_WAREHOUSE_CONTRACTS", contracts + 1)
    assert threads("small") == 1
    monkeypatch.setattr(queries, "SMALL_WAREHOUSE_CONTRACTS", contracts)
    assert threads("at_the_bound") == every_core
    monkeypatch.setattr(queries, "SMALL_WAREHOUSE_CONTRACTS", contracts + 1)
    monkeypatch.setattr(queries, "DUCKDB_CONFIG", {**queries.DUCKDB_CONFIG, "threads": 3})
    assert threads("set") == 3


def test_a_query_run_apart_reads_only_queries():
    """A query of queries.APART has its text run alone, on the Arrow results of the queries it
    names: it may read no relation of the scope prelude, only those queries."""
    for name in queries.APART:
        body = queries._body(queries._read(name))
        assert queries._relations_read(queries._prelude(), body) == (), name
        assert queries._mentioned(body) and set(queries._mentioned(body)) <= set(queries.names()), name


def test_threads_use_their_own_cursors(warehouse):
    results, errors = [], []

    def work():
        try:
            for preset in ("this_year", "last_year", "this_month", "last_month"):
                results.append(run("overview_trend", Filters(preset=preset)).shape)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors and len(results) == 16


def test_missing_warehouse_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_WAREHOUSE", str(tmp_path / "none.duckdb"))
    with pytest.raises(queries.WarehouseMissingError, match="no warehouse"):
        run("build_info")


def test_cli_prints_a_query(warehouse, capsys):
    from queries.__main__ import main

    main(["run", "overview_top_reps", "preset=this_year&team=T3", "--format", "csv", "--param", "limit=5"])
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0].startswith("rank,rep_id")
    assert out[1].startswith("1,R3,") and len(out) == 2
    main(["list"])
    assert "overview_kpis" in capsys.readouterr().out
    assert os.environ["CRM_WAREHOUSE"]


def test_as_of_setting_overrides_the_warehouse(warehouse, monkeypatch):
    monkeypatch.setenv("CRM_AS_OF", "2024-02-29")
    assert queries.warehouse_as_of().isoformat() == "2024-02-29"
    kpis = run("overview_kpis", Filters(preset="this_month")).set_index("measure")
    assert kpis.loc["contract_amount", "current"] == 2100  # February to the 29th
    monkeypatch.setenv("CRM_AS_OF", "not a date")
    assert queries.warehouse_as_of().isoformat() == "2024-03-15"


def test_cache_is_bounded_by_memory(warehouse, monkeypatch):
    monkeypatch.setattr(queries._results, "max_bytes", 1)  # every new result evicts the older ones
    run("overview_top_reps", Filters(), limit=5)
    newest = run("overview_top_reps", Filters(), limit=4)
    assert len(queries._results) == 1 and queries._results.bytes == newest.memory_usage(index=True, deep=True).sum()


def test_a_query_carries_only_the_scope_relations_it_reads():
    """compose() splices in the prelude relations a query reads, directly or through others
    (DuckDB binds and optimises every CTE of a statement, used or not)."""
    def relations(name):
        return set(re.findall(r"(?:^|with recursive |,\n)(\w+) as (?:not materialized )?\(", queries.compose(name),
                              flags=re.MULTILINE))

    assert relations("build_info") == {"f_build_info"}
    reads = relations("receivables_aging")
    # f_plan_states reads f_reps, which reads f_teams, which reads the recursive team_tree
    assert {"f_plan_states", "f_reps", "f_teams", "team_tree", "f_accounts"} <= reads
    assert not reads & {"f_contracts", "f_lines", "f_measure_facts", "f_activities"}


def test_company_wide_only_when_nothing_but_a_category_narrows_the_facts():
    # $company_wide switches f_company_days on and the queries' facts off (scope.sql)
    def wide(filters, scope=queries.EVERYONE):
        return queries.company_wide({**queries.params_for(filters), **scope.params()})

    assert wide(Filters()) and wide(Filters(categories=("软件",)))
    for narrowed in ({"teams": ("T1",)}, {"reps": ("R1",)}, {"regions": ("华东",)}, {"customer_types": ("customer",)},
                     {"sources": ("展会",)}):
        assert not wide(Filters(**narrowed)), narrowed
    assert not wide(Filters(), Scope(reps=("R1",)))


# every kind of column a query gives: whole numbers (with a gap: nullable), decimals (one past
# 2^53 unscaled, which DuckDB converts itself), days, times, flags (with a gap), text (and one
# without a value), lists
MIXED_ROWS = """
    select * from (values
        (1, 2.5::decimal(18, 2), 'x', date '2024-01-01', null::bigint, true, null::boolean, [1.5, 2.0],
         timestamp '2024-01-01 10:00:00', 99999999999999999.99::decimal(38, 2), 1.25::double, 7::smallint,
         null::varchar, 0.1::decimal(38, 10), null::integer, 1::tinyint),
        (2, -3.1, null, null, 5, false, true, null, null, -1.01, null, -8, null, -123456.0000000001, 3, null))
        as v (a, b, c, d, e, f, g, h, i, j, k, m, n, o, p, q)
"""


@pytest.mark.parametrize("where", ["", "where a = 2", "where a > 5"])
def test_frames_through_arrow_are_duckdbs_own(where):
    """queries._frame (text-heavy results, and every section of a page) gives exactly what
    DuckDB's df() gives for the same rows: dtypes, values, gaps; with rows, one, and none."""
    con = duckdb.connect()
    sql = f"select * from ({MIXED_ROWS}) {where}"
    got = queries._frame(con.execute(sql).to_arrow_table(), con)
    pd.testing.assert_frame_equal(got, con.execute(sql).df(), check_exact=True)


def test_a_page_of_sections_is_each_sections_own_frame():
    # a sections row (queries.SECTIONED): each struct of lists is the frame of its own rows
    con = duckdb.connect()
    sql = f"""select (select section from (select list(columns(*) order by a) from ({MIXED_ROWS})) as section)
                         as both,
                     (select section from (select list(columns(*)) from ({MIXED_ROWS}) where a > 5) as section)
                         as none"""
    page = queries.sections(queries._sectioned(con.execute(sql).to_arrow_table(), con))
    assert list(page) == ["both", "none"]
    pd.testing.assert_frame_equal(page["both"], con.execute(f"select * from ({MIXED_ROWS}) order by a").df(),
                                  check_exact=True)
    pd.testing.assert_frame_equal(page["none"], con.execute(f"select * from ({MIXED_ROWS}) where a > 5").df(),
                                  check_exact=True)
