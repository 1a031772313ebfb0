-- customer_lorenz: one row per percent p = 0..100 of the period's purchasing customers,
-- the largest first (the pyramid's position, customer_tiers): customers = ceil(p% × n) (in
-- integers) and the share of the period's revenue those top customers bring, the running
-- share by position that customer_value calls cum_share (read from the tiers: the curve
-- needs neither the costs nor the RFM scores). Drawn as the Lorenz (Pareto) curve; the row
-- p = 20 is the headline "the top 20% bring X%" (METRICS.md "Pareto": the top ceil(20% n)
-- customers). No rows when nobody bought.
-- Parameters: $start, $end, $prev_start, $prev_end + scope. Pages: /customers.
with valued as (
    -- the amount up to each position over the total (customer_tiers' running sum)
    select position, n, (amount_before + amount) / window_amount as cum_share
    from q_customer_tiers
    where window_name = 'current'
),

sizes as (
    select max(n) as n from valued
),

points as (
    select p.pct, s.n, (p.pct * s.n + 99) // 100 as customers
    from (select unnest(generate_series(0, 100)) as pct) as p
    cross join sizes as s
    where s.n is not null
),

final as (
    select pt.pct, pt.customers, pt.n, pt.customers / pt.n as customer_share,
           coalesce(v.cum_share, 0) as revenue_share
    from points as pt
    left join valued as v on v.position = pt.customers
)

select * from final order by pct
