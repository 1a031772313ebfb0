-- funnel_lost: one row per (dimension, value) for the opportunities created in
-- [$start, $end] whose current stage is of kind 'lost': dimension 'reason' (lost_reason)
-- or 'competitor'; value NULL where the deal names none. Lost deals and their amount.
-- Ordered by dimension, amount descending, then value (NULL last).
-- Parameters: $start, $end + scope. Pages: /funnel (where the deals leak).
with lost as (
    select o.opportunity_id, o.amount, o.lost_reason, o.competitor
    from f_opportunities as o
    join f_stages as st on st.stage = o.stage and st.kind = 'lost'
    -- created_at::date between $start and $end, as a range on the column itself (the scan of
    -- the date-sorted opportunities skips the row groups outside the period)
    where o.created_at >= $start::date and o.created_at < $end::date + 1
),

by_value as (
    select 'reason' as dimension, lost_reason as value, count(*) as deals, sum(amount) as amount
    from lost
    group by lost_reason
    union all
    select 'competitor', competitor, count(*), sum(amount)
    from lost
    group by competitor
),

final as (
    select dimension, value, deals, amount::double as amount
    from by_value
)

select * from final order by dimension, amount desc, value nulls last
