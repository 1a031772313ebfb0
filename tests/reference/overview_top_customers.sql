-- overview_top_customers: one row per customer among the top $limit by contract amount
-- signed in [$start, $end]; competition rank (1, 2, 2, 4); ties by customer_id.
-- Parameters: $start, $end, $limit + scope. Pages: / (overview).
with totals as (
    select c.customer_id, sum(c.amount) as contract_amount, count(*) as contracts
    from f_contracts as c
    where c.signed_on between $start and $end
    group by c.customer_id
),

ranked as (
    select rank() over (order by t.contract_amount desc) as rank,
           t.customer_id, cu.name as customer_name, cu.region,
           t.contract_amount::double as contract_amount, t.contracts
    from totals as t
    join f_accounts as cu on cu.customer_id = t.customer_id
),

final as (
    select * from ranked order by rank, customer_id limit $limit
)

select * from final
