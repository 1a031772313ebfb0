"""The costing engine: ``cost_of_sales`` by FIFO, moving average and monthly weighted average.

Rules (../shared/METRICS.md, "Product mix and margin"), per product:

* **Stock moves.** Receipts are ``purchases`` (dated ``received_on``); issues are the lines
  of ``active`` contracts (dated ``signed_on``); a negative quantity is a customer return,
  ordered with the issues. Order: by date; on one date receipts (by ``purchase_id``)
  before issues; issues by ``(contract_id, line_no)``.
* **On hand** is perpetual and the same for every method: receipts and returns add,
  issues subtract, and it may go negative (a gap). An issue's ``shortfall_quantity`` is
  the part beyond the stock on hand before it, ``q - clamp(on_hand, 0, q)``; the rest of
  it is *covered*. Returns have no shortfall.
* **Shortfall** units are costed at the last known unit cost: the last receipt before the
  issue, else the first receipt after it. Units entering stock (receipts and returns)
  first fill a gap: the filling units leave stock at their own cost and the earlier issue
  is not re-costed (so with a shortfall, COGS + ending stock no longer equals the value
  received: the difference is the unbooked variance between the fill cost and the cost
  charged).
* **Covered** units: FIFO takes the oldest layers (receipts and return layers, in order).
  Moving average takes the current rate; an entry of u units at cost c (a receipt or a
  return) sets rate = (q·rate + u·c) / (q + u) when on hand q > 0, else c. Monthly
  average takes the month's rate = (opening value + value of the month's receipts that
  entered stock) / (max(opening qty, 0) + their quantity), receipts that filled a gap
  left out. When that denominator is <= 0 (nothing on hand at the opening and no receipt
  left after filling gaps) the month falls back to the last known rate: the product's
  previous month's rate, else the last known receipt cost at the month's end. Every
  covered unit issued in the month goes out at that rate. The closing value is the
  opening value + receipts entered − covered units × rate + returns entered (the stock
  value carries by flows from month to month).
* **Returns** re-enter stock at the unit cost, in the same method, of the same customer's
  latest earlier issue of that product (that line's unrounded COGS / quantity); with
  none, at the current rate (moving average), the month's rate (monthly average) or the
  last known receipt cost (FIFO). Their COGS is negative. In FIFO the returned units are
  a new layer at the end of the queue; in moving average they blend into the rate like a
  receipt; in monthly average they add their value to the month's closing stock, not to
  the month's rate (the rate is fixed by opening stock and receipts; a return is an issue).
* **Uncosted**: a product with no receipts at all has COGS NULL on every line.
* Unit rates stay unrounded; each line's COGS is rounded to cents, half away from zero.

Design. DuckDB orders the moves (one sort) and hands numpy integer arrays: quantities and
unit costs scaled by 10^4 (``decimal(18, 4)``), so on hand, shortfall, gap fills and the
last known receipt cost are exact cumulative sums and forward/backward fills over all
products at once. FIFO is interval arithmetic on the stream of entering units: an issue
consumes positions [issued before, issued before + covered) of its product's stream, valued
through a ``searchsorted`` on cumulative layer ends. Receipt-layer and shortfall values
are exact int64 in units of 10^-8. Return layers cost what an earlier issue cost, which in
FIFO may itself have consumed earlier return layers: the pass repeats until those costs
are a fixed point (one pass more than the longest such chain). The averages are scans,
run in lock-step over all products: moving average over the k-th entry (receipt or return)
of every product, monthly average over the k-th month of every product; issues never
change a rate, so they are valued afterwards in one vectorised step.

Numerics. The average rates and return costs are rationals with growing denominators;
they are float64 (return-layer sums in extended precision). A line value computed within
1e-6 cent (+ 1e-12 relative) of a half cent is taken to be the exact half cent, then
rounded away from zero; values that are pure int64 sums round exactly in integers. The
int64 cumulative sums may wrap around (only differences within a product are used, and
those are exact modulo 2^64), so a single line's value must stay below ~9.2·10^10.
"""

