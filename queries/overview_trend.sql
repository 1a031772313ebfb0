-- overview_trend: one row per month of the period (empty months as 0), with the
-- contract amount of that month and of the same month a year earlier. Both sides are
-- cut the same way: the current side at [$start, $end], the year-earlier side at
-- [$yoy_start, $yoy_end], so a partial month compares to-date with to-date.
-- Parameters: $start, $end, $yoy_start, $yoy_end + scope. Pages: / (overview).
with months as (
    select unnest(generate_series(date_trunc('month', $start::date),
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

by_month as (
    -- both windows in one pass over the contracts (read twice, their relation would be
    -- computed once and shared, out of reach of each window's own date range): the build's
    -- daily sums (f_company_days) when nothing but a category narrows the contracts and the
    -- viewer sees everyone, else the contracts ($company_wide: the other branch is
    -- pruned at planning)
    select date_trunc('month', day)::date as month,
           sum(amount) filter (where day between $start and $end) as amount,
           sum(amount) filter (where day between $yoy_start and $yoy_end) as yoy_amount
    from (
        select d.day, d.value as amount
        from f_company_days as d
        where d.measure = 'contract_amount'
          and (d.day between $start and $end or d.day between $yoy_start and $yoy_end)
        union all
        select signed_on, amount
        from f_contracts
        where not $company_wide
          and (signed_on between $start and $end or signed_on between $yoy_start and $yoy_end)
    ) as x
    group by 1
),

current_side as (
    select month, amount from by_month where amount is not null
),

year_earlier as (
    select (month + interval 1 year)::date as month, yoy_amount as amount
    from by_month
    where yoy_amount is not null
),

final as (
    select m.month,
           coalesce(c.amount, 0)::double as contract_amount,
           coalesce(y.amount, 0)::double as contract_amount_last_year,
           (coalesce(c.amount, 0) - coalesce(y.amount, 0))
               / nullif(abs(coalesce(y.amount, 0)), 0) as yoy_pct
    from months as m
    left join current_side as c using (month)
    left join year_earlier as y using (month)
)

select * from final order by month
