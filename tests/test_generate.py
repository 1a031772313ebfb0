"""The synthetic demo company (data.generate): deterministic, rule-abiding, realistic."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from data import build, generate, rules

END = date(2025, 6, 30)  # last full year 2024, the year before 2023
LEAP_END = date(2024, 2, 29)


def _build(path, scale: str, seed: int, end: date) -> dict:
    return build.build(path, lambda con: generate.fill_demo(con, scale, seed, end, progress=False),
                       source=f"demo:{scale}:{seed}", progress=False)


def _digests(path) -> dict[str, str]:
    """md5 of every table's rows in a canonical order."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(
                f'select md5(coalesce(string_agg(x, chr(10) order by x), \'\')) '
                f'from (select t::varchar as x from "{table}" as t)').fetchone()[0]
            for table in rules.TABLES
        }


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """Three tiny builds: seed 7 twice and seed 8, all ending on a leap day."""
    root = tmp_path_factory.mktemp("tiny")
    infos = [_build(root / f"{name}.duckdb", "tiny", seed, LEAP_END)
             for name, seed in (("a", 7), ("b", 7), ("c", 8))]
    return root, infos


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    info = _build(path, "demo", 42, END)  # raises BuildError if any data rule is broken
    con = duckdb.connect(str(path), read_only=True)
    yield con, info
    con.close()


def _one(con, sql: str):
    return con.execute(sql).fetchone()[0]


def test_same_seed_gives_the_same_warehouse(tiny):
    root, _ = tiny
    assert _digests(root / "a.duckdb") == _digests(root / "b.duckdb")


def test_another_seed_gives_another_warehouse(tiny):
    root, _ = tiny
    a, c = _digests(root / "a.duckdb"), _digests(root / "c.duckdb")
    assert a["customers"] != c["customers"] and a["contracts"] != c["contracts"]


def test_end_is_respected(tiny, demo):
    for info, end in [*((i, LEAP_END) for i in tiny[1]), (demo[1], END)]:
        assert end - timedelta(days=3) <= info["as_of"] <= end
    con = demo[0]
    assert _one(con, "select as_of from build_info") == END
    assert _one(con, "select min(signed_on) from contracts") >= date(2022, 7, 1)


def test_demo_sizes_and_source(demo):
    _, info = demo
    assert info["source"] == "demo:demo:42"
    rows = info["rows"]
    assert rows["reps"] == 30 and rows["customers"] == 2_000
    assert 13_000 <= rows["contracts"] <= 17_000
    assert all(rows[t] > 0 for t in rules.TABLES)


def test_heavy_tail(demo):
    con, _ = demo
    share = _one(con, """
        with per_customer as (
            select customer_id, sum(amount) as amount
            from contracts
            where status = 'active' and year(signed_on) = 2024
            group by customer_id
        ),
        ranked as (
            select amount, row_number() over (order by amount desc, customer_id) as rank,
                   count(*) over () as n
            from per_customer
        )
        select sum(amount) filter (where rank <= ceil(0.2 * n)) / sum(amount) from ranked
    """)
    assert 0.70 <= share <= 0.85


def test_seasonality_and_growth(demo):
    con, _ = demo
    month = dict(con.execute("""
        select month(signed_on), sum(amount)::double from contracts
        where status = 'active' and year(signed_on) = 2024 group by 1
    """).fetchall())
    mean = sum(month.values()) / 12
    assert month[2] < (month[1] + month[3]) / 2  # Spring Festival
    assert month[6] > mean and month[11] > mean  # 618, Double 11
    year = dict(con.execute(
        "select year(signed_on), sum(amount) from contracts where status = 'active' group by 1").fetchall())
    assert 1.05 < year[2024] / year[2023] < 1.6
    # quarter-end push: the last ten days of a quarter outsell the ten days before
    push = con.execute("""
        select sum(amount) filter (where day(signed_on) > day(last_day(signed_on)) - 10),
               sum(amount) filter (where day(signed_on) between day(last_day(signed_on)) - 19
                                                             and day(last_day(signed_on)) - 10)
        from contracts
        where status = 'active' and year(signed_on) = 2024 and month(signed_on) in (3, 9, 12)
    """).fetchone()
    assert push[0] > push[1]


