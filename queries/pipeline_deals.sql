-- pipeline_deals: one row per opportunity open on $day, with its weighted amount, its
-- days in the current stage and its health flags.
-- Open on $day: created on or before it and not closed by then (closed_on empty or
-- after it), and the stage held that day is of kind 'open'. The stage held on $day is
-- the stint covering it (entered by then, not exited by then; the latest if several),
-- else the deal's current stage (entered, for the day count, at created_at).
-- Weighted amount = amount × p / 100, p = the rep's probability if given, else the
-- stage's default_probability. Their sum is 加权商机, the overview's weighted_pipeline on
-- the same day (overview_kpis.sql).
-- Health: stale = days in the stage (whole days from entering it to $day) over twice the
-- stage's median of completed stints (exited on or before $day, all history in scope;
-- no completed stint: never stale); overdue = expected_close_on < $day; large_late =
-- amount in the top 10% of the deals open on $day (competition rank by amount <=
-- ceil(10% of them), so ties share) and stage position >= that of the second-to-last
-- open stage (the only one, if there is one).
-- The open deals and the stage each holds on $day are read from f_stage_intervals (the
-- rule above, applied by the build to every day, with the customer's and rep's names): an
-- interval filter, not a replay of the stage history nor a join with the customers; the
-- completed stints with their days, from f_stage_stints, and their medians, without a
-- filter on a month's end or after the latest exit, from f_stage_medians.
-- Parameters: $day + scope.
-- Pages: through funnel_snapshot (/funnel: snapshot funnel on the period's end, stage
-- drill-down), forecast_page (/forecast: weighted pipeline, deal health, forecast by rep) and
-- alerts_deals_at_risk; the pages receive those sums, not the deals.
with deals as (
    -- the stage held on $day is pre-computed by the build: f_stage_intervals holds, for each
    -- day a deal is open (created, not closed), the stage it holds and when it entered it
    select si.opportunity_id, si.customer_id, si.customer_name, si.rep_id, si.rep_name, si.amount,
           si.probability as rep_probability, si.expected_close_on, si.stage, si.entered_stage_at
    from f_stage_intervals as si
    where si.from_day <= $day::date
      and coalesce(si.to_day, 'infinity'::date) > $day::date
),

staged as (
    select d.*, st.position,
           coalesce(d.rep_probability, st.default_probability)::double as probability,
           (d.amount * coalesce(d.rep_probability, st.default_probability) / 100)::double as weighted_amount,
           date_diff('day', d.entered_stage_at::date, $day::date) as days_in_stage
    from deals as d
    join f_stages as st on st.stage = d.stage and st.kind = 'open'
),

large as (
    -- competition rank by amount <= k = ceil(10% of the open deals) exactly when the amount is at
    -- least the k-th largest (fewer than k deals are then larger): the amounts sorted alone,
    -- not every deal ranked
    select min(s.amount) as amount
    from (select amount from staged order by amount desc limit (select ceil(0.1 * count(*))::bigint from staged)) as s
),

known_medians as (
    -- without a filter, the medians on a month's last day and from the latest exit on are
    -- pre-computed (f_stage_medians, empty under a filter)
    select m.stage, m.median_days
    from f_stage_medians as m
    where m.as_of = $day::date
       or (m.as_of = (select max(as_of) from f_stage_medians) and m.as_of <= $day::date)
),

stage_medians as (
    select stage, median_days from known_medians
    union all
    -- else the completed stints with their length in days (pre-computed: f_stage_stints),
    -- exited_at::date <= $day as a range on the column itself
    select h.stage, median(h.days) as median_days
    from f_stage_stints as h
    where h.exited_at < $day::date + 1
      and not exists (select 1 from known_medians)
    group by h.stage
),

late_stage as (
    -- the second-to-last open stage's position (the last two open stages count as late)
    select min(position) as position
    from (select position from f_stages where kind = 'open' order by position desc limit 2)
),

flagged as (
    select s.*, m.median_days,
           coalesce(s.days_in_stage > 2 * m.median_days, false) as is_stale,
           coalesce(s.expected_close_on < $day::date, false) as is_overdue,
           s.amount >= (select amount from large) and s.position >= (select position from late_stage)
               as is_large_late
    from staged as s
    left join stage_medians as m on m.stage = s.stage
),

final as (
    select f.opportunity_id, f.customer_id, f.customer_name, f.rep_id, f.rep_name,
           f.stage, f.position, f.amount::double as amount, f.probability, f.weighted_amount,
           f.expected_close_on, f.entered_stage_at, f.days_in_stage, f.median_days as stage_median_days,
           f.is_stale, f.is_overdue, f.is_large_late
    from flagged as f
)

select * from final order by amount desc, opportunity_id
