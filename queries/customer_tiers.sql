-- customer_tiers: one row per window and customer with a purchase in it. Windows: current
-- [$start, $end] and previous [$prev_start, $prev_end]. A purchase = counted contracts
-- signed in the window whose amount sums to > 0 (a customer whose returns outweigh its
-- purchases made none).
-- Pyramid (METRICS.md "Customer value"): ranked by amount descending, ties by
-- customer_id (row_number: every position is one customer); with n customers in the
-- window, vip = positions 1..ceil(1% n), major up to ceil(5% n), normal up to
-- ceil(20% n), small the rest. ceil in integers: ceil(p% × n) = (p × n + 99) // 100.
-- amount_before = the amount of the customers ranked before it in its window (0 for the
-- first), window_amount = the window's total: the running sum of ABC (customer_value) and
-- of the Lorenz curve (customer_lorenz); at_least = how many customers of the window bought
-- at least its amount (itself and its ties included: the RFM monetary rank is n − at_least
-- + 1). All worked out in the sort that gives the positions.
-- Parameters: $start, $end, $prev_start, $prev_end, $ranks_built + scope.
-- Pages: /customers (through customer_value and customer_tier_moves), /customer/<id>.
-- The windows' figures come from customer_windows (one pass over the contracts for every
-- window /customers compares), their ranks from the build (f_customer_windows: each built
-- window's buyers ranked as here) when $ranks_built (queries.ranks_built: the windows are
-- built and no customer filter narrows the buyers); tests/reference/customer_tiers.sql keeps
-- the plain form.
with counted as (
    -- each window ranked on its own (no partition to sort by)
    -- (the running sum in the same order as the positions: one sort, not one per consumer)
    select 'current' as window_name, w.customer_id, w.amount, w.contracts, w.last_signed_on,
           row_number() over (order by w.amount desc, w.customer_id) as position,
           count(*) over () as n,
           coalesce(sum(w.amount) over (order by w.amount desc, w.customer_id
                                        rows between unbounded preceding and 1 preceding), 0) as amount_before,
           sum(w.amount) over () as window_amount,
           count(*) over (order by w.amount desc range between unbounded preceding and current row) as at_least
    from q_customer_windows as w
    where not $ranks_built and w.amount > 0
    union all
    select 'previous', w.customer_id, w.prev_amount, w.prev_contracts, w.prev_last_signed_on,
           row_number() over (order by w.prev_amount desc, w.customer_id),
           count(*) over (),
           coalesce(sum(w.prev_amount) over (order by w.prev_amount desc, w.customer_id
                                             rows between unbounded preceding and 1 preceding), 0),
           sum(w.prev_amount) over (),
           count(*) over (order by w.prev_amount desc range between unbounded preceding and current row)
    from q_customer_windows as w
    where not $ranks_built and w.prev_amount > 0
),

ranked as (
    select * from counted
    union all
    select case when w.from_day = $start and w.to_day = $end then 'current' else 'previous' end,
           w.customer_id, w.amount, w.contracts, w.last_signed_on, w.position, w.n, w.amount_before,
           w.window_amount, w.at_least
    from f_customer_windows as w
    where $ranks_built and w.amount > 0
      and ((w.from_day = $start and w.to_day = $end) or (w.from_day = $prev_start and w.to_day = $prev_end))
),

final as (
    select r.window_name, r.customer_id, r.amount, r.contracts, r.last_signed_on, r.position, r.n,
           r.amount_before, r.window_amount, r.at_least,
           case
               when r.position <= (r.n + 99) // 100 then 'vip'
               when r.position <= (5 * r.n + 99) // 100 then 'major'
               when r.position <= (20 * r.n + 99) // 100 then 'normal'
               else 'small'
           end as tier
    from ranked as r
)

select * from final order by window_name, position
