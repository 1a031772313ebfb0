-- funnel_stage_days: one row per open stage (position order; a stage without stints has
-- stints = 0 and NULL figures): days spent in the stage over the completed stints
-- (exited_at set) that ended in [$start, $end]: count, mean and the quantiles p10, p25,
-- p50 (median), p75, p90 (interpolated). Days are exact (exit − entry in days, with the
-- time of day). A stint still open is left out here (deal health measures it).
-- Parameters: $start, $end + scope. Pages: /funnel (days in stage).
with stints as (
    -- the completed stints with their days are pre-computed (f_stage_stints, sorted by
    -- exited_at); exited_at::date between $start and $end as a range on the column itself,
    -- so that the scan skips the row groups outside the period
    select h.stage, h.days
    from f_stage_stints as h
    where h.exited_at >= $start::date and h.exited_at < $end::date + 1
),

by_stage as (
    select stage, count(*) as stints, avg(days) as mean_days,
           quantile_cont(days, [0.10, 0.25, 0.50, 0.75, 0.90]) as q
    from stints
    group by stage
),

final as (
    select s.stage, s.position, coalesce(b.stints, 0) as stints, b.mean_days,
           b.q[1] as p10_days, b.q[2] as p25_days, b.q[3] as median_days, b.q[4] as p75_days,
           b.q[5] as p90_days
    from f_stages as s
    left join by_stage as b on b.stage = s.stage
    where s.kind = 'open'
)

select * from final order by position
