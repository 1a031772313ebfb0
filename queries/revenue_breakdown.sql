-- revenue_breakdown: one measure of [$start, $end] broken down by $dimension: one row per
-- slice and bucket (bucket set; empty buckets as 0: the stacked bars) and one row per slice
-- with bucket NULL (the slice's period total, its share of the period, and its 同比 base over
-- [$yoy_start, $yoy_end] with change and percentage, NULL when the base is 0).
-- $dimension: team (the rep's group team of f_rep_groups: one level below the filtered
-- team, with sub-teams), rep, region (customer region), category (product category; contract
-- amount only: the net line amounts), ctype (customer type). $measure as in revenue_series.
-- Facts without a value for the dimension (a pool customer has no rep, a customer no region)
-- form the slice_kind 'none' slice. The $top slices with the largest period value (ties by
-- slice_id) are kept; the rest are summed into one slice_kind 'other' slice.
-- Parameters: $start, $end, $yoy_start, $yoy_end, $bucket, $measure, $dimension, $top + scope.
-- Pages: /revenue (breakdown).
with facts as (
    select f.day, f.value,
           case $dimension
               when 'rep' then f.rep_id
               when 'team' then g.group_team_id
               when 'region' then a.region
               when 'ctype' then a.type
           end as slice_id
    from f_measure_facts as f
    -- each join only for the dimensions that read it (a fact per customer looked up in
    -- 100,000 accounts cost more than the rest of the query)
    left join f_rep_groups as g on $dimension = 'team' and g.rep_id = f.rep_id
    left join f_accounts as a on $dimension in ('region', 'ctype') and a.customer_id = f.customer_id
    where f.measure = $measure
      and $dimension <> 'category'
      and (f.day between $start and $end or f.day between $yoy_start and $yoy_end)
    union all
    select c.signed_on, i.amount::double, p.category
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    join f_products as p on p.product_id = i.product_id
    where $measure = 'contract_amount'
      and $dimension = 'category'
      and (c.signed_on between $start and $end or c.signed_on between $yoy_start and $yoy_end)
),

slice_totals as (
    -- sums of doubles rounded to cents, so that equal amounts tie (and break by slice_id)
    select slice_id,
           coalesce(round(sum(value) filter (where day between $start and $end), 2), 0) as value,
           coalesce(round(sum(value) filter (where day between $yoy_start and $yoy_end), 2), 0) as yoy_base
    from facts
    group by slice_id
),

ranked as (
    -- the largest first; ties by slice_id; the slice without a value last among equals
    select *, row_number() over (order by value desc, slice_id nulls last) as position
    from slice_totals
),

kept as (
    select case when position <= $top then slice_id end as slice_id,
           case when position > $top then 'other' when slice_id is null then 'none' else 'slice' end
               as slice_kind,
           min(position) as position,
           sum(value)::double as value,
           sum(yoy_base)::double as yoy_base
    from ranked
    group by 1, 2
),

labelled as (
    select k.*,
           coalesce(case $dimension
                        when 'rep' then (select r.name from f_reps as r where r.rep_id = k.slice_id)
                        when 'team' then (select t.name from f_teams as t where t.team_id = k.slice_id)
                    end, k.slice_id) as slice_label
    from kept as k
),

slice_of as (
    select f.day, f.value, k.slice_id, k.slice_kind
    from facts as f
    join ranked as r on r.slice_id is not distinct from f.slice_id
    join kept as k
      on k.slice_kind = case when r.position > $top then 'other' when r.slice_id is null then 'none' else 'slice' end
     and k.slice_id is not distinct from case when r.position <= $top then r.slice_id end
    where f.day between $start and $end
),

buckets as (
    select unnest(generate_series(date_trunc($bucket, $start::date), date_trunc($bucket, $end::date),
                                  case $bucket
                                      when 'day' then interval 1 day
                                      when 'week' then interval 7 day
                                      when 'month' then interval 1 month
                                      when 'quarter' then interval 3 month
                                      else interval 1 year
                                  end))::date as bucket
),

bucket_values as (
    select date_trunc($bucket, day)::date as bucket, slice_id, slice_kind, sum(value) as value
    from slice_of
    group by all
),

grid as (
    select l.slice_id, l.slice_kind, l.slice_label, l.position, b.bucket,
           coalesce(v.value, 0)::double as value,
           null::double as share, null::double as yoy_base, null::double as yoy_change,
           null::double as yoy_pct
    from labelled as l
    cross join buckets as b
    left join bucket_values as v
      on v.bucket = b.bucket and v.slice_kind = l.slice_kind and v.slice_id is not distinct from l.slice_id
),

totals as (
    select slice_id, slice_kind, slice_label, position, null::date as bucket, value,
           value / nullif(sum(value) over (), 0) as share,
           yoy_base,
           value - yoy_base as yoy_change,
           (value - yoy_base) / nullif(abs(yoy_base), 0) as yoy_pct
    from labelled
),

final as (
    select * from totals
    union all
    select * from grid
)

select * from final order by bucket nulls first, position
