-- products_shortfall: one row per counted line signed in [$start, $end] that issued more
-- than the stock on hand (shortfall_quantity > 0; the same in every method), with its
-- COGS by $method (NULL for an uncosted product: it has no receipts, so every unit is
-- short). Ordered by date, contract_id, line_no.
-- Parameters: $start, $end, $method + scope. Pages: /products.
with lines as (
    select c.signed_on, i.contract_id, i.line_no, i.product_id, i.quantity, i.amount,
           cs.shortfall_quantity, cs.cogs
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    join f_cost_of_sales as cs
      on cs.contract_id = i.contract_id and cs.line_no = i.line_no and cs.method = $method
    where c.signed_on between $start and $end
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
