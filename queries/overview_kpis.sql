-- overview_kpis: one row per KPI measure of the executive overview, with its value for
-- the period and its 环比 (previous period) and 同比 (same dates a year earlier) bases,
-- the absolute changes and the percentages ((current - base) / |base|; NULL when the
-- base is 0, never inf).
-- Measures: contract_amount (counted contracts by signed_on), payments (by paid_on),
-- contracts (count), new_customers (by created_at), weighted_pipeline (opportunities
-- open at the window's last day, amount × probability / 100: the rep's own probability,
-- else the default of the stage the deal was in on that day, from its stage history,
-- pre-computed as f_stage_intervals).
-- 加权商机 (weighted_pipeline) has one definition on every page: every deal open on the date,
-- overdue, undated or expected after any horizon included; /forecast shows the same number
-- (the sum of pipeline_deals.weighted_amount on the period's end) and names the part
-- expected within its months differently (tests/test_onenumber.py checks they agree).
-- Parameters: $start, $end, $prev_start, $prev_end, $yoy_start, $yoy_end + scope.
-- Pages: / (overview).
with windows as (
    select * from q_comparison_windows
),

contract_days as (
    -- added up per day first (exact: decimal sums), then per window: each window joins a
    -- few hundred days, not every contract. The build's daily sums (f_company_days) when
    -- nothing but a category narrows the contracts and the viewer sees everyone, else the
    -- facts ($company_wide: the other branch is pruned at planning); every window lies in
    -- these bounds, so the date-sorted rows skip the row groups outside
    select d.day, sum(d.value) filter (where d.measure = 'contract_amount') as amount,
           sum(d.value) filter (where d.measure = 'contracts') as contracts
    from f_company_days as d
    where d.measure in ('contract_amount', 'contracts')
      and d.day between least($start::date, $prev_start::date, $yoy_start::date)
                    and greatest($end::date, $prev_end::date, $yoy_end::date)
    group by d.day
    union all
    select c.signed_on as day, sum(c.amount) as amount, count(*) as contracts
    from f_contracts as c
    where not $company_wide
      and c.signed_on between least($start::date, $prev_start::date, $yoy_start::date)
                          and greatest($end::date, $prev_end::date, $yoy_end::date)
    group by c.signed_on
),

contract_totals as (
    select w.window_name, sum(d.amount) as contract_amount, sum(d.contracts) as contracts
    from windows as w
    left join contract_days as d on d.day between w.window_start and w.window_end
    group by w.window_name
),

payment_days as (
    -- the same two sources as contract_days
    select d.day, d.value as amount
    from f_company_days as d
    where d.measure = 'payments'
      and d.day between least($start::date, $prev_start::date, $yoy_start::date)
                    and greatest($end::date, $prev_end::date, $yoy_end::date)
    union all
    select p.paid_on as day, sum(p.amount) as amount
    from f_payments as p
    where not $company_wide
      and p.paid_on between least($start::date, $prev_start::date, $yoy_start::date)
                        and greatest($end::date, $prev_end::date, $yoy_end::date)
    group by p.paid_on
),

payment_totals as (
    select w.window_name, sum(d.amount) as payments
    from windows as w
    left join payment_days as d on d.day between w.window_start and w.window_end
    group by w.window_name
),

customer_totals as (
    select w.window_name, count(c.customer_id) as new_customers
    from windows as w
    left join f_customers as c on c.created_at::date between w.window_start and w.window_end
    group by w.window_name
),

stage_on_day as (
    -- deals open on the window's last day (created by then, not closed by then) with the
    -- stage held that day (the stint covering it, the latest if several, else the current
    -- stage): the build pre-computes them as f_stage_intervals. One range per window, its
    -- day as a constant (the windows of q_comparison_windows): the scan skips the row groups
    -- of intervals ending before it or starting after it (one range spanning every window's
    -- day would read every interval between them)
    select 'current' as window_name, si.opportunity_id, si.amount, si.probability, si.stage
    from f_stage_intervals as si
    where si.from_day <= $end::date and coalesce(si.to_day, 'infinity'::date) > $end::date
    union all
    select 'mom', si.opportunity_id, si.amount, si.probability, si.stage
    from f_stage_intervals as si
    where si.from_day <= $prev_end::date and coalesce(si.to_day, 'infinity'::date) > $prev_end::date
    union all
    select 'yoy', si.opportunity_id, si.amount, si.probability, si.stage
    from f_stage_intervals as si
    where si.from_day <= $yoy_end::date and coalesce(si.to_day, 'infinity'::date) > $yoy_end::date
),

pipeline_totals as (
    select w.window_name,
           sum(s.amount * coalesce(s.probability, st.default_probability) / 100) as weighted_pipeline
    from windows as w
    left join stage_on_day as s on s.window_name = w.window_name
    left join f_stages as st on st.stage = s.stage
    group by w.window_name
),

by_window as (
    select w.window_name,
           coalesce(ct.contract_amount, 0)::double as contract_amount,
           coalesce(pt.payments, 0)::double as payments,
           coalesce(ct.contracts, 0)::double as contracts,
           coalesce(cu.new_customers, 0)::double as new_customers,
           round(coalesce(pl.weighted_pipeline, 0), 2)::double as weighted_pipeline
    from windows as w
    left join contract_totals as ct using (window_name)
    left join payment_totals as pt using (window_name)
    left join customer_totals as cu using (window_name)
    left join pipeline_totals as pl using (window_name)
),

long as (
    select window_name, 'contract_amount' as measure, contract_amount as value from by_window
    union all select window_name, 'payments', payments from by_window
    union all select window_name, 'contracts', contracts from by_window
    union all select window_name, 'new_customers', new_customers from by_window
    union all select window_name, 'weighted_pipeline', weighted_pipeline from by_window
),

wide as (
    select measure,
           max(value) filter (where window_name = 'current') as current,
           max(value) filter (where window_name = 'mom') as mom,
           max(value) filter (where window_name = 'yoy') as yoy
    from long
    group by measure
),

final as (
    select measure,
           current,
           mom as mom_base,
           current - mom as mom_change,
           (current - mom) / nullif(abs(mom), 0) as mom_pct,
           yoy as yoy_base,
           current - yoy as yoy_change,
           (current - yoy) / nullif(abs(yoy), 0) as yoy_pct
    from wide
)

select * from final order by measure
