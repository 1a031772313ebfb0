-- funnel_snapshot: one row, the open deals of pipeline_deals on $day for the /funnel page's
-- snapshot, added up in the warehouse instead of sent one by one (tens of thousands on
-- large), each section a column holding its rows column-wise as a struct of lists (the form of
-- customer_page, unpacked by queries.sections):
-- stages = one row per open stage of f_stages, in position order (0 where no deal is open):
--   stage, position, deals (count), amount and weighted_amount (sums of pipeline_deals');
-- chosen = the deals in stage $stage ('' = none: no rows) with the columns the page lists, in
--   pipeline_deals' order (amount desc, opportunity_id): the first $limit.
-- Parameters: $day, $stage, $limit + scope. Pages: /funnel (snapshot funnel, stage drill-down).
with per_stage as (
    select d.stage, count(*) as deals, sum(d.amount) as amount, sum(d.weighted_amount) as weighted_amount
    from q_pipeline_deals as d
    group by d.stage
),

final as (
    select (select section
            from (select list(columns(*) order by s.position, s.stage)
                  from (select st.stage, st.position, coalesce(p.deals, 0) as deals,
                               coalesce(p.amount, 0)::double as amount,
                               coalesce(p.weighted_amount, 0)::double as weighted_amount
                        from f_stages as st
                        left join per_stage as p on p.stage = st.stage
                        where st.kind = 'open') as s) as section) as stages,
           (select section
            from (select list(columns(*) order by d.amount desc, d.opportunity_id)
                  from (select opportunity_id, customer_name, customer_id, rep_name, stage, amount, probability,
                               weighted_amount, expected_close_on, days_in_stage
                        from q_pipeline_deals
                        where stage = $stage
                        order by amount desc, opportunity_id
                        limit $limit) as d) as section) as chosen
)

select * from final
