-- funnel_win_rates: one row per rep with opportunities created in [$start, $end], and
-- one for everyone (rep_id NULL, is_total): created, won, lost, still open, won and lost
-- amounts, win rate of the closed (won / (won + lost)) and of the created (won /
-- created), both NULL when their base is 0, and the median cycle of the won deals in
-- days (created_at's date to closed_on). Outcomes are the current stage's kind.
-- The figures of a calendar month, quarter or year (or from its first day on, past the
-- latest creation: this year, this month) are pre-computed without a filter (f_win_rates,
-- empty under a filter); other periods are worked out from the opportunities.
-- Parameters: $start, $end + scope. Pages: /funnel (summary, rep table).
with known as (
    select wr.rep_id, wr.is_total, wr.created, wr.won, wr.lost, wr.still_open, wr.won_amount, wr.lost_amount,
           wr.median_cycle_days
    from f_win_rates as wr
    where wr.from_day = $start::date
      and (wr.to_day = $end::date or (wr.to_day is null and wr.last_created_on <= $end::date))
),

cohort as (
    select o.opportunity_id, o.rep_id, o.amount, o.created_at, o.closed_on, st.kind
    from f_opportunities as o
    join f_stages as st on st.stage = o.stage
    -- created_at::date between $start and $end, as a range on the column itself (the scan of
    -- the date-sorted opportunities skips the row groups outside the period)
    where o.created_at >= $start::date and o.created_at < $end::date + 1
      and not exists (select 1 from known)
),

totals as (
    select c.rep_id, grouping(c.rep_id) = 1 as is_total,
           count(*) as created,
           count(*) filter (where c.kind = 'won') as won,
           count(*) filter (where c.kind = 'lost') as lost,
           count(*) filter (where c.kind = 'open') as still_open,
           coalesce(sum(c.amount) filter (where c.kind = 'won'), 0)::double as won_amount,
           coalesce(sum(c.amount) filter (where c.kind = 'lost'), 0)::double as lost_amount,
           median(date_diff('day', c.created_at::date, c.closed_on)) filter (where c.kind = 'won')
               as median_cycle_days
    from cohort as c
    group by grouping sets ((c.rep_id), ())
),

everyone as (
    -- the total row even for an empty cohort
    select null as rep_id, true as is_total, 0 as created, 0 as won, 0 as lost, 0 as still_open,
           0::double as won_amount, 0::double as lost_amount, null::double as median_cycle_days
    where not exists (select 1 from totals where is_total)
),

figures as (
    -- the pre-computed figures, else those worked out (an empty cohort still has its total)
    select * from known
    union all by name
    select * from (select * from totals union all by name select * from everyone)
    where not exists (select 1 from known)
),

final as (
    select t.rep_id, r.name as rep_name, t.is_total, t.created, t.won, t.lost, t.still_open,
           t.won_amount, t.lost_amount,
           t.won / nullif(t.won + t.lost, 0) as win_rate_closed,
           t.won / nullif(t.created, 0) as win_rate_created,
           t.median_cycle_days::double as median_cycle_days
    from figures as t
    left join f_reps as r on r.rep_id = t.rep_id
)

select * from final order by is_total desc, rep_id
