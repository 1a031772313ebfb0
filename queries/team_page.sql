-- team_page: one row, the sections of the /team page, each a column holding its query's rows
-- column-wise, as a struct of lists (the form of customer_page, unpacked by queries.sections):
-- reps = team_leaderboard with $level = 'rep', teams = with $level = 'team' (by member_id),
-- rep_targets = team_targets with $level = 'rep', team_targets = with $level = 'team', one
-- row per measure and member (by measure, member_id) with each horizon's target, actual and
-- achievement side by side (month_target ... year_achievement: the grid's columns; pivoted
-- here, not per render: 4,000 reps on xl took 3.6 ms of Python). Both levels come from one
-- pass over the period's facts (team_leaderboard_levels, team_targets_levels) instead of one
-- per level.
-- Parameters: $start, $end, $as_of + scope. Pages: /team.
with targets_wide as (
    pivot q_team_targets_levels
    on horizon in ('month', 'quarter', 'year')
    using any_value(target) as target, any_value(actual) as actual, any_value(achievement) as achievement
    group by level, measure, member_id, member_name
),

final as (
    select (select section
            from (select list(columns(*) order by b.member_id)
                  from (select * exclude (level) from q_team_leaderboard_levels where level = 'rep') as b) as section) as reps,
           (select section
            from (select list(columns(*) order by b.member_id)
                  from (select * exclude (level) from q_team_leaderboard_levels where level = 'team') as b) as section) as teams,
           (select section
            from (select list(columns(*) order by t.measure, t.member_id)
                  from (select * exclude (level) from targets_wide where level = 'rep') as t) as section) as rep_targets,
           (select section
            from (select list(columns(*) order by t.measure, t.member_id)
                  from (select * exclude (level) from targets_wide where level = 'team') as t) as section) as team_targets
)

select * from final
