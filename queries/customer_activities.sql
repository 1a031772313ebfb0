-- customer_activities: one row per follow-up (跟进) of customer $customer_id, newest
-- first (ties by activity_id): when, kind and by whom.
-- Parameters: $customer_id + scope. Pages: /customer/<id> (timeline).
with final as (
    select a.activity_id, a.occurred_at, a.kind, coalesce(r.name, a.rep_id) as rep_name
    from f_activities as a
    left join f_reps as r on r.rep_id = a.rep_id
    where a.customer_id = $customer_id
    order by a.occurred_at desc, a.activity_id
)

select * from final
