-- product_top_customers: one row per customer among the top $limit buyers of product
-- $product_id by revenue (net line amount, returns subtracted) of the counted lines
-- signed in [$start, $end]: quantity, revenue, gross margin by $method (NULL when the
-- product is uncosted); competition rank (1, 2, 2, 4), ties by customer_id.
-- Parameters: $start, $end, $product_id, $method, $limit + scope. Pages: /product/<product_id>.
with lines as (
    select c.customer_id, i.quantity, i.amount, cs.cogs
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    left join f_cost_of_sales as cs
      on cs.contract_id = i.contract_id and cs.line_no = i.line_no and cs.method = $method
    where i.product_id = $product_id
      and c.signed_on between $start and $end
),

per_customer as (
    select customer_id, sum(quantity) as quantity, sum(amount) as revenue, sum(amount - cogs) as margin
    from lines
    group by customer_id
),

ranked as (
    select rank() over (order by pc.revenue desc) as rank,
           pc.customer_id, a.name as customer_name,
           pc.quantity::double as quantity, pc.revenue::double as revenue, pc.margin::double as margin
    from per_customer as pc
    join f_accounts as a on a.customer_id = pc.customer_id
),

final as (
    select * from ranked order by rank, customer_id limit $limit
)

select * from final