def test_costs_drift_and_stock_runs_short_sometimes(demo):
    con, _ = demo
    varying, products = con.execute("""
        select count(*) filter (where sd > 0), count(*)
        from (select product_id, stddev(unit_cost) as sd from purchases group by product_id)
    """).fetchone()
    assert varying >= 0.9 * products
    short = _one(con, """
        with moves as (
            select product_id, received_on as on_date, 0 as issue, quantity from purchases
            union all
            select i.product_id, c.signed_on, 1, -i.quantity
            from contract_items as i join contracts as c using (contract_id)
            where c.status = 'active'
        ),
        running as (
            select product_id, sum(quantity) over (
                partition by product_id order by on_date, issue rows unbounded preceding) as on_hand
            from moves
        )
        select count(distinct product_id) from running where on_hand < 0
    """)
    products_sold = _one(con, "select count(distinct product_id) from contract_items")
    assert 1 <= short <= 0.5 * products_sold
    assert _one(con, "select count(*) from contract_items where quantity < 0") > 0


def test_contract_amount_is_exactly_the_sum_of_its_lines(demo):
    con, _ = demo
    assert _one(con, """
        select count(*) from contracts as c
        join (select contract_id, sum(amount) as lines from contract_items group by 1) using (contract_id)
        where c.amount <> lines
    """) == 0
    assert _one(con, """
        select count(*) from contract_items
        where abs(amount) > abs(quantity * unit_price) + 0.005 or sign(amount) <> sign(quantity)
    """) == 0


def test_people_and_pool(demo):
    con, _ = demo
    assert _one(con, "select count(*) from reps where not active") > 0
    assert _one(con, "select count(*) from teams where parent_team_id is not null") > 0
    # leavers keep no customers; nobody sells before being hired
    assert _one(con, """
        select count(*) from customers join reps on rep_id = owner_rep_id where not active""") == 0
    assert _one(con, "select count(*) from contracts join reps using (rep_id) where signed_on < hired_on") == 0
    # replaying the pool events ends in each customer's owner
    assert _one(con, """
        with last_event as (
            select customer_id, event, rep_id,
                   row_number() over (partition by customer_id order by occurred_at desc) as n
            from pool_events
        )
        select count(*) from last_event join customers using (customer_id)
        where n = 1 and owner_rep_id is distinct from
              case when event in ('claim', 'assign') then rep_id end
    """) == 0
    events = dict(con.execute("select event, count(*) from pool_events group by 1").fetchall())
    assert set(events) == {"claim", "release", "auto_return", "assign"}
    assert _one(con, "select count(*) from customers where owner_rep_id is null") > 0
    # buyers are customers/agents (or lost), never prospects
    assert _one(con, """
        select count(*) from customers
        where type = 'prospect' and customer_id in (select customer_id from contracts where status = 'active')
    """) == 0
    with_targets = _one(con, "select count(distinct rep_id) from targets")
    assert 0 < with_targets < 30


def test_pipeline(demo):
    con, _ = demo
    stages = dict(con.execute("select stage, count(*) from opportunities group by 1").fetchall())
    assert all(stages.get(s[0], 0) > 0 for s in generate.STAGES)
    # won deals link to their contract, open ones have a current stint without exit
    assert _one(con, """
        select count(*) from opportunities as o
        where o.stage = '赢单' and not exists (select 1 from contracts as c where c.opportunity_id = o.opportunity_id)
    """) == 0
    assert _one(con, """
        with last_stint as (
            select opportunity_id, stage, exited_at,
                   row_number() over (partition by opportunity_id order by entered_at desc) as n
            from opportunity_stage_history
        )
        select count(*) from last_stint join opportunities as o using (opportunity_id)
        where n = 1 and (last_stint.stage <> o.stage or exited_at is not null)
    """) == 0
    assert _one(con, """
        select count(*) from opportunities
        where closed_on is null and expected_close_on < date '2025-06-30'
    """) > 0
    assert _one(con, "select count(*) from opportunities where closed_on is null and expected_close_on is null") > 0
    assert _one(con, "select count(*) from opportunities where lost_reason is not null and competitor is not null") > 0


