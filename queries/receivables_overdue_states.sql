-- receivables_overdue_states: one row per overdue payment plan and as-of date in $dates, with
-- its contract, customer_id and rep_id (receivables_overdue adds their names).
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
-- The settlement of every plan on every date is pre-computed by the build (f_plan_states:
-- the rule above applied on each day its contract received money, valid until the next),
-- so a date reads the states whose interval holds it.
-- Parameters: $dates (list of as-of dates) + scope. Pages: /receivables (aging, overdue
-- plans, at as_of), / (overdue KPI at each window's end), through the queries that include it.
with dates as (
    select unnest($dates::date[]) as as_of_date
),

candidates as (
    -- the states that can hold on one of the dates: bounds as constants, so the scan
    -- skips the row groups outside them
    select ps.*
    from f_plan_states as ps
    where ps.due_on <= list_max($dates::date[])
      and coalesce(ps.valid_to, 'infinity'::date) > list_min($dates::date[])
),

settled as (
    -- one date (the pages' state date): the interval test with the date as a constant, no join
    select $dates[1]::date as as_of_date, ps.plan_id, ps.contract_id, ps.customer_id, ps.rep_id, ps.due_on,
           ps.amount, ps.settled, ps.unsettled
    from candidates as ps
    where len($dates) = 1
      and (ps.valid_from is null or ps.valid_from <= $dates[1]::date)
    union all
    -- several: each state joined to the dates its interval holds (an empty bound read as the
    -- infinite day: plain comparisons on every pair, not tests for NULL)
    select d.as_of_date, ps.plan_id, ps.contract_id, ps.customer_id, ps.rep_id, ps.due_on, ps.amount,
           ps.settled, ps.unsettled
    from dates as d
    join candidates as ps
      on ps.due_on <= d.as_of_date
     and coalesce(ps.valid_from, '-infinity'::date) <= d.as_of_date
     and coalesce(ps.valid_to, 'infinity'::date) > d.as_of_date
    where len($dates) <> 1
),

final as (
    select s.as_of_date, s.plan_id, s.contract_id, s.customer_id, s.rep_id, s.due_on,
           s.amount::double as amount,
           s.settled::double as settled,
           s.unsettled::double as unsettled,
           date_diff('day', s.due_on, s.as_of_date) as days_late,
           case
               when date_diff('day', s.due_on, s.as_of_date) <= 30 then '1-30'
               when date_diff('day', s.due_on, s.as_of_date) <= 60 then '31-60'
               when date_diff('day', s.due_on, s.as_of_date) <= 90 then '61-90'
               else '90+'
           end as bucket
    from settled as s
    where s.due_on < s.as_of_date  -- overdue from the day after due_on
)

select * from final order by as_of_date, days_late desc, plan_id
