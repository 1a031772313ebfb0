-- dimension_values: one row per (dimension, value) a URL filter may take, with a label.
-- dimension is the URL key: team, rep, region, category, source. Ordered by label.
-- Regions and sources are those of f_customers, read from their distinct dimensions
-- (f_customer_dims: a few hundred rows, not every customer).
-- Parameters: scope only (call with empty filters). Pages: the shell's filter bar.
with dims as (
    select 'team' as dimension, team_id as value, name as label, parent_team_id as parent from f_teams
    union all
    select 'rep', rep_id, name, team_id from f_reps
    union all
    select distinct 'region', region, region, null from f_customer_dims where region is not null
    union all
    select distinct 'category', category, category, null from f_products
    union all
    select distinct 'source', source, source, null from f_customer_dims where source is not null
),

final as (
    select * from dims order by dimension, label, value
)

select * from final
