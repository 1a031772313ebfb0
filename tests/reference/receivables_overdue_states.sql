-- receivables_overdue_states (plain form, over the base tables): one row per overdue payment plan and as-of date in $dates.
-- A plan is due when due_on <= the date; overdue = due before the date (from the day after
-- due_on: a plan due on the date itself is due, not yet overdue) and not fully settled by
-- the payments paid up to that date (METRICS.md). days_late = date - due_on (1 or more);
-- aging buckets by days late: '1-30', '31-60', '61-90', '90+' (91 days and more).
-- Settlement rule: a payment with plan_id settles that plan up to its amount; what a plan
-- receives beyond its amount (an overpayment) and every payment without plan_id go into the
-- contract's pool of unassigned money, which settles the contract's remaining plan amounts
-- earliest first (due_on, plan_id) by running sums: a plan takes
-- least(remaining, greatest(0, pool - remaining of the plans before it)). Money beyond every
-- plan stays a credit on the contract. Only due plans need the running sum: every plan
-- before a due plan in that order is due too.
-- Parameters: $dates (list of as-of dates) + scope. Pages: /receivables (aging, overdue
-- plans, at as_of), / (overdue KPI at each window's end).
with dates as (
    select unnest($dates::date[]) as as_of_date
),

paid_by_date as (
    -- money received by each date, per contract and plan (plan_id null: unassigned)
    select d.as_of_date, p.contract_id, p.plan_id, sum(p.amount) as paid
    from dates as d
    join f_payments as p on p.paid_on <= d.as_of_date
    group by all
),

plan_paid as (
    select d.as_of_date, pl.plan_id, pl.contract_id, pl.due_on, pl.amount,
           coalesce(pd.paid, 0) as paid_on_plan
    from dates as d
    cross join f_payment_plans as pl
    left join paid_by_date as pd
      on pd.as_of_date = d.as_of_date and pd.plan_id = pl.plan_id
),

pools as (
    -- unassigned payments plus what plans received beyond their amount
    select as_of_date, contract_id, sum(amount) as pool
    from (
        select as_of_date, contract_id, paid as amount
        from paid_by_date
        where plan_id is null
        union all
        select as_of_date, contract_id, paid_on_plan - amount
        from plan_paid
        where paid_on_plan > amount
    ) as unassigned
    group by all
),

due_plans as (
    select pp.*,
           pp.amount - least(pp.paid_on_plan, pp.amount) as remaining,
           coalesce(sum(pp.amount - least(pp.paid_on_plan, pp.amount)) over (
               partition by pp.as_of_date, pp.contract_id
               order by pp.due_on, pp.plan_id
               rows between unbounded preceding and 1 preceding
           ), 0) as remaining_before
    from plan_paid as pp
    where pp.due_on <= pp.as_of_date
),

settled as (
    select dp.*,
           least(dp.remaining, greatest(0, coalesce(po.pool, 0) - dp.remaining_before)) as from_pool
    from due_plans as dp
    left join pools as po on po.as_of_date = dp.as_of_date and po.contract_id = dp.contract_id
),

final as (
    select s.as_of_date, s.plan_id, s.contract_id, c.customer_id, c.rep_id, s.due_on,
           s.amount::double as amount,
           (s.amount - s.remaining + s.from_pool)::double as settled,
           (s.remaining - s.from_pool)::double as unsettled,
           date_diff('day', s.due_on, s.as_of_date) as days_late,
           case
               when date_diff('day', s.due_on, s.as_of_date) <= 30 then '1-30'
               when date_diff('day', s.due_on, s.as_of_date) <= 60 then '31-60'
               when date_diff('day', s.due_on, s.as_of_date) <= 90 then '61-90'
               else '90+'
           end as bucket
    from settled as s
    join f_contracts as c on c.contract_id = s.contract_id
    where s.remaining - s.from_pool > 0
      and s.due_on < s.as_of_date  -- overdue from the day after due_on
)

select * from final order by as_of_date, days_late desc, plan_id
