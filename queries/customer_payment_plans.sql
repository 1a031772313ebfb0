-- customer_payment_plans: one row per payment plan (回款计划) of the counted contracts of
-- customer $customer_id, with what settles it as of $as_of (METRICS.md "Receivables"):
-- payments up to $as_of settle their plan_id; payments without one settle the contract's
-- earliest unsettled plans (by due_on, then plan_id). A plan is due when due_on <=
-- $as_of; overdue = due and unsettled, aged in days past due; overdue_total = all plans'.
-- Parameters: $customer_id, $as_of + scope. Pages: /customer/<id>.
with plans as (
    select pp.plan_id, pp.contract_id, pp.due_on, pp.amount
    from f_payment_plans as pp
    join f_contracts as c on c.contract_id = pp.contract_id
    where c.customer_id = $customer_id
),

paid as (
    select p.*
    from f_payments as p
    where p.paid_on <= $as_of
      and p.contract_id in (select contract_id from plans)
),

direct as (
    select plan_id, sum(amount) as amount from paid where plan_id is not null group by plan_id
),

loose as (
    select contract_id, sum(amount) as amount from paid where plan_id is null group by contract_id
),

after_direct as (
    select p.*, least(coalesce(d.amount, 0), p.amount) as paid_direct,
           p.amount - least(coalesce(d.amount, 0), p.amount) as open_amount
    from plans as p
    left join direct as d on d.plan_id = p.plan_id
),

queued as (
    -- the loose payments fill the open plans in due order
    select a.*,
           coalesce(sum(a.open_amount) over (partition by a.contract_id order by a.due_on, a.plan_id
                                             rows between unbounded preceding and 1 preceding), 0) as open_before
    from after_direct as a
),

settled as (
    select q.*, least(q.open_amount, greatest(coalesce(l.amount, 0) - q.open_before, 0)) as paid_loose
    from queued as q
    left join loose as l on l.contract_id = q.contract_id
),

aged as (
    select plan_id, contract_id, due_on, amount::double as amount,
           (paid_direct + paid_loose)::double as settled,
           (amount - paid_direct - paid_loose)::double as outstanding,
           case when due_on <= $as_of then (amount - paid_direct - paid_loose) else 0 end::double as overdue,
           case when due_on <= $as_of and amount - paid_direct - paid_loose > 0
                then $as_of::date - due_on end as days_overdue
    from settled
),

final as (
    select a.*, sum(a.overdue) over () as overdue_total
    from aged as a
    order by a.due_on, a.plan_id
)

select * from final
