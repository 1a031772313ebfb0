-- overview_top_reps: one row per rep among the top $limit by contract amount signed in
-- [$start, $end]; competition rank (1, 2, 2, 4); ties listed by rep_id ascending.
-- Reps with no contract in the period are not listed.
-- Parameters: $start, $end, $limit + scope. Pages: / (overview).
with totals as (
    select c.rep_id, sum(c.amount) as contract_amount, count(*) as contracts
    from f_contracts as c
    where c.signed_on between $start and $end
    group by c.rep_id
),

ranked as (
    select rank() over (order by t.contract_amount desc) as rank,
           t.rep_id, r.name as rep_name, tm.name as team_name,
           t.contract_amount::double as contract_amount, t.contracts
    from totals as t
    join f_reps as r on r.rep_id = t.rep_id
    join f_teams as tm on tm.team_id = r.team_id
),

final as (
    select * from ranked order by rank, rep_id limit $limit
)

select * from final
