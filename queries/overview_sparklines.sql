-- overview_sparklines: one row per month for the twelve months ending with the month of
-- $end (empty months as 0): contract amount, payments, contracts, new customers.
-- Months are whole except the last, which is cut at $end. Bounds written out from $end (a
-- constant reaches the date-sorted scans; a subquery does not).
-- Parameters: $end + scope. Pages: / (KPI sparklines).
with months as (
    select unnest(generate_series(date_trunc('month', $end::date) - interval 11 month,
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

contract_months as (
    -- the build's daily sums (f_company_days) when nothing but a category narrows the facts and
    -- the viewer sees everyone, else the facts ($company_wide: the other branch is
    -- pruned at planning)
    select date_trunc('month', d.day)::date as month,
           sum(d.value) filter (where d.measure = 'contract_amount') as contract_amount,
           sum(d.value) filter (where d.measure = 'contracts') as contracts
    from f_company_days as d
    where d.measure in ('contract_amount', 'contracts')
      and d.day between (date_trunc('month', $end::date) - interval 11 month)::date and $end
    group by 1
    union all
    select date_trunc('month', signed_on)::date as month, sum(amount) as contract_amount,
           count(*) as contracts
    from f_contracts
    where not $company_wide
      and signed_on between (date_trunc('month', $end::date) - interval 11 month)::date and $end
    group by 1
),

payment_months as (
    -- the company's daily sums as above; else without a customer or category filter the months
    -- before $end's month added up per build (f_rep_months) and only $end's month from the
    -- facts; otherwise the facts of every month (the bounds as constants: the date-sorted scan
    -- skips the row groups outside them)
    select month, sum(payments) as payments
    from (
        select date_trunc('month', d.day)::date as month, d.value as payments
        from f_company_days as d
        where d.measure = 'payments'
          and d.day between (date_trunc('month', $end::date) - interval 11 month)::date and $end
        union all
        select mm.month, mm.value
        from f_rep_months as mm
        where not $company_wide
          and mm.measure = 'payments'
          and mm.month >= (date_trunc('month', $end::date) - interval 11 month)::date
          and mm.month < date_trunc('month', $end::date)::date
        union all
        select date_trunc('month', p.paid_on)::date, p.amount
        from f_payments as p
        where not $company_wide
          and p.paid_on between (case when len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
                                           and len($categories) = 0
                                      then date_trunc('month', $end::date)
                                      else date_trunc('month', $end::date) - interval 11 month end)::date
                            and $end
    ) as x
    group by month
),

customer_months as (
    select date_trunc('month', created_at)::date as month, count(*) as new_customers
    from f_customers
    where created_at::date between (date_trunc('month', $end::date) - interval 11 month)::date and $end
    group by 1
),

final as (
    select m.month,
           coalesce(c.contract_amount, 0)::double as contract_amount,
           coalesce(p.payments, 0)::double as payments,
           coalesce(c.contracts, 0)::double as contracts,
           coalesce(n.new_customers, 0)::double as new_customers
    from months as m
    left join contract_months as c using (month)
    left join payment_months as p using (month)
    left join customer_months as n using (month)
)

select * from final order by month
