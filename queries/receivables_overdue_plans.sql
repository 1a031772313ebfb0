-- receivables_overdue_plans: the overdue plans of receivables_overdue_states on one date ($dates, a
-- list of that one date) in aging bucket $bucket ('' = every bucket), most days late first
-- (then plan_id), the first $limit of them, with total_rows: how many there are in all.
-- Parameters: $dates, $bucket, $limit + scope. Pages: /receivables (overdue instalments).
with chosen as (
    select o.*
    from q_receivables_overdue_states as o
    where $bucket = '' or o.bucket = $bucket
),

listed as (
    -- a top-n of the plans, and how many there are counted beside it (not a window over all)
    select c.*, (select count(*) from chosen) as total_rows
    from (select * from chosen order by days_late desc, plan_id limit $limit) as c
),

final as (
    -- the names of the listed plans only
    select l.plan_id, l.contract_id, l.customer_id, cu.name as customer_name, r.name as rep_name, l.due_on,
           l.amount, l.settled, l.unsettled, l.days_late, l.total_rows
    from listed as l
    join f_accounts as cu on cu.customer_id = l.customer_id
    join f_reps as r on r.rep_id = l.rep_id
)

select * from final order by days_late desc, plan_id
