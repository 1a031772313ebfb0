-- products_shortfall: one row per counted line signed in [$start, $end] that issued more
-- than the stock on hand (shortfall_quantity > 0; the same in every method), with its
-- COGS by $method (NULL for an uncosted product: it has no receipts, so every unit is
-- short). Ordered by date, contract_id, line_no.
-- Parameters: $start, $end, $method + scope. Pages: /products.
with lines as (
    -- the period's lines short of stock by the method, from their costing rows (date-sorted,
    -- carrying their line's quantity and amount)
    select cs.signed_on, cs.contract_id, cs.line_no, cs.product_id, cs.line_quantity as quantity,
           cs.line_amount as amount, cs.shortfall_quantity, cs.cogs
    from f_cost_of_sales as cs
    where cs.signed_on between $start and $end
      and cs.method = $method
      and cs.shortfall_quantity > 0
),

final as (
    select l.signed_on, l.contract_id, l.line_no, l.product_id, p.name as product_name, p.category,
           l.quantity::double as quantity, l.shortfall_quantity::double as shortfall_quantity,
           l.amount::double as revenue, l.cogs::double as cogs
    from lines as l
    join f_products as p on p.product_id = l.product_id
)

select * from final order by signed_on, contract_id, line_no
