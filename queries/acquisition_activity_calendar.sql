-- acquisition_activity_calendar: one row per day of [$start, $end] (days without
-- follow-up as 0): follow-ups (f_activities: by reps in scope) on that day, of kind
-- $kind ('' = every kind), with the ISO week (its Monday) and weekday (1 = Monday).
-- Parameters: $start, $end, $kind + scope. Pages: /acquisition (calendar heatmap).
with days as (
    select unnest(generate_series($start::date, $end::date, interval 1 day))::date as day
),

counted as (
    select a.occurred_at::date as day, count(*) as activities
    from f_activities as a
    -- the days [$start, $end] as moments (occurred_at::date between them): the date-sorted
    -- follow-ups skip the row groups outside
    where a.occurred_at >= $start::date and a.occurred_at < $end::date + 1
      and ($kind = '' or a.kind = $kind)
    group by 1
),

final as (
    select d.day, date_trunc('week', d.day)::date as week, isodow(d.day) as weekday,
           coalesce(c.activities, 0) as activities
    from days as d
    left join counted as c using (day)
)

select * from final order by day
