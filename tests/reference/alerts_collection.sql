-- alerts_collection: one row per customer or team whose overdue receivables grew two
-- month-ends running, and per team (or the company) whose share of overdue over 90 days rose.
-- Overdue at a date = the unsettled amount of its overdue plans (receivables_overdue_states,
-- the one settlement rule), at the three dates of $dates: $as_of and the same day one and two
-- months earlier (d2 < d1 < d0). Added up per customer and rep first, named after (the
-- customer's and the rep's names of receivables_overdue).
-- Rules: overdue_growing = overdue(d0) > (1 + $alert_overdue_growth) × overdue(d1) and
-- overdue(d1) > (1 + $alert_overdue_growth) × overdue(d2) and overdue(d0) ≥
-- $alert_overdue_min; for each customer (owner = the contracts' rep with the most overdue)
-- and each team of f_teams (with its sub-teams). Materiality: a customer's growth
-- overdue(d0) − overdue(d2) must be at least $alert_min_share of the scope's overdue at d0
-- (a team's slip shows on the team, not once more on each of its customers' small
-- debts). Severity 3 when overdue(d0) is over twice
-- overdue(d2), else 2; since = d1 (the first month-end it grew at); impact = overdue(d0) −
-- overdue(d2). aged_share_rising = the share of overdue 90+ days late rose by more than
-- $alert_aged_share_rise between d1 and d0, for the company and each team, with
-- overdue(d0) ≥ $alert_overdue_min; severity 2, impact = the 90+ amount at d0.
-- figure = overdue(d0) (or the 90+ share at d0); expected = overdue(d1) (the share at d1);
-- expected_high = the growth limit (the share limit); sparkline = overdue at d2, d1, d0 (the
-- 90+ share at d1, d0).
-- Parameters: $as_of, $dates, $alert_overdue_growth, $alert_overdue_min, $alert_aged_share_rise,
-- $alert_min_share + scope. Pages: /alerts, / (what changed).
with dated as (
    select o.customer_id, o.rep_id, o.unsettled, o.bucket, date_diff('month', o.as_of_date, $as_of::date) as months_back
    from q_receivables_overdue_states as o
),

members as (
    select 'team' as subject_type, tm.team_id as subject_id, tm.team_name as subject_name, tm.rep_id
    from q_alerts_team_members as tm
),

added as (
    -- overdue at each date per customer and rep (the 90+ part at d0 and d1)
    select d.customer_id, d.rep_id,
           coalesce(sum(d.unsettled) filter (where d.months_back = 0), 0) as o0,
           coalesce(sum(d.unsettled) filter (where d.months_back = 1), 0) as o1,
           coalesce(sum(d.unsettled) filter (where d.months_back = 2), 0) as o2,
           coalesce(sum(d.unsettled) filter (where d.months_back = 0 and d.bucket = '90+'), 0) as aged0,
           coalesce(sum(d.unsettled) filter (where d.months_back = 1 and d.bucket = '90+'), 0) as aged1
    from dated as d
    group by d.customer_id, d.rep_id
),

sums as (
    -- ... with the customer's and the rep's names (as receivables_overdue)
    select a.customer_id, cu.name as customer_name, a.rep_id, r.name as rep_name,
           a.o0, a.o1, a.o2, a.aged0, a.aged1
    from added as a
    join f_accounts as cu on cu.customer_id = a.customer_id
    join f_reps as r on r.rep_id = a.rep_id
),

subjects as (
    -- each customer, each team (its reps and its sub-teams'), the company
    select 'customer' as subject_type, s.customer_id as subject_id, s.customer_name as subject_name, s.*
    from sums as s
    union all
    select m.subject_type, m.subject_id, m.subject_name, s.*
    from sums as s
    join members as m on m.rep_id = s.rep_id
    union all
    select 'company', 'company', null, s.*
    from sums as s
),

totals as (
    -- a customer's owner here: the rep whose contracts hold the most overdue now
    select subject_type, subject_id, any_value(subject_name) as subject_name,
           case when subject_type = 'customer' then arg_max(rep_id, o0) end as rep_id,
           case when subject_type = 'customer' then arg_max(rep_name, o0) end as rep_name,
           sum(o0) as o0, sum(o1) as o1, sum(o2) as o2, sum(aged0) as aged0, sum(aged1) as aged1
    from subjects
    group by subject_type, subject_id
),

growing as (
    select 'overdue_growing' as rule,
           case when x.o0 > 2 * x.o2 then 3 else 2 end as severity,
           x.subject_type, x.subject_id, x.subject_name, x.rep_id, x.rep_name,
           'overdue' as measure, x.o0::double as figure, x.o1::double as expected,
           null::double as expected_low, ((1 + $alert_overdue_growth) * x.o1)::double as expected_high,
           ($as_of::date - interval 1 month)::date as since, (x.o0 - x.o2)::double as impact,
           [x.o2, x.o1, x.o0]::double[] as sparkline
    from totals as x
    where x.subject_type in ('customer', 'team')
      and x.o0 >= $alert_overdue_min
      and x.o0 > (1 + $alert_overdue_growth) * x.o1
      and x.o1 > (1 + $alert_overdue_growth) * x.o2
      and (x.subject_type = 'team'
           or x.o0 - x.o2 >= $alert_min_share * (select o0 from totals where subject_type = 'company'))
),

aged as (
    select 'aged_share_rising' as rule, 2 as severity,
           g.subject_type, g.subject_id, g.subject_name, g.rep_id, g.rep_name,
           'aged_share' as measure, (g.aged0 / g.o0)::double as figure,
           (g.aged1 / nullif(g.o1, 0))::double as expected, null::double as expected_low,
           (coalesce(g.aged1 / nullif(g.o1, 0), 0) + $alert_aged_share_rise)::double as expected_high,
           ($as_of::date - interval 1 month)::date as since, g.aged0::double as impact,
           [g.aged1 / nullif(g.o1, 0), g.aged0 / g.o0]::double[] as sparkline
    from totals as g
    where g.subject_type in ('company', 'team')
      and g.o0 >= $alert_overdue_min
      and g.aged0 / g.o0 > coalesce(g.aged1 / nullif(g.o1, 0), 0) + $alert_aged_share_rise
),

final as (
    select 'collection' as kind, *
    from (select * from growing union all by name select * from aged)
)

select * from final order by severity desc, impact desc, subject_type, subject_id
