-- alerts_customers_slipping: one row per VIP or major customer that is slipping away.
-- Standing: the customer pyramid (METRICS.md) over the 730 days up to $as_of: customers of
-- f_customers with counted contracts summing above 0 there, ranked by that amount (ties
-- by id); the top ceil($alert_top_share × N) are VIP and major.
-- Purchase days: days with counted contracts (f_contracts) summing above 0, any time up to
-- $as_of. Usual interval = the median of the days between consecutive purchase days
-- (at least 4 purchase days needed).
-- Rules: gap = days from the last purchase day to $as_of > limit = greatest($alert_gap_factor
-- × usual interval, $alert_gap_min_days), and the gap crossed that limit within the last
-- $alert_fresh_days days (an older gap is churn, shown on /customers, no longer an early
-- warning); spend_drop = spend in the 90 days up to $as_of fell by more than
-- $alert_spend_drop against both the same 90 days a year earlier (that base above 0) and a
-- normal quarter (below), unless the customer's gap went stale (churn). One row per
-- customer: gap when both hold.
-- Normal quarter = value at risk = the customer's spend in the 365 days before the last 90
-- (days $as_of − 454 .. $as_of − 90) × 90 / 365. Materiality: a warning only for a customer
-- whose normal quarter is at least $alert_min_share of the scope's (the contract
-- amount of f_contracts in the same days × 90 / 365): a customer bringing less than that
-- share of revenue is left to /customers. figure = days since the last purchase
-- (gap) or the 90-day spend (drop); expected_low/high = the threshold and the usual value.
-- Severity: 3 when both rules hold, 2 otherwise. Owner = the customer's owner rep.
-- sparkline = monthly spend over the twelve months up to $as_of's month.
-- Parameters: $as_of, $alert_top_share, $alert_gap_factor, $alert_gap_min_days,
-- $alert_fresh_days, $alert_spend_drop, $alert_min_share, $standing_built (queries.standing_built) + scope. Pages: /alerts, / (what changed).
with standing as (
    -- per customer with purchase days (f_purchase_days) in the 730 days up to $as_of, over
    -- those days: their sum (amount: the pyramid's), the last purchase day and the count of
    -- them above 0 (recent_purchases), the spends above 0 (90 days, the same 90 a year earlier,
    -- usual_sum: days $as_of − 455 .. $as_of − 90) and every day's sum there (quarter_sum: the
    -- scope's normal quarter); in one pass here, or as the build worked them out for its as_of
    -- (f_purchase_standing, also counting the purchase days before the 730: earlier_purchases)
    select customer_id, amount, last_purchase, recent_purchases, earlier_purchases, spend_90, spend_90_year_ago,
           usual_sum, quarter_sum
    from f_purchase_standing
    union all
    select p.customer_id, sum(p.amount) as amount, max(p.day) filter (where p.amount > 0) as last_purchase,
           count(*) filter (where p.amount > 0) as recent_purchases, null::bigint as earlier_purchases,
           sum(p.amount) filter (where p.amount > 0 and p.day > $as_of::date - 90) as spend_90,
           sum(p.amount) filter (where p.amount > 0 and p.day > ($as_of::date - interval 1 year)::date - 90
                                    and p.day <= ($as_of::date - interval 1 year)::date) as spend_90_year_ago,
           sum(p.amount) filter (where p.amount > 0 and p.day > $as_of::date - 455
                                    and p.day <= $as_of::date - 90) as usual_sum,
           sum(p.amount) filter (where p.day > $as_of::date - 455 and p.day <= $as_of::date - 90) as quarter_sum
    from f_purchase_days as p
    where not $standing_built and p.day > $as_of::date - 730 and p.day <= $as_of::date
    group by p.customer_id
),

buyers as (
    -- the pyramid's customers: those of f_customers whose amount is above 0 (the build's rows
    -- are those of f_customers already: the customer filters, no team, rep or narrower scope)
    select s.customer_id, s.amount
    from standing as s
    where $standing_built and s.amount > 0
    union all
    select s.customer_id, s.amount
    from standing as s
    join f_customers as cu on cu.customer_id = s.customer_id
    where not $standing_built and s.amount > 0
),

top_ranked as (
    -- ranked by amount (ties by id): the top ceil($alert_top_share × N) are VIP and major (only
    -- they are ranked), with their sums
    select s.*, row_number() over (order by s.amount desc, s.customer_id) as rank, n.buyers
    from (select customer_id from buyers order by amount desc, customer_id
          limit (select ceil($alert_top_share * count(*))::bigint from buyers)) as t
    join standing as s on s.customer_id = t.customer_id
    cross join (select count(*) as buyers from buyers) as n
),

earlier_purchases as (
    -- their purchase days before those 730 where they hold fewer than 4 (the gap rule needs 4)
    -- and the build did not count them
    select p.customer_id, count(*) as purchases
    from f_purchase_days as p
    where p.customer_id in (select customer_id from top_ranked
                            where earlier_purchases is null and recent_purchases < 4)
      and p.day <= $as_of::date - 730 and p.amount > 0
    group by p.customer_id
),

top as (
    -- with their count of purchase days up to $as_of (only the test purchases >= 4 reads it: the
    -- days before the 730 are counted where that decides it, or where the build counted them)
    select t.customer_id, t.amount, t.rank, t.buyers, t.last_purchase, t.recent_purchases,
           coalesce(t.spend_90, 0) as spend_90, coalesce(t.spend_90_year_ago, 0) as spend_90_year_ago,
           coalesce(t.usual_sum, 0) * 90 / 365 as usual_quarter,
           t.recent_purchases + coalesce(t.earlier_purchases, e.purchases, 0) as purchases
    from top_ranked as t
    left join earlier_purchases as e on e.customer_id = t.customer_id
),

