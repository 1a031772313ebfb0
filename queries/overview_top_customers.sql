-- overview_top_customers: one row per customer among the top $limit by contract amount
-- signed in [$start, $end]; competition rank (1, 2, 2, 4); ties by customer_id.
-- Ranked after the cut (names looked up for those only); tests/reference keeps the plain form.
-- A customer's amount and contracts in the period are read per build (f_customer_windows:
-- every customer with a contract in the window) when the period's windows are built and no
-- team, rep, narrower scope or second category narrows the contracts ($windows_built: a
-- year's contracts on large, 38 -> 15 ms), else added up from f_contracts.
-- Parameters: $start, $end, $limit + scope. Pages: / (overview).
with totals as (
    select cw.customer_id, cw.amount as contract_amount, cw.contracts
    from f_customer_windows as cw
    where cw.from_day = $start::date and cw.to_day = $end::date
    union all
    select c.customer_id, sum(c.amount), count(*)
    from f_contracts as c
    where not $windows_built and c.signed_on between $start and $end
    group by c.customer_id
),

top as (
    -- the first $limit by amount (ties by customer_id): every customer with a larger amount
    -- is among them, so their competition ranks are those over every customer
    select * from totals order by contract_amount desc, customer_id limit $limit
),

ranked as (
    select rank() over (order by t.contract_amount desc) as rank,
           t.customer_id, cu.name as customer_name, cu.region,
           t.contract_amount::double as contract_amount, t.contracts
    from top as t
    join f_accounts as cu on cu.customer_id = t.customer_id
),

final as (
    select * from ranked
)

select * from final order by rank, customer_id
