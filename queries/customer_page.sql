-- customer_page: one row, the sections of the /customers page, each a column holding its
-- query's rows column-wise: a struct of lists, one list per column of that query, in that
-- query's order and of its type (an empty section keeps its columns' types); the gateway
-- reads it through Arrow (queries.SECTIONED): groups = customer_groups with $group = 'all' (ordered by group_kind,
-- sort_key), lorenz = customer_lorenz (by pct), churn = customer_churn (one row), moves =
-- customer_tier_moves (no order), listed = customer_list (by position). The metrics are
-- those queries'; asking for them in one statement values the period's customers once
-- (customer_value, customer_tiers and customer_churn are CTEs every section shares)
-- instead of once per query. queries.sections unpacks it into one frame per section.
-- Parameters: $group ('all'), $tier, $segment, $cell, $limit, $start, $end, $prev_start,
-- $prev_end, $method, $abc_a, $abc_b + scope. Pages: /customers.
with final as (
    select (select section
            from (select list(columns(*) order by g.group_kind, g.sort_key) from q_customer_groups as g) as section
           ) as groups,
           (select section
            from (select list(columns(*) order by l.pct) from q_customer_lorenz as l) as section) as lorenz,
           (select section
            from (select list(columns(*)) from q_customer_churn as ch) as section) as churn,
           (select section
            from (select list(columns(*)) from q_customer_tier_moves as m) as section) as moves,
           (select section
            from (select list(columns(*) order by c.position) from q_customer_list as c) as section) as listed
)

select * from final
