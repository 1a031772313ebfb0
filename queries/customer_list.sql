-- customer_list: one row per purchasing customer of the period (customer_value) in the
-- selection: $tier, $segment or $cell ('r-f'); '' = any. Ordered by pyramid position
-- (amount descending, ties by customer_id).
-- Parameters: $tier, $segment, $cell, $start, $end, $prev_start, $prev_end, $method,
-- $abc_a, $abc_b + scope. Pages: /customers (the drill-down grid).
with valued as (
    select * from q_customer_value
),

final as (
    select customer_id, customer_name, owner_name, region, amount, contracts, last_signed_on,
           rfm, segment, clv, tier, abc_class, margin, position
    from valued
    where ($tier = '' or tier = $tier)
      and ($segment = '' or segment = $segment)
      and ($cell = '' or rf_cell = $cell)
)

select * from final order by position
