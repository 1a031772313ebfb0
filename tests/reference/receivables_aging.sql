-- receivables_aging: the overdue plans of receivables_overdue_states on one date ($dates, a list of
-- that one date) added up per customer (level 'customer': key = customer_id, name = its
-- name), per rep (level 'rep': key = rep_id, name = the rep's name) and over all (level
-- 'all', one row even when nothing is overdue, key and name empty). Columns: the unsettled
-- amount of each aging bucket ("1-30", "31-60", "61-90", "90+"), their total, and the
-- number of plans in each bucket (plans_1_30, plans_31_60, plans_61_90, plans_90). Sums are
-- rounded to cents (as doubles, 156494.74 + 169253.61 + 153499.96 is 479248.30999…).
-- Order: level ('all', 'customer', 'rep'), largest total first, then key. Level 'customer'
-- keeps its first $limit rows in that order (what the page's grid lists); level_rows = how
-- many rows the row's level has in all.
-- Parameters: $dates, $limit + scope. Pages: /receivables (aging by bucket, by rep, by customer).
with grouped as (
    select case when grouping(o.customer_id) = 0 then 'customer'
                when grouping(o.rep_id) = 0 then 'rep'
                else 'all' end as level,
           coalesce(o.customer_id, o.rep_id) as key,
           round(coalesce(sum(o.unsettled) filter (where o.bucket = '1-30'), 0), 2) as "1-30",
           round(coalesce(sum(o.unsettled) filter (where o.bucket = '31-60'), 0), 2) as "31-60",
           round(coalesce(sum(o.unsettled) filter (where o.bucket = '61-90'), 0), 2) as "61-90",
           round(coalesce(sum(o.unsettled) filter (where o.bucket = '90+'), 0), 2) as "90+",
           round(coalesce(sum(o.unsettled), 0), 2) as total,
           count(*) filter (where o.bucket = '1-30') as plans_1_30,
           count(*) filter (where o.bucket = '31-60') as plans_31_60,
           count(*) filter (where o.bucket = '61-90') as plans_61_90,
           count(*) filter (where o.bucket = '90+') as plans_90
    from q_receivables_overdue_states as o
    group by grouping sets ((o.customer_id), (o.rep_id), ())
),

listed as (
    select g.*, count(*) over (partition by g.level) as level_rows
    from grouped as g
    qualify g.level <> 'customer'
         or row_number() over (partition by g.level order by g.total desc, g.key) <= $limit
),

final as (
    -- the names after adding up and cutting: one lookup per listed customer and rep, not per plan
    select g.level, g.key, coalesce(cu.name, r.name) as name, g.* exclude (level, key)
    from listed as g
    left join f_accounts as cu on g.level = 'customer' and cu.customer_id = g.key
    left join f_reps as r on g.level = 'rep' and r.rep_id = g.key
)

select * from final order by level, total desc, key
