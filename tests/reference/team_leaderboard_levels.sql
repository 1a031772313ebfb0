-- team_leaderboard_levels: one row per rep in scope (level 'rep') and one per group team of
-- f_rep_groups (level 'team': one level below the filtered team, sub-teams rolled up), both
-- from one pass over the facts, with the measures of [$start, $end]: contract amount,
-- payments, contracts, new customers (owned by the rep, created in the period), follow-ups
-- (activities), and the win rate of the opportunities closed in the period (won / (won +
-- lost) by the kind of their current stage; NULL when none closed). Each measure has its
-- competition rank within the level (1, 2, 2, 4; the largest first); the win rate's rank is
-- NULL where the rate is. Reps without activity are listed with zeros (they rank last).
-- Lists show ties by id ascending.
-- Parameters: $start, $end + scope. Pages: /team (leaderboards, through team_page), and
-- team_leaderboard (one level).
with members as (
    select r.rep_id, l.level, case l.level when 'rep' then r.rep_id else g.group_team_id end as member_id
    from f_reps as r
    join f_rep_groups as g on g.rep_id = r.rep_id
    cross join (values ('rep'), ('team')) as l (level)
),

rep_sums as (
    -- each rep's sum of each measure first (money as exact decimal sums), then their
    -- members' sums: a join of a few thousand rows instead of one per fact. The rows of
    -- f_measure_facts read from their own relations where that is cheaper: the contract
    -- amount and the contracts in one read of f_contracts (with a category filter it adds
    -- up the period's lines once, not twice), the follow-ups as a range on occurred_at (the
    -- scan of the date-sorted activities skips the row groups outside the period)
    select c.rep_id, unnest(['contract_amount', 'contracts']) as measure,
           unnest([sum(c.amount), count(*)::decimal(38, 2)]) as value
    from f_contracts as c
    where c.signed_on between $start and $end
    group by c.rep_id
    union all
    select a.rep_id, 'follow_ups', count(*)
    from f_activities as a
    where a.occurred_at >= $start::date and a.occurred_at < $end::date + 1
    group by a.rep_id
    union all
    select f.rep_id, f.measure, sum(f.value)
    from f_measure_facts as f
    where f.day between $start and $end
      and f.measure in ('payments', 'new_customers')
    group by f.rep_id, f.measure
),

sums as (
    select m.level, m.member_id,
           -- money summed as doubles, rounded to cents so that equal amounts tie (0.1 + 0.2 = 0.3)
           coalesce(round(sum(f.value) filter (where f.measure = 'contract_amount'), 2), 0)::double as contract_amount,
           coalesce(round(sum(f.value) filter (where f.measure = 'payments'), 2), 0)::double as payments,
           coalesce(sum(f.value) filter (where f.measure = 'contracts'), 0)::bigint as contracts,
           coalesce(sum(f.value) filter (where f.measure = 'new_customers'), 0)::bigint as new_customers,
           coalesce(sum(f.value) filter (where f.measure = 'follow_ups'), 0)::bigint as follow_ups
    from members as m
    left join rep_sums as f on f.rep_id = m.rep_id
    group by m.level, m.member_id
),

rep_closed as (
    select o.rep_id,
           count(*) filter (where s.kind = 'won') as won,
           count(*) filter (where s.kind = 'lost') as lost
    from f_opportunities as o
    join f_stages as s on s.stage = o.stage
    where o.closed_on between $start and $end
    group by o.rep_id
),

closed as (
    select m.level, m.member_id, sum(c.won)::bigint as won, sum(c.lost)::bigint as lost
    from members as m
    join rep_closed as c on c.rep_id = m.rep_id
    group by m.level, m.member_id
),

measured as (
    select s.*,
           coalesce(c.won, 0) as won,
           coalesce(c.lost, 0) as lost,
           coalesce(c.won, 0) / nullif(coalesce(c.won, 0) + coalesce(c.lost, 0), 0) as win_rate
    from sums as s
    left join closed as c using (level, member_id)
),

final as (
    select m.level, m.member_id,
           coalesce((select r.name from f_reps as r where r.rep_id = m.member_id),
                    (select t.name from f_teams as t where t.team_id = m.member_id)) as member_name,
           case m.level
               when 'rep' then (select t.name from f_reps as r join f_teams as t on t.team_id = r.team_id
                                where r.rep_id = m.member_id)
           end as team_name,
           m.contract_amount, m.payments, m.contracts, m.new_customers, m.follow_ups,
           m.won, m.lost, m.win_rate,
           rank() over (partition by m.level order by m.contract_amount desc) as rank_contract_amount,
           rank() over (partition by m.level order by m.payments desc) as rank_payments,
           rank() over (partition by m.level order by m.contracts desc) as rank_contracts,
           rank() over (partition by m.level order by m.new_customers desc) as rank_new_customers,
           rank() over (partition by m.level order by m.follow_ups desc) as rank_follow_ups,
           case when m.win_rate is not null
                then rank() over (partition by m.level, m.win_rate is null order by m.win_rate desc) end as rank_win_rate
    from measured as m
)

select * from final order by level, member_id
