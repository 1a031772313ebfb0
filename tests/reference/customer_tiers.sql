-- customer_tiers: one row per window and customer with a purchase in it. Windows: current
-- [$start, $end] and previous [$prev_start, $prev_end]. A purchase = counted contracts
-- signed in the window whose amount sums to > 0 (a customer whose returns outweigh its
-- purchases made none).
-- Pyramid (METRICS.md "Customer value"): ranked by amount descending, ties by
-- customer_id (row_number: every position is one customer); with n customers in the
-- window, vip = positions 1..ceil(1% n), major up to ceil(5% n), normal up to
-- ceil(20% n), small the rest. ceil in integers: ceil(p% × n) = (p × n + 99) // 100.
-- Parameters: $start, $end, $prev_start, $prev_end + scope.
-- Pages: /customers (through customer_value and customer_tier_moves), /customer/<id>.
-- Each window is its own range of f_contracts (date-sorted in the serving layer: a window
-- reads only its days, and a query that reads one window never reads the other).
with bought as (
    select 'current' as window_name, c.customer_id, sum(c.amount) as amount, count(*) as contracts,
           max(c.signed_on) as last_signed_on
    from f_contracts as c
    where c.signed_on between $start and $end
    group by c.customer_id
    having sum(c.amount) > 0
    union all
    select 'previous', c.customer_id, sum(c.amount), count(*), max(c.signed_on)
    from f_contracts as c
    where c.signed_on between $prev_start and $prev_end
    group by c.customer_id
    having sum(c.amount) > 0
),

ranked as (
    select b.*,
           row_number() over (partition by b.window_name order by b.amount desc, b.customer_id) as position,
           count(*) over (partition by b.window_name) as n
    from bought as b
),

summed as (
    select r.*,
           coalesce(sum(r.amount) over (partition by r.window_name order by r.position
                                        rows between unbounded preceding and 1 preceding), 0) as amount_before,
           sum(r.amount) over (partition by r.window_name) as window_amount,
           r.n - rank() over (partition by r.window_name order by r.amount) + 1 as at_least
    from ranked as r
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
    from summed as r
)

select * from final order by window_name, position
