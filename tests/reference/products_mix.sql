-- products_mix: one row per product with a counted line signed in [$start, $end] (the
-- category filter narrows the lines): volume (quantity), revenue (net line amount), COGS,
-- gross margin and margin % by $method and, in compare mode, by $compare (NULL: no
-- compare columns), the same products ranked three ways, and their ABC classes.
-- Rules (METRICS.md "Product mix and margin", "ABC"):
-- * returns (negative lines) count with their sign in quantity, revenue and COGS;
-- * COGS, margin and margin % are over the costed lines; a line without a cost (its
--   product has no receipts) adds to uncosted_revenue instead, never at zero cost, so
--   an uncosted product has NULL cogs, margin, margin % and margin rank;
-- * ranks: competition (1, 2, 2, 4) by value descending; rows with equal values are
--   listed by product_id;
-- * ABC per measure (revenue, margin): by value descending, ties by product_id; with
--   value_before the sum of the values before it, A if value_before < 80% of the total,
--   B if < 95%, else C, compared in decimals (value_before × 100 < total × 80). Only
--   positive values make up the total; a product with a value <= 0 is C; an uncosted
--   product has no margin class. cum_share_* (double, for the Pareto chart) =
--   (value_before + value) / total.
-- Parameters: $start, $end, $method, $compare + scope. Pages: /products.
with lines as (
    select i.contract_id, i.line_no, i.product_id, i.quantity, i.amount
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    where c.signed_on between $start and $end
),

costed as (
    select l.*, a.cogs as cogs, b.cogs as compare_cogs
    from lines as l
    left join f_cost_of_sales as a
      on a.contract_id = l.contract_id and a.line_no = l.line_no and a.method = $method
    left join f_cost_of_sales as b
      on b.contract_id = l.contract_id and b.line_no = l.line_no and b.method = $compare
),

per_product as (
    select product_id,
           sum(quantity) as quantity,
           sum(amount) as revenue,
           coalesce(sum(amount) filter (where cogs is null), 0) as uncosted_revenue,
           sum(amount) filter (where cogs is not null) as costed_revenue,
           sum(cogs) as cogs,
           sum(amount - cogs) as margin,
           sum(amount) filter (where compare_cogs is not null) as compare_costed_revenue,
           sum(compare_cogs) as compare_cogs,
           sum(amount - compare_cogs) as compare_margin
    from costed
    group by product_id
),

measures as (
    select product_id, 'quantity' as measure, quantity as value from per_product
    union all
    select product_id, 'revenue', revenue from per_product
    union all
    select product_id, 'margin', margin from per_product where margin is not null
),

ranked as (
    select product_id, measure, value,
           rank() over (partition by measure order by value desc) as value_rank,
           coalesce(sum(greatest(value, 0)) over (
               partition by measure order by value desc, product_id
               rows between unbounded preceding and 1 preceding), 0) as value_before,
           sum(greatest(value, 0)) over (partition by measure) as value_total
    from measures
),

classed as (
    select product_id, measure, value_rank,
           case
               when value <= 0 then 'C'
               when value_before * 100 < value_total * 80 then 'A'
               when value_before * 100 < value_total * 95 then 'B'
               else 'C'
           end as abc,
           case when value > 0 then ((value_before + value) / value_total)::double end as cum_share
    from ranked
),

wide as (
    select product_id,
           max(value_rank) filter (where measure = 'quantity') as quantity_rank,
           max(value_rank) filter (where measure = 'revenue') as revenue_rank,
           max(value_rank) filter (where measure = 'margin') as margin_rank,
           max(abc) filter (where measure = 'revenue') as abc_revenue,
           max(abc) filter (where measure = 'margin') as abc_margin,
           max(cum_share) filter (where measure = 'revenue') as cum_share_revenue,
           max(cum_share) filter (where measure = 'margin') as cum_share_margin
    from classed
    group by product_id
),

final as (
    select pp.product_id, p.name as product_name, p.category,
           pp.quantity::double as quantity, w.quantity_rank,
           pp.revenue::double as revenue, w.revenue_rank,
           pp.cogs::double as cogs,
           pp.margin::double as margin, w.margin_rank,
           (pp.margin / nullif(pp.costed_revenue, 0))::double as margin_pct,
           pp.uncosted_revenue::double as uncosted_revenue,
           w.abc_revenue, w.abc_margin, w.cum_share_revenue, w.cum_share_margin,
           pp.compare_cogs::double as compare_cogs,
           pp.compare_margin::double as compare_margin,
           (pp.compare_margin / nullif(pp.compare_costed_revenue, 0))::double as compare_margin_pct,
           (pp.compare_margin - pp.margin)::double as margin_difference
    from per_product as pp
    join f_products as p on p.product_id = pp.product_id
    join wide as w on w.product_id = pp.product_id
)

select * from final order by revenue_rank, product_id
