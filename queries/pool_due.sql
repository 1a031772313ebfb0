-- pool_due: one row per customer due to return to the lead pool in the next $window days:
-- owned by a rep in scope, without a counted contract signed by $as_of (any rep's,
-- f_account_contracts: a customer who bought never returns), and with
-- due_on = max(last claim/assign, last follow-up) + $limit_days in [$as_of, $as_of + $window].
-- The rule (METRICS.md): no follow-up within pool_limit_days of the claim or of the last
-- follow-up returns the customer. A customer owned since creation, never claimed or
-- assigned, counts from its created_at. Follow-ups are any rep's activities on the
-- customer up to $as_of (f_account_last_activities: the latest as of each day, pre-computed);
-- claims/assigns are any rep's, up to $as_of.
-- days_left = due_on - $as_of. Ordered by due_on, ties by customer_id.
-- Parameters: $as_of, $limit_days, $window + scope. Pages: /lead-pool (through pool_due_page,
-- which cuts and counts them).
with owned as (
    select c.customer_id, c.name as customer_name, c.owner_rep_id as rep_id, r.name as rep_name,
           c.created_at
    from f_customers as c
    join f_reps as r on r.rep_id = c.owner_rep_id
    where c.created_at::date <= $as_of
      and c.customer_id not in (
          -- bought by $as_of: the first counted contract (f_account_contracts) by then
          select customer_id from f_account_first_contracts where first_signed_on <= $as_of
      )
),

last_taken as (
    select e.customer_id, max(e.occurred_at) as taken_at
    from f_account_pool_events as e
    where e.event in ('claim', 'assign')
      and e.occurred_at::date <= $as_of
    group by e.customer_id
),

last_activity as (
    -- the latest follow-up on or before $as_of, pre-computed per customer and interval of days
    select la.customer_id, la.last_activity_at
    from f_account_last_activities as la
    where la.valid_from <= $as_of and coalesce(la.valid_to, 'infinity'::date) > $as_of
),

due as (
    select o.*, lt.taken_at, la.last_activity_at::date as last_activity_on,
           (greatest(coalesce(lt.taken_at, o.created_at), coalesce(la.last_activity_at, o.created_at))::date
               + $limit_days::integer) as due_on
    from owned as o
    left join last_taken as lt using (customer_id)
    left join last_activity as la using (customer_id)
),

final as (
    select customer_id, customer_name, rep_id, rep_name, taken_at::date as taken_on, last_activity_on,
           due_on, date_diff('day', $as_of::date, due_on) as days_left
    from due
    where due_on between $as_of and $as_of::date + $window::integer
)

select * from final order by due_on, customer_id
