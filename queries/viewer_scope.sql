-- viewer_scope: what a user's data scope (查看权限) lets them see, one row per (kind, id):
-- kind 'rep' for each rep whose book they see, kind 'team' for each team they may pick in
-- the filter bar (a team whose reps, sub-teams included, are all in sight and not none).
-- The one query that reads the base tables reps and teams: it decides the scope that the
-- prelude's f_* relations then apply (queries.scope_of; cached per build by the gateway).
-- Parameters: $viewer_kind (own 本人 | own_and_below 本人及下属 | team 本部门 |
-- team_and_below 本部门及下属部门), $viewer_rep (the user's rep_id, or null),
-- $viewer_teams (explicit teams the scope also covers; with their sub-teams for
-- team_and_below). Pages: none (the gateway, for every request of a signed-in viewer).
with recursive below as (
    -- the linked rep, and for own_and_below everyone under them through manager_rep_id
    select r.rep_id
    from reps as r
    where r.rep_id = $viewer_rep
    union
    select r.rep_id
    from reps as r
    join below as b on r.manager_rep_id = b.rep_id
    where $viewer_kind = 'own_and_below'
),
anchor_teams as (
    select r.team_id
    from reps as r
    where r.rep_id = $viewer_rep and $viewer_kind in ('team', 'team_and_below')
    union
    select unnest($viewer_teams::varchar[]) as team_id
),
teams_seen as (
    select a.team_id
    from anchor_teams as a
    union
    select t.team_id
    from teams as t
    join teams_seen as s on t.parent_team_id = s.team_id
    where $viewer_kind = 'team_and_below'
),
reps_seen as (
    select b.rep_id from below as b
    union
    select r.rep_id from reps as r where r.team_id in (select s.team_id from teams_seen as s)
),
subtree as (
    -- every team with each team at or below it
    select t.team_id as root_id, t.team_id
    from teams as t
    union
    select s.root_id, t.team_id
    from teams as t
    join subtree as s on t.parent_team_id = s.team_id
),
teams_whole as (
    select s.root_id as team_id
    from subtree as s
    join reps as r on r.team_id = s.team_id
    group by s.root_id
    having bool_and(r.rep_id in (select rep_id from reps_seen))
),

final as (
    select 'rep' as kind, rep_id as id from reps_seen
    union all
    select 'team', team_id from teams_whole
)

select * from final order by kind, id
