-- pool_by_rep: one row per rep in scope with a lead-pool event (f_pool_events) in
-- [$start, $end]: claims, assigns, releases, auto_returns, and claims_converted = claims
-- whose customer signed a counted contract (any rep's, f_account_contracts) within 90
-- days of the claim (claim day .. claim day + 90, and by $as_of: a recent claim has had
-- less time), with claim_conversion = claims_converted / claims (NULL without claims).
-- Ordered by claims descending, ties by rep_id.
-- Parameters: $start, $end, $as_of + scope. Pages: /lead-pool.
with period_events as (
    select e.customer_id, e.rep_id, e.event, e.occurred_at::date as event_on
    from f_pool_events as e
    where e.occurred_at::date between $start and $end
      and e.rep_id is not null
),

converted as (
    select pe.*,
           exists (
               select 1 from f_account_contracts as k
               where k.customer_id = pe.customer_id
                 and k.signed_on between pe.event_on and pe.event_on + 90
                 and k.signed_on <= $as_of
           ) as converted
    from period_events as pe
    where pe.event = 'claim'
),

counts as (
    select rep_id,
           count(*) filter (where event = 'claim') as claims,
           count(*) filter (where event = 'assign') as assigns,
           count(*) filter (where event = 'release') as releases,
           count(*) filter (where event = 'auto_return') as auto_returns
    from period_events
    group by rep_id
),

conversions as (
    select rep_id, count(*) filter (where converted) as claims_converted
    from converted
    group by rep_id
),

final as (
    select c.rep_id, r.name as rep_name, c.claims, c.assigns, c.releases, c.auto_returns,
           coalesce(v.claims_converted, 0) as claims_converted,
           (coalesce(v.claims_converted, 0) / nullif(c.claims, 0))::double as claim_conversion
    from counts as c
    join f_reps as r on r.rep_id = c.rep_id
    left join conversions as v on v.rep_id = c.rep_id
)

select * from final order by claims desc, rep_id
