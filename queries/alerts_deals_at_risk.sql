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
-- sparkline = the days the deal had spent in its current stage at each of the eleven
-- month-ends before $as_of's month and on $as_of (0 before it entered the stage): how long
-- it has been stuck where it is.
-- Coverage (the month in progress, the month of $as_of + 1 day, judged from day
-- $alert_mtd_min_days of it, like the month to date of alerts_revenue_course): a rep's
-- forecast = contract amount signed in it up to $as_of + the weighted pipeline open on
-- $as_of expected to close by its last day (amount × p / 100, p = the rep's probability else
-- the stage's default; deals past their date included). Next month's pipeline is no test
-- where deals are opened and won within weeks (on the demo it is 0-25% of the target for
-- nearly every rep on the 20th): the month in progress is where a shortfall shows. Target
-- = the rep's contract_amount target for the month; without one (targets are often entered
-- late), the average of their targets of the three months before (measure =
-- 'recent_target'; a rep with none of them is not judged). A forecast under
-- $alert_coverage × the target: severity 2, figure = the forecast, expected = the target,
-- expected_low = $alert_coverage × target, since = the month's first day, impact = the
-- shortfall (expected_low − forecast), sparkline = the rep's contract amount signed in each
-- of the twelve months up to $as_of's month. Materiality: the shortfall must be at least
-- $alert_min_share of the scope's target for the month (the sum of the reps' targets, each
-- as above): a rep with a ¥1万 target missing half of it is not news for the company.
-- Parameters: $as_of, $day (= $as_of), $alert_deal_top_share, $alert_stale_factor, $alert_overdue_days,
-- $alert_probability_cut, $alert_stale_min_days, $alert_coverage, $alert_mtd_min_days, $alert_min_share
-- + scope.
-- Pages: /alerts, / (what changed).
with open_deals as (
    -- the deals open on $as_of with their days in stage and stage median (pipeline_deals,
    -- the deal health of /forecast, with $day = $as_of) and the stage's default probability.
    -- p = the rep's own probability, else the stage's default: marked down only when the
    -- rep's own is low, and then p is the rep's own
    select d.opportunity_id, d.customer_id, d.customer_name, d.rep_id, d.rep_name, d.stage, d.amount,
           d.probability as p,
           d.expected_close_on, d.entered_stage_at, d.days_in_stage, d.stage_median_days as median_days,
           st.default_probability
    from q_pipeline_deals as d
    join f_stages as st on st.stage = d.stage
),

large as (
    -- the amount of the deal ranked ceil($alert_deal_top_share × the open deals): a deal's rank
    -- (competition) is within it exactly when its amount is at least that deal's (no sort of
    -- every open deal; none when the share rounds to 0 deals)
    select min(s.amount) as amount
    from (select amount from open_deals order by amount desc
          limit (select ceil($alert_deal_top_share * count(*))::bigint from open_deals)) as s
),

judged as (
    select d.*, date_diff('day', d.expected_close_on, $as_of::date) as days_overdue
    from open_deals as d
    where d.amount >= (select amount from large)
),

flagged as (
    select j.*,
           coalesce(j.days_in_stage > $alert_stale_factor * j.median_days, false)
               and j.days_in_stage > $alert_stale_min_days as is_stale,
           coalesce(j.days_overdue > $alert_overdue_days, false) as is_overdue,
           j.p <= j.default_probability - $alert_probability_cut as is_marked_down
    from judged as j
),

deal_rows as (
    select 'deals_at_risk' as kind,
           case when f.is_stale then 'deal_stale' when f.is_overdue then 'deal_overdue'
                else 'deal_marked_down' end as rule,
           case when f.is_stale::int + f.is_overdue::int + f.is_marked_down::int >= 2 then 3 else 2 end
               as severity,
           'opportunity' as subject_type, f.opportunity_id as subject_id, f.customer_name as subject_name,
           f.rep_id, f.rep_name, f.stage as measure,
           case when f.is_stale then f.days_in_stage
                when f.is_overdue then f.days_overdue
                else f.p end::double as figure,
           case when f.is_stale then f.median_days
                when f.is_overdue then 0
                else f.default_probability end::double as expected,
           case when f.is_marked_down then f.default_probability - $alert_probability_cut end::double
               as expected_low,
           case when f.is_stale then greatest($alert_stale_factor * f.median_days, $alert_stale_min_days)
                when f.is_overdue then $alert_overdue_days end::double as expected_high,
           case when f.is_stale then f.entered_stage_at::date
                when f.is_overdue then f.expected_close_on
                else o.created_at::date end as since,
           f.amount::double as impact, f.customer_id
    from flagged as f
    join f_opportunities as o on o.opportunity_id = f.opportunity_id
    where f.is_stale or f.is_overdue or f.is_marked_down
),

