-- acquisition_forgotten: one row per "forgotten" customer: owned by a rep in scope
-- (f_customers with owner in f_reps; pool customers are nobody's to forget), created by
-- $as_of, whose last follow-up (any rep's activity on the customer up to $as_of; never
-- followed up: its created_at) is at least $days days before $as_of
-- (days_since = $as_of - that date >= $days). Ordered by days_since descending, ties by
-- customer_id; the first $limit of them, with total_rows: how many there are in all.
-- Parameters: $as_of, $days, $limit + scope. Pages: /acquisition (threshold 7/15/30/90/180).
with last_activity as (
    -- the latest follow-up on or before $as_of, pre-computed per customer and interval of
    -- days (f_account_last_activities) instead of grouping every follow-up
    select la.customer_id, la.last_activity_at::date as last_activity_on
    from f_account_last_activities as la
    where la.valid_from <= $as_of and coalesce(la.valid_to, 'infinity'::date) > $as_of
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

forgotten as (
    select * from owned where days_since >= $days
),

final as (
    -- a top-n of them, and how many there are counted beside it (not a window over all)
    select f.*, (select count(*) from forgotten) as total_rows
    from (select * from forgotten order by days_since desc, customer_id limit $limit) as f
)

select * from final order by days_since desc, customer_id
