-- alerts_months: one row per month of the twelve months up to $as_of's month (the first
-- day of each), oldest first: the months of the early warnings' monthly sparklines.
-- Parameters: $as_of. Pages: /alerts (through alerts_customers_slipping, alerts_stock,
-- alerts_deals_at_risk).
with final as (
    select unnest(generate_series(date_trunc('month', $as_of::date) - interval 11 month,
                                  date_trunc('month', $as_of::date), interval 1 month))::date as month
)

select * from final order by month
