-- forecast_reps: one row per rep in scope with a contract_amount target in the period or
-- a counted contract signed in it: target = targets of the months whose first day lies in
-- [$start, $end] (NULL when none), won = contract amount signed in [$start, $end].
-- forecast_page adds each rep's weighted pipeline (pipeline_deals on the state date), the
-- gap and the coverage.
-- Parameters: $start, $end + scope. Pages: /forecast (forecast by rep, through forecast_page).
with rep_targets as (
    select tg.rep_id, sum(tg.amount) as target
    from f_targets as tg
    where tg.measure = 'contract_amount'
      and tg.month between $start and $end
    group by tg.rep_id
),

rep_won as (
    select c.rep_id, sum(c.amount) as won
    from f_contracts as c
    where c.signed_on between $start and $end
    group by c.rep_id
),

final as (
    select r.rep_id, r.name as rep_name, t.target::double as target, coalesce(w.won, 0)::double as won
    from f_reps as r
    left join rep_targets as t on t.rep_id = r.rep_id
    left join rep_won as w on w.rep_id = r.rep_id
    where t.rep_id is not null or w.rep_id is not null
)

select * from final order by rep_id
