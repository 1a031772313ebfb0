-- customer_windows: one row per customer with counted contracts (f_contracts) in one of the
-- windows the /customers metrics compare, each window's figures side by side:
-- current [$start, $end] and previous [$prev_start, $prev_end] (customer_tiers):
-- amount, contracts and the last signed_on; this_year ($end − 1 year, $end] and year_before
-- ($end − 2 years, $end − 1 year] (customer_churn): amount, but only when a filter or a
-- narrower scope applies (empty otherwise: customer_churn then reads the build's counts,
-- f_churn_days, and the pass reads only the current and previous windows: on large, last
-- month's customers page groups 60,000 contracts instead of two years' 725,000). A window
-- without contracts of the customer gives NULL amounts and last dates (contracts 0).
-- One pass over the windows' ranges of the date-sorted f_contracts, one group per customer,
-- instead of one scan and grouping per window (customer_page reads every window). Each
-- window's figure is an aggregate of a CASE (NULL outside the window), not of a FILTER: one
-- pass of plain aggregates is cheaper than eight filtered ones (~5% of this query on large).
-- Parameters: $start, $end, $prev_start, $prev_end + scope.
-- Pages: /customers, /customer/<id> (through customer_tiers and customer_churn).
with final as (
    select c.customer_id,
           sum(case when c.signed_on between $start and $end then c.amount end) as amount,
           count(case when c.signed_on between $start and $end then 1 end) as contracts,
           max(case when c.signed_on between $start and $end then c.signed_on end) as last_signed_on,
           sum(case when c.signed_on between $prev_start and $prev_end then c.amount end) as prev_amount,
           count(case when c.signed_on between $prev_start and $prev_end then 1 end) as prev_contracts,
           max(case when c.signed_on between $prev_start and $prev_end then c.signed_on end) as prev_last_signed_on,
           -- the years of customer_churn, only under a filter or a narrower scope (the condition
           -- of f_churn_days, negated: constant when DuckDB plans the statement)
           case when not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
                          and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0)
                then sum(case when c.signed_on > ($end::date - interval 1 year)::date
                               and c.signed_on <= $end::date then c.amount end)
           end as this_year,
           case when not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
                          and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0)
                then sum(case when c.signed_on > ($end::date - interval 2 year)::date
                               and c.signed_on <= ($end::date - interval 1 year)::date then c.amount end)
           end as year_before
    from f_contracts as c
    where c.signed_on between $start and $end
       or c.signed_on between $prev_start and $prev_end
       or (not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
                and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0)
           and c.signed_on > ($end::date - interval 2 year)::date and c.signed_on <= $end::date)
    group by c.customer_id
)

select * from final order by customer_id
