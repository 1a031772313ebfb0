-- forecast_page: one row, the open deals of pipeline_deals on $day added up for the /forecast
-- page in the warehouse, not sent one by one (tens of thousands on large), each section a
-- column holding its rows column-wise as a struct of lists (the form of customer_page, unpacked by
-- queries.sections):
-- buckets = one row per bucket and stage holding a deal: bucket = 'overdue' when the deal's
--   expected_close_on is before $day, 'no_date' when it has none, else the first day of its
--   month as text ('2024-04-01') when that month is one of forecast_months' (the month of $day
--   and the $horizon - 1 after it), else 'later'; weighted = sum of weighted_amount, best_case
--   = sum of amount (unweighted), deals = their count. Order: bucket, stage.
-- reps = one row per rep of forecast_reps (a target or a won amount in the period) or with an
--   open deal: rep_id, rep_name, target, won (0 when none), gap = target − won (NULL without a
--   target; negative = target beaten), weighted_pipeline = the sum of its open deals'
--   weighted_amount (0 when none), coverage = weighted_pipeline / gap (NULL unless the gap is
--   positive). Order: rep_id.
-- flagged = the deals stale, overdue or large and late (pipeline_deals' health flags), with
--   pipeline_deals' columns, in its order (amount desc, opportunity_id): the first $limit.
-- totals = one row: deals (open), weighted (their weighted_amount: 加权商机, the overview's
--   weighted_pipeline on the same day), stale, overdue, large_late (how many deals carry each
--   flag) and flagged (how many carry one).
-- Parameters: $day, $horizon, $limit, $start, $end + scope. Pages: /forecast, /brief.
with bucketed as (
    select d.*,
           case when d.expected_close_on < $day::date then 'overdue'
                when d.expected_close_on is null then 'no_date'
                when date_diff('month', date_trunc('month', $day::date), d.expected_close_on) < $horizon
                    then strftime(date_trunc('month', d.expected_close_on), '%Y-%m-%d')
                else 'later'
           end as bucket
    from q_pipeline_deals as d
),

rep_rows as (
    select coalesce(r.rep_id, p.rep_id) as rep_id, coalesce(r.rep_name, p.rep_name) as rep_name,
           r.target, coalesce(r.won, 0)::double as won, r.target - coalesce(r.won, 0) as gap,
           coalesce(p.weighted_pipeline, 0)::double as weighted_pipeline
    from q_forecast_reps as r
    full join (select rep_id, any_value(rep_name) as rep_name, sum(weighted_amount) as weighted_pipeline
               from q_pipeline_deals
               group by rep_id) as p on p.rep_id = r.rep_id
),

final as (
    select (select section
            from (select list(columns(*) order by b.bucket, b.stage)
                  from (select bucket, stage, sum(weighted_amount) as weighted, sum(amount) as best_case,
                               count(*) as deals
                        from bucketed
                        group by bucket, stage) as b) as section) as buckets,
           (select section
            from (select list(columns(*) order by r.rep_id)
                  from (select *, weighted_pipeline / case when gap > 0 then gap end as coverage
                        from rep_rows) as r) as section) as reps,
           (select section
            from (select list(columns(*) order by f.amount desc, f.opportunity_id)
                  from (select * from q_pipeline_deals
                        where is_stale or is_overdue or is_large_late
                        order by amount desc, opportunity_id
                        limit $limit) as f) as section) as flagged,
           (select section
            from (select list(columns(*))
                  from (select count(*) as deals, coalesce(sum(weighted_amount), 0) as weighted,
                               count(*) filter (where is_stale) as stale,
                               count(*) filter (where is_overdue) as overdue,
                               count(*) filter (where is_large_late) as large_late,
                               count(*) filter (where is_stale or is_overdue or is_large_late) as flagged
                        from q_pipeline_deals) as t) as section) as totals
)

select * from final