from __future__ import annotations

import duckdb
import numpy as np

METHODS = ("fifo", "moving_average", "monthly_average")
SCALE = 10_000  # quantities and unit costs are decimal(18, 4)
VALUE_SCALE = SCALE * SCALE  # quantity × unit cost
CENT = VALUE_SCALE // 100

EVENTS_SQL = """
create or replace temp table costing_events as
with receipts as (
    select product_id, received_on as moved_on, 0 as kind, purchase_id,
           null::varchar as contract_id, null::integer as line_no, null::varchar as customer_id,
           quantity, unit_cost
    from main.purchases
),
issues as (
    select i.product_id, c.signed_on as moved_on, 1 as kind, null::varchar as purchase_id,
           i.contract_id, i.line_no, c.customer_id, i.quantity, null::decimal(18, 4) as unit_cost
    from main.contract_items as i
    join main.contracts as c on c.contract_id = i.contract_id
    where c.status = 'active'
),
moves as (
    select * from receipts
    union all
    select * from issues
),
products as (
    select product_id, row_number() over (order by product_id) - 1 as product
    from (select distinct product_id from moves)
),
customers as (
    select customer_id, row_number() over (order by customer_id) as customer
    from (select distinct customer_id from issues)
),
final as (
    select row_number() over (
               order by p.product, m.moved_on, m.kind, coalesce(m.purchase_id, m.contract_id), m.line_no) - 1 as event,
           p.product,
           m.kind,
           year(m.moved_on) * 12 + month(m.moved_on) as month,
           coalesce(c.customer, 0) as customer,
           (m.quantity * 10000)::bigint as scaled_quantity,
           coalesce((m.unit_cost * 10000)::bigint, 0) as scaled_cost,
           m.product_id, m.contract_id, m.line_no, m.quantity
    from moves as m
    join products as p on p.product_id = m.product_id
    left join customers as c on c.customer_id = m.customer_id
)
select * from final
"""

WRITE_SQL = """
insert into main.cost_of_sales
with results as (
    select e.contract_id, e.line_no, e.product_id, e.quantity, r.*
    from costing_results as r
    join costing_events as e on e.event = r.event
),
by_method as (
    unpivot results on fifo, moving_average, monthly_average into name method value cents
),
final as (
    select contract_id, line_no, product_id, method, quantity,
           case when costed then (cents::decimal(18, 0) * 0.01)::decimal(18, 2) end as cogs,
           (shortfall::decimal(18, 0) * 0.0001)::decimal(18, 4) as shortfall_quantity
    from by_method
)
select * from final
"""


def build_cost_of_sales(con: duckdb.DuckDBPyConnection) -> None:
    """Derived-table step: rebuild ``main.cost_of_sales`` from the published purchases,
    contracts and contract items (rules in the module docstring)."""
    con.execute(EVENTS_SQL)
    moves = con.execute(
        "select product, kind, month, customer, scaled_quantity, scaled_cost "
        "from costing_events order by event"
    ).fetchnumpy()
    arrays = {k: np.asarray(v, dtype=np.int64) for k, v in moves.items()}
    result = cost_moves(arrays["product"], arrays["kind"], arrays["month"], arrays["customer"],
                        arrays["scaled_quantity"], arrays["scaled_cost"])
    con.register("costing_results", result)
    con.execute("delete from main.cost_of_sales")
    con.execute(WRITE_SQL)
    con.unregister("costing_results")
    con.execute("drop table costing_events")


