-- alerts_collection: one row per customer or team whose overdue receivables grew two
-- month-ends running, and per team (or the company) whose share of overdue over 90 days rose.
-- Overdue at a date = the unsettled amount of its overdue plans (receivables_overdue_states,
-- the one settlement rule, read from f_plan_states as that query reads it), at the three dates
-- of $dates in order: d2 < d1 < d0 = $as_of, the same day two and one months earlier. Added up
-- per customer and rep first; only the customers that warn are named (the customer's and the
-- rep's names of receivables_overdue). Plain form: tests/reference/alerts_collection.sql.
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
-- $alert_min_share, $overdue_built (queries.overdue_built) + scope. Pages: /alerts, / (what changed).
with added as (
    -- overdue at each date per customer and rep (the 90+ part at d0 and d1), d2, d1, d0 = $dates
    -- in order: a state of f_plan_states counts at d when its interval holds d and it is overdue
    -- there (due_on < d; 90+: due_on < d - 90), the rule of receivables_overdue_states read
    -- from each state once instead of joining every state to every date. Only the states that
    -- can hold on one of the dates are read (bounds as constants: the scan skips the row
    -- groups outside them), so every state read is due before d0 and ends after d2.
    select ps.customer_id, ps.rep_id,
           coalesce(sum(ps.unsettled::double) filter (
               where (ps.valid_from is null or ps.valid_from <= $dates[3])
                 and coalesce(ps.valid_to, 'infinity'::date) > $dates[3]), 0) as o0,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < $dates[2] and (ps.valid_from is null or ps.valid_from <= $dates[2])
                 and coalesce(ps.valid_to, 'infinity'::date) > $dates[2]), 0) as o1,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < $dates[1] and (ps.valid_from is null or ps.valid_from <= $dates[1])), 0) as o2,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < $dates[3] - 90 and (ps.valid_from is null or ps.valid_from <= $dates[3])
                 and coalesce(ps.valid_to, 'infinity'::date) > $dates[3]), 0) as aged0,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < $dates[2] - 90 and (ps.valid_from is null or ps.valid_from <= $dates[2])
                 and coalesce(ps.valid_to, 'infinity'::date) > $dates[2]), 0) as aged1
    from f_plan_states as ps
    where not $overdue_built
      and ps.due_on < list_max($dates::date[])
      and coalesce(ps.valid_to, 'infinity'::date) > list_min($dates::date[])
    group by ps.customer_id, ps.rep_id
    union all
    -- ... or as the build added them up for these dates (f_overdue_judged): without a category
    -- filter its rows are one per customer and rep already, under one added up over the
    -- customer's sets of categories
    select od.customer_id, od.rep_id, od.o0, od.o1, od.o2, od.aged0, od.aged1
    from f_overdue_judged as od
    where len($categories) = 0
    union all
    select od.customer_id, od.rep_id, sum(od.o0), sum(od.o1), sum(od.o2), sum(od.aged0), sum(od.aged1)
    from f_overdue_judged as od
    where len($categories) > 0
    group by od.customer_id, od.rep_id
),

by_rep as (
    select a.rep_id, sum(a.o0) as o0, sum(a.o1) as o1, sum(a.o2) as o2, sum(a.aged0) as aged0,
           sum(a.aged1) as aged1
    from added as a
    group by a.rep_id
),

groups as (
    -- each team (its reps and its sub-teams'), the company
    select 'team' as subject_type, tm.team_id as subject_id, any_value(tm.team_name) as subject_name,
           sum(r.o0) as o0, sum(r.o1) as o1, sum(r.o2) as o2, sum(r.aged0) as aged0, sum(r.aged1) as aged1
    from by_rep as r
    join q_alerts_team_members as tm on tm.rep_id = r.rep_id
    group by tm.team_id
    union all
    select 'company', 'company', null, sum(r.o0), sum(r.o1), sum(r.o2), sum(r.aged0), sum(r.aged1)
    from by_rep as r
    having count(*) > 0
),

by_customer as (
    -- per customer; its owner here: the rep whose contracts hold the most overdue now
    select a.customer_id, arg_max(a.rep_id, a.o0) as rep_id, sum(a.o0) as o0, sum(a.o1) as o1,
           sum(a.o2) as o2
    from added as a
    group by a.customer_id
),

growing_customers as (
    -- ... growing materially (only these are named, as receivables_overdue names them)
    select 'customer' as subject_type, c.customer_id as subject_id, cu.name as subject_name, c.rep_id,
           r.name as rep_name, c.o0, c.o1, c.o2
    from by_customer as c
    join f_accounts as cu on cu.customer_id = c.customer_id
    join f_reps as r on r.rep_id = c.rep_id
    where c.o0 >= $alert_overdue_min
      and c.o0 > (1 + $alert_overdue_growth) * c.o1
      and c.o1 > (1 + $alert_overdue_growth) * c.o2
      and c.o0 - c.o2 >= $alert_min_share * (select o0 from groups where subject_type = 'company')
),

growing as (
    select 'overdue_growing' as rule,
           case when x.o0 > 2 * x.o2 then 3 else 2 end as severity,
           x.subject_type, x.subject_id, x.subject_name, x.rep_id, x.rep_name,
           'overdue' as measure, x.o0::double as figure, x.o1::double as expected,
           null::double as expected_low, ((1 + $alert_overdue_growth) * x.o1)::double as expected_high,
           ($as_of::date - interval 1 month)::date as since, (x.o0 - x.o2)::double as impact,
           [x.o2, x.o1, x.o0]::double[] as sparkline
    from (select subject_type, subject_id, subject_name, null as rep_id, null as rep_name, o0, o1, o2
          from groups
          where subject_type = 'team'
            and o0 >= $alert_overdue_min
            and o0 > (1 + $alert_overdue_growth) * o1
            and o1 > (1 + $alert_overdue_growth) * o2
          union all
          select subject_type, subject_id, subject_name, rep_id, rep_name, o0, o1, o2
          from growing_customers) as x
),

aged as (
    select 'aged_share_rising' as rule, 2 as severity,
           g.subject_type, g.subject_id, g.subject_name, null as rep_id, null as rep_name,
           'aged_share' as measure, (g.aged0 / g.o0)::double as figure,
           (g.aged1 / nullif(g.o1, 0))::double as expected, null::double as expected_low,
           (coalesce(g.aged1 / nullif(g.o1, 0), 0) + $alert_aged_share_rise)::double as expected_high,
           ($as_of::date - interval 1 month)::date as since, g.aged0::double as impact,
           [g.aged1 / nullif(g.o1, 0), g.aged0 / g.o0]::double[] as sparkline
    from groups as g
    where g.o0 >= $alert_overdue_min
      and g.aged0 / g.o0 > coalesce(g.aged1 / nullif(g.o1, 0), 0) + $alert_aged_share_rise
),

final as (
    select 'collection' as kind, *
    from (select * from growing union all by name select * from aged)
)

select * from final order by severity desc, impact desc, subject_type, subject_id
