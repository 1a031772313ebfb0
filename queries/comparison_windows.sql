-- comparison_windows: one row per window a KPI is compared over: 'current' (the period,
-- cut at as_of), 'mom' (环比: the period before) and 'yoy' (同比: the same dates a year
-- earlier), with window_start and window_end (inclusive); the dates come from Filters.periods.
-- Parameters: $start, $end, $prev_start, $prev_end, $yoy_start, $yoy_end.
-- Used as q_comparison_windows by overview_kpis and overview_margin.
with final as (
    select * from (values
        ('current', $start::date, $end::date),
        ('mom', $prev_start::date, $prev_end::date),
        ('yoy', $yoy_start::date, $yoy_end::date)
    ) as w (window_name, window_start, window_end)
)

select * from final
