-- alerts_team_members: one row per team of f_teams and rep of f_reps counted in it: the
-- team's own reps and those of its sub-teams (at any depth). A team without reps in scope
-- has no row.
-- Parameters: scope. Pages: /alerts (through alerts_revenue_course, alerts_collection).
with recursive descendants as (
    select t.team_id as root_id, t.team_id
    from f_teams as t
    union all
    select d.root_id, child.team_id
    from f_teams as child
    join descendants as d on child.parent_team_id = d.team_id
),

final as (
    select d.root_id as team_id, t.name as team_name, r.rep_id
    from descendants as d
    join f_teams as t on t.team_id = d.root_id
    join f_reps as r on r.team_id = d.team_id
)

select * from final order by team_id, rep_id
