-- line_costs: one row per line of f_contract_items with its contract's signed_on,
-- customer_id and rep_id, its product_id, category, amount, quantity and FIFO shortfall_quantity
-- (empty without a costing row: the same in every method), and its COGS by costing
-- $method (empty when the line is uncosted or has no costing row), read from the serving
-- layer's per-method columns (f_lines) instead of joining cost_of_sales by two keys.
-- Parameters: $method + scope. Read as q_line_costs by overview_margin, customer_value and
-- products_shortfall.
with final as (
    select l.contract_id, l.line_no, l.signed_on, l.customer_id, l.rep_id, l.product_id, l.category, l.amount,
           l.quantity, l.shortfall_quantity,
           case $method
               when 'fifo' then l.cogs_fifo
               when 'moving_average' then l.cogs_moving_average
               when 'monthly_average' then l.cogs_monthly_average
           end as cogs
    from f_lines as l
)

select * from final
