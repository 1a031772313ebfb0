-- overview_margin: one row, the gross-margin KPI of the executive overview in the shape of
-- overview_kpis (measure, current, 环比 and 同比 bases, changes, percentages; NULL
-- percentage when the base is 0). Gross margin = revenue − COGS by costing $method of
-- the f_contract_items lines signed in the window. Lines of uncosted products (no
-- receipts: COGS NULL) are left out, never costed at zero (the products page shows how
-- much revenue is uncosted). A window without costed lines has margin 0.
-- Parameters: $start, $end, $prev_start, $prev_end, $yoy_start, $yoy_end, $method + scope.
-- Pages: / (overview).
with windows as (
    select * from q_comparison_windows
),

margin_days as (
    -- the costed lines' margin added up per day first (exact: decimal sums), then per window:
    -- the build's daily sums by $method (f_company_days) when nothing but a category narrows
    -- the lines and the viewer sees everyone, else the lines ($company_wide: the other branch
    -- is pruned at planning); every window lies in these bounds, so the date-sorted rows skip
    -- the row groups outside
    select d.day, d.value as margin
    from f_company_days as d
    where d.measure = 'margin_' || $method
      and d.day between least($start::date, $prev_start::date, $yoy_start::date)
                    and greatest($end::date, $prev_end::date, $yoy_end::date)
    union all
    select l.signed_on as day, sum(l.amount - l.cogs) as margin
    from q_line_costs as l
    where not $company_wide
      and l.cogs is not null
      and l.signed_on between least($start::date, $prev_start::date, $yoy_start::date)
                          and greatest($end::date, $prev_end::date, $yoy_end::date)
    group by l.signed_on
),

by_window as (
    select w.window_name, coalesce(sum(d.margin), 0)::double as gross_margin
    from windows as w
    left join margin_days as d on d.day between w.window_start and w.window_end
    group by w.window_name
),

wide as (
    select max(gross_margin) filter (where window_name = 'current') as current,
           max(gross_margin) filter (where window_name = 'mom') as mom,
           max(gross_margin) filter (where window_name = 'yoy') as yoy
    from by_window
),

final as (
    select 'gross_margin' as measure,
           current,
           mom as mom_base,
           current - mom as mom_change,
           (current - mom) / nullif(abs(mom), 0) as mom_pct,
           yoy as yoy_base,
           current - yoy as yoy_change,
           (current - yoy) / nullif(abs(yoy), 0) as yoy_pct
    from wide
)

select * from final