def cost_moves(product, kind, month, customer, quantity, cost) -> dict[str, np.ndarray]:
    """Cost sorted moves (event order, products dense 0..n-1); quantities and unit costs
    scaled by 10^4, ``kind`` 0 = receipt, 1 = issue (negative quantity = return).

    Returns, for every issue (return included), ``event`` (its position), ``shortfall``
    (scaled by 10^4), ``costed`` and the COGS in cents per method."""
    if not len(product):
        return {"event": product, "shortfall": quantity, "costed": product.astype(bool),
                **{method: product for method in METHODS}}
    m = _Moves(product, kind, month, customer, quantity, cost)
    lines = np.flatnonzero(~m.is_receipt)
    result = {"event": lines, "shortfall": m.short[lines], "costed": m.costed[lines]}
    for method, (exact, approx) in zip(METHODS, (m.fifo(), m.moving_average(), m.monthly_average()), strict=True):
        result[method] = np.where(m.costed, _cents(exact, approx), 0)[lines]
    return result


def _cents(exact: np.ndarray, approx: np.ndarray) -> np.ndarray:
    """Round exact (int64, 10^-8) + approx (float, currency) to cents, half away from zero."""
    whole = np.sign(exact) * ((np.abs(exact) + CENT // 2) // CENT)
    value = exact / CENT + approx.astype(np.float64) * 100
    size = np.abs(value)
    snapped = np.sign(value) * np.floor(size + 0.5 + 1e-6 + size * 1e-12)
    return np.where(approx == 0, whole, snapped.astype(np.int64))


def _segment_starts(*keys: np.ndarray) -> np.ndarray:
    """Positions where any of the (sorted) keys changes, the first one included."""
    n = len(keys[0])
    flag = np.zeros(n, dtype=bool)
    flag[:1] = True
    for key in keys:
        flag[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(flag)


def _segment_first(starts: np.ndarray, n: int) -> np.ndarray:
    """For each row, the position where its segment starts."""
    return np.repeat(starts, np.diff(np.append(starts, n)))


def _segment_id(starts: np.ndarray, n: int) -> np.ndarray:
    """For each row, the number of its segment."""
    return np.repeat(np.arange(len(starts)), np.diff(np.append(starts, n)))


def _rank_in_segment(starts: np.ndarray, n: int) -> np.ndarray:
    """0-based position of each row within its segment."""
    return np.arange(n) - _segment_first(starts, n)


def _by_rank(rank: np.ndarray) -> list[np.ndarray]:
    """Row indices grouped by rank: [rows of rank 0, rows of rank 1, ...]."""
    order = np.argsort(rank, kind="stable")
    return np.split(order, np.cumsum(np.bincount(rank))[:-1])


class _Moves:
    """The method-independent quantities of every move, and one method per function."""

    def __init__(self, product, kind, month, customer, quantity, cost):
        n = len(product)
        self.n, self.product, self.month, self.quantity, self.cost = n, product, month, quantity, cost
        self.is_receipt = kind == 0
        self.is_issue = (kind == 1) & (quantity >= 0)
        self.is_return = (kind == 1) & (quantity < 0)
        self.starts = _segment_starts(product)
        ends = np.append(self.starts[1:], n)
        start_of, end_of = self.starts[product], ends[product]

        delta = np.where(self.is_receipt, quantity, -quantity)
        self.on_hand = self._before(delta)
        self.covered = np.where(self.is_issue, np.clip(self.on_hand, 0, np.abs(quantity)), 0)
        self.short = np.where(self.is_issue, quantity - self.covered, 0)
        self.entering = np.where(self.is_issue, 0, np.abs(quantity))
        self.fill = np.minimum(self.entering, np.maximum(-self.on_hand, 0))

        position = np.arange(n)
        last = np.maximum.accumulate(np.where(self.is_receipt, position, -1))
        first_after = np.minimum.accumulate(np.where(self.is_receipt, position, n)[::-1])[::-1]
        known = np.where(last >= start_of, last, np.where(first_after < end_of, first_after, -1))
        self.costed = known >= 0
        self.last_cost = np.where(self.costed, cost[np.maximum(known, 0)], 0)
        self.short_value = self.short * self.last_cost  # exact, 10^-8
        self.ref = self._customer_reference(customer)

    def _before(self, x: np.ndarray) -> np.ndarray:
        """Per-product exclusive cumulative sum (int64)."""
        before = np.cumsum(x) - x
        return before - before[self.starts][self.product]

    def _customer_reference(self, customer: np.ndarray) -> np.ndarray:
        """For every return, the same customer's latest earlier issue (q > 0) of the
        product, else -1."""
        lines = np.flatnonzero(~self.is_receipt)
        group = self.product[lines] * (customer.max() + 1) + customer[lines]
        order = lines[np.argsort(group, kind="stable")]  # by product, customer, then event
        group_start = _segment_first(_segment_starts(self.product[order], customer[order]), len(order))
        position = np.arange(len(order))
        last_issue = np.maximum.accumulate(np.where(self.quantity[order] > 0, position, -1))
        found = last_issue >= group_start
        ref = np.full(self.n, -1)
        ref[order] = np.where(found, order[np.maximum(last_issue, 0)], -1)
        return np.where(self.is_return, ref, -1)

    def _return_cost(self, returns, issue_value, fallback):
        """Unit cost (float) of returns: the referenced issue's value / quantity, else fallback."""
        ref = self.ref[returns]
        has = ref >= 0
        safe = np.maximum(ref, 0)
        quantity = np.where(has, self.quantity[safe], SCALE) / SCALE
        return np.where(has, issue_value(safe) / quantity, fallback)

    def fifo(self):
        """FIFO: (exact int64 part, float part) of every move's COGS."""
        entries = np.flatnonzero(~self.is_issue)
        # the stream of entering units, all products one after the other, and a last
        # empty layer so that a position at the very end still finds a layer
        units = np.append(self.entering[entries], 0)
        layer_end = np.cumsum(units)
        layer_start = layer_end - units
        layer_end[-1] = np.iinfo(np.int64).max
        totals = np.add.reduceat(self.entering, self.starts)
        issued = self._before(np.where(self.is_issue, self.quantity, 0))
        a = (np.cumsum(totals) - totals)[self.product] + issued
        b = a + self.covered
        ja = np.searchsorted(layer_end, a, side="right")
        jb = np.searchsorted(layer_end, b, side="right")

        def consumed(unit_cost):
            """Value of stream positions [a, b) with the layers' unit costs."""
            before = np.cumsum(units * unit_cost) - units * unit_cost
            return (before[jb] + (b - layer_start[jb]) * unit_cost[jb]
                    - before[ja] - (a - layer_start[ja]) * unit_cost[ja])

        receipt_cost = np.append(np.where(self.is_receipt[entries], self.cost[entries], 0), 0)
        exact = np.where(self.is_issue, consumed(receipt_cost) + self.short_value, 0)
        returns = np.flatnonzero(self.is_return)
        return_layers = np.flatnonzero(self.is_return[entries])
        fallback = self.last_cost[returns] / SCALE
        ret_cost = fallback
        for _ in range(len(returns) + 1):
            layer_cost = np.zeros(len(units), dtype=np.longdouble)
            layer_cost[return_layers] = ret_cost / SCALE  # per scaled unit
            approx = np.where(self.is_issue, consumed(layer_cost), 0)
            issue_value = exact / VALUE_SCALE + approx.astype(np.float64)
            new_cost = self._return_cost(returns, issue_value.__getitem__, fallback)
            if np.array_equal(new_cost, ret_cost):
                break
            ret_cost = new_cost
        approx[returns] = -(self.entering[returns] / SCALE) * ret_cost
        return exact, approx

    def moving_average(self):
        """Moving average: (exact int64 part, float part) of every move's COGS."""
        entries = np.flatnonzero(~self.is_issue)
        entry_rank = _rank_in_segment(_segment_starts(self.product[entries]), len(entries))
        ordinal = np.maximum.accumulate(np.where(~self.is_issue, np.cumsum(~self.is_issue) - 1, -1))
        before = ordinal - (~self.is_issue)  # last entry strictly before each move
        covered = self.covered / SCALE
        rate = np.zeros(len(entries) + 1)  # + 1: a valid index when there is no entry at all

        def issue_value(i):
            return covered[i] * rate[np.maximum(before[i], 0)] + self.short_value[i] / VALUE_SCALE

        ret_cost = np.zeros(self.n)
        for rank, js in enumerate(_by_rank(entry_rank)):
            e = entries[js]
            on_hand = self.on_hand[e] / SCALE
            units = self.entering[e] / SCALE
            previous = rate[js - 1] if rank else np.zeros(len(js))
            cost = self.cost[e] / SCALE
            returning = self.is_return[e]
            if returning.any():
                fallback = previous[returning] if rank else self.last_cost[e[returning]] / SCALE
                cost[returning] = self._return_cost(e[returning], issue_value, fallback)
                ret_cost[e[returning]] = cost[returning]
            held = on_hand > 0
            rate[js] = np.where(held, (np.where(held, on_hand, 0) * previous + units * cost)
                                / np.where(held, on_hand + units, 1), cost)
        approx = np.where(self.is_issue, covered * rate[np.maximum(before, 0)], 0.0)
        approx = np.where(self.is_return, -(self.entering / SCALE) * ret_cost, approx)
        return np.where(self.is_issue, self.short_value, 0), approx

    def monthly_average(self):
        """Monthly weighted average: (exact int64 part, float part) of every move's COGS."""
        pm_starts = _segment_starts(self.product, self.month)
        pm = _segment_id(pm_starts, self.n)
        pm_rank = _rank_in_segment(_segment_starts(self.product[pm_starts]), len(pm_starts))
        pm_last = np.append(pm_starts[1:], self.n) - 1
        opening = self.on_hand[pm_starts]
        received = self.entering - self.fill
        pool_qty = (np.maximum(opening, 0) + np.add.reduceat(np.where(self.is_receipt, received, 0),
                                                             pm_starts)) / SCALE
        pool_in = np.add.reduceat(np.where(self.is_receipt, received * self.cost, 0), pm_starts) / VALUE_SCALE
        covered_qty = np.add.reduceat(self.covered, pm_starts) / SCALE
        month_end_cost = self.last_cost[pm_last] / SCALE
        covered = self.covered / SCALE
        rate = np.zeros(len(pm_starts))
        closing = np.zeros(len(pm_starts))

        def issue_value(i):
            return covered[i] * rate[pm[i]] + self.short_value[i] / VALUE_SCALE

        returns = np.flatnonzero(self.is_return)
        returns_by_rank = _by_rank(pm_rank[pm[returns]]) if len(returns) else []
        ret_cost = np.zeros(self.n)
        for rank, ps in enumerate(_by_rank(pm_rank)):
            opening_value = closing[ps - 1] if rank else np.zeros(len(ps))
            fallback = rate[ps - 1] if rank else month_end_cost[ps]
            value = opening_value + pool_in[ps]
            held = pool_qty[ps] > 0
            rate[ps] = np.where(held, value / np.where(held, pool_qty[ps], 1), fallback)
            closing[ps] = value - rate[ps] * covered_qty[ps]
            if rank < len(returns_by_rank) and len(returns_by_rank[rank]):
                r = returns[returns_by_rank[rank]]
                ret_cost[r] = self._return_cost(r, issue_value, rate[pm[r]])
                np.add.at(closing, pm[r], received[r] / SCALE * ret_cost[r])
        approx = np.where(self.is_issue, covered * rate[pm], 0.0)
        approx = np.where(self.is_return, -(self.entering / SCALE) * ret_cost, approx)
        return np.where(self.is_issue, self.short_value, 0), approx
