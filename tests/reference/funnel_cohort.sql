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
-- Parameters: $start, $end + scope. Pages: /funnel (cohort funnel, rep table).
with cohort as (
    select o.opportunity_id, o.rep_id, o.stage as current_stage
    from f_opportunities as o
    where o.created_at::date between $start and $end
),

open_bounds as (
    select min(position) as first_open, max(position) as last_open
    from f_stages
    where kind = 'open'
),

touched as (
    -- the open stages a deal was seen in: its stints and its current stage
    select h.opportunity_id, st.position
    from f_stage_history as h
    join f_stages as st on st.stage = h.stage and st.kind = 'open'
    where h.opportunity_id in (select opportunity_id from cohort)
    union all
    select c.opportunity_id, st.position
    from cohort as c
    join f_stages as st on st.stage = c.current_stage and st.kind = 'open'
),

furthest as (
    select c.opportunity_id, c.rep_id, c.current_stage,
           case when cur.kind = 'won' then b.last_open
                else greatest(coalesce(max(t.position), b.first_open), b.first_open)
           end as furthest_position
    from cohort as c
    join f_stages as cur on cur.stage = c.current_stage
    cross join open_bounds as b
    left join touched as t on t.opportunity_id = c.opportunity_id
    group by c.opportunity_id, c.rep_id, c.current_stage, cur.kind, b.first_open, b.last_open
),

reached as (
    select f.rep_id, s.stage, count(*) as reached, grouping(f.rep_id) = 1 as is_total
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
      on r.stage = s.stage and r.is_total = g.is_total and (g.is_total or r.rep_id = g.rep_id)
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