scope_quarter as (
    -- the scope's normal quarter, the base of the materiality rule
    select coalesce(sum(s.quarter_sum), 0) * 90 / 365 as usual_quarter
    from standing as s
),

candidates as (
    -- the material customers that may warn: a gap needs 4 purchase days and more than
    -- $alert_gap_min_days since the last, a drop the spends of the rule; the usual interval
    -- (a window over every purchase day) is worked out for these only
    select s.*, date_diff('day', s.last_purchase, $as_of::date) as days_since
    from top as s
    where s.usual_quarter >= $alert_min_share * (select usual_quarter from scope_quarter)
      and ((s.purchases >= 4 and date_diff('day', s.last_purchase, $as_of::date) > $alert_gap_min_days)
           or (s.spend_90_year_ago > 0
               and s.spend_90 < (1 - $alert_spend_drop) * s.spend_90_year_ago
               and s.spend_90 < (1 - $alert_spend_drop) * s.usual_quarter))
),

purchase_days as (
    -- the candidates' purchase days (days with counted contracts summing above 0)
    select p.customer_id, p.day, p.amount
    from f_purchase_days as p
    where p.customer_id in (select customer_id from candidates) and p.day <= $as_of::date and p.amount > 0
),

intervals as (
    select p.customer_id,
           date_diff('day', lag(p.day) over (partition by p.customer_id order by p.day), p.day) as interval_days
    from purchase_days as p
),

habits as (
    select customer_id, median(interval_days) as usual_interval
    from intervals
    group by customer_id
),

judged as (
    select c.customer_id, h.usual_interval, c.* exclude (customer_id),
           c.purchases >= 4
               and c.days_since > $alert_gap_factor * h.usual_interval
               and c.days_since > $alert_gap_min_days
               -- fresh: the gap crossed its limit within the last $alert_fresh_days days
               and c.last_purchase + greatest($alert_gap_factor * h.usual_interval, $alert_gap_min_days)::integer
                   > $as_of::date - $alert_fresh_days::integer as is_gap,
           c.spend_90_year_ago > 0
               and c.spend_90 < (1 - $alert_spend_drop) * c.spend_90_year_ago
               and c.spend_90 < (1 - $alert_spend_drop) * c.usual_quarter
               -- a customer whose gap went stale is churn, not a drop either
               and coalesce(c.last_purchase + greatest($alert_gap_factor * h.usual_interval,
                                                       $alert_gap_min_days)::integer
                            > $as_of::date - $alert_fresh_days::integer, true) as is_drop
    from candidates as c
    join habits as h on h.customer_id = c.customer_id
),

last_follow_up as (
    -- of the customers warned about only: their latest follow-up on or before $as_of (the row of
    -- f_account_last_activities whose days hold it; a scan of every follow-up for a customer's
    -- took 0.8 s on xl)
    select la.customer_id, la.last_activity_at::date as last_follow_up
    from f_account_last_activities as la
    where la.valid_from <= $as_of::date and coalesce(la.valid_to, 'infinity'::date) > $as_of::date
      and la.customer_id in (select customer_id from judged where is_gap or is_drop)
),

sparks as (
    -- monthly spend over the twelve months up to $as_of's month (empty months 0)
    select t.customer_id, list(coalesce(p.amount, 0)::double order by mo.month) as sparkline
    from judged as t
    cross join q_alerts_months as mo
    left join (select customer_id, date_trunc('month', day)::date as month, sum(amount) as amount
               from purchase_days group by all) as p
      on p.customer_id = t.customer_id and p.month = mo.month
    where t.is_gap or t.is_drop
    group by t.customer_id
),

final as (
    select 'customers_slipping' as kind,
           case when j.is_gap then 'customer_gap' else 'customer_drop' end as rule,
           case when j.is_gap and j.is_drop then 3 else 2 end as severity,
           'customer' as subject_type, j.customer_id as subject_id, cu.name as subject_name,
           cu.owner_rep_id as rep_id, r.name as rep_name,
           case when j.is_gap then 'days_since_purchase' else 'spend_90' end as measure,
           case when j.is_gap then j.days_since::double else j.spend_90::double end as figure,
           case when j.is_gap then j.usual_interval::double else j.spend_90_year_ago::double end as expected,
           case when j.is_gap then 0 else (1 - $alert_spend_drop) * j.spend_90_year_ago end::double as expected_low,
           case when j.is_gap then greatest($alert_gap_factor * j.usual_interval, $alert_gap_min_days)
                else j.spend_90_year_ago end::double as expected_high,
           case when j.is_gap then j.last_purchase + 1
                else ($as_of::date - 89) end as since,
           j.usual_quarter::double as impact,
           sp.sparkline, j.rank, j.last_purchase, lf.last_follow_up
    from judged as j
    join sparks as sp on sp.customer_id = j.customer_id
    join f_customers as cu on cu.customer_id = j.customer_id
    left join f_reps as r on r.rep_id = cu.owner_rep_id
    left join last_follow_up as lf on lf.customer_id = j.customer_id
    where j.is_gap or j.is_drop
)

select * from final order by severity desc, impact desc, subject_id
