-- team_leaderboard: one row per rep in scope ($level = 'rep') or per group team of
-- f_rep_groups ($level = 'team': one level below the filtered team, sub-teams rolled up)
-- with the measures of [$start, $end] and their ranks: that level's rows of
-- team_leaderboard_levels (which defines them).
-- Parameters: $start, $end, $level + scope. Pages: none (/team asks team_page for both
-- levels at once); the one-level answer the tests state.
with final as (
    select b.* exclude (level)
    from q_team_leaderboard_levels as b
    where b.level = $level
)

select * from final order by member_id
