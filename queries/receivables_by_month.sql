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
    -- the build's daily sums (f_company_days) when nothing but a category narrows the plans and
    -- the viewer sees everyone, else the plans ($company_wide: the other branch is
    -- pruned at planning)
    select date_trunc('month', d.day)::date as month, sum(d.value) as due
    from f_company_days as d
    where d.measure = 'plans_due' and d.day between $start and $end
    group by 1
    union all
    select date_trunc('month', due_on)::date as month, sum(amount) as due
    from f_payment_plans
    where not $company_wide
      and due_on between $start and $end
    group by 1
),

received_months as (
    -- the same two sources for the payments
    select date_trunc('month', d.day)::date as month, sum(d.value) as received
    from f_company_days as d
    where d.measure = 'payments' and d.day between $start and $end
    group by 1
    union all
    select date_trunc('month', paid_on)::date as month, sum(amount) as received
    from f_payments
    where not $company_wide
      and paid_on between $start and $end
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
