-- funnel_cohort: one row per group and stage: each rep with opportunities created in
-- [$start, $end] (rep_id set), and everyone (rep_id NULL, is_total); every stage of
-- f_stages in `position` order, zero where none.
-- reached: for an open stage, the cohort's deals that ever reached it. A deal reached the
-- furthest open stage among its stints and its current stage, and every earlier open
-- stage with it (a skipped stage counts as passed); a won deal reached every open stage;
-- every deal reached the first open stage. For a won or lost stage: the deals whose
-- current stage it is (a lost deal also counts for the open stages it reached).
-- conversion_from_previous = reached / reached of the stage before (open and won stages
-- only, by position; NULL for the first stage, for lost stages and when the one before
-- is 0). Outcomes are the data as it stands (current stage), not cut at $end.
-- The cohort of a calendar month, quarter or year (or from its first day on, past the latest
-- creation: this year) is pre-counted per rep, current stage and furthest open position
-- without a filter (f_cohort_counts, empty under a filter); other periods are counted here.
-- Parameters: $start, $end + scope. Pages: /funnel (cohort funnel, rep table).
with known as (
    select cc.rep_id, cc.stage as current_stage, cc.furthest_open_position, cc.deals
    from f_cohort_counts as cc
    where cc.from_day = $start::date
      and (cc.to_day = $end::date or (cc.to_day is null and cc.last_created_on <= $end::date))
),

cohort as (
    -- the cohort's deals per rep, current stage and furthest open position
    select o.rep_id, o.stage as current_stage, o.furthest_open_position, count(*) as deals
    from f_opportunities as o
    -- created_at::date between $start and $end, as a range on the column itself so that the
    -- scan of the date-sorted opportunities skips the row groups outside the period
    where o.created_at >= $start::date and o.created_at < $end::date + 1
      and not exists (select 1 from known)
    group by all
    union all
    select * from known
),

open_bounds as (
    select min(position) as first_open, max(position) as last_open
    from f_stages
    where kind = 'open'
),

furthest as (
    -- the furthest open stage reached: the last open stage for a won deal, else the highest
    -- open position among its stints and current stage (pre-computed by the build:
    -- f_opportunities.furthest_open_position), at least the first open stage. The cohort's
    -- deals counted per rep, current stage and furthest position first: the stages they
    -- reached are then looked up for a few thousand counts, not for every deal
    select c.rep_id, c.current_stage,
           case when cur.kind = 'won' then b.last_open
                else greatest(coalesce(c.furthest_open_position, b.first_open), b.first_open)
           end as furthest_position,
           sum(c.deals) as deals
    from cohort as c
    join f_stages as cur on cur.stage = c.current_stage
    cross join open_bounds as b
    group by 1, 2, 3
),

reached as (
    select f.rep_id, s.stage, sum(f.deals)::bigint as reached, grouping(f.rep_id) = 1 as is_total
    from furthest as f
    join f_stages as s
      on (s.kind = 'open' and s.position <= f.furthest_position)
      or (s.kind <> 'open' and s.stage = f.current_stage)
    group by grouping sets ((f.rep_id, s.stage), (s.stage))
),

groups as (
    select distinct rep_id, false as is_total from cohort
    union all
    select null, true
),

grid as (
    select g.rep_id, g.is_total, s.stage, s.position, s.kind, coalesce(r.reached, 0) as reached
    from groups as g
    cross join f_stages as s
    left join reached as r
      -- (the total's rep_id is NULL on both sides: one equality a hash join takes whole)
      on r.stage = s.stage and r.is_total = g.is_total and r.rep_id is not distinct from g.rep_id
),

final as (
    select gr.rep_id, rp.name as rep_name, gr.is_total, gr.stage, gr.position, gr.kind, gr.reached,
           case when gr.kind <> 'lost' then
               gr.reached / nullif(lag(gr.reached) over (
                   partition by gr.rep_id, gr.is_total, gr.kind = 'lost' order by gr.position), 0)
           end as conversion_from_previous
    from grid as gr
    left join f_reps as rp on rp.rep_id = gr.rep_id
)

select * from final order by is_total desc, rep_id, position
