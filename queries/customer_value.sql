-- customer_value: one row per customer with a purchase in [$start, $end] (as in
-- customer_tiers): pyramid tier, ABC class, RFM scores and segment, margin and CLV (no
-- names: customer_list looks them up for the customers it lists, customer_profile for its one).
-- The metrics of METRICS.md "Customer value", defined here once; the group queries
-- (customer_groups, customer_lorenz, customer_list, customer_profile) read this one.
-- - ABC: by amount descending, ties by customer_id; prev = amount of the customers before;
--   A if prev < $abc_a × total, B if prev < $abc_b × total, else C (decimals, not floats).
-- - Population: a purchase is counted contracts summing to > 0 in the period (q_customer_tiers);
--   a customer whose contracts sum to 0 or less (free orders, returns outweighing purchases)
--   is not a buyer: no tier, no ABC class, no RFM score (the page's RFM hint says so).
-- - RFM over the customers scored (n): recency = days from the last signed_on to $end,
--   frequency = counted contracts, monetary = their amount; score = 1 + 5 (rank − 1) // n
--   with rank = RANK() over the value ascending (recency: over the days descending), so
--   equal values share a score. Segment from R and F (customer_segment_map).
--   tests/reference/customer_value.sql keeps the plain form (two rank windows over every customer).
-- - Margin = amount − COGS of the period's lines by costing method $method; NULL unless
--   every line has a COGS (no silent zero cost); uncosted_revenue says how much has none.
-- - CLV = aov × orders_per_year × margin_pct × lifespan_years (customer_churn), with
--   orders_per_year = contracts × 365 / days in the period. A group's CLV (tier,
--   segment) is the mean of its customers' CLV, which equals the same formula on the
--   group's totals (aov × orders per customer × margin % = margin per customer).
-- - The period's line costs come from the build (f_customer_windows) when $windows_built, as in
--   customer_windows.
-- Parameters: $start, $end, $prev_start, $prev_end, $method, $abc_a, $abc_b, $windows_built + scope.
-- Pages: /customers, /customer/<id>.
with tiered as (
    select * from q_customer_tiers where window_name = 'current'
),

line_costs as (
    select l.customer_id, l.amount, l.cogs
    from q_line_costs as l
    where l.signed_on between $start and $end
),

costs as (
    select customer_id, sum(cogs) as cogs, count(*) = count(cogs) as fully_costed,
           coalesce(sum(amount) filter (where cogs is null), 0) as uncosted_revenue
    from line_costs
    where not $windows_built
    group by customer_id
    union all
    -- the same sums of the build (f_customer_windows, as customer_windows reads them)
    select w.customer_id,
           case $method when 'fifo' then w.cogs_fifo when 'moving_average' then w.cogs_moving_average
                        when 'monthly_average' then w.cogs_monthly_average end,
           w.lines = case $method when 'fifo' then w.costed_fifo when 'moving_average' then w.costed_moving_average
                                  when 'monthly_average' then w.costed_monthly_average end,
           case $method when 'fifo' then w.uncosted_fifo when 'moving_average' then w.uncosted_moving_average
                        when 'monthly_average' then w.uncosted_monthly_average end
    from f_customer_windows as w
    where w.from_day = $start and w.to_day = $end and w.lines > 0
),

-- rank() - 1 = the customers with a smaller value: counted per distinct value (few: the
-- contract counts, the last days), a running sum over those rows instead of a window over
-- every customer
f_ranks as (
    select contracts,
           coalesce(sum(count(*)) over (order by contracts rows between unbounded preceding and 1 preceding), 0)::bigint
               as below
    from tiered
    group by contracts
),

r_ranks as (
    -- recency descending = the last day ascending
    select last_signed_on,
           coalesce(sum(count(*)) over (order by last_signed_on rows between unbounded preceding and 1 preceding), 0)::bigint
               as below
    from tiered
    group by last_signed_on
),

scored as (
    select t.*,
           -- the amount of the customers before it by position (by amount descending, ties by
           -- customer_id) and the total: customer_tiers' running sum
           t.amount_before as prev_amount,
           t.window_amount as total_amount,
           $end::date - t.last_signed_on as recency_days,
           1 + 5 * r.below // t.n as r_score,
           1 + 5 * f.below // t.n as f_score,
           1 + 5 * (t.n - t.at_least) // t.n as m_score  -- n − at_least = rank() over the amount ascending − 1
    from tiered as t
    join r_ranks as r on r.last_signed_on = t.last_signed_on
    join f_ranks as f on f.contracts = t.contracts
),

valued as (
    select s.*,
           case
               when s.prev_amount < s.total_amount * $abc_a::decimal(5, 4) then 'A'
               when s.prev_amount < s.total_amount * $abc_b::decimal(5, 4) then 'B'
               else 'C'
           end as abc_class,
           (s.prev_amount + s.amount) / s.total_amount as cum_share,
           case when co.fully_costed then s.amount - co.cogs end as margin,
           co.uncosted_revenue,
           s.amount / s.contracts as aov,
           s.contracts * 365 / ($end::date - $start::date + 1) as orders_per_year
    from scored as s
    join costs as co on co.customer_id = s.customer_id
),

final as (
    select v.customer_id,
           v.amount, v.contracts, v.last_signed_on, v.position, v.n, v.tier,
           list_position(['vip', 'major', 'normal', 'small'], v.tier) as tier_level,
           v.abc_class, v.cum_share,
           v.recency_days, v.r_score, v.f_score, v.m_score,
           v.r_score || '-' || v.f_score || '-' || v.m_score as rfm,
           m.rf_cell, m.segment, m.segment_order,
           v.margin, v.margin / v.amount as margin_pct, v.uncosted_revenue,
           v.aov, v.orders_per_year,
           v.aov * v.orders_per_year * (v.margin / v.amount) * ch.lifespan_years as clv
    from valued as v
    join q_customer_segment_map as m on m.r_score = v.r_score and m.f_score = v.f_score
    cross join q_customer_churn as ch
)

select * from final order by customer_id
