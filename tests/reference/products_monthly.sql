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
    select date_trunc('month', c.signed_on)::date as month, cs.method, i.quantity, i.amount, cs.cogs
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    join f_cost_of_sales as cs on cs.contract_id = i.contract_id and cs.line_no = i.line_no
    where c.signed_on between $start and $end
      and cs.method in (select method from methods)
      and ($product_id is null or i.product_id = $product_id)
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
