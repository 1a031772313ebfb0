-- alerts: one row per early warning (先知: see the quantitative change before it becomes a
-- qualitative one), every kind in one shape, for /alerts, the overview's "what changed"
-- and a scheduler (`python -m queries run alerts 'preset=this_year' --format json`).
-- Kinds and their rules: alerts_revenue_course (revenue_course), alerts_customers_slipping
-- (customers_slipping), alerts_deals_at_risk (deals_at_risk), alerts_stock (stock),
-- alerts_collection (collection), alerts_effort (effort); thresholds are the settings of
-- queries/alert_settings.py (CRM_ALERT_*), bound as $alert_*.
-- Columns: kind, rule (the kind's own rule), severity (3 high, 2 medium, 1 an opportunity),
-- subject_type (company, team, rep, customer, opportunity, product), subject_id,
-- subject_name, rep_id/rep_name (the owner: the rep, the customer's owner, the deal's rep),
-- measure, figure, expected, expected_low, expected_high (the band or limit the figure
-- crossed; empty when one-sided), since (the first day it held), gap (what it would take to
-- get back, revenue only), impact (money at stake, or the count for counts: orders a
-- kind's warnings), sparkline (the recent history behind the figure), last_follow_up (a
-- slipping customer's), period_start and month_to_date (the month a course warning judged,
-- whole or to date), link (the page and filter that explain it).
-- Order: kind in the order above, then severity, since (newest first) and impact (largest
-- first), ties by subject_id.
-- Parameters: those of the six queries + scope. Pages: /alerts, / (what changed).
with unioned as (
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, gap, impact, sparkline,
           period_start, month_to_date,
           case subject_type
               when 'company' then '/revenue?measure=' || measure || '&bucket=month'
               when 'team' then '/revenue?team=' || subject_id || '&measure=' || measure || '&bucket=month'
               else '/revenue?rep=' || subject_id || '&measure=' || measure || '&bucket=month'
           end as link
    from q_alerts_revenue_course
    union all by name
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, null as gap, impact, sparkline,
           last_follow_up, '/customer/' || subject_id as link
    from q_alerts_customers_slipping
    union all by name
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, null as gap, impact, sparkline,
           case when subject_type = 'rep' then '/forecast?rep=' || subject_id
                else '/customer/' || customer_id end as link
    from q_alerts_deals_at_risk
    union all by name
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, null as gap, impact, sparkline,
           '/product/' || subject_id as link
    from q_alerts_stock
    union all by name
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, null as gap, impact, sparkline,
           case subject_type
               when 'customer' then '/customer/' || subject_id
               when 'team' then '/receivables?team=' || subject_id
               else '/receivables'
           end as link
    from q_alerts_collection
    union all by name
    select kind, rule, severity, subject_type, subject_id, subject_name, rep_id, rep_name, measure,
           figure, expected, expected_low, expected_high, since, null as gap, impact, sparkline,
           case rule when 'pool_returns' then '/lead-pool?rep=' || subject_id
                else '/acquisition?rep=' || subject_id end as link
    from q_alerts_effort
),

final as (
    select u.kind, u.rule, u.severity, u.subject_type, u.subject_id, u.subject_name, u.rep_id, u.rep_name,
           -- figures rounded to cents (a count or a day count stays whole)
           u.measure, round(u.figure, 2)::double as figure, round(u.expected, 2)::double as expected,
           round(u.expected_low, 2)::double as expected_low, round(u.expected_high, 2)::double as expected_high,
           u.since::date as since,
           round(u.gap, 2)::double as gap, round(u.impact, 2)::double as impact,
           list_transform(u.sparkline, lambda x: round(x, 2))::double[] as sparkline,
           u.last_follow_up::date as last_follow_up, u.period_start::date as period_start,
           u.month_to_date, u.link
    from unioned as u
)

select * from final
order by list_position(['revenue_course', 'customers_slipping', 'deals_at_risk', 'stock', 'collection',
                        'effort'], kind),
         severity desc, since desc, impact desc, subject_id
