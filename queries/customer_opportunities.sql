-- customer_opportunities: one row per stage stint of the opportunities of customer
-- $customer_id (an opportunity without history gets one row with no stint), newest
-- opportunity first, stints in order; days = days in the stint (open stints up to $as_of).
-- Parameters: $customer_id, $as_of + scope. Pages: /customer/<id>.
with opps as (
    select o.*, coalesce(r.name, o.rep_id) as rep_name
    from f_opportunities as o
    left join f_reps as r on r.rep_id = o.rep_id
    where o.customer_id = $customer_id
),

final as (
    select o.opportunity_id, o.rep_name, o.stage as current_stage, o.amount::double as amount,
           o.created_at, o.expected_close_on, o.closed_on, o.lost_reason,
           h.stage, h.entered_at, h.exited_at,
           date_diff('day', h.entered_at, coalesce(h.exited_at, $as_of::timestamp)) as days
    from opps as o
    left join f_stage_history as h on h.opportunity_id = o.opportunity_id
    order by o.created_at desc, o.opportunity_id, h.entered_at
)

select * from final
