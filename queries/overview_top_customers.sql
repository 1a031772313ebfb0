-- overview_top_customers: one row per customer among the top $limit by contract amount
-- signed in [$start, $end]; competition rank (1, 2, 2, 4); ties by customer_id.
-- Ranked after the cut (names looked up for those only); tests/reference keeps the plain form.
-- Parameters: $start, $end, $limit + scope. Pages: / (overview).
with totals as (
    select c.customer_id, sum(c.amount) as contract_amount, count(*) as contracts
    from f_contracts as c
    where c.signed_on between $start and $end
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
