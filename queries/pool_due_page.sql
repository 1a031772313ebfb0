-- pool_due_page: one row, /lead-pool's customers due back (pool_due) cut and counted in the
-- warehouse instead of sent one by one (33,000 on xl), each section a column holding its rows
-- column-wise as a struct of lists (the form of customer_page, unpacked by queries.sections):
-- listed = the due customers with pool_due's columns in the grid's order (rep_id, due_on,
--   customer_id): the first $limit;
-- by_rep = one row per rep with a customer due: rep_id, rep_name, customers (how many), most
--   first, ties by rep_id;
-- totals = one row: customers (how many are due in all).
-- Parameters: $as_of, $limit_days, $window, $limit + scope. Pages: /lead-pool.
with due as materialized (
    select * from q_pool_due
),

final as (
    select (select section
            from (select list(columns(*) order by d.rep_id, d.due_on, d.customer_id)
                  from (select * from due order by rep_id, due_on, customer_id limit $limit) as d) as section)
               as listed,
           (select section
            from (select list(columns(*) order by r.customers desc, r.rep_id)
                  from (select rep_id, any_value(rep_name) as rep_name, count(*) as customers
                        from due
                        group by rep_id) as r) as section) as by_rep,
           (select section
            from (select list(columns(*)) from (select count(*) as customers from due) as t) as section) as totals
)

select * from final
