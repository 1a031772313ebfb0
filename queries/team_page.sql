-- team_page: one row, the sections of the /team page, each a column holding its query's rows
-- column-wise, as a struct of lists (the form of customer_page, unpacked by queries.sections):
-- reps = team_leaderboard with $level = 'rep', teams = with $level = 'team' (by member_id),
-- rep_targets = team_targets with $level = 'rep', team_targets = with $level = 'team' (by
-- measure, horizon, member_id). Both levels come from one pass over the period's facts
-- (team_leaderboard_levels, team_targets_levels) instead of one per level.
-- Parameters: $start, $end, $as_of + scope. Pages: /team.
with final as (
    select (select section
            from (select list(columns(*) order by b.member_id)
                  from (select * exclude (level) from q_team_leaderboard_levels where level = 'rep') as b) as section) as reps,
           (select section
            from (select list(columns(*) order by b.member_id)
                  from (select * exclude (level) from q_team_leaderboard_levels where level = 'team') as b) as section) as teams,
           (select section
            from (select list(columns(*) order by t.measure, case t.horizon when 'month' then 1 when 'quarter' then 2 else 3 end,
                                        t.member_id)
                  from (select * exclude (level) from q_team_targets_levels where level = 'rep') as t) as section) as rep_targets,
           (select section
            from (select list(columns(*) order by t.measure, case t.horizon when 'month' then 1 when 'quarter' then 2 else 3 end,
                                        t.member_id)
                  from (select * exclude (level) from q_team_targets_levels where level = 'team') as t) as section) as team_targets
)

select * from final
