-- customer_churn: one row, the annual churn that CLV rests on (METRICS.md "Customer
-- value"). Years are the twelve months to the period's end: this year = ($end − 1 year,
-- $end], the year before = ($end − 2 years, $end − 1 year]. A buyer has counted contracts
-- summing to > 0 in that year (as in customer_tiers). churn = share of the year-before
-- buyers with no purchase this year; NULL when nobody bought the year before.
-- churn_used floors it at 10% so lifespan_years = 1 / churn_used is at most 10.
-- Parameters: $end + scope. Pages: /customers (through customer_value), /customer/<id>.
with years as (
    select * from (values
        ('this_year', ($end::date - interval 1 year)::date, $end::date),
        ('year_before', ($end::date - interval 2 year)::date, ($end::date - interval 1 year)::date)
    ) as y (year_name, after_day, through_day)
),

buyers as (
    select y.year_name, c.customer_id
    from years as y
    join f_contracts as c on c.signed_on > y.after_day and c.signed_on <= y.through_day
    group by y.year_name, c.customer_id
    having sum(c.amount) > 0
),

counted as (
    select count(*) filter (where b.year_name = 'year_before') as buyers_before,
           count(*) filter (
               where b.year_name = 'year_before'
                 and b.customer_id not in (select customer_id from buyers where year_name = 'this_year')
           ) as churned
    from buyers as b
),

rate as (
    select buyers_before, churned, churned / nullif(buyers_before, 0) as churn
    from counted
),

floored as (
    -- greatest() skips a NULL: keep "nobody bought the year before" undefined
    select r.*, case when r.churn is not null then greatest(r.churn, 0.1) end as churn_used
    from rate as r
),

final as (
    select buyers_before, churned, churn, churn_used, 1 / churn_used as lifespan_years
    from floored
)

select * from final
