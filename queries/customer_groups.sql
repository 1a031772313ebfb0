-- customer_groups: one row per group of the period's purchasing customers, every group
-- listed even when empty. $group picks the grouping: 'tier' (vip, major, normal, small,
-- then an 'inactive' row: customers of type 'customer' in f_customers with no purchase
-- in the period, counted only), 'segment' (the ten RFM segments, most valuable first),
-- 'abc' (A, B, C) or 'cell' (the 25 R×F cells, key 'r-f', R5 first).
-- Per group: customers, revenue and its share, orders (contracts), aov = revenue /
-- orders, margin (NULL unless every member's margin is known), margin_pct, the revenue
-- with no COGS (total_uncosted_revenue: over all groups), and CLV = the mean of the
-- members' CLV (customer_value: equal to the CLV formula on the group's totals), NULL
-- unless every member's CLV is known.
-- $group = 'all' gives every grouping at once (the /customers page asks once: the
-- customers are valued once, not once per grouping); group_kind names each row's grouping.
-- Parameters: $group, $start, $end, $prev_start, $prev_end, $method, $abc_a, $abc_b + scope.
-- Pages: /customers.
with valued as materialized (
    select * from q_customer_value
),

grouped as (
    -- every grouping at once over the customers (not over one row per customer and grouping)
    select case when grouping(v.tier) = 0 then 'tier' when grouping(v.segment) = 0 then 'segment'
                when grouping(v.abc_class) = 0 then 'abc' else 'cell' end as group_kind,
           case when grouping(v.tier) = 0 then v.tier when grouping(v.segment) = 0 then v.segment
                when grouping(v.abc_class) = 0 then v.abc_class else v.rf_cell end as group_key,
           count(*) as customers,
           sum(v.amount) as revenue,
           sum(v.contracts) as orders,
           case when count(v.margin) = count(*) then sum(v.margin) end as margin,
           coalesce(sum(v.uncosted_revenue), 0) as uncosted_revenue,
           case when count(v.clv) = count(*) then avg(v.clv) end as clv
    from valued as v
    group by grouping sets ((v.tier), (v.segment), (v.abc_class), (v.rf_cell))
),

universe as (
    select 'tier' as group_kind, t.group_key, t.sort_key, null::integer as r_score, null::integer as f_score,
           null::varchar as segment
    from (values ('vip', 1), ('major', 2), ('normal', 3), ('small', 4)) as t (group_key, sort_key)
    union all
    select 'abc', a.group_key, a.sort_key, null, null, null
    from (values ('A', 1), ('B', 2), ('C', 3)) as a (group_key, sort_key)
    union all
    select distinct 'segment', m.segment, m.segment_order, null, null, m.segment
    from q_customer_segment_map as m
    union all
    select 'cell', m.rf_cell, (5 - m.r_score) * 5 + m.f_score, m.r_score, m.f_score, m.segment
    from q_customer_segment_map as m
),

per_group as (
    -- every group of the universe, an empty one with no customers (margin and CLV unknown)
    select u.group_kind, u.group_key, u.sort_key, u.r_score, u.f_score, u.segment,
           coalesce(g.customers, 0) as customers,
           coalesce(g.revenue, 0) as revenue,
           coalesce(g.orders, 0) as orders,
           g.margin,
           coalesce(g.uncosted_revenue, 0) as uncosted_revenue,
           g.clv
    from universe as u
    left join grouped as g on g.group_kind = u.group_kind and g.group_key = u.group_key
    where $group in (u.group_kind, 'all')
),

totals as (
    select count(*) as customers, sum(amount) as revenue, coalesce(sum(uncosted_revenue), 0) as uncosted_revenue
    from valued
),

inactive as (
    select 'tier' as group_kind, 'inactive' as group_key, 5 as sort_key, null::integer as r_score, null::integer as f_score,
           null::varchar as segment, count(*) as customers, 0 as revenue, 0 as orders,
           null::decimal(18, 2) as margin, 0 as uncosted_revenue, null::double as clv
    from f_customers as cu
    where $group in ('tier', 'all')
      and cu.type = 'customer'
      and cu.customer_id not in (select customer_id from valued)
),

final as (
    select g.group_kind, g.group_key, g.sort_key, g.r_score, g.f_score, g.segment,
           g.customers::bigint as customers,
           -- inactive customers are outside the purchasing total: no share
           case when g.group_key <> 'inactive' then g.customers / nullif(tt.customers, 0) end as customer_share,
           g.revenue::double as revenue,
           g.revenue / nullif(tt.revenue, 0) as revenue_share,
           g.orders::bigint as orders,
           g.revenue / nullif(g.orders, 0) as aov,
           g.margin::double as margin,
           g.margin / nullif(g.revenue, 0) as margin_pct,
           g.uncosted_revenue::double as uncosted_revenue,
           g.clv,
           tt.uncosted_revenue::double as total_uncosted_revenue
    from (select * from per_group union all by name select * from inactive where $group in ('tier', 'all')) as g
    cross join totals as tt
)

select * from final order by group_kind, sort_key
