-- products_monthly: one row per month of [$start, $end] (empty months included) and
-- costing method ($method, and $compare when it is not NULL): quantity and revenue of
-- the counted lines signed that month (of product $product_id, or of every product when
-- it is NULL), the part with a cost (costed_revenue), its COGS, gross margin
-- and margin % = margin / costed revenue (NULL for a month without costed revenue), and
-- the uncosted revenue (lines of products without receipts: never costed at zero).
-- Parameters: $start, $end, $method, $compare, $product_id + scope.
-- Pages: /products, /product/<product_id>.
with months as (
    select unnest(generate_series(date_trunc('month', $start::date),
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

methods as (
    select method
    from (values ($method), ($compare)) as m (method)
    where method is not null
),

lines as (
    -- the period's lines with a costing row (f_lines: shortfall_quantity is set exactly when
    -- they have one), once per method with that method's COGS column: one row per line read
    -- instead of one per line and method of the costing rows
    select date_trunc('month', l.signed_on)::date as month, m.method, l.quantity, l.amount,
           case m.method
               when 'fifo' then l.cogs_fifo
               when 'moving_average' then l.cogs_moving_average
               when 'monthly_average' then l.cogs_monthly_average
           end as cogs
    from f_lines as l
    cross join methods as m
    where l.signed_on between $start and $end
      and l.shortfall_quantity is not null
      and ($product_id is null or l.product_id = $product_id)
),

per_month as (
    select month, method,
           sum(quantity) as quantity,
           sum(amount) as revenue,
           sum(amount) filter (where cogs is not null) as costed_revenue,
           sum(cogs) as cogs,
           sum(amount - cogs) as margin,
           sum(amount) filter (where cogs is null) as uncosted_revenue
    from lines
    group by month, method
),

final as (
    select mo.month, me.method,
           coalesce(pm.quantity, 0)::double as quantity,
           coalesce(pm.revenue, 0)::double as revenue,
           coalesce(pm.costed_revenue, 0)::double as costed_revenue,
           coalesce(pm.cogs, 0)::double as cogs,
           coalesce(pm.margin, 0)::double as margin,
           (pm.margin / nullif(pm.costed_revenue, 0))::double as margin_pct,
           coalesce(pm.uncosted_revenue, 0)::double as uncosted_revenue
    from months as mo
    cross join methods as me
    left join per_month as pm on pm.month = mo.month and pm.method = me.method
)

select * from final order by method = $method desc, month
