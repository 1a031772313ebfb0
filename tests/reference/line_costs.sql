-- line_costs, plain: the lines joined to their contract, product and costing row.
with final as (
    select i.contract_id, i.line_no, c.signed_on, c.customer_id, c.rep_id, i.product_id, p.category, i.amount,
           cs.cogs
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    join f_products as p on p.product_id = i.product_id
    left join f_cost_of_sales as cs
      on cs.contract_id = i.contract_id and cs.line_no = i.line_no and cs.method = $method
)

select * from final
