-- acquisition_conversion: customers created in [$start, $end] (f_customers, by
-- created_at) and their first counted contract signed by $as_of, in three views told
-- apart by `level`:
--   'month'  one row per creation month of the period (empty months as 0): created,
--            converted, conversion_rate = converted / created, mean_days_to_first
--            (mean over converted customers of days from the creation date to the first
--            contract's signed_on);
--   'cohort' one row per creation month and months_to_first (calendar months from the
--            creation month to the first contract's month; NULL = not converted by $as_of);
--   'source' one row per customer source with new customers or contract amount in the
--            period (source NULL = none given): created, converted, conversion_rate,
--            mean_days_to_first, and revenue = contract amount signed in [$start, $end]
--            (f_contracts: follows the rep and category filters) by customers of that
--            source, whenever they were created.
-- The first contract is the customer's, whoever signed it and whatever its lines
-- (f_account_contracts): conversion is a fact about the customer.
-- Parameters: $start, $end, $as_of + scope. Pages: /acquisition.
with months as (
    select unnest(generate_series(date_trunc('month', $start::date),
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

new_customers as (
    select c.customer_id, c.source, c.created_at::date as created_on,
           date_trunc('month', c.created_at)::date as month
    from f_customers as c
    where c.created_at::date between $start and $end
),

first_contract as (
    -- the customer's first counted contract (f_account_contracts), pre-computed per customer
    select k.customer_id, k.first_signed_on
    from f_account_first_contracts as k
    where k.first_signed_on <= $as_of
      and k.customer_id in (select customer_id from new_customers)
),

journeys as (
    select n.*, f.first_signed_on,
           date_diff('day', n.created_on, f.first_signed_on) as days_to_first,
           date_diff('month', n.month, date_trunc('month', f.first_signed_on)::date) as months_to_first
    from new_customers as n
    left join first_contract as f using (customer_id)
),

by_month as (
    select month, count(*) as created, count(first_signed_on) as converted,
           avg(days_to_first) as mean_days_to_first
    from journeys
    group by month
),

by_cohort as (
    select month, months_to_first, count(*) as customers
    from journeys
    group by all
),

by_source as (
    select source, count(*) as created, count(first_signed_on) as converted,
           avg(days_to_first) as mean_days_to_first
    from journeys
    group by source
),

source_revenue as (
    -- added up per customer first: the join looks up one row per customer, not per contract
    select a.source, sum(k.revenue) as revenue
    from (
        select c.customer_id, sum(c.amount) as revenue
        from f_contracts as c
        where c.signed_on between $start and $end
        group by c.customer_id
    ) as k
    join f_accounts as a on a.customer_id = k.customer_id
    group by a.source
),

final as (
    select 'month' as level, m.month, null::integer as months_to_first, null::varchar as source,
           coalesce(b.created, 0) as created, coalesce(b.converted, 0) as converted,
           (b.converted / nullif(b.created, 0))::double as conversion_rate,
           b.mean_days_to_first::double as mean_days_to_first,
           null::double as customers, null::double as revenue
    from months as m
    left join by_month as b using (month)
    union all by name
    select 'cohort' as level, month, months_to_first, customers::double as customers
    from by_cohort
    union all by name
    select 'source' as level, coalesce(s.source, r.source) as source,
           coalesce(s.created, 0) as created, coalesce(s.converted, 0) as converted,
           (s.converted / nullif(s.created, 0))::double as conversion_rate,
           s.mean_days_to_first::double as mean_days_to_first,
           coalesce(r.revenue, 0)::double as revenue
    from by_source as s
    full join source_revenue as r on r.source is not distinct from s.source
)

select * from final
order by level, month, months_to_first nulls last, revenue desc, source nulls last
