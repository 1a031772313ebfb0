-- overview_sparklines: one row per month for the twelve months ending with the month of
-- $end (empty months as 0): contract amount, payments, contracts, new customers.
-- Months are whole except the last, which is cut at $end.
-- Parameters: $end + scope. Pages: / (KPI sparklines).
with months as (
    select unnest(generate_series(date_trunc('month', $end::date) - interval 11 month,
                                  date_trunc('month', $end::date),
                                  interval 1 month))::date as month
),

bounds as (
    select min(month) as first_day from months
),

contract_months as (
    select date_trunc('month', signed_on)::date as month, sum(amount) as contract_amount,
           count(*) as contracts
    from f_contracts
    where signed_on between (select first_day from bounds) and $end
    group by 1
),

payment_months as (
    select date_trunc('month', paid_on)::date as month, sum(amount) as payments
    from f_payments
    where paid_on between (select first_day from bounds) and $end
    group by 1
),

customer_months as (
    select date_trunc('month', created_at)::date as month, count(*) as new_customers
    from f_customers
    where created_at::date between (select first_day from bounds) and $end
    group by 1
),

final as (
    select m.month,
           coalesce(c.contract_amount, 0)::double as contract_amount,
           coalesce(p.payments, 0)::double as payments,
           coalesce(c.contracts, 0)::double as contracts,
           coalesce(n.new_customers, 0)::double as new_customers
    from months as m
    left join contract_months as c using (month)
    left join payment_months as p using (month)
    left join customer_months as n using (month)
)

select * from final order by month
