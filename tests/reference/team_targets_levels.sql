-- team_targets_levels: one row per rep in scope (level 'rep') and per group team of
-- f_rep_groups (level 'team'), horizon and measure, both levels from one pass over the
-- facts: the month, quarter and year containing $end (the period's end), for
-- contract_amount (counted contracts by signed_on) and payment_amount (payments by
-- paid_on). target = the sum of the monthly targets of the horizon (the whole horizon, not
-- pro-rated); actual = the measure from the horizon's first day to its last day or $as_of,
-- whichever comes first; achievement = actual / target, NULL when there is no target (no
-- row in targets, or a sum of 0): never 0% or 100% by default.
-- A team's target is the sum of its reps' targets (NULL when none of them has one); its
-- actual counts all its reps, with a target or not.
-- Parameters: $end, $as_of + scope. Pages: /team (targets, through team_page), and
-- team_targets (one level).
with horizons as (
    select * from (values
        ('month', date_trunc('month', $end::date)::date,
         (date_trunc('month', $end::date) + interval 1 month - interval 1 day)::date),
        ('quarter', date_trunc('quarter', $end::date)::date,
         (date_trunc('quarter', $end::date) + interval 3 month - interval 1 day)::date),
        ('year', date_trunc('year', $end::date)::date,
         (date_trunc('year', $end::date) + interval 1 year - interval 1 day)::date)
    ) as h (horizon, horizon_start, horizon_end)
),

measures as (
    select * from (values ('contract_amount', 'contract_amount'), ('payment_amount', 'payments'))
        as m (measure, fact_measure)
),

members as (
    select r.rep_id, l.level, case l.level when 'rep' then r.rep_id else g.group_team_id end as member_id
    from f_reps as r
    join f_rep_groups as g on g.rep_id = r.rep_id
    cross join (values ('rep'), ('team')) as l (level)
),

target_sums as (
    select mb.level, mb.member_id, h.horizon, tg.measure, sum(tg.amount)::double as target
    from f_targets as tg
    join members as mb on mb.rep_id = tg.rep_id
    join horizons as h on tg.month between h.horizon_start and h.horizon_end
    group by all
),

rep_months as (
    -- each rep's sum of each measure per month of the year up to $as_of first (exact decimal
    -- sums); the widest horizon's bounds as constants: the scans skip the row groups outside
    -- the year
    select f.rep_id, f.measure, date_trunc('month', f.day)::date as month, sum(f.value) as value
    from f_measure_facts as f
    where f.day between date_trunc('year', $end::date)::date and $as_of::date
      and f.measure in ('contract_amount', 'payments')
    group by all
),

actuals as (
    -- a horizon is whole months: a fact up to $as_of lies in it when its month does
    select mb.level, mb.member_id, h.horizon, m.measure, sum(f.value)::double as actual
    from members as mb
    join rep_months as f on f.rep_id = mb.rep_id
    join measures as m on m.fact_measure = f.measure
    join horizons as h on f.month between h.horizon_start and h.horizon_end
    group by all
),

grid as (
    select distinct mb.level, mb.member_id, h.horizon, h.horizon_start, h.horizon_end, m.measure
    from members as mb
    cross join horizons as h
    cross join measures as m
),

final as (
    select g.level, g.member_id,
           coalesce((select r.name from f_reps as r where r.rep_id = g.member_id),
                    (select t.name from f_teams as t where t.team_id = g.member_id)) as member_name,
           g.horizon, g.horizon_start, g.horizon_end, g.measure,
           t.target,
           coalesce(a.actual, 0)::double as actual,
           coalesce(a.actual, 0) / nullif(t.target, 0) as achievement
    from grid as g
    left join target_sums as t using (level, member_id, horizon, measure)
    left join actuals as a using (level, member_id, horizon, measure)
)

select * from final
order by level, measure, case horizon when 'month' then 1 when 'quarter' then 2 else 3 end, member_id
