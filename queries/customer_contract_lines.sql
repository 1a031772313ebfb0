-- customer_contract_lines: one row per line of the counted contracts of customer
-- $customer_id, all dates (the customer's whole history), newest contract first.
-- Parameters: $customer_id + scope. Pages: /customer/<id>.
with lines as (
    select c.contract_id, c.signed_on, c.ends_on, coalesce(r.name, c.rep_id) as rep_name,
           c.amount as contract_amount, i.line_no, coalesce(p.name, i.product_id) as product_name,
           p.category, i.quantity, i.unit_price, i.amount as line_amount
    from f_contracts as c
    join f_contract_items as i on i.contract_id = c.contract_id
    left join f_products as p on p.product_id = i.product_id
    left join f_reps as r on r.rep_id = c.rep_id
    where c.customer_id = $customer_id
),

final as (
    select contract_id, signed_on, ends_on, rep_name, contract_amount::double as contract_amount, line_no,
           product_name, category, quantity::double as quantity, unit_price::double as unit_price,
           line_amount::double as line_amount
    from lines
    order by signed_on desc, contract_id, line_no
)

select * from final
