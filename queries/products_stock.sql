-- products_stock: one row per product with a receipt or a counted issue up to $end (the
-- period's end), in f_products (the category filter applies; stock is shared, so the
-- rep, team and customer filters do not): quantity on hand and stock value per method.
-- Rules: on hand = received − issued quantity up to $end (returns issue a negative
-- quantity, so they add back); value = value received up to $end − COGS of the counted
-- lines up to $end (a return's negative COGS adds back). Caveat (data/costing.py): an
-- issue beyond stock on hand (a shortfall) is costed at the last known unit cost and a
-- later receipt first fills the gap at its own cost without re-costing it, so after a
-- shortfall this value differs from the layers actually left by that variance, and the
-- quantity may be negative while the gap is open. A product without receipts is uncosted:
-- its values are NULL, never zero.
-- Parameters: $end + category filter. Pages: /products.
with received as (
    select product_id, sum(quantity) as quantity, sum(quantity * unit_cost) as value
    from f_purchases
    where received_on <= $end
    group by product_id
),

issued as (
    -- f_stock_issues up to $end, from their sums per product, method and day (f_stock_days)
    select product_id, method, sum(quantity) as quantity, sum(cogs) as cogs
    from f_stock_days
    where day <= $end
    group by product_id, method
),

issued_wide as (
    select product_id,
           max(quantity) filter (where method = 'fifo') as quantity,  -- the same lines in every method
           max(cogs) filter (where method = 'fifo') as cogs_fifo,
           max(cogs) filter (where method = 'moving_average') as cogs_moving_average,
           max(cogs) filter (where method = 'monthly_average') as cogs_monthly_average
    from issued
    group by product_id
),

final as (
    select p.product_id, p.name as product_name, p.category,
           (coalesce(r.quantity, 0) - coalesce(i.quantity, 0))::double as quantity_on_hand,
           -- no receipts at all: uncosted, no value
           case when r.product_id is not null
                then (r.value - coalesce(i.cogs_fifo, 0))::double end as value_fifo,
           case when r.product_id is not null
                then (r.value - coalesce(i.cogs_moving_average, 0))::double end as value_moving_average,
           case when r.product_id is not null
                then (r.value - coalesce(i.cogs_monthly_average, 0))::double end as value_monthly_average
    from f_products as p
    left join received as r on r.product_id = p.product_id
    left join issued_wide as i on i.product_id = p.product_id
    where r.product_id is not null or i.product_id is not null
)

select * from final order by product_id
