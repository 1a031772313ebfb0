-- products_shortfall: one row per counted line signed in [$start, $end] that issued more
-- than the stock on hand (shortfall_quantity > 0; the same in every method), with its
-- COGS by $method (NULL for an uncosted product: it has no receipts, so every unit is
-- short). Ordered by date, contract_id, line_no; the first $limit of them, with total_rows
-- (how many there are in all) and total_shortfall_quantity (their shortfall added up).
-- Parameters: $start, $end, $method, $limit + scope. Pages: /products.
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

short as (
    select l.signed_on, l.contract_id, l.line_no, l.product_id, p.name as product_name, p.category,
           l.quantity::double as quantity, l.shortfall_quantity::double as shortfall_quantity,
           l.amount::double as revenue, l.cogs::double as cogs
    from lines as l
    join f_products as p on p.product_id = l.product_id
),

final as (
    -- a top-n of them, with how many there are and their shortfall in all counted beside it
    select s.*, t.total_rows, t.total_shortfall_quantity
    from (select * from short order by signed_on, contract_id, line_no limit $limit) as s
    cross join (select count(*) as total_rows, coalesce(sum(shortfall_quantity), 0) as total_shortfall_quantity
                from short) as t
)

select * from final order by signed_on, contract_id, line_no
