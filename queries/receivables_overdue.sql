-- receivables_overdue: one row per overdue payment plan and as-of date in $dates: the plans of
-- receivables_overdue_states (the settlement rule, the days late and the aging bucket) with
-- their customer's and rep's names.
-- Parameters: $dates (list of as-of dates) + scope. Pages: /brief, /alerts (collection).
with final as (
    select s.as_of_date, s.plan_id, s.contract_id, s.customer_id, cu.name as customer_name,
           s.rep_id, r.name as rep_name, s.due_on, s.amount, s.settled, s.unsettled, s.days_late, s.bucket
    from q_receivables_overdue_states as s
    join f_accounts as cu on cu.customer_id = s.customer_id
    join f_reps as r on r.rep_id = s.rep_id
)

select * from final order by as_of_date, days_late desc, plan_id
