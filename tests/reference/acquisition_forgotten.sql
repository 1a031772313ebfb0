-- acquisition_forgotten: one row per "forgotten" customer: owned by a rep in scope
-- (f_customers with owner in f_reps; pool customers are nobody's to forget), created by
-- $as_of, whose last follow-up (any rep's activity on the customer up to $as_of; never
-- followed up: its created_at) is at least $days days before $as_of
-- (days_since = $as_of - that date >= $days). Ordered by days_since descending, ties by
-- customer_id.
-- Parameters: $as_of, $days + scope. Pages: /acquisition (threshold 7/15/30/90/180).
with last_activity as (
    select a.customer_id, max(a.occurred_at)::date as last_activity_on
    from f_account_activities as a
    where a.occurred_at::date <= $as_of
    group by a.customer_id
),

owned as (
    select c.customer_id, c.name as customer_name, c.type, c.owner_rep_id as rep_id,
           r.name as rep_name, c.created_at::date as created_on, la.last_activity_on,
           date_diff('day', coalesce(la.last_activity_on, c.created_at::date), $as_of::date) as days_since
    from f_customers as c
    join f_reps as r on r.rep_id = c.owner_rep_id
    left join last_activity as la using (customer_id)
    where c.created_at::date <= $as_of
),

final as (
    select * from owned where days_since >= $days
)

select * from final order by days_since desc, customer_id
