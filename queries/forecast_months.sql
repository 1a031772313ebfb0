-- forecast_months: one row per month of the forecast horizon: the month of $day and
-- the $horizon - 1 months after it. target = the month's contract_amount targets summed
-- over the reps in scope (NULL when no rep has one); won = the counted contracts signed
-- in the month up to $day (0 for months still to come).
-- Parameters: $day (the page's state date: the period's end, not after as_of), $horizon
-- + scope. Pages: /forecast (beside the weighted pipeline, which comes from pipeline_deals
-- on the same $day).
with months as (
    select unnest(generate_series(date_trunc('month', $day::date),
                                  date_trunc('month', $day::date) + to_months($horizon - 1),
                                  interval 1 month))::date as month
),

month_targets as (
    select tg.month, sum(tg.amount) as target
    from f_targets as tg
    where tg.measure = 'contract_amount'
    group by tg.month
),

month_won as (
    select date_trunc('month', c.signed_on)::date as month, sum(c.amount) as won
    from f_contracts as c
    where c.signed_on between date_trunc('month', $day::date) and $day::date
    group by 1
),

final as (
    select m.month, t.target::double as target, coalesce(w.won, 0)::double as won
    from months as m
    left join month_targets as t on t.month = m.month
    left join month_won as w on w.month = m.month
)

select * from final order by month
