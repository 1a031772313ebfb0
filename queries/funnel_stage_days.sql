-- funnel_stage_days: one row per open stage (position order; a stage without stints has
-- stints = 0 and NULL figures): days spent in the stage over the completed stints
-- (exited_at set) that ended in [$start, $end]: count, mean and the quantiles p10, p25,
-- p50 (median), p75, p90 (interpolated). Days are exact (exit − entry in days, with the
-- time of day). A stint still open is left out here (deal health measures it).
-- The figures of a calendar month, quarter or year (or from its first day on, past the
-- latest exit: this year, this month) are pre-computed without a filter (f_stage_days, empty
-- under a filter); other periods are worked out from the stints.
-- Parameters: $start, $end + scope. Pages: /funnel (days in stage).
with known as (
    select sd.stage, sd.stints, sd.mean_days, sd.p10_days, sd.p25_days, sd.median_days, sd.p75_days, sd.p90_days
    from f_stage_days as sd
    where sd.from_day = $start::date
      and (sd.to_day = $end::date or (sd.to_day is null and sd.last_exit_on <= $end::date))
),

stints as (
    -- the completed stints with their days are pre-computed (f_stage_stints, sorted by rep,
    -- then exited_at); exited_at::date between $start and $end as a range on the column
    -- itself, so that the scan can skip the row groups outside the period
    select h.stage, h.days
    from f_stage_stints as h
    where h.exited_at >= $start::date and h.exited_at < $end::date + 1
      and not exists (select 1 from known)
),

by_stage as (
    select stage, stints, mean_days, q[1] as p10_days, q[2] as p25_days, q[3] as median_days, q[4] as p75_days,
           q[5] as p90_days
    from (select stage, count(*) as stints, avg(days) as mean_days,
                 quantile_cont(days, [0.10, 0.25, 0.50, 0.75, 0.90]) as q
          from stints
          group by stage)
    union all
    select * from known
),

final as (
    select s.stage, s.position, coalesce(b.stints, 0) as stints, b.mean_days,
           b.p10_days, b.p25_days, b.median_days, b.p75_days, b.p90_days
    from f_stages as s
    left join by_stage as b on b.stage = s.stage
    where s.kind = 'open'
)

select * from final order by position
