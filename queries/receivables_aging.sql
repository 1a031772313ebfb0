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
with pairs as (
    -- per customer and rep first (165,000 plans on large into 37,000 pairs), the three levels
    -- added up from those: grouping sets over the plans themselves copy every plan once per set
    select o.customer_id, o.rep_id,
           sum(o.unsettled) filter (where o.bucket = '1-30') as b1,
           sum(o.unsettled) filter (where o.bucket = '31-60') as b2,
           sum(o.unsettled) filter (where o.bucket = '61-90') as b3,
           sum(o.unsettled) filter (where o.bucket = '90+') as b4,
           sum(o.unsettled) as total,
           count(*) filter (where o.bucket = '1-30') as n1,
           count(*) filter (where o.bucket = '31-60') as n2,
           count(*) filter (where o.bucket = '61-90') as n3,
           count(*) filter (where o.bucket = '90+') as n4
    from q_receivables_overdue_states as o
    group by o.customer_id, o.rep_id
),

grouped as (
    select case when grouping(p.customer_id) = 0 then 'customer'
                when grouping(p.rep_id) = 0 then 'rep'
                else 'all' end as level,
           coalesce(p.customer_id, p.rep_id) as key,
           round(coalesce(sum(p.b1), 0), 2) as "1-30",
           round(coalesce(sum(p.b2), 0), 2) as "31-60",
           round(coalesce(sum(p.b3), 0), 2) as "61-90",
           round(coalesce(sum(p.b4), 0), 2) as "90+",
           round(coalesce(sum(p.total), 0), 2) as total,
           coalesce(sum(p.n1), 0)::bigint as plans_1_30,
           coalesce(sum(p.n2), 0)::bigint as plans_31_60,
           coalesce(sum(p.n3), 0)::bigint as plans_61_90,
           coalesce(sum(p.n4), 0)::bigint as plans_90
    from pairs as p
    group by grouping sets ((p.customer_id), (p.rep_id), ())
),

level_rows as (
    select level, count(*) as level_rows from grouped group by level
),

listed as (
    -- the customers' first $limit by a top-n, not a sort of every row
    select g.*, n.level_rows
    from (
        select * from grouped where level <> 'customer'
        union all
        (select * from grouped where level = 'customer' order by total desc, key limit $limit)
    ) as g
    join level_rows as n on n.level = g.level
),

final as (
    -- the names after adding up and cutting: one lookup per listed customer and rep, not per plan
    select g.level, g.key, coalesce(cu.name, r.name) as name, g.* exclude (level, key)
    from listed as g
    left join f_accounts as cu on g.level = 'customer' and cu.customer_id = g.key
    left join f_reps as r on g.level = 'rep' and r.rep_id = g.key
)

select * from final order by level, total desc, key
