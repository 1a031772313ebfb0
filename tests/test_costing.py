"""The costing engine (data/costing.py) against a deliberately simple reference, and the
hand-worked cases of ../shared/METRICS.md ("Product mix and margin") through the real build.

The reference costs one product at a time with exact fractions: a queue of layers for
FIFO, a running quantity and rate for the moving average, and month-by-month running
totals for the monthly average, following the rules in the engine's docstring.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import build
from data.costing import METHODS, build_cost_of_sales

# ---------------------------------------------------------------------------------------
# Moves and the reference implementation


@dataclass(frozen=True)
class Purchase:
    purchase_id: str
    product_id: str
    received_on: date
    quantity: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class Contract:
    contract_id: str
    customer_id: str
    signed_on: date
    lines: tuple[tuple[str, Decimal], ...]  # (product_id, quantity); line_no = position + 1
    status: str = "active"


@dataclass(frozen=True)
class Move:
    key: tuple  # (contract_id, line_no) of an issue, None for a receipt
    month: tuple[int, int]
    customer: str | None
    quantity: Fraction
    cost: Fraction | None  # receipts only


def product_moves(purchases, contracts) -> dict[str, list[Move]]:
    """Each product's moves in event order: date, receipts (by purchase_id) before issues,
    issues by (contract_id, line_no); void contracts left out."""
    rows = defaultdict(list)
    for p in purchases:
        rows[p.product_id].append(((p.received_on, 0, p.purchase_id, "", 0), Move(
            None, (p.received_on.year, p.received_on.month), None, Fraction(p.quantity), Fraction(p.unit_cost))))
    for c in contracts:
        if c.status != "active":
            continue
        for line_no, (product_id, quantity) in enumerate(c.lines, start=1):
            rows[product_id].append(((c.signed_on, 1, "", c.contract_id, line_no), Move(
                (c.contract_id, line_no), (c.signed_on.year, c.signed_on.month), c.customer_id,
                Fraction(quantity), None)))
    return {product: [m for _, m in sorted(moves, key=lambda r: r[0])] for product, moves in rows.items()}


def last_known_costs(moves: list[Move]) -> list[Fraction | None]:
    """Per move: the cost of the last receipt at or before it, else of the first one after."""
    costs, last = [], None
    for m in moves:
        last = m.cost if m.cost is not None else last
        costs.append(last)
    first = next((m.cost for m in moves if m.cost is not None), None)
    return [first if c is None else c for c in costs]


def reference(moves: list[Move]) -> dict[str, tuple[dict, Fraction]]:
    """One product: per method, ({issue key: unrounded COGS or None}, ending stock value);
    plus "shortfall": ({issue key: shortfall quantity}, 0)."""
    known = last_known_costs(moves)
    if all(m.cost is None for m in moves):
        lines = {m.key: None for m in moves}
        return {**{method: (lines, Fraction(0)) for method in METHODS},
                "shortfall": (shortfalls(moves), Fraction(0))}
    return {"fifo": reference_fifo(moves, known), "moving_average": reference_moving(moves, known),
            "monthly_average": reference_monthly(moves, known), "shortfall": (shortfalls(moves), Fraction(0))}


def shortfalls(moves):
    on_hand, out = Fraction(0), {}
    for m in moves:
        if m.key is None or m.quantity < 0:
            on_hand += abs(m.quantity)
            if m.key is not None:
                out[m.key] = Fraction(0)
        else:
            out[m.key] = m.quantity - min(max(on_hand, 0), m.quantity)
            on_hand -= m.quantity
    return out


def reference_fifo(moves, known):
    layers, on_hand, cogs, latest = deque(), Fraction(0), {}, {}

    def enter(units, cost):
        nonlocal on_hand
        fill = min(units, max(-on_hand, 0))  # fills the gap: those units are gone
        on_hand += units
        if units > fill:
            layers.append([units - fill, cost])

    for m, last in zip(moves, known, strict=True):
        if m.key is None:
            enter(m.quantity, m.cost)
        elif m.quantity >= 0:
            covered = min(max(on_hand, 0), m.quantity)
            value, need = (m.quantity - covered) * last, covered
            while need:
                take = min(need, layers[0][0])
                value += take * layers[0][1]
                layers[0][0] -= take
                need -= take
                if not layers[0][0]:
                    layers.popleft()
            on_hand -= m.quantity
            cogs[m.key] = value
            if m.quantity:
                latest[m.customer] = value / m.quantity
        else:
            cost = latest.get(m.customer, last)
            cogs[m.key] = m.quantity * cost
            enter(-m.quantity, cost)
    return cogs, sum((q * c for q, c in layers), Fraction(0))


def reference_moving(moves, known):
    on_hand, rate, cogs, latest = Fraction(0), None, {}, {}

    def enter(units, cost):
        nonlocal on_hand, rate
        rate = (on_hand * rate + units * cost) / (on_hand + units) if on_hand > 0 else cost
        on_hand += units

    for m, last in zip(moves, known, strict=True):
        if m.key is None:
            enter(m.quantity, m.cost)
        elif m.quantity >= 0:
            covered = min(max(on_hand, 0), m.quantity)
            value = (m.quantity - covered) * last + (covered * rate if covered else 0)
            on_hand -= m.quantity
            cogs[m.key] = value
            if m.quantity:
                latest[m.customer] = value / m.quantity
        else:
            cost = latest.get(m.customer, last if rate is None else rate)
            cogs[m.key] = m.quantity * cost
            enter(-m.quantity, cost)
    return cogs, max(on_hand, 0) * (rate or 0)


def reference_monthly(moves, known):
    on_hand, value, rate, cogs, latest = Fraction(0), Fraction(0), None, {}, {}
    indexed = list(zip(moves, known, strict=True))
    for _, group in groupby(indexed, key=lambda mk: mk[0].month):
        group = list(group)
        pool_qty, pool_value, q = max(on_hand, 0), value, on_hand
        for m, _ in group:  # the month's receipts that enter stock (after filling a gap)
            if m.key is None:
                entered = m.quantity - min(m.quantity, max(-q, 0))
                pool_qty += entered
                pool_value += entered * m.cost
            q += m.quantity if m.key is None else -m.quantity
        rate = pool_value / pool_qty if pool_qty > 0 else (rate if rate is not None else group[-1][1])
        value = pool_value
        for m, last in group:
            if m.key is None:
                on_hand += m.quantity
            elif m.quantity >= 0:
                covered = min(max(on_hand, 0), m.quantity)
                value -= covered * rate
                cogs[m.key] = covered * rate + (m.quantity - covered) * last
                on_hand -= m.quantity
                if m.quantity:
                    latest[m.customer] = cogs[m.key] / m.quantity
            else:
                cost = latest.get(m.customer, rate)
                cogs[m.key] = m.quantity * cost
                value += (-m.quantity - min(-m.quantity, max(-on_hand, 0))) * cost
                on_hand -= m.quantity
    return cogs, value


def cents(value: Fraction | None) -> Decimal | None:
    """Round to cents, half away from zero, exactly."""
    if value is None:
        return None
    size = abs(value) * 100
    whole = int(size + Fraction(1, 2))  # floor of size + 1/2
    return (Decimal(whole) / 100 if value >= 0 else -Decimal(whole) / 100).quantize(Decimal("0.01"))


# ---------------------------------------------------------------------------------------
# Running the engine


SCHEMA = build.SCHEMA.read_text()


def engine(purchases, contracts) -> dict[tuple, dict]:
    """Run build_cost_of_sales on an in-memory warehouse holding just these rows; return
    {(contract_id, line_no): {method: cogs, ..., "shortfall": q, "product_id": ...}}."""
    con = duckdb.connect()
    con.execute(SCHEMA)
    for sql, rows in (
        ("insert into purchases values (?, ?, ?, ?, ?)",
         [(p.purchase_id, p.product_id, p.received_on, p.quantity, p.unit_cost) for p in purchases]),
        ("insert into contracts values (?, ?, 'R1', ?, 0, ?, null, null)",
         [(c.contract_id, c.customer_id, c.signed_on, c.status) for c in contracts]),
        ("insert into contract_items values (?, ?, ?, ?, 1, 0)",
         [(c.contract_id, n, p, q) for c in contracts for n, (p, q) in enumerate(c.lines, start=1)]),
    ):
        if rows:
            con.executemany(sql, rows)
    build_cost_of_sales(con)
    return rows_by_line(con)


def rows_by_line(con) -> dict[tuple, dict]:
    out: dict[tuple, dict] = defaultdict(dict)
    for contract_id, line_no, product_id, method, quantity, cogs, shortfall in con.execute(
            "select contract_id, line_no, product_id, method, quantity, cogs, shortfall_quantity "
            "from main.cost_of_sales").fetchall():
        line = out[(contract_id, line_no)]
        line.update(product_id=product_id, quantity=quantity, shortfall=shortfall)
        assert method not in line
        line[method] = cogs
    return dict(out)


def received(purchases, product_id) -> Fraction:
    return sum((Fraction(p.quantity) * Fraction(p.unit_cost) for p in purchases if p.product_id == product_id),
               Fraction(0))


def check_against_reference(purchases, contracts):
    got = engine(purchases, contracts)
    expected_keys = {(c.contract_id, n) for c in contracts if c.status == "active" for n in range(1, len(c.lines) + 1)}
    assert set(got) == expected_keys
    for product_id, moves in product_moves(purchases, contracts).items():
        ref = reference(moves)
        short = ref["shortfall"][0]
        for key, value in short.items():
            assert got[key]["shortfall"] == value, (key, "shortfall")
        for method in METHODS:
            lines, ending = ref[method]
            for key, value in lines.items():
                assert got[key][method] == cents(value), (key, method, got[key][method], value)
            if not lines or any(v is None for v in lines.values()) or any(short.values()):
                continue
            # Without a shortfall, every unit received is either issued (COGS, returns
            # negative) or still in stock: exactly, in unrounded values. The engine's
            # COGS are rounded per line, so its total may differ by half a cent a line.
            # (With a shortfall, the units that later fill the gap leave stock at their own
            # cost while the issue was charged the last known cost; that variance is booked
            # nowhere, by the no-re-costing rule, so the identity does not hold there.)
            assert sum(lines.values()) + ending == received(purchases, product_id)
            total = sum(got[key][method] for key in lines)
            assert abs(Fraction(total) + ending - received(purchases, product_id)) <= Fraction(len(lines), 200)


# ---------------------------------------------------------------------------------------
# Property: engine == reference on random move histories

DATES = [date(2024, 1, 5), date(2024, 1, 5), date(2024, 1, 20), date(2024, 2, 10), date(2024, 2, 29),
         date(2024, 3, 1), date(2024, 3, 15), date(2024, 4, 30), date(2024, 6, 1)]
PRODUCTS = ["P1", "P2", "P3"]
quantities = st.one_of(
    st.integers(1, 60).map(Decimal),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(40), places=4),
)
unit_costs = st.one_of(
    st.integers(0, 5000).map(lambda c: Decimal(c) / 100),
    st.integers(0, 50000).map(lambda c: Decimal(c) / 1000),  # half cents: rounding ties
    st.decimals(min_value=Decimal(0), max_value=Decimal(99), places=4),
)
line_quantities = st.one_of(quantities, quantities, quantities, quantities.map(lambda q: -q), st.just(Decimal(0)))


@st.composite
def histories(draw):
    purchases = [
        Purchase(f"B{i:02d}", product, received_on, quantity, unit_cost)
        for i, (product, received_on, quantity, unit_cost) in enumerate(draw(st.lists(
            st.tuples(st.sampled_from(PRODUCTS), st.sampled_from(DATES), quantities, unit_costs), max_size=10)))
    ]
    contracts = [
        Contract(f"K{i:02d}", customer, signed_on, tuple(lines), status)
        for i, (customer, signed_on, status, lines) in enumerate(draw(st.lists(st.tuples(
            st.sampled_from(["C1", "C2"]), st.sampled_from(DATES),
            st.sampled_from(["active", "active", "active", "void"]),
            st.lists(st.tuples(st.sampled_from(PRODUCTS), line_quantities), min_size=1, max_size=3),
        ), max_size=10)))
    ]
    return purchases, contracts


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_engine_matches_reference(history):
    check_against_reference(*history)


# ---------------------------------------------------------------------------------------
# Hand-worked cases through the real build


def d(text: str) -> date:
    return date.fromisoformat(text)


def fill_for(purchases, contracts):
    """A build ``fill`` staging the minimal rows around these purchases and contracts."""
    customers = sorted({c.customer_id for c in contracts})
    products = sorted({p.product_id for p in purchases} | {p for c in contracts for p, _ in c.lines})

    def fill(con):
        def stage(table, rows):
            if rows:
                marks = ", ".join("?" * (len(rows[0]) + 1))
                con.executemany(f"insert into staging.{table} values ({marks})",
                                [(*row, n) for n, row in enumerate(rows, start=1)])

        stage("teams", [("T1", "Team", None)])
        stage("reps", [("R1", "Rep", "T1", None, None, None, True)])
        stage("customers", [(c, c, datetime(2023, 1, 1), "customer", "R1", None, None, None, None, None)
                            for c in customers])
        stage("products", [(p, p, "goods", None, None) for p in products])
        lines = [(c.contract_id, n, p, q, Decimal(1), q) for c in contracts for n, (p, q) in enumerate(c.lines, 1)]
        stage("contracts", [(c.contract_id, c.customer_id, "R1", c.signed_on, sum(q for _, q in c.lines),
                             c.status, None, None) for c in contracts])
        stage("contract_items", lines)
        stage("purchases", [(p.purchase_id, p.product_id, p.received_on, p.quantity, p.unit_cost)
                            for p in purchases])

    return fill


@pytest.fixture
def built(tmp_path):
    """Build a warehouse from purchases and contracts; return the cost_of_sales rows by line."""

    def run(purchases, contracts):
        out = tmp_path / "costing.duckdb"
        build.build(out, fill_for(purchases, contracts), "test", progress=False)
        with duckdb.connect(str(out), read_only=True) as con:
            return rows_by_line(con)

    return run


def buy(purchase_id, product_id, on, quantity, cost):
    return Purchase(purchase_id, product_id, d(on), Decimal(quantity), Decimal(cost))


def sell(contract_id, customer_id, on, *lines, status="active"):
    return Contract(contract_id, customer_id, d(on), tuple((p, Decimal(q)) for p, q in lines), status)


def totals(rows, product_id="P1"):
    return {m: sum(r[m] for r in rows.values() if r["product_id"] == product_id) for m in METHODS}


def test_worked_example(built):
    purchases = [buy("B1", "P1", "2024-03-01", 100, 10), buy("B2", "P1", "2024-03-02", 200, 12),
                 buy("B3", "P1", "2024-03-10", 100, 15)]
    contracts = [sell("K1", "C1", "2024-03-05", ("P1", 150)), sell("K2", "C1", "2024-03-20", ("P1", 180))]
    rows = built(purchases, contracts)
    assert totals(rows) == {"fifo": Decimal("3850.00"), "moving_average": Decimal("4004.00"),
                            "monthly_average": Decimal("4042.50")}
    assert rows[("K1", 1)]["fifo"] == Decimal("1600.00") and rows[("K2", 1)]["fifo"] == Decimal("2250.00")
    assert rows[("K1", 1)]["moving_average"] == Decimal("1700.00")
    ref = reference(product_moves(purchases, contracts)["P1"])
    ending = {m: ref[m][1] for m in METHODS}
    assert ending == {"fifo": 1050, "moving_average": 896, "monthly_average": Fraction("857.50")}
    for method in METHODS:
        assert totals(rows)[method] + Decimal(ending[method].numerator) / ending[method].denominator == 4900
    assert all(r["shortfall"] == 0 for r in rows.values())
    check_against_reference(purchases, contracts)


def test_shortfall_costed_at_last_known_cost_and_filled_by_next_receipt(built):
    purchases = [buy("B1", "P1", "2024-01-01", 10, 5), buy("B2", "P1", "2024-01-03", 10, 8),
                 buy("B3", "P2", "2024-01-10", 4, 7)]
    contracts = [sell("K1", "C1", "2024-01-02", ("P1", 15)), sell("K2", "C1", "2024-01-04", ("P1", 5)),
                 # before any receipt of P2: costed at the first receipt after it
                 sell("K3", "C1", "2024-01-05", ("P2", 3))]
    rows = built(purchases, contracts)
    k1, k2, k3 = rows[("K1", 1)], rows[("K2", 1)], rows[("K3", 1)]
    assert (k1["shortfall"], k2["shortfall"], k3["shortfall"]) == (5, 0, 3)
    # FIFO / moving: 10 @5 + 5 short @5; the receipt of 10 @8 fills the gap of 5 first
    assert (k1["fifo"], k2["fifo"]) == (Decimal("75.00"), Decimal("40.00"))
    assert (k1["moving_average"], k2["moving_average"]) == (Decimal("75.00"), Decimal("40.00"))
    # monthly: pool 10 @5 + (10 - 5 filling the gap) @8 = 90 / 15 = 6 a unit
    assert (k1["monthly_average"], k2["monthly_average"]) == (Decimal("85.00"), Decimal("30.00"))
    assert {k3[m] for m in METHODS} == {Decimal("21.00")}
    check_against_reference(purchases, contracts)


def test_return_reenters_at_the_customers_last_issue_cost(built):
    purchases = [buy("B1", "P1", "2024-01-01", 10, 10), buy("B2", "P1", "2024-01-03", 10, 20)]
    contracts = [sell("K1", "C1", "2024-01-02", ("P1", 4)),
                 sell("K2", "C1", "2024-01-04", ("P1", -2)),   # return: C1 last paid 10 a unit
                 sell("K3", "C2", "2024-01-05", ("P1", 17)),
                 sell("K4", "C3", "2024-01-06", ("P1", -1))]   # no earlier issue by C3: fallback
    rows = built(purchases, contracts)
    assert rows[("K2", 1)]["fifo"] == Decimal("-20.00")
    # FIFO queue after the return: 6 @10, 10 @20, 2 @10 (a new layer at the end)
    assert rows[("K3", 1)]["fifo"] == Decimal("270.00")
    assert rows[("K4", 1)]["fifo"] == Decimal("-20.00")  # last receipt cost
    # moving: rate (6·10 + 10·20) / 16 = 16.25; the return at 10 makes it 280 / 18
    assert rows[("K2", 1)]["moving_average"] == Decimal("-20.00")
    assert rows[("K3", 1)]["moving_average"] == Decimal("264.44")
    assert rows[("K4", 1)]["moving_average"] == Decimal("-15.56")  # current rate 280 / 18
    # monthly: rate 300 / 20 = 15; C1's issue went out at 15, so the return comes back at 15
    assert [rows[(k, 1)]["monthly_average"] for k in ("K1", "K2", "K3", "K4")] == [
        Decimal("60.00"), Decimal("-30.00"), Decimal("255.00"), Decimal("-15.00")]
    assert all(r["shortfall"] == 0 for r in rows.values())
    check_against_reference(purchases, contracts)


def test_uncosted_product_has_empty_cogs(built):
    purchases = [buy("B1", "P1", "2024-01-01", 10, 10)]
    contracts = [sell("K1", "C1", "2024-01-02", ("P1", 1), ("P9", 3), ("P9", -1))]
    rows = built(purchases, contracts)
    assert {rows[("K1", 1)][m] for m in METHODS} == {Decimal("10.00")}
    for line in (2, 3):
        assert {rows[("K1", line)][m] for m in METHODS} == {None}
    assert rows[("K1", 2)]["shortfall"] == 3 and rows[("K1", 3)]["shortfall"] == 0


def test_same_date_receipts_before_issues_in_id_order(built):
    purchases = [buy("B2", "P1", "2024-01-01", 10, 10), buy("B1", "P1", "2024-01-01", 10, 20)]
    # K-B is signed the same day as K-A but comes after it: issues go by contract_id
    contracts = [sell("K-B", "C1", "2024-01-01", ("P1", 5)), sell("K-A", "C1", "2024-01-01", ("P1", 15))]
    rows = built(purchases, contracts)
    assert rows[("K-A", 1)]["fifo"] == Decimal("250.00")  # 10 @20 (B1 first) + 5 @10
    assert rows[("K-B", 1)]["fifo"] == Decimal("50.00")
    assert {rows[("K-A", 1)][m] for m in ("moving_average", "monthly_average")} == {Decimal("225.00")}
    assert all(r["shortfall"] == 0 for r in rows.values())
    check_against_reference(purchases, contracts)


def test_monthly_average_across_months(built):
    purchases = [buy("B1", "P1", "2024-01-02", 10, 10), buy("B2", "P1", "2024-02-10", 10, 16)]
    contracts = [
        sell("K1", "C1", "2024-01-15", ("P1", 5)),    # Jan: rate 10
        # Feb: receipts, no issue: rate (50 + 160) / 15 = 14
        sell("K2", "C1", "2024-03-15", ("P1", 6)),    # Mar: no receipt, rate = opening 210 / 15
        sell("K3", "C1", "2024-04-15", ("P1", 12)),   # Apr: 9 covered @14 + 3 short @16 (last receipt)
        # May: opening -3 and no receipt: the denominator is 0, so the rate falls back to
        # the last known rate (April's 14). C2 never bought: the return comes back at 14
        sell("K4", "C2", "2024-05-02", ("P1", -5)),
        sell("K5", "C1", "2024-05-20", ("P1", 1)),
    ]
    rows = built(purchases, contracts)
    assert [rows[(k, 1)]["monthly_average"] for k in ("K1", "K2", "K3", "K4", "K5")] == [
        Decimal("50.00"), Decimal("84.00"), Decimal("174.00"), Decimal("-70.00"), Decimal("14.00")]
    assert rows[("K3", 1)]["shortfall"] == 3
    check_against_reference(purchases, contracts)


def test_void_contracts_are_not_costed(built):
    purchases = [buy("B1", "P1", "2024-01-01", 10, 10), buy("B2", "P1", "2024-01-05", 10, 20)]
    contracts = [sell("K1", "C1", "2024-01-02", ("P1", 8), status="void"),
                 sell("K2", "C1", "2024-01-06", ("P1", 12))]
    rows = built(purchases, contracts)
    assert set(rows) == {("K2", 1)}
    assert rows[("K2", 1)]["fifo"] == Decimal("140.00")  # 10 @10 + 2 @20: the void sale took nothing
    check_against_reference(purchases, contracts)


def test_half_cents_round_away_from_zero(built):
    # the moving and monthly rate is (1.00 + 1.01) / 2 = 1.005: in binary floats 1.00499999…
    purchases = [buy("B1", "P1", "2024-01-01", 1, "1.00"), buy("B2", "P1", "2024-01-01", 1, "1.01"),
                 buy("B3", "P2", "2024-01-01", 3, "1.005")]
    contracts = [sell("K1", "C1", "2024-01-02", ("P1", 1), ("P2", 1)),
                 sell("K2", "C1", "2024-01-03", ("P1", -1), ("P2", -1))]
    rows = built(purchases, contracts)
    assert rows[("K1", 1)]["fifo"] == Decimal("1.00")
    assert {rows[("K1", 1)][m] for m in ("moving_average", "monthly_average")} == {Decimal("1.01")}
    assert {rows[("K2", 1)][m] for m in ("moving_average", "monthly_average")} == {Decimal("-1.01")}
    assert {rows[("K1", 2)][m] for m in METHODS} == {Decimal("1.01")}
    assert {rows[("K2", 2)][m] for m in METHODS} == {Decimal("-1.01")}
    check_against_reference(purchases, contracts)
