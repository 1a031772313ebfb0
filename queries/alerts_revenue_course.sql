-- alerts_revenue_course: one row per (subject, measure) whose latest complete month, or
-- whose month to date, falls outside the band expected from its own history.
-- Subjects: the company, every team of f_teams (its reps and those of its sub-teams) and
-- every active rep of f_reps. Measures (f_measure_facts): contract_amount, payments,
-- new_customers (a rep's follow-ups are judged by alerts_effort).
-- Rule (shown on /alerts): expected = the same month a year earlier × the median of the
-- twelve year-on-year ratios before the month (season from last year, trend from the last
-- twelve months); band = the same month a year earlier × exp(median ± $alert_band_k ×
-- 1.4826 × MAD) of the logarithms of those ratios (ratios multiply, so the band is
-- symmetric in the log: ×/÷ the same factor, never below 0); for new customers (a count)
-- the band is at least expected ± $alert_band_k × √expected, the count's chance noise.
-- A ratio needs both months above 0; a series needs 8 ratios and a base above 0.
-- Month to date (from day $alert_mtd_min_days of the month on): judged the same way against
-- the same days of the month a year earlier (1-20 June against 1-20 June), so the
-- month's own shape (618, the quarter-end push) is in the base; a part of a month varies
-- more than a whole one, so its MAD is widened by √(days in the month / days elapsed).
-- Months judged: the latest complete month (the month of $as_of when $as_of is its last
-- day, else the month before) and the five before it, plus the month to date. A warning
-- is raised when the latest complete month or the month to date is out of band; it
-- shows the latest out-of-band point; since = the first month of the unbroken run of
-- out-of-band points in the same direction ending there. Persistence: one month alone can
-- be a blip, so the run must hold two judged points in a row (the month to date and the
-- latest complete month, or that month and the one before), unless the point is far out
-- (severity 3, below); an opportunity (above) always needs two. gap = what it would take to get
-- back: for below, band low − figure (for the month to date: the whole month's band low
-- − the month to date, what the rest of the month must bring); for above, figure − high.
-- Severity: 3 below the low end by more than the band's spread again (under low²/expected),
-- 2 below, 1 above (an opportunity rather than a risk).
-- Parameters: $as_of, $alert_band_k, $alert_mtd_min_days + scope. Pages: /alerts, /.
with bounds as (
    select date_trunc('month', $as_of::date + 1)::date - interval 1 month as latest,
           date_trunc('month', $as_of::date + 1)::date as current_month,
           -- days elapsed in the current month (0 when as_of closes a month)
           date_diff('day', date_trunc('month', $as_of::date + 1)::date, $as_of::date + 1) as elapsed,
           date_diff('day', date_trunc('month', $as_of::date + 1)::date,
                     (date_trunc('month', $as_of::date + 1) + interval 1 month)::date) as month_days
),

months as (
    -- back to the oldest month a judged point reads: the earliest judged month (latest − 5)
    -- takes the ratios of the twelve months before it, each against the month a year earlier
    select unnest(generate_series((select latest from bounds) - interval 29 month,
                                  (select current_month from bounds), interval 1 month))::date as month
),

members as (
    -- subject -> the reps whose facts it adds up (the company adds up every fact)
    select 'team' as subject_type, tm.team_id as subject_id, tm.team_name as subject_name, tm.rep_id
    from q_alerts_team_members as tm
    union all
    select 'rep', r.rep_id, r.name, r.rep_id
    from f_reps as r
    where r.active
),

facts as (
    -- per rep, measure and month (rep_id null: a pool customer's creation); value_to_date:
    -- the facts on the days of the month up to as_of's day of the month (the same days a
    -- year earlier are the month to date's base; only those two months' is read). The
    -- complete months of contract_amount and payments are added up per build
    -- (f_measure_months); the month in progress, the same days a year earlier and new
    -- customers come from the facts. Every bound is written out from $as_of: a constant
    -- reaches the date-sorted scans (contracts, lines under a category filter, payments);
    -- a subquery does not.
    select measure, month, rep_id, sum(value) as value, sum(value_to_date) as value_to_date
    from (
        select mm.measure, mm.month, mm.rep_id, mm.value, null as value_to_date
        from f_measure_months as mm
        where mm.month >= (date_trunc('month', $as_of::date + 1) - interval 30 month)::date
          and mm.month < date_trunc('month', $as_of::date + 1)::date
        union all
        -- the month in progress
        select f.measure, date_trunc('month', f.day)::date, f.rep_id, f.value, f.value
        from f_measure_facts as f
        where f.measure in ('contract_amount', 'payments', 'new_customers')
          and f.day >= date_trunc('month', $as_of::date + 1)::date
          and f.day <= $as_of::date
        union all
        -- its days a year earlier (their whole month is in f_measure_months)
        select f.measure, date_trunc('month', f.day)::date, f.rep_id, null, f.value
        from f_measure_facts as f
        where f.measure in ('contract_amount', 'payments')
          and f.day >= (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
          and f.day < (date_trunc('month', $as_of::date + 1) - interval 11 month)::date
          and f.day < (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
                      + date_diff('day', date_trunc('month', $as_of::date + 1)::date, $as_of::date + 1)::integer
        union all
        -- new customers of the complete months
        select f.measure, date_trunc('month', f.day)::date, f.rep_id, f.value,
               case when date_diff('day', date_trunc('month', f.day)::date, f.day) < (select elapsed from bounds)
                    then f.value end
        from f_measure_facts as f
        where f.measure = 'new_customers'
          and f.day >= (date_trunc('month', $as_of::date + 1) - interval 30 month)::date
          and f.day < date_trunc('month', $as_of::date + 1)::date
    ) as x
    group by all
),

monthly as (
    select 'company' as subject_type, 'company' as subject_id, null::varchar as subject_name,
           f.measure, f.month, sum(f.value) as value, sum(f.value_to_date) as value_to_date
    from facts as f
    group by all
    union all
    select m.subject_type, m.subject_id, m.subject_name, f.measure, f.month, sum(f.value),
           sum(f.value_to_date)
    from facts as f
    join members as m on m.rep_id = f.rep_id
    group by all
),

series as (
    -- each series numbered: the steps below join and partition on the number
    select s.*, row_number() over (order by s.subject_type, s.subject_id, s.measure) as series_id
    from (select distinct subject_type, subject_id, subject_name, measure from monthly) as s
),

grid as (
    -- every month of every series, empty months as 0
    select s.*, mo.month, coalesce(m.value, 0) as value, coalesce(m.value_to_date, 0) as value_to_date
    from series as s
    cross join months as mo
    left join monthly as m
      on m.subject_type = s.subject_type and m.subject_id = s.subject_id
     and m.measure = s.measure and m.month = mo.month
),

yoy as (
    select g.*, lag(g.value, 12) over w as base, lag(g.value_to_date, 12) over w as base_to_date,
           g.value / nullif(lag(g.value, 12) over w, 0) as ratio
    from grid as g
    window w as (partition by g.series_id order by g.month)
),

judged as (
    -- the points judged: the six latest complete months and the month to date
    select y.*, y.month = b.current_month as partial
    from yoy as y
    cross join bounds as b
    where y.month between b.latest - interval 5 month and b.latest
       or (y.month = b.current_month and b.elapsed >= $alert_mtd_min_days)
),

history as (
    select j.series_id, j.month, ln(h.ratio) as log_ratio
    from judged as j
    join yoy as h
      on h.series_id = j.series_id
     and h.month between j.month - interval 12 month and j.month - interval 1 month
    where h.ratio > 0
),

trend as (
    select series_id, month, median(log_ratio) as trend, count(*) as ratios
    from history
    group by all
),

spread as (
    select h.series_id, h.month, t.trend, t.ratios,
           median(abs(h.log_ratio - t.trend)) as mad
    from history as h
    join trend as t using (series_id, month)
    group by all
),

banded as (
    -- the month to date is judged against the same days a year earlier; its whole
    -- month's band low (low_month) says what the month still needs
    select j.* replace (case when j.partial then j.value_to_date else j.value end as value),
           case when j.partial then j.base_to_date else j.base end as judged_base,
           s.trend,
           -- a part of a month is noisier than a whole one: its spread widens by
           -- √(days in the month / days elapsed)
           s.mad * case when j.partial then sqrt(b.month_days / b.elapsed) else 1 end as mad,
           j.base * exp(s.trend - $alert_band_k * 1.4826 * s.mad) as low_month
    from judged as j
    join spread as s using (series_id, month)
    cross join bounds as b
    where s.ratios >= 8 and j.base > 0
),

bands as (
    select b.*, b.judged_base * exp(b.trend) as expected,
           b.judged_base * exp(b.trend - $alert_band_k * 1.4826 * b.mad) as band_low,
           b.judged_base * exp(b.trend + $alert_band_k * 1.4826 * b.mad) as band_high,
           -- a count is never judged finer than its own chance noise (Poisson: ± k × √expected)
           case when b.measure = 'new_customers' then $alert_band_k * sqrt(b.judged_base * exp(b.trend))
                else 0 end as noise
    from banded as b
    where b.judged_base > 0
),

flagged as (
    select b.* exclude (band_low, band_high, noise),
           least(b.band_low, b.expected - b.noise) as low,
           greatest(b.band_high, b.expected + b.noise) as high,
           case when b.value < least(b.band_low, b.expected - b.noise) then 'below'
                when b.value > greatest(b.band_high, b.expected + b.noise) then 'above'
           end as direction
    from bands as b
),

latest_out as (
    -- the most recent judged point, when it is out of band (else the latest complete
    -- month, when that one is): a recovering month to date does not hide last month
    select r.*
    from flagged as r
    where r.direction is not null
      and r.month >= (select latest from bounds)
    qualify row_number() over (partition by r.series_id order by r.month desc) = 1
),

since as (
    select l.series_id, min(r.month) as since
    from latest_out as l
    join flagged as r
      on r.series_id = l.series_id
     and r.month <= l.month
     and r.direction = l.direction
     and not exists (
         select 1 from flagged as x
         where x.series_id = l.series_id
           and x.month > r.month and x.month < l.month
           and x.direction is distinct from l.direction
     )
    group by all
),

sparks as (
    select series_id, list(value order by month) as sparkline
    from grid
    where month >= (select latest from bounds) - interval 11 month
    group by all
),

persistent as (
    -- two judged points in a row out of band (since before the point shown), or one far below
    select l.*, s.since
    from latest_out as l
    join since as s using (series_id)
    where s.since < l.month
       or (l.direction = 'below' and l.value < l.low * l.low / nullif(l.expected, 0))
),

final as (
    select 'revenue_course' as kind,
           case when l.direction = 'above' then 'course_above' else 'course_below' end as rule,
           case when l.direction = 'above' then 1
                when l.value < l.low * l.low / nullif(l.expected, 0) then 3
                else 2 end as severity,
           l.subject_type, l.subject_id, l.subject_name,
           case when l.subject_type = 'rep' then l.subject_id end as rep_id,
           case when l.subject_type = 'rep' then l.subject_name end as rep_name,
           l.measure, l.month as period_start, l.partial as month_to_date,
           l.value::double as figure, l.expected::double as expected,
           l.low::double as expected_low, l.high::double as expected_high,
           l.since,
           case when l.direction = 'above' then l.value - l.high
                else (case when l.partial then l.low_month else l.low end) - l.value end::double as gap,
           abs(l.value - l.expected)::double as impact,
           sp.sparkline
    from persistent as l
    join sparks as sp using (series_id)
)

select * from final order by severity desc, impact desc, subject_type, subject_id, measure
