-- customer_tier_moves: one row per (prev_tier, tier) pair of pyramid tiers, 'none' for no
-- purchase in that window (customer_tiers: previous = [$prev_start, $prev_end], current
-- = [$start, $end]), all 24 pairs (none -> none left out), with the customers who made
-- that move. direction: up / down (between tiers), same, new (none -> a tier), left (a
-- tier -> none); direction_total = the customers of all pairs with that direction.
-- Parameters: $start, $end, $prev_start, $prev_end + scope. Pages: /customers.
with current_tiers as (
    select customer_id, tier from q_customer_tiers where window_name = 'current'
),

previous_tiers as (
    select customer_id, tier from q_customer_tiers where window_name = 'previous'
),

moves as (
    select coalesce(p.tier, 'none') as prev_tier, coalesce(c.tier, 'none') as tier, count(*) as customers
    from current_tiers as c
    full join previous_tiers as p on p.customer_id = c.customer_id
    group by all
),

levels as (
    select * from (values ('vip', 1), ('major', 2), ('normal', 3), ('small', 4), ('none', 5)) as l (tier, level)
),

pairs as (
    select a.tier as prev_tier, a.level as prev_level, b.tier, b.level
    from levels as a
    cross join levels as b
    where not (a.tier = 'none' and b.tier = 'none')
),

directed as (
    select pr.prev_tier, pr.prev_level, pr.tier, pr.level,
           coalesce(m.customers, 0) as customers,
           case
               when pr.prev_tier = 'none' then 'new'
               when pr.tier = 'none' then 'left'
               when pr.level < pr.prev_level then 'up'
               when pr.level > pr.prev_level then 'down'
               else 'same'
           end as direction
    from pairs as pr
    left join moves as m on m.prev_tier = pr.prev_tier and m.tier = pr.tier
),

final as (
    select prev_tier, tier, customers, direction,
           (sum(customers) over (partition by direction))::bigint as direction_total
    from directed
    order by prev_level, level
)

select * from final
