-- customer_profile: one row for customer $customer_id when the viewer may see it, else no
-- row (the page then says "not found"). Visible = matches the customer filters
-- (f_accounts) and is owned by a rep in scope (f_customers) or has a counted contract,
-- an opportunity or a follow-up by one. With its value in the period (customer_value:
-- tier, ABC, RFM, margin, CLV; NULL when it bought nothing) and the churn CLV rests on.
-- Parameters: $customer_id, $start, $end, $prev_start, $prev_end, $method, $abc_a,
-- $abc_b + scope. Pages: /customer/<id>.
with visible as (
    select a.*
    from f_accounts as a
    where a.customer_id = $customer_id
      and (a.customer_id in (select customer_id from f_customers)
           or a.customer_id in (select customer_id from f_contracts)
           or a.customer_id in (select customer_id from f_opportunities)
           or a.customer_id in (select customer_id from f_activities))
),

final as (
    select a.customer_id, a.name as customer_name, a.type, a.owner_rep_id,
           coalesce(r.name, a.owner_rep_id) as owner_name, a.industry, a.region, a.city, a.source,
           a.level, a.created_at,
           v.tier, v.position, v.n, v.abc_class, v.amount, v.contracts, v.last_signed_on,
           v.recency_days, v.r_score, v.f_score, v.m_score, v.rfm, v.segment,
           v.margin, v.margin_pct, v.uncosted_revenue, v.clv,
           ch.churn, ch.churn_used, ch.lifespan_years
    from visible as a
    left join f_reps as r on r.rep_id = a.owner_rep_id
    left join q_customer_value as v on v.customer_id = a.customer_id
    cross join q_customer_churn as ch
)

select * from final
