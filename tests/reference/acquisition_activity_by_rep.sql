-- acquisition_activity_by_rep: one row per rep in scope and follow-up kind with at least
-- one follow-up (f_activities) in [$start, $end], with its count and the rep's total;
-- ordered by the rep's total descending, ties by rep_id, then kind.
-- Parameters: $start, $end + scope. Pages: /acquisition.
with counted as (
    select a.rep_id, a.kind, count(*) as activities
    from f_activities as a
    where a.occurred_at::date between $start and $end
    group by all
),

final as (
    select c.rep_id, r.name as rep_name, c.kind, c.activities,
           (sum(c.activities) over (partition by c.rep_id))::bigint as rep_total
    from counted as c
    join f_reps as r on r.rep_id = c.rep_id
)

select * from final order by rep_total desc, rep_id, kind
