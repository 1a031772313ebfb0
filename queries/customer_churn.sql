-- customer_churn: one row, the annual churn that CLV rests on (METRICS.md "Customer
-- value"). Years are the twelve months to the period's end: this year = ($end − 1 year,
-- $end], the year before = ($end − 2 years, $end − 1 year]. A buyer has counted contracts
-- summing to > 0 in that year (as in customer_tiers). churn = share of the year-before
-- buyers with no purchase this year; NULL when nobody bought the year before.
-- churn_used floors it at 10% so lifespan_years = 1 / churn_used is at most 10.
-- Parameters: $start, $end, $prev_start, $prev_end + scope. Pages: /customers (through customer_value), /customer/<id>.
-- Without a filter or a narrower scope the two counts are the build's (f_churn_days: the counts
-- on every day, s_churn_days); with one, each customer's amount in either year comes from
-- customer_windows (the same pass over the contracts as customer_tiers'), which has no years
-- otherwise, as f_churn_days has no rows under a filter: each branch counts 0 when the other
-- applies. tests/reference/customer_churn.sql keeps the plain form.
with yearly as (
    select w.customer_id, w.this_year, w.year_before
    from q_customer_windows as w
),

branches as (
    select count(*) filter (where y.year_before > 0) as buyers_before,
           count(*) filter (where y.year_before > 0 and not coalesce(y.this_year > 0, false)) as churned
    from yearly as y
    union all
    select cd.buyers_before, cd.churned
    from f_churn_days as cd
    where cd.from_day <= $end and coalesce(cd.to_day, 'infinity'::date) > $end
),

counted as (
    select sum(buyers_before)::bigint as buyers_before, sum(churned)::bigint as churned
    from branches
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
