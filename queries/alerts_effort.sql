-- alerts_effort: one row per active rep whose follow-ups dropped sharply against their own
-- usual rate, and per rep with many customers about to fall back to the lead pool.
-- Follow-ups (f_activities by occurred_at, counted per rep and day: f_activity_days):
-- recent = the rep's in the 30 days up to $as_of;
-- usual = theirs in the 180 days before those, per 30 days, scaled by how the whole
-- scope's follow-ups moved between the two windows (so a holiday month that is slow for
-- everyone is not a drop): usual = rep's 180 days / 6 × (scope's recent 30 days / scope's
-- 180 days / 6). followups_drop = recent < limit = least((1 − $alert_effort_drop) × usual,
-- usual − $alert_band_k × √usual), for a rep with at least 10 follow-ups in the 180 days
-- (hired before them): a count is never judged finer than its own chance noise (Poisson:
-- ± k × √usual, the rule of alerts_revenue_course for new customers), so 17 against a usual
-- 29 is chance while 210 against 420 is not; severity 3 when under half of that limit, else
-- 2; expected_low = the limit; impact = usual − recent; since = the first day of the 30;
-- sparkline = follow-ups per 30 days over the 210 days, oldest first.
-- pool_returns: a rep with at least $alert_pool_bulk of their customers due back in the
-- pool in the next $window days (pool_due with the pool limit $limit_days); severity 2,
-- figure = that count, since = the earliest due date, impact = the count.
-- Parameters: $as_of, $alert_effort_drop, $alert_band_k, $alert_pool_bulk, $limit_days, $window + scope.
-- Pages: /alerts, / (what changed).
with windows as (
    -- follow-ups per 30-day window over the 210 days up to $as_of (back 0 = the last 30 days;
    -- the follow-ups counted per rep and day, f_activity_days): recent, the last 30 days;
    -- before, the 180 days before them; sparkline, the seven windows, oldest first
    select a.rep_id, coalesce(sum(a.n) filter (where a.back = 0), 0) as recent,
           coalesce(sum(a.n) filter (where a.back > 0), 0) as before,
           list_value(coalesce(sum(a.n) filter (where a.back = 6), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 5), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 4), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 3), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 2), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 1), 0)::double,
                      coalesce(sum(a.n) filter (where a.back = 0), 0)::double) as sparkline
    from (select ad.rep_id, date_diff('day', ad.day, $as_of::date) // 30 as back, ad.n
          from f_activity_days as ad
          where ad.day >= $as_of::date - 209 and ad.day <= $as_of::date) as a
    group by a.rep_id
),

movement as (
    select sum(recent) / nullif(sum(before) / 6, 0) as factor from windows
),

judged as (
    select u.*, least((1 - $alert_effort_drop) * u.usual, u.usual - $alert_band_k * sqrt(u.usual)) as limit
    from (select w.*, w.before / 6 * m.factor as usual from windows as w cross join movement as m) as u
),

drops as (
    select 'followups_drop' as rule,
           case when j.recent < j.limit / 2 then 3 else 2 end as severity,
           'rep' as subject_type, r.rep_id as subject_id, r.name as subject_name, r.rep_id, r.name as rep_name,
           'follow_ups' as measure, j.recent::double as figure, j.usual::double as expected,
           j.limit::double as expected_low, null::double as expected_high,
           $as_of::date - 29 as since, (j.usual - j.recent)::double as impact, j.sparkline
    from judged as j
    join f_reps as r on r.rep_id = j.rep_id
    where r.active and j.before >= 10
      and (r.hired_on is null or r.hired_on <= $as_of::date - 210)
      and j.recent < j.limit
),

due as (
    select p.rep_id, any_value(p.rep_name) as rep_name, count(*) as customers, min(p.due_on) as first_due
    from q_pool_due as p
    group by p.rep_id
),

pool_rows as (
    select 'pool_returns' as rule, 2 as severity, 'rep' as subject_type, d.rep_id as subject_id,
           d.rep_name as subject_name, d.rep_id, d.rep_name, 'pool_due' as measure,
           d.customers::double as figure, null::double as expected, null::double as expected_low,
           $alert_pool_bulk::double as expected_high, d.first_due as since, d.customers::double as impact
    from due as d
    where d.customers >= $alert_pool_bulk
),

final as (
    select 'effort' as kind, *
    from (select * from drops union all by name select * from pool_rows)
)

select * from final order by severity desc, impact desc, subject_id
