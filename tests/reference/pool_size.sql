-- pool_size: one row per day of [$start, $end]: the number of customers in the lead pool
-- (公海池: no owner) at the end of that day, reconstructed from the pool history.
-- Reconstruction: claim and assign take a customer out of the pool, release and
-- auto_return put it in. Before its first event a customer is in the pool from its
-- created_at when that first event is a claim or an assign (created without owner), and
-- owned when it is a release or an auto_return; a customer without events has been where
-- it is now (owner_rep_id NULL = in the pool) since created_at. Each change is a +1 / -1
-- on its day; the size on a day is the running sum of the changes up to it (history before
-- $start included). The pool is shared: every rep's events count (f_account_pool_events)
-- and customers follow only the customer filters (f_accounts).
-- Parameters: $start, $end + scope. Pages: /lead-pool.
with days as (
    select unnest(generate_series($start::date, $end::date, interval 1 day))::date as day
),

events as (
    select e.customer_id, e.occurred_at,
           e.event in ('release', 'auto_return') as in_pool,
           row_number() over (partition by e.customer_id order by e.occurred_at, e.event) as seq
    from f_account_pool_events as e
),

initial as (
    -- the state at creation, inferred from the first event (else the current owner)
    select a.customer_id, a.created_at,
           coalesce(not first_event.in_pool, a.owner_rep_id is null) as in_pool
    from f_accounts as a
    left join events as first_event on first_event.customer_id = a.customer_id and first_event.seq = 1
),

states as (
    select customer_id, created_at as occurred_at, in_pool, 0 as seq from initial
    union all
    select customer_id, occurred_at, in_pool, seq from events
),

changes as (
    select occurred_at::date as day,
           in_pool::integer - coalesce(lag(in_pool::integer) over (
               partition by customer_id order by seq), 0) as delta
    from states
),

daily as (
    select day, sum(delta) as delta from changes group by day
),

running as (
    select d.day, sum(coalesce(x.delta, 0)) over (order by d.day) as change_in_period
    from days as d
    left join daily as x using (day)
),

before_start as (
    select coalesce(sum(delta), 0) as size from daily where day < $start
),

final as (
    select r.day, ((select size from before_start) + r.change_in_period)::integer as pool_size
    from running as r
)

select * from final order by day
