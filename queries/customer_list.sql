-- customer_list: one row per purchasing customer of the period (customer_value) in the
-- selection: $tier, $segment or $cell ('r-f'); '' = any. Ordered by pyramid position
-- (amount descending, ties by customer_id); the first $limit of them, with total_rows: how
-- many there are in all; the names (customer, owner: the rep's name, else the owner's id)
-- and region of those listed only.
-- Parameters: $tier, $segment, $cell, $limit, $start, $end, $prev_start, $prev_end, $method,
-- $abc_a, $abc_b + scope. Pages: /customers (the drill-down grid).
-- tests/reference/customer_list.sql keeps the plain form (total_rows as a window).
with valued as (
    select * from q_customer_value
),

chosen as (
    select *
    from valued
    where ($tier = '' or tier = $tier)
      and ($segment = '' or segment = $segment)
      and ($cell = '' or rf_cell = $cell)
),

listed as (
    select * from chosen order by position limit $limit
),

final as (
    select l.customer_id, a.name as customer_name, coalesce(r.name, a.owner_rep_id) as owner_name, a.region,
           l.amount, l.contracts, l.last_signed_on, l.rfm, l.segment, l.clv, l.tier, l.abc_class, l.margin,
           l.position,
           -- counted apart (not a window over every chosen customer with all its columns)
           (select count(*) from chosen) as total_rows
    from listed as l
    join f_accounts as a on a.customer_id = l.customer_id
    left join f_reps as r on r.rep_id = a.owner_rep_id
)

select * from final order by position
