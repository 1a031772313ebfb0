-- receivables_by_month: one row per month of the period (empty months as 0): the plan
-- amounts due in it (by due_on), the payments received in it (by paid_on), both cut at
-- [$start, $end], and the collection rate received / due (NULL when nothing was due).
-- Parameters: $start, $end + scope. Pages: /receivables.
with months as (
    select unnest(generate_series(date_trunc('month', $start::date),
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

due_months as (
    select date_trunc('month', due_on)::date as month, sum(amount) as due
    from f_payment_plans
    where due_on between $start and $end
    group by 1
),

received_months as (
    select date_trunc('month', paid_on)::date as month, sum(amount) as received
    from f_payments
    where paid_on between $start and $end
    group by 1
),

final as (
    select m.month,
           coalesce(d.due, 0)::double as due,
           coalesce(r.received, 0)::double as received,
           (coalesce(r.received, 0) / nullif(coalesce(d.due, 0), 0))::double as collection_rate
    from months as m
    left join due_months as d using (month)
    left join received_months as r using (month)
)

select * from final order by month
