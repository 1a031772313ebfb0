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
-- Without a filter or a narrower scope, or under one known category alone, the complete months
-- and their band statistics are read per build from f_course_months (s_course_months: every
-- series and month, the rule above, per category too) and the month to date from
-- f_measure_days (the running totals per rep and day of the month); under another filter
-- they are worked out here from f_measure_months and the facts.
-- Parameters: $as_of, $alert_band_k, $alert_mtd_min_days + scope ($category_mask). Pages: /alerts, /.
with bounds as (
    select date_trunc('month', $as_of::date + 1)::date - interval 1 month as latest,
           date_trunc('month', $as_of::date + 1)::date as current_month,
           -- days elapsed in the current month (0 when as_of closes a month)
           date_diff('day', date_trunc('month', $as_of::date + 1)::date, $as_of::date + 1) as elapsed,
           date_diff('day', date_trunc('month', $as_of::date + 1)::date,
                     (date_trunc('month', $as_of::date + 1) + interval 1 month)::date) as month_days
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

rep_facts as (
    -- per measure, month and rep (rep_id null: a pool customer's creation): value_to_date, the
    -- facts of the days of the month up to as_of's day of the month, for the month in progress
    -- and the same days a year earlier (within that month). Without a filter: the running
    -- total on the last day with facts up to that day (f_measure_days).
    select d.measure, d.month, d.rep_id, null::decimal(38, 2) as value,
           d.to_day[len([x for x in d.days
                         if x <= date_diff('day', date_trunc('month', $as_of::date + 1)::date, $as_of::date + 1)])]
               as value_to_date
    from f_measure_days as d
    where d.month = date_trunc('month', $as_of::date + 1)::date
       or d.month = (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
    union all
    -- under a filter, from the facts, and value: the whole month, for the complete months of new
    -- customers (below). Every bound is written out from $as_of: a constant reaches the
    -- date-sorted scans (contracts, lines under a category filter, payments); a subquery does not.
    select f.measure, date_trunc('month', f.day)::date as month, f.rep_id, sum(f.value) as value,
           sum(f.value) filter (where f.day >= date_trunc('month', $as_of::date + 1)::date
                                   or (f.day >= (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
                                       and f.day < (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
                                                   + date_diff('day', date_trunc('month', $as_of::date + 1)::date,
                                                               $as_of::date + 1)::integer)) as value_to_date
    from f_measure_facts as f
    where not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
               and len($ctypes) = 0 and len($sources) = 0
               and (len($categories) = 0 or (len($categories) = 1 and $category_mask <> 0)))
      and f.measure in ('contract_amount', 'payments', 'new_customers')
      and ((f.day >= date_trunc('month', $as_of::date + 1)::date and f.day <= $as_of::date)
           or (f.day >= (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
               and f.day < (date_trunc('month', $as_of::date + 1) - interval 11 month)::date
               and f.day < (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
                           + date_diff('day', date_trunc('month', $as_of::date + 1)::date,
                                       $as_of::date + 1)::integer)
           or (f.measure = 'new_customers'
               and f.day >= (date_trunc('month', $as_of::date + 1) - interval 30 month)::date
               and f.day < date_trunc('month', $as_of::date + 1)::date))
    group by all
),

to_date as (
    -- per series: the month in progress to date and the same days a year earlier
    select subject_type, subject_id, measure,
           sum(value_to_date) filter (where month = date_trunc('month', $as_of::date + 1)::date) as value_to_date,
           sum(value_to_date) filter (where month < date_trunc('month', $as_of::date + 1)::date) as base_to_date
    from (
        select 'company' as subject_type, 'company' as subject_id, f.measure, f.month, f.value_to_date
        from rep_facts as f
        union all
        select m.subject_type, m.subject_id, f.measure, f.month, f.value_to_date
        from rep_facts as f
        join members as m on m.rep_id = f.rep_id
    ) as x
    where month = date_trunc('month', $as_of::date + 1)::date
       or month = (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
    group by all
),

-- under a filter: the complete months worked out from f_measure_months and the new customers'
-- facts, back to the oldest month a judged point reads (the earliest judged month, latest − 5,
-- takes the ratios of the twelve months before it, each against the month a year earlier)
rep_months as (
    select mm.measure, mm.month, mm.rep_id, mm.value
    from f_measure_months as mm
    where not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
               and len($ctypes) = 0 and len($sources) = 0
               and (len($categories) = 0 or (len($categories) = 1 and $category_mask <> 0)))
      and mm.month >= (date_trunc('month', $as_of::date + 1) - interval 30 month)::date
      and mm.month < date_trunc('month', $as_of::date + 1)::date
    union all
    select f.measure, f.month, f.rep_id, f.value
    from rep_facts as f
    where not (len($teams) = 0 and len($reps) = 0 and $scope_all and len($regions) = 0
               and len($ctypes) = 0 and len($sources) = 0
               and (len($categories) = 0 or (len($categories) = 1 and $category_mask <> 0)))
      and f.measure = 'new_customers'
      and f.month >= (date_trunc('month', $as_of::date + 1) - interval 30 month)::date
      and f.month < date_trunc('month', $as_of::date + 1)::date
),

monthly as (
    select 'company' as subject_type, 'company' as subject_id, null::varchar as subject_name,
           f.measure, f.month, sum(f.value) as value
    from rep_months as f
    group by all
    union all
    select m.subject_type, m.subject_id, m.subject_name, f.measure, f.month, sum(f.value)
    from rep_months as f
    join members as m on m.rep_id = f.rep_id
    group by all
),

grid as (
    -- every month of every series (each numbered), empty months as 0
    select s.*, mo.month, coalesce(m.value, 0) as value
    from (select s.*, row_number() over (order by s.subject_type, s.subject_id, s.measure) as series_id
          from (select distinct subject_type, subject_id, subject_name, measure from monthly) as s) as s
    cross join (select unnest(generate_series((select latest from bounds) - interval 29 month,
                                              (select current_month from bounds), interval 1 month))::date as month
               ) as mo
    left join monthly as m
      on m.subject_type = s.subject_type and m.subject_id = s.subject_id
     and m.measure = s.measure and m.month = mo.month
),

history as (
    -- the ratios above 0 of the twelve months before each month
    select y.*, list(y.ratio) filter (where y.ratio > 0) over (
               partition by y.series_id order by y.month rows between 12 preceding and 1 preceding) as ratios
    from (select g.*, lag(g.value, 12, 0) over w as base, g.value / nullif(lag(g.value, 12) over w, 0) as ratio
          from grid as g
          window w as (partition by g.series_id order by g.month)) as y
),

course as (
    -- each series' months from latest − 11 to the current month: value (a complete month's),
    -- base (a year earlier) and the band statistics (ratios, trend, mad) of the twelve months before
    select cm.series_id, cm.subject_type, cm.subject_id, cm.subject_name, cm.measure, cm.month, cm.value,
           cm.base, cm.ratios, cm.trend, cm.mad
    from f_course_months as cm
    where cm.month >= (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
      and cm.month <= date_trunc('month', $as_of::date + 1)::date
    union all
    select l.series_id, l.subject_type, l.subject_id, l.subject_name, l.measure, l.month, l.value, l.base,
           coalesce(len(l.log_ratios), 0), list_median(l.log_ratios),
           list_median([abs(x - list_median(l.log_ratios)) for x in l.log_ratios])
    from (select h.*, [ln(r) for r in h.ratios] as log_ratios from history as h) as l
    where l.month >= (date_trunc('month', $as_of::date + 1) - interval 12 month)::date
),

points as (
    -- the month in progress: its value to date, judged against the same days a year earlier
    select c.* replace (case when c.month = b.current_month then coalesce(t.value_to_date, 0)
                             else c.value end as value),
           c.month = b.current_month as partial,
           case when c.month = b.current_month then coalesce(t.base_to_date, 0) else c.base end as judged_base,
           -- a part of a month is noisier than a whole one: its spread widens by
           -- √(days in the month / days elapsed)
           c.mad * case when c.month = b.current_month then sqrt(b.month_days / b.elapsed) else 1 end as judged_mad
    from course as c
    cross join bounds as b
    left join to_date as t
      on t.subject_type = c.subject_type and t.subject_id = c.subject_id and t.measure = c.measure
),

bands as (
    -- the points judged: the six latest complete months and the month to date, whose whole
    -- month's band low (low_month) says what the month still needs
    select p.*,
           p.judged_base * exp(p.trend) as expected,
           p.judged_base * exp(p.trend - $alert_band_k * 1.4826 * p.judged_mad) as band_low,
           p.judged_base * exp(p.trend + $alert_band_k * 1.4826 * p.judged_mad) as band_high,
           -- a count is never judged finer than its own chance noise (Poisson: ± k × √expected)
           case when p.measure = 'new_customers' then $alert_band_k * sqrt(p.judged_base * exp(p.trend))
                else 0 end as noise,
           p.base * exp(p.trend - $alert_band_k * 1.4826 * p.mad) as low_month
    from points as p
    cross join bounds as b
    where (p.month between b.latest - interval 5 month and b.latest
           or (p.partial and b.elapsed >= $alert_mtd_min_days))
      and p.ratios >= 8 and p.base > 0 and p.judged_base > 0
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
    -- the first month of the unbroken run of out-of-band points in the same direction ending at
    -- the point shown: after the latest judged point up to it in another direction (or none)
    select series_id, min(month) filter (where broken is null or month > broken) as since
    from (
        select r.series_id, r.month,
               max(r.month) filter (where r.direction is distinct from l.direction)
                   over (partition by r.series_id) as broken
        from flagged as r
        join latest_out as l on l.series_id = r.series_id and r.month <= l.month
    ) as r
    group by all
),

sparks as (
    select p.series_id, list(p.value order by p.month) as sparkline
    from points as p
    where p.series_id in (select series_id from latest_out)
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
