-- receivables_overdue_totals: one row per as-of date in $dates with an overdue plan: the
-- overdue amount (unsettled, summed over receivables_overdue's plans) and the number of
-- overdue plans. The overview's KPI needs only these sums, not every plan.
-- Parameters: $dates (list of as-of dates) + scope. Pages: / (overdue KPI at each window's end).
with final as (
    select o.as_of_date, sum(o.unsettled) as unsettled, count(*) as plans
    from q_receivables_overdue_states as o
    group by o.as_of_date
)

select * from final order by as_of_date
