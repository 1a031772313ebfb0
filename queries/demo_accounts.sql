-- demo_accounts: one row: whom the demo sign-ins are linked to (the demo company only).
-- team_id: the first top-level team; manager_rep_id: its head (a rep of that team without
-- a manager); rep_rep_id: a rep with a typical book: among the active reps of the team's
-- sub-teams, the one at the median number of owned customers (ties by rep_id); with the
-- team's and the two reps' names.
-- Parameters: none (run under everyone). Pages: none (app.main, first run of the demo).
with top_team as (
    select t.team_id
    from f_teams as t
    where t.parent_team_id is null
    order by t.team_id
    limit 1
),
head as (
    select r.rep_id
    from f_reps as r
    where r.team_id = (select team_id from top_team) and r.manager_rep_id is null
    order by r.rep_id
    limit 1
),
books as (
    select r.rep_id, count(c.customer_id) as customers
    from f_reps as r
    join f_teams as t on t.team_id = r.team_id
    left join f_customers as c on c.owner_rep_id = r.rep_id
    where t.parent_team_id = (select team_id from top_team) and r.active
    group by r.rep_id
),
ranked as (
    select rep_id, row_number() over (order by customers, rep_id) as position, count(*) over () as total
    from books
),

picked as (
    select (select team_id from top_team) as team_id,
           (select rep_id from head) as manager_rep_id,
           (select rep_id from ranked where position = (total + 1) // 2) as rep_rep_id
),

final as (
    select p.team_id, t.name as team_name, p.manager_rep_id, m.name as manager_name,
           p.rep_rep_id, r.name as rep_name
    from picked as p
    left join f_teams as t on t.team_id = p.team_id
    left join f_reps as m on m.rep_id = p.manager_rep_id
    left join f_reps as r on r.rep_id = p.rep_rep_id
)

select * from final