def test_cli(tmp_path, capsys):
    info = generate.main(["--scale", "tiny", "--seed", "3", "--end", "2024-12-31",
                          "--out", str(tmp_path / "w.duckdb"), "--quiet"])
    assert info["source"] == "demo:tiny:3"
    out = capsys.readouterr().out
    assert "contracts" in out and "as of 2024-12-31" in out


# --- planted events (--plant-events): the proof behind /alerts -----------------------------

@pytest.fixture(scope="module")
def planted(tmp_path_factory, tiny):
    """Seed 7 planted twice (same end as the tiny builds), with the events each planted."""
    root = tmp_path_factory.mktemp("planted")
    out = []
    for name in ("p", "q"):
        events: list = []
        build.build(root / f"{name}.duckdb",
                    lambda con, events=events: generate.fill_demo(con, "tiny", 7, LEAP_END, progress=False,
                                                                  planted=events),
                    source="demo:tiny:7", progress=False)
        out.append((root / f"{name}.duckdb", events))
    return out


def test_planting_is_deterministic_and_plants_every_event(planted):
    (p, events_p), (q, events_q) = planted
    assert _digests(p) == _digests(q)
    assert events_p == events_q
    assert [e["event"] for e in events_p] == [name for name, _, _ in generate.PLANTS]
    assert all(e["subject_id"] for e in events_p)


def test_planting_edits_only_what_the_events_need(planted, tiny):
    root, _ = tiny
    plain, (path, events) = _digests(root / "a.duckdb"), planted[0]
    edited = _digests(path)
    untouched = ("teams", "reps", "customers", "stages", "expenses", "pool_events", "targets")
    assert {t: edited[t] for t in untouched} == {t: plain[t] for t in untouched}
    with duckdb.connect(str(path), read_only=True) as con:
        by = {e["event"]: e for e in events}
        vip = by["vip_stops_buying"]["subject_id"]
        last = _one(con, f"select max(signed_on) from contracts where customer_id = '{vip}' and status = 'active'")
        assert last <= LEAP_END - timedelta(days=120)
        product = by["product_stops_selling"]["subject_id"]
        assert _one(con, "select count(*) from contract_items as i join contracts as c using (contract_id) "
                         f"where i.product_id = '{product}' and c.signed_on > date '{LEAP_END}' - 120") == 0
        # its sales went to its new model, the one product added, of the same category and price
        with duckdb.connect(str(root / "a.duckdb"), read_only=True) as plain_con:
            before = set(plain_con.execute("select product_id from products").fetchall())
        after = set(con.execute("select product_id from products").fetchall())
        assert after - before == {(f"{product}-N",)} and before <= after
        assert _one(con, f"select count(distinct (category, list_price)) from products "
                         f"where product_id in ('{product}', '{product}-N')") == 1
        deal = by["large_deal_stalls"]["subject_id"]
        assert _one(con, f"select expected_close_on from opportunities where opportunity_id = '{deal}'") \
            == LEAP_END - timedelta(days=45)
        team = by["team_payments_slip"]["subject_id"]
        assert _one(con, "select count(*) from payments as p join contracts as c using (contract_id) "
                         f"join reps as r on r.rep_id = c.rep_id where r.team_id = '{team}' "
                         f"and p.paid_on > date '{LEAP_END}' - 60") == 0
