-- team_targets: one row per rep in scope ($level = 'rep') or group team of f_rep_groups
-- ($level = 'team'), horizon and measure: the month, quarter and year containing $end, for
-- contract_amount and payment_amount, with target, actual and achievement: that level's
-- rows of team_targets_levels (which defines them).
-- Parameters: $end, $as_of, $level + scope. Pages: none (/team asks team_page for both
-- levels at once); the one-level answer the tests state.
with final as (
    select t.* exclude (level)
    from q_team_targets_levels as t
    where t.level = $level
)

select * from final
order by measure, case horizon when 'month' then 1 when 'quarter' then 2 else 3 end, member_id
