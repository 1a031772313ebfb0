-- revenue_series: one row per bucket of [$start, $end] for one measure, empty buckets as 0,
-- with the bucket's 环比 base (the bucket before) and 同比 base (the same bucket a year
-- earlier), the absolute changes and the percentages ((value - base) / |base|; NULL when
-- the base is 0, never inf).
-- $bucket: day, week (ISO, Monday), month, quarter, year: bucket = date_trunc($bucket, day).
-- $measure: contract_amount, payments, contracts, expenses, new_customers (f_measure_facts).
-- Windows: each bucket counts the days of [$start, $end] inside it (the first and last
-- buckets may be partial). Its 环比 base is the bucket before, cut the same way (a bucket
-- cut at $end = as_of compares to-date: 1-15 March against 1-15 February; the first
-- bucket's base lies before $start and is read from the data, never missing). Its 同比
-- base is the same window one year earlier (DuckDB `- interval 1 year`: 29 Feb -> 28 Feb);
-- a window of whole calendar months (a whole month/quarter/year, or a quarter cut at the
-- end of a month) maps to the same whole months a year earlier (February 2025 against
-- 1-29 February 2024), a whole week or day to its dates minus one year (the week of
-- 26 Feb-3 Mar 2024 against 26 Feb-3 Mar 2023, not 7 days from 26 Feb 2023), so the last
-- bucket's base ends at $yoy_end of Filters.periods (queries/filters.py year_earlier).
-- Labels: YYYY-MM-DD, ISO week YYYY-Www (2024-12-30 is 2025-W01), YYYY-MM, YYYY-Qn, YYYY.
-- Parameters: $start, $end, $bucket, $measure + scope. Pages: /revenue (series, year view).
with step as (
    select case $bucket
               when 'day' then interval 1 day
               when 'week' then interval 7 day
               when 'month' then interval 1 month
               when 'quarter' then interval 3 month
               else interval 1 year
           end as unit
),

buckets as (
    select unnest(generate_series(date_trunc($bucket, $start::date), date_trunc($bucket, $end::date),
                                  s.unit))::date as bucket_start,
           s.unit
    from step as s
),

bounds as (
    select bucket_start,
           (bucket_start + unit - interval 1 day)::date as bucket_end,
           greatest(bucket_start, $start::date) as lo,
           least((bucket_start + unit - interval 1 day)::date, $end::date) as hi,
           unit
    from buckets
),

windows as (
    select bucket_start, 'current' as side, lo as window_start, hi as window_end
    from bounds
    union all
    -- 环比: the bucket before, cut at the same offsets when this bucket is partial
    select bucket_start, 'mom',
           case when lo > bucket_start then (lo - unit)::date else (bucket_start - unit)::date end,
           case when hi < bucket_end then least((hi - unit)::date, bucket_start - 1)
                else bucket_start - 1 end
    from bounds
    union all
    -- 同比: the same window a year earlier; a window of whole calendar months (starting on a
    -- 1st, ending on a month's last day) ends on the last day of that month a year earlier
    -- (queries/filters.py year_earlier: the one rule every page uses)
    select bucket_start, 'yoy',
           (lo - interval 1 year)::date,
           case when day(lo) = 1 and hi = last_day(hi) then last_day((hi - interval 1 year)::date)
                else (hi - interval 1 year)::date end
    from bounds
),

daily as (
    select f.day, sum(f.value) as value
    from f_measure_facts as f
    where f.measure = $measure
      -- from a year before $start's bucket, a constant that no window starts before (a
      -- bucket's 环比 base is at most a year before it, its 同比 base a year before its
      -- days): the scans skip the row groups outside, where min(window_start) read them all
      and f.day between (date_trunc($bucket, $start::date) - interval 1 year)::date and $end::date
    group by f.day
),

sides as (
    select w.bucket_start, w.side, coalesce(sum(d.value), 0)::double as value
    from windows as w
    left join daily as d on d.day between w.window_start and w.window_end
    group by w.bucket_start, w.side
),

wide as (
    select b.bucket_start, b.bucket_end, b.lo, b.hi,
           max(s.value) filter (where s.side = 'current') as value,
           max(s.value) filter (where s.side = 'mom') as mom_base,
           max(s.value) filter (where s.side = 'yoy') as yoy_base
    from bounds as b
    join sides as s using (bucket_start)
    group by b.bucket_start, b.bucket_end, b.lo, b.hi
),

final as (
    select bucket_start as bucket,
           case $bucket
               when 'day' then strftime(bucket_start, '%Y-%m-%d')
               when 'week' then isoyear(bucket_start)::varchar || '-W' || lpad(week(bucket_start)::varchar, 2, '0')
               when 'month' then strftime(bucket_start, '%Y-%m')
               when 'quarter' then year(bucket_start)::varchar || '-Q' || quarter(bucket_start)::varchar
               else year(bucket_start)::varchar
           end as label,
           lo as window_start,
           hi as window_end,
           value,
           mom_base,
           value - mom_base as mom_change,
           (value - mom_base) / nullif(abs(mom_base), 0) as mom_pct,
           yoy_base,
           value - yoy_base as yoy_change,
           (value - yoy_base) / nullif(abs(yoy_base), 0) as yoy_pct
    from wide
)

select * from final order by bucket
