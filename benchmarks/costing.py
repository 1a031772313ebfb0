"""Time the costing engine on a large synthetic move set, and the test reference on a sample.

    python -m benchmarks.costing [--contracts 1000000] [--receipts 100000] [--products 5000]

Generates (numpy, seeded) purchases, contracts (5 % void) and ~3 lines a contract (2 %
returns) with skewed product popularity, loads them into an in-memory DuckDB, runs
``build_cost_of_sales`` and reports its time. The reference (tests/test_costing.py, exact
fractions, one move at a time) runs on a random sample of products; its time is
extrapolated to all moves, and its COGS are compared with the engine's on that sample.
"""

from __future__ import annotations

import argparse
import time

import duckdb
import numpy as np
import pandas as pd

from data.build import SCHEMA
from data.costing import METHODS, build_cost_of_sales
from tests.test_costing import Contract, Purchase, cents, product_moves, reference

START = np.datetime64("2022-01-01")


def generate(contracts: int, receipts: int, products: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    popularity = 1 / (np.arange(products) + 50.0)
    popularity /= popularity.sum()
    product_ids = np.array([f"P{i:05d}" for i in range(products)])
    base_cost = rng.uniform(5, 500, products).round(2)

    n_lines = rng.integers(1, 6, contracts)  # 1..5, mean 3
    contract_ids = np.array([f"K{i:07d}" for i in range(contracts)])
    signed = START + rng.integers(0, 3 * 365, contracts).astype("timedelta64[D]")
    contracts_df = pd.DataFrame({
        "contract_id": contract_ids,
        "customer_id": np.char.add("C", rng.integers(0, 50_000, contracts).astype(str)),
        "rep_id": "R1", "signed_on": signed, "amount": 0.0,
        "status": np.where(rng.random(contracts) < 0.05, "void", "active"),
    })
    line_contract = np.repeat(np.arange(contracts), n_lines)
    line_no = np.arange(len(line_contract)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines) + 1
    line_product = rng.choice(products, len(line_contract), p=popularity)
    quantity = rng.integers(1, 21, len(line_contract)).astype(float)
    quantity[rng.random(len(quantity)) < 0.1] += rng.integers(0, 10_000, 1)[0] / 10_000  # some fractions
    returning = rng.random(len(quantity)) < 0.02
    quantity[returning] = -rng.integers(1, 6, returning.sum())
    items_df = pd.DataFrame({
        "contract_id": contract_ids[line_contract], "line_no": line_no.astype(np.int32),
        "product_id": product_ids[line_product], "quantity": quantity, "unit_price": 1.0, "amount": 0.0,
    })

    demand = np.bincount(line_product, weights=np.maximum(quantity, 0), minlength=products)
    receipt_product = rng.choice(products, receipts, p=popularity)
    per_product = np.bincount(receipt_product, minlength=products)
    receipt_qty = np.ceil(1.05 * demand[receipt_product] / np.maximum(per_product[receipt_product], 1))
    receipt_cost = (base_cost[receipt_product] * rng.uniform(0.8, 1.2, receipts)).round(4)
    purchases_df = pd.DataFrame({
        "purchase_id": np.array([f"B{i:06d}" for i in range(receipts)]),
        "product_id": product_ids[receipt_product],
        "received_on": START - np.timedelta64(10, "D") + rng.integers(0, 3 * 365, receipts).astype("timedelta64[D]"),
        "quantity": receipt_qty, "unit_cost": receipt_cost,
    })
    return {"contracts": contracts_df, "contract_items": items_df, "purchases": purchases_df}


def load(tables: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(SCHEMA.read_text())
    for name, df in tables.items():
        con.register("frame", df)
        cols = ", ".join(df.columns)
        con.execute(f"insert into main.{name} ({cols}) select {cols} from frame")
        con.unregister("frame")
    return con


def reference_sample(con: duckdb.DuckDBPyConnection, sample: list[str]) -> tuple[int, float, int]:
    """Run the reference on the sampled products: (moves, seconds, lines that differ)."""
    purchases = [Purchase(*row) for row in con.execute(
        "select purchase_id, product_id, received_on, quantity, unit_cost from purchases "
        "where list_contains(?, product_id)", [sample]).fetchall()]
    # every line of the contracts that touch the sample (line_no is the position), the
    # other products' lines as a placeholder product "-"
    lines: dict[str, list] = {}
    for contract_id, customer_id, signed_on, status, product_id, quantity in con.execute("""
            select c.contract_id, c.customer_id, c.signed_on, c.status,
                   case when list_contains(?, i.product_id) then i.product_id else '-' end, i.quantity
            from contract_items as i
            join contracts as c on c.contract_id = i.contract_id
            where i.contract_id in (
                select contract_id from contract_items where list_contains(?, product_id))
            order by c.contract_id, i.line_no""", [sample, sample]).fetchall():
        lines.setdefault(contract_id, [customer_id, signed_on, status, []])[3].append((product_id, quantity))
    contracts = [Contract(k, customer, on, tuple(items), status) for k, (customer, on, status, items) in lines.items()]
    moves = {p: m for p, m in product_moves(purchases, contracts).items() if p != "-"}
    started = time.perf_counter()
    results = {p: reference(m) for p, m in moves.items()}
    seconds = time.perf_counter() - started
    engine = {(k, n, m): cogs for k, n, m, cogs in con.execute(
        "select contract_id, line_no, method, cogs from cost_of_sales "
        "where list_contains(?, product_id)", [sample]).fetchall()}
    differ = sum(engine[(*key, method)] != cents(value)
                 for r in results.values() for method in METHODS for key, value in r[method][0].items())
    return sum(map(len, moves.values())), seconds, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=1_000_000)
    parser.add_argument("--receipts", type=int, default=100_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--sample", type=int, default=50, help="products run through the reference")
    args = parser.parse_args()

    tables = generate(args.contracts, args.receipts, args.products)
    con = load(tables)
    total_moves = con.execute(
        "select (select count(*) from purchases) + (select count(*) from contract_items i "
        "join contracts c using (contract_id) where c.status = 'active')").fetchone()[0]
    print(f"moves: {total_moves:,} ({args.receipts:,} receipts, {args.contracts:,} contracts, "
          f"{args.products:,} products)")
    started = time.perf_counter()
    build_cost_of_sales(con)
    engine_seconds = time.perf_counter() - started
    rows = con.execute("select count(*) from cost_of_sales").fetchone()[0]
    print(f"engine: {engine_seconds:.1f} s for {rows:,} cost_of_sales rows")

    rng = np.random.default_rng(1)
    sample = sorted(rng.choice(sorted(tables["purchases"].product_id.unique()), args.sample, replace=False))
    moves, seconds, differ = reference_sample(con, list(sample))
    print(f"reference: {seconds:.1f} s for {moves:,} moves of {len(sample)} products "
          f"-> ~{seconds * total_moves / moves:.0f} s for all moves (extrapolated); "
          f"lines differing from the engine: {differ}")


if __name__ == "__main__":
    main()
