-- funnel_lost: one row per (dimension, value) for the opportunities created in
-- [$start, $end] whose current stage is of kind 'lost': dimension 'reason' (lost_reason)
-- or 'competitor'; value NULL where the deal names none. Lost deals and their amount.
-- Ordered by dimension, amount descending, then value (NULL last).
-- The lost deals of a calendar month, quarter or year (or from its first day on, past the
-- latest creation of a lost deal) are pre-counted per reason and competitor without a filter
-- (f_lost_counts, empty under a filter); other periods are counted here.
-- Parameters: $start, $end + scope. Pages: /funnel (where the deals leak).
with known as (
    select lc.lost_reason, lc.competitor, lc.deals, lc.amount
    from f_lost_counts as lc
    where lc.from_day = $start::date
      and (lc.to_day = $end::date or (lc.to_day is null and lc.last_created_on <= $end::date))
),

lost as (
    -- the lost deals per reason and competitor: deals and amount
    select o.lost_reason, o.competitor, count(*) as deals, sum(o.amount) as amount
    from f_opportunities as o
    join f_stages as st on st.stage = o.stage and st.kind = 'lost'
    -- created_at::date between $start and $end, as a range on the column itself (the scan of
    -- the date-sorted opportunities skips the row groups outside the period)
    where o.created_at >= $start::date and o.created_at < $end::date + 1
      and not exists (select 1 from known)
    group by all
    union all
    select * from known
),

by_value as (
    select 'reason' as dimension, lost_reason as value, sum(deals)::bigint as deals, sum(amount) as amount
    from lost
    group by lost_reason
    union all
    select 'competitor', competitor, sum(deals)::bigint, sum(amount)
    from lost
    group by competitor
),

final as (
    select dimension, value, deals, amount::double as amount
    from by_value
)

select * from final order by dimension, amount desc, value nulls last
