-- customer_list: one row per purchasing customer of the period (customer_value) in the
-- selection: $tier, $segment or $cell ('r-f'); '' = any. Ordered by pyramid position
-- (amount descending, ties by customer_id); the first $limit of them, with total_rows: how
-- many there are in all.
-- Parameters: $tier, $segment, $cell, $limit, $start, $end, $prev_start, $prev_end, $method,
-- $abc_a, $abc_b + scope. Pages: /customers (the drill-down grid).
with valued as (
    select * from q_customer_value
),

chosen as (
    select *, count(*) over () as total_rows
    from valued
    where ($tier = '' or tier = $tier)
      and ($segment = '' or segment = $segment)
      and ($cell = '' or rf_cell = $cell)
),

final as (
    select customer_id, customer_name, owner_name, region, amount, contracts, last_signed_on,
           rfm, segment, clv, tier, abc_class, margin, position, total_rows
    from chosen
    order by position
    limit $limit
)

select * from final order by position
