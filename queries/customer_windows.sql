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
-- The usual periods' windows as of the build's as_of are built (s_customer_windows): read
-- from there (f_customer_windows, one row per customer and window) when $windows_built
-- (queries.windows_built), the same figures without a pass over the contracts (on xl this
-- year's 6.6M).
-- Parameters: $start, $end, $prev_start, $prev_end, $windows_built + scope.
-- Pages: /customers, /customer/<id> (through customer_tiers and customer_churn).
with counted as (
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
    where not $windows_built
      and (c.signed_on between $start and $end
           or c.signed_on between $prev_start and $prev_end
           or (not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
                    and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0)
               and c.signed_on > ($end::date - interval 2 year)::date and c.signed_on <= $end::date))
    group by c.customer_id
),

built as (
    -- the same windows' rows of the build (no team, rep or narrower scope here: the years are
    -- read under a customer or category filter); a window without contracts has no row
    select w.customer_id,
           max(w.amount) filter (where w.from_day = $start and w.to_day = $end) as amount,
           coalesce(max(w.contracts) filter (where w.from_day = $start and w.to_day = $end), 0) as contracts,
           max(w.last_signed_on) filter (where w.from_day = $start and w.to_day = $end) as last_signed_on,
           max(w.amount) filter (where w.from_day = $prev_start and w.to_day = $prev_end) as prev_amount,
           coalesce(max(w.contracts) filter (where w.from_day = $prev_start and w.to_day = $prev_end), 0)
               as prev_contracts,
           max(w.last_signed_on) filter (where w.from_day = $prev_start and w.to_day = $prev_end)
               as prev_last_signed_on,
           case when len($regions) > 0 or len($ctypes) > 0 or len($sources) > 0 or len($categories) > 0
                then max(w.amount) filter (where w.from_day = ($end::date - interval 1 year)::date + 1
                                              and w.to_day = $end)
           end as this_year,
           case when len($regions) > 0 or len($ctypes) > 0 or len($sources) > 0 or len($categories) > 0
                then max(w.amount) filter (where w.from_day = ($end::date - interval 2 year)::date + 1
                                              and w.to_day = ($end::date - interval 1 year)::date)
           end as year_before
    from f_customer_windows as w
    where (w.from_day = $start and w.to_day = $end)
       or (w.from_day = $prev_start and w.to_day = $prev_end)
       or ((len($regions) > 0 or len($ctypes) > 0 or len($sources) > 0 or len($categories) > 0)
           and ((w.from_day = ($end::date - interval 1 year)::date + 1 and w.to_day = $end)
                or (w.from_day = ($end::date - interval 2 year)::date + 1
                    and w.to_day = ($end::date - interval 1 year)::date)))
    group by w.customer_id
),

final as (
    select * from counted
    union all
    select * from built
)

select * from final order by customer_id
