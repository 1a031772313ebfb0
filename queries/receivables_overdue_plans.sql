-- receivables_overdue_plans: the overdue plans of receivables_overdue on one date ($dates, a
-- list of that one date) in aging bucket $bucket ('' = every bucket), most days late first
-- (then plan_id), the first $limit of them, with total_rows: how many there are in all.
-- Parameters: $dates, $bucket, $limit + scope. Pages: /receivables (overdue instalments).
with chosen as (
    select o.*, count(*) over () as total_rows
    from q_receivables_overdue as o
    where $bucket = '' or o.bucket = $bucket
),

final as (
    select plan_id, contract_id, customer_id, customer_name, rep_name, due_on, amount, settled, unsettled,
           days_late, total_rows
    from chosen
    order by days_late desc, plan_id
    limit $limit
)

select * from final order by days_late desc, plan_id
