-- acquisition_new_customers: one row per month of the period and (type, source) of the
-- customers created in it (by created_at, cut at [$start, $end]); a month without new
-- customers appears once with customers = 0 and type/source NULL. Customers are
-- f_customers (as the overview's new-customer KPI). A customer without source has source NULL.
-- Parameters: $start, $end + scope. Pages: /acquisition.
with months as (
    select unnest(generate_series(date_trunc('month', $start::date),
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

created as (
    select date_trunc('month', c.created_at)::date as month, c.type, c.source, count(*) as customers
    from f_customers as c
    where c.created_at::date between $start and $end
    group by all
),

final as (
    select m.month, cr.type, cr.source, coalesce(cr.customers, 0) as customers
    from months as m
    left join created as cr using (month)
)

select * from final order by month, type, source
