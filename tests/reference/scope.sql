-- Scope prelude: the filtered relations every query reads (never the base tables).
-- Spliced in front of each query's own CTEs by queries.run(). One place decides what
-- a viewer sees: $scope_all / $scope_reps (everyone, or only these reps: a later login narrows it) and the
-- global filters $teams (with their sub-teams), $reps, $regions (customer region),
-- $categories (product category), $ctypes (customer type), $sources (customer source).
-- Empty lists mean "no filter". f_accounts: customers matching the customer filters,
-- whoever owns them; f_customers: those, owned by a rep in scope. f_contracts holds counted contracts only
-- (status = 'active'); with a category filter its amount is the sum of the matching
-- lines, so every revenue number follows the category.
team_tree as (
    select t.team_id, t.team_id as root_id
    from teams as t
    union all
    select child.team_id, tree.root_id
    from teams as child
    join team_tree as tree on child.parent_team_id = tree.team_id
),
f_teams as (
    select t.*
    from teams as t
    where len($teams) = 0
       or t.team_id in (select team_id from team_tree where list_contains($teams, root_id))
),
f_reps as (
    select r.*
    from reps as r
    where r.team_id in (select team_id from f_teams)
      and (len($reps) = 0 or list_contains($reps, r.rep_id))
      and ($scope_all or list_contains($scope_reps, r.rep_id))
),
people_filtered as (
    -- true when the team/rep filter or the viewer's scope narrows the reps
    select len($teams) > 0 or len($reps) > 0 or not $scope_all as active
),
f_accounts as (
    -- customers matching the customer filters, whoever owns them
    select c.*
    from customers as c
    where (len($regions) = 0 or list_contains($regions, c.region))
      and (len($ctypes) = 0 or list_contains($ctypes, c.type))
      and (len($sources) = 0 or list_contains($sources, c.source))
),
f_customers as (
    -- ... and, when reps are narrowed, owned by one of them (the pool drops out)
    select a.*
    from f_accounts as a
    where not (select active from people_filtered)
       or a.owner_rep_id in (select rep_id from f_reps)
),
f_products as (
    select p.*
    from products as p
    where len($categories) = 0 or list_contains($categories, p.category)
),
f_stages as (
    select * from stages
),
contracts_in_scope as (
    select c.*
    from contracts as c
    where c.status = 'active'
      and c.rep_id in (select rep_id from f_reps)
      and c.customer_id in (select customer_id from f_accounts)
),
f_contract_items as (
    select i.*
    from contract_items as i
    join contracts_in_scope as c on c.contract_id = i.contract_id
    where len($categories) = 0 or i.product_id in (select product_id from f_products)
),
category_amounts as (
    select i.contract_id, sum(i.amount) as amount
    from f_contract_items as i
    group by i.contract_id
),
f_contracts as (
    select c.* replace (ca.amount::decimal(18, 2) as amount)
    from contracts_in_scope as c
    join category_amounts as ca on ca.contract_id = c.contract_id
    where len($categories) > 0
    union all by name
    select c.*
    from contracts_in_scope as c
    where len($categories) = 0
),
f_contracts_whole as (
    select k.*
    from contracts_in_scope as k
    semi join f_contracts as c on c.contract_id = k.contract_id
),
f_payment_plans as (
    select pp.*
    from payment_plans as pp
    where pp.contract_id in (select contract_id from f_contracts)
),
f_payments as (
    select p.*
    from payments as p
    where p.contract_id in (select contract_id from f_contracts)
),
f_opportunities as (
    select o.*
    from opportunities as o
    where o.rep_id in (select rep_id from f_reps)
      and o.customer_id in (select customer_id from f_accounts)
),
f_stage_history as (
    select h.*
    from opportunity_stage_history as h
    where h.opportunity_id in (select opportunity_id from f_opportunities)
),
f_expenses as (
    select e.*
    from expenses as e
    where e.rep_id in (select rep_id from f_reps)
),
f_activities as (
    select a.*
    from activities as a
    where a.rep_id in (select rep_id from f_reps)
      and a.customer_id in (select customer_id from f_accounts)
),
f_pool_events as (
    select pe.*
    from pool_events as pe
    where pe.customer_id in (select customer_id from f_accounts)
      and (not (select active from people_filtered) or pe.rep_id in (select rep_id from f_reps))
),
f_targets as (
    select tg.*
    from targets as tg
    where tg.rep_id in (select rep_id from f_reps)
),
f_purchases as (
    select pu.*
    from purchases as pu
    where pu.product_id in (select product_id from f_products)
),
f_cost_of_sales as (
    select cs.*
    from cost_of_sales as cs
    semi join f_contract_items as i on i.contract_id = cs.contract_id and i.line_no = cs.line_no
),
f_stock_issues as (
    -- stock leaving (or, returns, re-entering) the warehouse: every counted line of a product
    -- in f_products with its date and its COGS per method, whoever sold it. Stock is shared,
    -- like f_purchases: the rep, team and customer filters do not narrow it (the category does).
    select cs.*, c.signed_on as moved_on, c.customer_id
    from cost_of_sales as cs
    join contracts as c on c.contract_id = cs.contract_id
    where c.status = 'active'
      and cs.product_id in (select product_id from f_products)
),
f_build_info as (
    select * from build_info
),
-- f_account_*: facts about the customers of f_accounts that no rep or category filter
-- changes (the pool is shared; whether a customer ever bought or was followed up does
-- not depend on who is looking): used for pool history, conversion and last follow-up.
f_account_pool_events as (
    select pe.*
    from pool_events as pe
    where pe.customer_id in (select customer_id from f_accounts)
),
f_account_activities as (
    select a.*
    from activities as a
    where a.customer_id in (select customer_id from f_accounts)
),
f_account_contracts as (
    -- counted contracts of those customers, whoever signed them, with every line
    select c.*
    from contracts as c
    where c.status = 'active'
      and c.customer_id in (select customer_id from f_accounts)
),
team_levels as (
    -- f_teams as a forest hanging from its anchors (teams whose parent is not in f_teams):
    -- path = the team ids from the anchor down to the team
    select t.team_id, [t.team_id] as path
    from f_teams as t
    where t.parent_team_id is null or t.parent_team_id not in (select team_id from f_teams)
    union all
    select child.team_id, list_append(l.path, child.team_id)
    from f_teams as child
    join team_levels as l on child.parent_team_id = l.team_id
),
f_rep_groups as (
    -- each rep in scope with the team it is counted under when a page groups by team:
    -- with a single anchor (the whole company, or team=T2) the teams one level below it,
    -- each with all its sub-teams (reps directly in the anchor form the anchor's own group);
    -- with several anchors, the anchors. Groups never overlap, and a group's team filter
    -- (team=<group_team_id>) selects exactly its reps, except the anchor's own group.
    select r.rep_id, l.path[least(len(l.path), a.depth)] as group_team_id
    from f_reps as r
    join team_levels as l on l.team_id = r.team_id
    cross join (select case when count(*) = 1 then 2 else 1 end as depth
                from team_levels where len(path) = 1) as a
),
f_measure_facts as (
    -- one row per dated fact of the revenue measures, in the units the pages add up:
    -- contract_amount (f_contracts.amount by signed_on), contracts (1 per counted contract),
    -- payments (by paid_on), expenses (by incurred_on), new_customers (1 per f_customers row
    -- by created_at, rep = owner, null for the pool), follow_ups (1 per activity by occurred_at).
    -- value stays DECIMAL (money is exact: sums of cents stay cents; a query casts a sum to
    -- double only after adding up, never the facts before)
    select 'contract_amount' as measure, c.signed_on as day, c.amount as value,
           c.rep_id, c.customer_id
    from f_contracts as c
    union all
    select 'contracts', c.signed_on, 1, c.rep_id, c.customer_id from f_contracts as c
    union all
    select 'payments', p.paid_on, p.amount, c.rep_id, c.customer_id
    from f_payments as p
    join f_contracts as c on c.contract_id = p.contract_id
    union all
    select 'expenses', e.incurred_on, e.amount, e.rep_id, null from f_expenses as e
    union all
    select 'new_customers', cu.created_at::date, 1, cu.owner_rep_id, cu.customer_id from f_customers as cu
    union all
    select 'follow_ups', a.occurred_at::date, 1, a.rep_id, a.customer_id from f_activities as a
),
f_stage_stints as (
    select h.opportunity_id, h.stage, h.entered_at, h.exited_at,
           epoch(h.exited_at - h.entered_at) / 86400 as days, o.customer_id, o.rep_id
    from f_stage_history as h
    join f_opportunities as o on o.opportunity_id = h.opportunity_id
    where h.exited_at is not null
),
f_measure_months as (
    select f.measure, date_trunc('month', f.day)::date as month, f.rep_id, sum(f.value) as value
    from f_measure_facts as f
    where f.measure in ('contract_amount', 'payments')
    group by all
),
f_activity_days as (
    select a.rep_id, a.occurred_at::date as day, count(*) as n
    from f_activities as a
    group by all
),
f_sales_months as (
    select l.product_id, date_trunc('month', c.signed_on)::date as month, sum(l.quantity) as quantity,
           sum(l.amount) as amount
    from f_contract_items as l
    join f_contracts as c on c.contract_id = l.contract_id
    where l.quantity > 0
    group by all
),
f_stock_months as (
    select product_id, method, date_trunc('month', moved_on)::date as month, sum(quantity) as quantity,
           sum(cogs) as cogs, max(moved_on) filter (where quantity > 0) as last_sale
    from f_stock_issues
    group by all
),
f_rep_months as (
    select f.measure, date_trunc('month', f.day)::date as month, f.rep_id, sum(f.value) as value
    from f_measure_facts as f
    where f.measure in ('contract_amount', 'payments')
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0
    group by all
),
f_course_months as (
    -- without a filter or a narrower scope, or under one known category alone: every series
    -- of alerts_revenue_course (the company, each team with its reps at any depth, each active
    -- rep; contract_amount, payments, new_customers; with a fact) and month from the first
    -- month with a fact to 24 months after the last: value, base (12 months earlier), and over
    -- the ratios above 0 of the twelve months before: their count, the median of their
    -- logarithms (trend) and the median of the distances to it (mad)
    with recursive descendants as (
        select t.team_id as root_id, t.team_id
        from f_teams as t
        union all
        select d.root_id, child.team_id
        from f_teams as child
        join descendants as d on child.parent_team_id = d.team_id
    ),
    members as (
        select 'team' as subject_type, t.team_id as subject_id, t.name as subject_name, r.rep_id
        from descendants as d
        join f_teams as t on t.team_id = d.root_id
        join f_reps as r on r.team_id = d.team_id
        union all
        select 'rep', r.rep_id, r.name, r.rep_id from f_reps as r where r.active
    ),
    facts as (
        select f.measure, date_trunc('month', f.day)::date as month, f.rep_id, f.value
        from f_measure_facts as f
        where f.measure in ('contract_amount', 'payments', 'new_customers')
          and len($teams) = 0 and len($reps) = 0 and $scope_all
          and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
          and (len($categories) = 0 or (len($categories) = 1 and exists (select 1 from f_products)))
    ),
    monthly as (
        select 'company' as subject_type, 'company' as subject_id, null::varchar as subject_name, measure, month,
               sum(value) as value
        from facts
        group by all
        union all
        select m.subject_type, m.subject_id, m.subject_name, f.measure, f.month, sum(f.value)
        from facts as f
        join members as m on m.rep_id = f.rep_id
        group by all
    ),
    series as (
        select s.*, row_number() over (order by subject_type, subject_id, measure) as series_id
        from (select distinct subject_type, subject_id, subject_name, measure from monthly) as s
    ),
    grid as (
        select s.*, mo.month, coalesce(m.value, 0) as value,
               coalesce(y.value, 0) as base, m.value / nullif(y.value, 0) as ratio
        from series as s
        cross join (select unnest(generate_series(min(month), max(month) + interval 24 month,
                                                  interval 1 month))::date as month from monthly) as mo
        left join monthly as m
          on m.subject_type = s.subject_type and m.subject_id = s.subject_id
         and m.measure = s.measure and m.month = mo.month
        left join monthly as y
          on y.subject_type = s.subject_type and y.subject_id = s.subject_id
         and y.measure = s.measure and y.month = mo.month - interval 12 month
    ),
    history as (
        select g.series_id, g.month, ln(h.ratio) as log_ratio
        from grid as g
        join grid as h
          on h.series_id = g.series_id
         and h.month between g.month - interval 12 month and g.month - interval 1 month
        where h.ratio > 0
    ),
    trend as (
        select series_id, month, median(log_ratio) as trend, count(*) as ratios
        from history
        group by all
    ),
    spread as (
        select h.series_id, h.month, median(abs(h.log_ratio - t.trend)) as mad
        from history as h
        join trend as t using (series_id, month)
        group by all
    )
    select g.series_id, g.subject_type, g.subject_id, g.subject_name, g.measure, g.month, g.value, g.base,
           coalesce(t.ratios, 0) as ratios, t.trend, s.mad
    from grid as g
    left join trend as t using (series_id, month)
    left join spread as s using (series_id, month)
),
f_measure_days as (
    -- without a filter or a narrower scope, or under one known category alone: the facts of
    -- contract_amount, payments and new_customers per rep and month: the days with a fact, and
    -- on each the sum of the month's facts on or before it
    with facts as (
        select f.measure, f.rep_id, f.day, f.value
        from f_measure_facts as f
        where f.measure in ('contract_amount', 'payments', 'new_customers')
          and len($teams) = 0 and len($reps) = 0 and $scope_all
          and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
          and (len($categories) = 0 or (len($categories) = 1 and exists (select 1 from f_products)))
    ),
    days as (
        select x.measure, x.rep_id, x.day,
               (select sum(f.value) from facts as f
                where f.measure = x.measure and f.rep_id is not distinct from x.rep_id
                  and date_trunc('month', f.day) = date_trunc('month', x.day) and f.day <= x.day) as to_day
        from (select distinct measure, rep_id, day from facts) as x
    )
    select measure, rep_id, date_trunc('month', day)::date as month, list(dayofmonth(day) order by day) as days,
           list(to_day order by day) as to_day
    from days
    group by all
),
f_company_days as (
    -- without a filter but the category, and with everyone in scope: the company's measures
    -- per day from the facts (contract_amount, contracts, payments; contract_amount_whole of
    -- f_contracts_whole, plans_due of f_payment_plans), and each costing method's margin of
    -- the costed lines (margin_<method>: amount - COGS where the line has one)
    select f.measure, f.day, sum(f.value) as value
    from (select measure, day, value from f_measure_facts
          where measure in ('contract_amount', 'contracts', 'payments')
          union all
          select 'contract_amount_whole', signed_on, amount from f_contracts_whole
          union all
          select 'plans_due', due_on, amount from f_payment_plans) as f
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
    group by all
    union all
    select 'margin_' || cs.method, c.signed_on, sum(i.amount - cs.cogs)
    from f_contract_items as i
    join f_contracts as c on c.contract_id = i.contract_id
    join f_cost_of_sales as cs on cs.contract_id = i.contract_id and cs.line_no = i.line_no
    where cs.cogs is not null
      and len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
    group by all
),
f_purchase_days as (
    select c.customer_id, c.signed_on as day, sum(c.amount) as amount
    from f_contracts as c
    group by all
),
f_customer_window_days as (
    -- no window built: customer_windows and customer_value count from the facts
    select null::date as from_day, null::date as to_day
    where false
),
f_customer_windows as (
    select null::varchar as customer_id, null::date as from_day, null::date as to_day,
           null::decimal(38, 2) as amount, null::bigint as contracts, null::date as last_signed_on,
           null::bigint as lines,
           null::decimal(38, 2) as cogs_fifo, null::bigint as costed_fifo, null::decimal(38, 2) as uncosted_fifo,
           null::decimal(38, 2) as cogs_moving_average, null::bigint as costed_moving_average,
           null::decimal(38, 2) as uncosted_moving_average,
           null::decimal(38, 2) as cogs_monthly_average, null::bigint as costed_monthly_average,
           null::decimal(38, 2) as uncosted_monthly_average, null::bigint as position, null::bigint as n,
           null::decimal(38, 2) as amount_before, null::decimal(38, 2) as window_amount, null::bigint as at_least
    where false
),
f_category_bits as (
    -- each product category, one bit for all: the gateway's $category_mask is not 0 for a
    -- known category (which the revenue course asks); no plain relation reads the bits
    select distinct category, 1::bigint as bit
    from products
)
