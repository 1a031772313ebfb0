-- alerts_deals_at_risk: one row per large open deal at risk, and per rep whose pipeline
-- does not cover next month's target.
-- Open on $as_of, days in stage and the stage's median of completed stints: pipeline_deals
-- (the deal health of /forecast) with $day = $as_of. Large = amount rank (competition, by
-- amount descending) within ceil($alert_deal_top_share × the open deals).
-- A large deal is at risk when it is stale (whole days in its stage > $alert_stale_factor ×
-- the stage's median of completed stints, and > $alert_stale_min_days), overdue
-- (expected_close_on more than $alert_overdue_days days before $as_of) or marked down (the
-- rep's own probability at least $alert_probability_cut points under the stage's default).
-- rule = the first that holds in that order; severity 3 when two or more hold, else 2. figure = days in the stage (stale),
-- days past the expected date (overdue) or the rep's probability (marked down);
-- expected_high = the limit it crossed; impact = the deal's amount.
-- Coverage: a rep with a contract_amount target for the month after $as_of's month whose
-- weighted pipeline expected to close in that month (amount × p / 100, p = the rep's
-- probability else the stage's default) is under $alert_coverage × the target: severity 2,
-- figure = that weighted pipeline, expected_low = $alert_coverage × target, impact = the
-- shortfall.
-- Parameters: $as_of, $day (= $as_of), $alert_deal_top_share, $alert_stale_factor, $alert_overdue_days,
-- $alert_probability_cut, $alert_stale_min_days, $alert_coverage + scope.
-- Pages: /alerts, / (what changed).
with open_deals as (
    -- the deals open on $as_of with their days in stage and stage median (pipeline_deals,
    -- the deal health of /forecast, with $day = $as_of), the rep's own probability and the
    -- stage's default
    select d.opportunity_id, d.customer_id, d.rep_id, d.stage, d.amount, d.probability as p,
           d.expected_close_on, d.entered_stage_at, d.days_in_stage, d.stage_median_days as median_days,
           o.probability, o.created_at, st.default_probability
    from q_pipeline_deals as d
    join f_opportunities as o on o.opportunity_id = d.opportunity_id
    join f_stages as st on st.stage = d.stage
),

judged as (
    select d.*, date_diff('day', d.expected_close_on, $as_of::date) as days_overdue,
           rank() over (order by d.amount desc) as amount_rank,
           count(*) over () as open_count
    from open_deals as d
),

flagged as (
    select j.*,
           coalesce(j.days_in_stage > $alert_stale_factor * j.median_days, false)
               and j.days_in_stage > $alert_stale_min_days as is_stale,
           coalesce(j.days_overdue > $alert_overdue_days, false) as is_overdue,
           coalesce(j.probability <= j.default_probability - $alert_probability_cut, false) as is_marked_down
    from judged as j
    where j.amount_rank <= ceil($alert_deal_top_share * j.open_count)
),

deal_rows as (
    select 'deals_at_risk' as kind,
           case when f.is_stale then 'deal_stale' when f.is_overdue then 'deal_overdue'
                else 'deal_marked_down' end as rule,
           case when f.is_stale::int + f.is_overdue::int + f.is_marked_down::int >= 2 then 3 else 2 end
               as severity,
           'opportunity' as subject_type, f.opportunity_id as subject_id, cu.name as subject_name,
           f.rep_id, r.name as rep_name, f.stage as measure,
           case when f.is_stale then f.days_in_stage
                when f.is_overdue then f.days_overdue
                else f.probability end::double as figure,
           case when f.is_stale then f.median_days
                when f.is_overdue then 0
                else f.default_probability end::double as expected,
           case when f.is_marked_down then f.default_probability - $alert_probability_cut end::double
               as expected_low,
           case when f.is_stale then greatest($alert_stale_factor * f.median_days, $alert_stale_min_days)
                when f.is_overdue then $alert_overdue_days end::double as expected_high,
           case when f.is_stale then f.entered_stage_at::date
                when f.is_overdue then f.expected_close_on
                else f.created_at::date end as since,
           f.amount::double as impact, f.customer_id
    from flagged as f
    join f_accounts as cu on cu.customer_id = f.customer_id
    join f_reps as r on r.rep_id = f.rep_id
    where f.is_stale or f.is_overdue or f.is_marked_down
),

next_month as (
    select (date_trunc('month', $as_of::date) + interval 1 month)::date as month
),

coverage as (
    select tg.rep_id, tg.amount as target,
           coalesce(sum(d.amount * d.p / 100), 0) as weighted
    from f_targets as tg
    left join open_deals as d
      on d.rep_id = tg.rep_id
     and date_trunc('month', d.expected_close_on)::date = tg.month
    where tg.measure = 'contract_amount' and tg.month = (select month from next_month)
    group by all
),

coverage_rows as (
    select 'deals_at_risk' as kind, 'coverage_low' as rule, 2 as severity,
           'rep' as subject_type, c.rep_id as subject_id, r.name as subject_name,
           c.rep_id, r.name as rep_name, 'contract_amount' as measure,
           c.weighted::double as figure, c.target::double as expected,
           ($alert_coverage * c.target)::double as expected_low, null::double as expected_high,
           (select month from next_month) as since,
           (c.target * $alert_coverage - c.weighted)::double as impact, null::varchar as customer_id
    from coverage as c
    join f_reps as r on r.rep_id = c.rep_id
    where c.target > 0 and c.weighted < $alert_coverage * c.target
),

final as (
    select * from deal_rows
    union all by name
    select * from coverage_rows
)

select * from final order by severity desc, impact desc, subject_id
