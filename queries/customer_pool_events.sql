-- customer_pool_events: one row per lead-pool (公海池) movement of customer $customer_id
-- (claim, release, auto_return, assign), newest first, with the rep's name.
-- Parameters: $customer_id + scope. Pages: /customer/<id>.
with final as (
    select pe.occurred_at, pe.event, pe.rep_id, coalesce(r.name, pe.rep_id) as rep_name
    from f_pool_events as pe
    left join f_reps as r on r.rep_id = pe.rep_id
    where pe.customer_id = $customer_id
    order by pe.occurred_at desc, pe.event
)

select * from final