judged_month as (
    -- the month in progress (as alerts_revenue_course's month to date), when judged
    select m.month, (m.month + interval 1 month)::date - 1 as last_day
    from (select date_trunc('month', $as_of::date + 1)::date as month) as m
    where date_diff('day', m.month, $as_of::date + 1) >= $alert_mtd_min_days
),

rep_targets as (
    -- the month's target, else the average of the targets of the three months before
    select tg.rep_id,
           coalesce(any_value(tg.amount) filter (where tg.month = m.month),
                    avg(tg.amount) filter (where tg.month < m.month)) as target,
           count(*) filter (where tg.month = m.month) = 0 as estimated
    from f_targets as tg
    cross join judged_month as m
    where tg.measure = 'contract_amount'
      and tg.month between (m.month - interval 3 month)::date and m.month
    group by tg.rep_id
),

month_signed as (
    -- contract amount signed per rep in $as_of's month up to $as_of (one read of f_contracts for
    -- the forecast and the sparkline's last month; the month's first day written out from
    -- $as_of: a constant reaches the date-sorted contracts and, under a category filter, lines)
    select c.rep_id, sum(c.amount) as amount
    from f_contracts as c
    where c.signed_on >= date_trunc('month', $as_of::date)::date and c.signed_on <= $as_of::date
    group by c.rep_id
),

pipeline_due as (
    -- the weighted pipeline open on $as_of expected to close by the judged month's last day
    select d.rep_id, sum(d.amount * d.p / 100) as weighted
    from open_deals as d
    where d.expected_close_on <= (select last_day from judged_month)
    group by d.rep_id
),

forecast as (
    -- signed so far in the judged month: $as_of's month unless $as_of is its last day (then the
    -- judged month is the next one, with nothing signed yet)
    select tg.rep_id, tg.target, tg.estimated, coalesce(ms.amount, 0) + coalesce(pd.weighted, 0) as forecast
    from rep_targets as tg
    left join month_signed as ms
      on ms.rep_id = tg.rep_id and date_trunc('month', $as_of::date + 1) = date_trunc('month', $as_of::date)
    left join pipeline_due as pd on pd.rep_id = tg.rep_id
),

coverage_rows as (
    select 'deals_at_risk' as kind, 'coverage_low' as rule, 2 as severity,
           'rep' as subject_type, c.rep_id as subject_id, r.name as subject_name,
           c.rep_id, r.name as rep_name,
           case when c.estimated then 'recent_target' else 'contract_amount' end as measure,
           c.forecast::double as figure, c.target::double as expected,
           ($alert_coverage * c.target)::double as expected_low, null::double as expected_high,
           (select month from judged_month) as since,
           (c.target * $alert_coverage - c.forecast)::double as impact, null::varchar as customer_id
    from forecast as c
    join f_reps as r on r.rep_id = c.rep_id
    where c.target > 0 and c.forecast < $alert_coverage * c.target
      and $alert_coverage * c.target - c.forecast >= $alert_min_share * (select sum(target) from rep_targets)
),

month_ends as (
    -- the eleven month-ends before $as_of's month, and $as_of
    select unnest(list_append(
               list_transform(generate_series(1, 11), lambda k: (date_trunc('month', $as_of::date)
                                                                  - to_months(k::integer - 1))::date - 1),
               $as_of::date)) as day
),

deal_sparks as (
    select f.opportunity_id as subject_id,
           list(greatest(date_diff('day', f.entered_stage_at::date, m.day), 0)::double order by m.day) as sparkline
    from flagged as f
    cross join month_ends as m
    where f.is_stale or f.is_overdue or f.is_marked_down
    group by f.opportunity_id
),

rep_sparks as (
    -- the months before $as_of's added up per build (f_measure_months), its own up to $as_of (month_signed)
    select cr.subject_id, list(coalesce(k.amount, 0)::double order by mo.month) as sparkline
    from coverage_rows as cr
    cross join q_alerts_months as mo
    left join (select mm.rep_id, mm.month, mm.value as amount
               from f_measure_months as mm
               where mm.measure = 'contract_amount'
                 and mm.month >= (date_trunc('month', $as_of::date) - interval 11 month)::date
                 and mm.month < date_trunc('month', $as_of::date)::date
               union all
               select ms.rep_id, date_trunc('month', $as_of::date)::date, ms.amount
               from month_signed as ms) as k
      on k.rep_id = cr.subject_id and k.month = mo.month
    group by cr.subject_id
),

final as (
    select d.*, sp.sparkline
    from deal_rows as d
    join deal_sparks as sp using (subject_id)
    union all by name
    select c.*, sp.sparkline
    from coverage_rows as c
    join rep_sparks as sp using (subject_id)
)

select * from final order by severity desc, impact desc, subject_id
