-- customer_churn: one row, the annual churn that CLV rests on (METRICS.md "Customer
-- value"). Years are the twelve months to the period's end: this year = ($end − 1 year,
-- $end], the year before = ($end − 2 years, $end − 1 year]. A buyer has counted contracts
-- summing to > 0 in that year (as in customer_tiers). churn = share of the year-before
-- buyers with no purchase this year; NULL when nobody bought the year before.
-- churn_used floors it at 10% so lifespan_years = 1 / churn_used is at most 10.
-- Parameters: $end + scope. Pages: /customers (through customer_value), /customer/<id>.
-- One pass over the two years' range of f_contracts (date-sorted), each customer's amount
-- in either year added up side by side.
with yearly as (
    select c.customer_id,
           sum(c.amount) filter (where c.signed_on > ($end::date - interval 1 year)::date) as this_year,
           sum(c.amount) filter (where c.signed_on <= ($end::date - interval 1 year)::date) as year_before
    from f_contracts as c
    where c.signed_on > ($end::date - interval 2 year)::date and c.signed_on <= $end::date
    group by c.customer_id
),

counted as (
    select count(*) filter (where y.year_before > 0) as buyers_before,
           count(*) filter (where y.year_before > 0 and not coalesce(y.this_year > 0, false)) as churned
    from yearly as y
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
