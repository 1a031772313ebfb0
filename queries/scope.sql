-- Scope prelude: the filtered relations every query reads (never the base tables).
-- Spliced in front of each query's own CTEs by queries.run(). One place decides what
-- a viewer sees: $scope_all / $scope_reps (everyone, or only these reps: a later login narrows it) and the
-- global filters $teams (with their sub-teams), $reps, $regions (customer region),
-- $categories (product category), $ctypes (customer type), $sources (customer source).
-- Empty lists mean "no filter"; $reps_narrowed (queries.reps_narrowed): a team, a rep or the
-- scope narrows the reps, a constant when DuckDB plans. f_accounts: customers matching the customer filters,
-- whoever owns them; f_customers: those, owned by a rep in scope. f_contracts holds counted contracts only
-- (status = 'active'); with a category filter its amount is the sum of the matching
-- lines, so every revenue number follows the category.
-- The facts come from the serving layer (data/serving.py: s_contracts, s_lines,
-- s_cost_of_sales, s_payments, s_plan_states, s_stage_intervals, s_payment_plans,
-- s_opportunities, s_activities, s_stage_history, s_stage_stints, s_stock_days,
-- s_last_activities, s_pool_days, s_first_contracts, s_customer_dims, s_stage_medians,
-- s_measure_months, s_sales_months, s_stock_months, s_activity_days, s_contract_paid,
-- s_stage_days, s_win_rates, s_cohort_counts, s_lost_counts, s_course_months,
-- s_measure_days, s_purchase_days, s_rep_purchase_days, s_purchase_standing, s_overdue_judged,
-- s_customer_windows, s_customer_window_days, s_churn_days, s_company_days; f_rep_months reads
-- s_measure_months too),
-- built once per build,
-- date-sorted and pre-joined with the customer's dimensions, so a filter here is a scan,
-- not a join. When a team, a rep or the viewer's scope narrows the reps, the customers and
-- the largest facts are read from copies sorted by rep (s_customers_by_owner, s_contracts_by_rep,
-- s_lines_by_rep, s_payments_by_rep, s_plan_states_by_rep, s_stage_intervals_by_rep:
-- data/serving.py, BY_REP_SQL): a union of two branches, one empty at plan time.
-- tests/reference/scope.sql defines the same relations over the base tables;
-- tests/test_serving.py checks that every query gives the same answer through both.
-- Every f_* relation is NOT MATERIALIZED: DuckDB inlines it into each use, so each use's own
-- conditions (a period, a date) reach the date-sorted scans; a relation read twice was
-- otherwise computed whole once (the early warnings on large: 1.45 -> 1.25 s).
team_tree as (
    select t.team_id, t.team_id as root_id
    from teams as t
    union all
    select child.team_id, tree.root_id
    from teams as child
    join team_tree as tree on child.parent_team_id = tree.team_id
),
f_teams as not materialized (
    select t.*
    from teams as t
    where len($teams) = 0
       or t.team_id in (select team_id from team_tree where list_contains($teams, root_id))
),
f_reps as not materialized (
    select r.*
    from reps as r
    where r.team_id in (select team_id from f_teams)
      and (len($reps) = 0 or list_contains($reps, r.rep_id))
      and ($scope_all or list_contains($scope_reps, r.rep_id))
),
f_accounts as not materialized (
    -- customers matching the customer filters, whoever owns them
    select c.*
    from (select * from customers where not $reps_narrowed
          union all
          select * from s_customers_by_owner where $reps_narrowed) as c
    where (len($regions) = 0 or list_contains($regions, c.region))
      and (len($ctypes) = 0 or list_contains($ctypes, c.type))
      and (len($sources) = 0 or list_contains($sources, c.source))
),
f_customers as not materialized (
    -- ... and, when reps are narrowed, owned by one of them (the pool drops out): two
    -- branches, one empty at plan time (no join with the reps when nothing narrows them)
    select a.*
    from f_accounts as a
    where not $reps_narrowed
    union all
    select a.*
    from f_accounts as a
    where $reps_narrowed
      and a.owner_rep_id in (select rep_id from f_reps)
),
f_products as not materialized (
    select p.*
    from products as p
    where len($categories) = 0 or list_contains($categories, p.category)
),
f_stages as not materialized (
    select * from stages
),
contracts_in_scope as (
    -- s_contracts holds the counted contracts with their customer's dimensions: the
    -- customer filters of f_accounts apply without a join
    select c.* exclude (c_region, c_type, c_source)
    from (select * from s_contracts where not $reps_narrowed
          union all
          select * from s_contracts_by_rep where $reps_narrowed) as c
    where c.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, c.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, c.c_type))
      and (len($sources) = 0 or list_contains($sources, c.c_source))
),
f_lines as not materialized (
    -- the lines of f_contract_items with their contract's signed_on, customer_id and rep_id,
    -- the product's category, each method's COGS (cogs_fifo, cogs_moving_average,
    -- cogs_monthly_average) and the FIFO shortfall_quantity (data/serving.py, s_lines)
    select l.* exclude (c_region, c_type, c_source)
    from (select * from s_lines where not $reps_narrowed
          union all
          select * from s_lines_by_rep where $reps_narrowed) as l
    where l.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, l.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, l.c_type))
      and (len($sources) = 0 or list_contains($sources, l.c_source))
      and (len($categories) = 0 or list_contains($categories, l.category))
),
f_contract_items as not materialized (
    select l.contract_id, l.line_no, l.product_id, l.quantity, l.unit_price, l.amount
    from f_lines as l
),
f_contracts as not materialized (
    -- with a category filter, the contracts with a line in one of the categories, their
    -- amount the sum of those lines (s_contracts.category_amounts: the lines' amounts added
    -- up per category, read from the row, so a period reaches the date-sorted scan; one
    -- category's entry is found by its place in categories, the same list's order, which is
    -- 10-15% faster on large than the sum over the entries)
    select c.* exclude (categories, category_bits, category_amounts) replace (
        (case when len($categories) = 0 then c.amount
              when len($categories) = 1 then c.category_amounts[list_position(c.categories, $categories[1])].amount
              else list_sum([x.amount for x in c.category_amounts if list_contains($categories, x.category)])
         end)::decimal(18, 2) as amount)
    from contracts_in_scope as c
    where len($categories) = 0 or (($category_mask & c.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, c.categories)))
),
f_contracts_whole as not materialized (
    -- the contracts of f_contracts with their whole amount, whatever the category filter
    -- (plans and payments belong to whole contracts): with a category filter, those with a
    -- line in one of the categories
    select c.* exclude (categories, category_bits, category_amounts)
    from contracts_in_scope as c
    where len($categories) = 0 or (($category_mask & c.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, c.categories)))
),
f_payment_plans as not materialized (
    -- plans of f_contracts (s_payment_plans): the conditions of f_contracts (with a category
    -- filter, a contract with a line in one of the categories), read from its own columns
    select pp.* exclude (customer_id, rep_id, c_region, c_type, c_source, categories, category_bits)
    from s_payment_plans as pp
    where pp.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, pp.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, pp.c_type))
      and (len($sources) = 0 or list_contains($sources, pp.c_source))
      and (len($categories) = 0 or (($category_mask & pp.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, pp.categories))))
),
payments_in_scope as (
    -- payments of f_contracts with their contract's rep_id and customer_id (s_payments):
    -- the conditions of f_contracts read from the columns s_payments carries
    select p.* exclude (c_region, c_type, c_source, categories, category_bits)
    from (select * from s_payments where not $reps_narrowed
          union all
          select * from s_payments_by_rep where $reps_narrowed) as p
    where p.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, p.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, p.c_type))
      and (len($sources) = 0 or list_contains($sources, p.c_source))
      and (len($categories) = 0 or (($category_mask & p.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, p.categories))))
),
f_payments as not materialized (
    select p.* exclude (customer_id, rep_id)
    from payments_in_scope as p
),
f_opportunities as not materialized (
    -- opportunities of reps in f_reps with customers of f_accounts (s_opportunities carries
    -- the customer's dimensions), with furthest_open_position: the highest open stage
    -- position among its stints and current stage (data/serving.py)
    select o.* exclude (c_region, c_type, c_source)
    from s_opportunities as o
    where o.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, o.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, o.c_type))
      and (len($sources) = 0 or list_contains($sources, o.c_source))
),
f_stage_history as not materialized (
    -- the stage history of f_opportunities (s_stage_history carries the opportunity's rep
    -- and customer dimensions: the conditions of f_opportunities without a join)
    select h.* exclude (o_rep_id, c_region, c_type, c_source)
    from s_stage_history as h
    where h.o_rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, h.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, h.c_type))
      and (len($sources) = 0 or list_contains($sources, h.c_source))
),
f_expenses as not materialized (
    select e.*
    from expenses as e
    where e.rep_id in (select rep_id from f_reps)
),
f_activities as not materialized (
    -- follow-ups of reps in f_reps with customers of f_accounts (s_activities, date-sorted,
    -- carries the customer's dimensions)
    select a.* exclude (c_region, c_type, c_source)
    from s_activities as a
    where a.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, a.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, a.c_type))
      and (len($sources) = 0 or list_contains($sources, a.c_source))
),
f_account_pool_events as not materialized (
    -- without a customer filter every event (pool_events.customer_id references customers)
    select pe.*
    from pool_events as pe
    where len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
    union all
    select pe.*
    from pool_events as pe
    where not (len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0)
      and pe.customer_id in (select customer_id from f_accounts)
),
f_pool_events as not materialized (
    -- the events of f_account_pool_events by reps in f_reps (when reps are narrowed)
    select pe.*
    from f_account_pool_events as pe
    where not $reps_narrowed or pe.rep_id in (select rep_id from f_reps)
),
f_targets as not materialized (
    select tg.*
    from targets as tg
    where tg.rep_id in (select rep_id from f_reps)
),
f_purchases as not materialized (
    select pu.*
    from purchases as pu
    where pu.product_id in (select product_id from f_products)
),
f_cost_of_sales as not materialized (
    -- the costing rows of f_lines, with their line's signed_on (s_cost_of_sales is sorted by
    -- it: a period's rows are a range), line_quantity and line_amount
    select cs.contract_id, cs.line_no, cs.product_id, cs.method, cs.quantity, cs.cogs, cs.shortfall_quantity,
           cs.signed_on, cs.line_quantity, cs.line_amount
    from s_cost_of_sales as cs
    where cs.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, cs.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, cs.c_type))
      and (len($sources) = 0 or list_contains($sources, cs.c_source))
      and (len($categories) = 0 or list_contains($categories, cs.category))
),
f_stock_issues as not materialized (
    -- stock leaving (or, returns, re-entering) the warehouse: every counted line of a product
    -- in f_products with its date and its COGS per method, whoever sold it. Stock is shared,
    -- like f_purchases: the rep, team and customer filters do not narrow it (the category does).
    select cs.contract_id, cs.line_no, cs.product_id, cs.method, cs.quantity, cs.cogs, cs.shortfall_quantity,
           cs.signed_on as moved_on, cs.customer_id
    from s_cost_of_sales as cs
    where len($categories) = 0 or list_contains($categories, cs.category)
),
f_plan_states as not materialized (
    -- each plan's settlement history (data/serving.py, s_plan_states), plans of f_contracts:
    -- the same conditions as f_contracts (with a category filter, a contract with a line
    -- in one of the categories), read from the columns s_plan_states carries
    select ps.* exclude (c_region, c_type, c_source, categories, category_bits)
    from (select * from s_plan_states where not $reps_narrowed
          union all
          select * from s_plan_states_by_rep where $reps_narrowed) as ps
    where ps.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, ps.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, ps.c_type))
      and (len($sources) = 0 or list_contains($sources, ps.c_source))
      and (len($categories) = 0 or (($category_mask & ps.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, ps.categories))))
),
f_overdue_judged as not materialized (
    -- the overdue amounts the collection warnings judge, per customer and rep, as the build
    -- added them up for the dates of its own as_of (s_overdue_judged), read only when
    -- $overdue_built says the dates judged are those (queries.overdue_built): per customer and
    -- rep, or under a category filter per customer, rep and categories (then added up by the
    -- query); the conditions of f_plan_states, from its columns
    select od.customer_id, od.rep_id, od.o0, od.o1, od.o2, od.aged0, od.aged1
    from s_overdue_judged as od
    where $overdue_built and od.whole = (len($categories) = 0)
      and od.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, od.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, od.c_type))
      and (len($sources) = 0 or list_contains($sources, od.c_source))
      and (len($categories) = 0 or (($category_mask & od.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, od.categories))))
),
f_stage_intervals as not materialized (
    -- the days each opportunity of f_opportunities is open, by stage held, with the
    -- opportunity's customer_id, rep_id, amount, probability and expected_close_on and the
    -- names of its customer and rep, customer_name and rep_name (s_stage_intervals); the
    -- conditions of f_opportunities, read from its own columns
    select si.* exclude (c_region, c_type, c_source)
    from (select * from s_stage_intervals where not $reps_narrowed
          union all
          select * from s_stage_intervals_by_rep where $reps_narrowed) as si
    where si.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, si.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, si.c_type))
      and (len($sources) = 0 or list_contains($sources, si.c_source))
),
f_category_bits as not materialized (
    -- each product category's bit (data/serving.py, s_category_bits); the gateway binds
    -- $category_mask (the bits of the chosen categories) and $category_exact (no two
    -- categories share a bit: the bits alone decide) from it
    select * from s_category_bits
),
f_build_info as not materialized (
    select * from build_info
),
-- f_account_*: facts about the customers of f_accounts that no rep or category filter
-- changes (the pool is shared; whether a customer ever bought or was followed up does
-- not depend on who is looking): used for pool history, conversion and last follow-up.
f_account_activities as not materialized (
    select a.* exclude (c_region, c_type, c_source)
    from s_activities as a
    where (len($regions) = 0 or list_contains($regions, a.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, a.c_type))
      and (len($sources) = 0 or list_contains($sources, a.c_source))
),
f_account_contracts as not materialized (
    -- counted contracts of those customers, whoever signed them, with every line
    select c.* exclude (c_region, c_type, c_source, categories, category_bits, category_amounts)
    from s_contracts as c
    where (len($regions) = 0 or list_contains($regions, c.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, c.c_type))
      and (len($sources) = 0 or list_contains($sources, c.c_source))
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
f_rep_groups as not materialized (
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
f_measure_facts as not materialized (
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
    select 'payments', p.paid_on, p.amount, p.rep_id, p.customer_id
    from payments_in_scope as p
    union all
    select 'expenses', e.incurred_on, e.amount, e.rep_id, null from f_expenses as e
    union all
    select 'new_customers', cu.created_at::date, 1, cu.owner_rep_id, cu.customer_id from f_customers as cu
    union all
    select 'follow_ups', a.occurred_at::date, 1, a.rep_id, a.customer_id from f_activities as a
),
f_stage_stints as not materialized (
    -- the completed stints of f_stage_history (exited_at set) with their length in days
    -- (s_stage_stints: epoch(exited_at - entered_at) / 86400) and the opportunity's customer_id
    -- and rep_id; the conditions of f_opportunities, read from its own columns
    select ss.* exclude (c_region, c_type, c_source)
    from s_stage_stints as ss
    where ss.rep_id in (select rep_id from f_reps)
      and (len($regions) = 0 or list_contains($regions, ss.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, ss.c_type))
      and (len($sources) = 0 or list_contains($sources, ss.c_source))
),
f_stock_days as not materialized (
    -- f_stock_issues added up per product, costing method and day (s_stock_days): quantity
    -- and cogs (their sums) and sold (a line with quantity > 0 that day); like f_stock_issues,
    -- only the category filter narrows it
    select sd.product_id, sd.method, sd.day, sd.quantity, sd.cogs, sd.sold
    from s_stock_days as sd
    where len($categories) = 0 or list_contains($categories, sd.category)
),
f_account_last_activities as not materialized (
    -- the last follow-up (any rep's) of each customer of f_accounts as of the days
    -- [valid_from, valid_to) (s_last_activities): as of a date, the row whose interval holds it
    select la.customer_id, la.valid_from, la.valid_to, la.last_activity_at
    from s_last_activities as la
    where (len($regions) = 0 or list_contains($regions, la.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, la.c_type))
      and (len($sources) = 0 or list_contains($sources, la.c_source))
),
f_account_pool_days as not materialized (
    -- the lead pool's changes of the customers of f_accounts per day (s_pool_days, the
    -- reconstruction of pool_size over f_account_pool_events, added up per day): delta
    select pd.day, pd.delta
    from s_pool_days as pd
    where (len($regions) = 0 or list_contains($regions, pd.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, pd.c_type))
      and (len($sources) = 0 or list_contains($sources, pd.c_source))
),
f_account_first_contracts as not materialized (
    -- each customer of f_accounts with a counted contract: first_signed_on, the earliest
    -- signed_on of f_account_contracts (s_first_contracts)
    select fc.customer_id, fc.first_signed_on
    from s_first_contracts as fc
    where (len($regions) = 0 or list_contains($regions, fc.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, fc.c_type))
      and (len($sources) = 0 or list_contains($sources, fc.c_source))
),
f_customer_dims as not materialized (
    -- the distinct (owner_rep_id, region, type, source) of f_customers, with how many
    -- customers have them (s_customer_dims): the same conditions, on a few hundred rows
    select cd.owner_rep_id, cd.region, cd.type, cd.source, cd.customers
    from s_customer_dims as cd
    where (len($regions) = 0 or list_contains($regions, cd.region))
      and (len($ctypes) = 0 or list_contains($ctypes, cd.type))
      and (len($sources) = 0 or list_contains($sources, cd.source))
      and (not $reps_narrowed or cd.owner_rep_id in (select rep_id from f_reps))
),
f_stage_medians as not materialized (
    -- the stage medians of f_stage_stints as of each month's last day before the latest exit
    -- and as of the latest exit (then for any later day too) (s_stage_medians), but only when
    -- no filter narrows f_stage_stints (empty otherwise)
    select sm.as_of, sm.stage, sm.median_days
    from s_stage_medians as sm
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
),
f_measure_months as not materialized (
    -- f_measure_facts of contract_amount and payments added up per rep and month (month: its
    -- first day): pre-computed (s_measure_months) unless a customer filter (region, type,
    -- source) applies; with a category filter, the lines of the categories (contract_amount)
    -- and the payments of contracts with a line in one of them (the conditions of f_contracts
    -- and payments_in_scope, read from the rows' own columns)
    select measure, month, rep_id, sum(value) as value
    from (
        select mm.measure, mm.month, mm.rep_id, mm.value
        from s_measure_months as mm
        where len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
          and mm.rep_id in (select rep_id from f_reps)
          and ((len($categories) = 0 and mm.cut = 'all')
               or (len($categories) > 0 and mm.cut = 'category' and list_contains($categories, mm.category))
               or (len($categories) > 0 and mm.cut = 'categories' and ($category_mask & mm.category_bits) <> 0
                   and ($category_exact or list_has_any($categories, mm.categories))))
        union all
        select 'contract_amount', date_trunc('month', c.signed_on)::date, c.rep_id, c.amount
        from f_contracts as c
        where not (len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0)
        union all
        select 'payments', date_trunc('month', p.paid_on)::date, p.rep_id, p.amount
        from payments_in_scope as p
        where not (len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0)
    ) as m
    group by measure, month, rep_id
),
f_sales_months as not materialized (
    -- the lines of f_lines with quantity > 0 as sums per product and month (month: its first
    -- day): quantity and amount; pre-added per product and month (s_sales_months, day = month)
    -- unless a team, rep, customer filter or the viewer's scope narrows the lines, else one row
    -- per line (day = its signed_on), so that a range of whole months asked as a range of day
    -- reads only its row groups of the date-sorted lines (a filter on date_trunc('month',
    -- signed_on) reads them all); the category applies to either. Read its rows as sums.
    select sm.product_id, sm.month, sm.month as day, sm.quantity, sm.amount
    from s_sales_months as sm
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
      and (len($categories) = 0 or list_contains($categories, sm.category))
    union all
    select l.product_id, date_trunc('month', l.signed_on)::date, l.signed_on, l.quantity, l.amount
    from f_lines as l
    where not (len($teams) = 0 and len($reps) = 0 and $scope_all
               and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0)
      and l.quantity > 0
),
f_stock_months as not materialized (
    -- f_stock_days added up per product, costing method and month (s_stock_months): quantity,
    -- cogs and last_sale (the last day sold); like f_stock_days, only the category filter
    -- narrows it
    select sm.product_id, sm.method, sm.month, sm.quantity, sm.cogs, sm.last_sale
    from s_stock_months as sm
    where len($categories) = 0 or list_contains($categories, sm.category)
),
f_activity_days as not materialized (
    -- f_activities counted per rep and day (n): pre-computed (s_activity_days) unless a
    -- customer filter (region, type, source) applies
    select ad.rep_id, ad.day, ad.n
    from s_activity_days as ad
    where len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
      -- without a team or rep filter and for everyone, every rep (reps.team_id references teams)
      and len($teams) = 0 and len($reps) = 0 and $scope_all
    union all
    select ad.rep_id, ad.day, ad.n
    from s_activity_days as ad
    where len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
      and not (len($teams) = 0 and len($reps) = 0 and $scope_all)
      and ad.rep_id in (select rep_id from f_reps)
    union all
    select a.rep_id, a.occurred_at::date, count(*)
    from f_activities as a
    where not (len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0)
    group by all
),
f_contract_paid as not materialized (
    -- each contract's payments added up (s_contract_paid): paid, last_paid_on, the day of
    -- its last payment, and the contract's ends_on (the table's order). Read only for
    -- contracts of f_contracts_whole, whose payments all pass the conditions of f_payments
    -- (they are the contract's own columns).
    select cp.contract_id, cp.ends_on, cp.paid, cp.last_paid_on
    from s_contract_paid as cp
),
f_rep_months as not materialized (
    -- f_measure_months without a fallback: contract_amount (whole contracts) and payments added
    -- up per rep of f_reps and month by the build (s_measure_months, cut 'all') when no customer
    -- or category filter applies, empty otherwise (the query then reads the facts itself). Its
    -- plan is a scan, where f_measure_months binds its fallback's facts even when pruned.
    select mm.measure, mm.month, mm.rep_id, mm.value
    from s_measure_months as mm
    where len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0
      and mm.cut = 'all'
      and mm.rep_id in (select rep_id from f_reps)
),
f_stage_days as not materialized (
    -- the days in stage of f_stage_stints per stage over the stints exited in each calendar
    -- month, quarter and year (open-ended, to_day empty, for the one holding the latest exit
    -- last_exit_on) (s_stage_days), but only when no filter narrows f_stage_stints (empty otherwise)
    select sd.from_day, sd.to_day, sd.last_exit_on, sd.stage, sd.stints, sd.mean_days, sd.p10_days, sd.p25_days,
           sd.median_days, sd.p75_days, sd.p90_days
    from s_stage_days as sd
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
),
f_win_rates as not materialized (
    -- the win rates of f_opportunities per rep (and the total: is_total) over the opportunities
    -- created in each calendar month, quarter and year (open-ended, to_day empty, for the one
    -- holding the latest creation last_created_on) (s_win_rates), but only when no filter
    -- narrows f_opportunities (empty otherwise)
    select wr.from_day, wr.to_day, wr.last_created_on, wr.rep_id, wr.is_total, wr.created, wr.won, wr.lost,
           wr.still_open, wr.won_amount, wr.lost_amount, wr.median_cycle_days
    from s_win_rates as wr
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
),
f_cohort_counts as not materialized (
    -- f_opportunities created in each calendar month, quarter and year (as f_win_rates) counted
    -- per rep_id, stage and furthest_open_position (s_cohort_counts), but only when no filter
    -- narrows f_opportunities (empty otherwise)
    select cc.from_day, cc.to_day, cc.last_created_on, cc.rep_id, cc.stage, cc.furthest_open_position, cc.deals
    from s_cohort_counts as cc
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
),
f_lost_counts as not materialized (
    -- the lost ones of f_opportunities created in each calendar month, quarter and year (as
    -- f_win_rates, last_created_on the latest of the lost ones) counted per lost_reason and
    -- competitor: deals, amount (s_lost_counts), but only when no filter narrows
    -- f_opportunities (empty otherwise)
    select lc.from_day, lc.to_day, lc.last_created_on, lc.lost_reason, lc.competitor, lc.deals, lc.amount
    from s_lost_counts as lc
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
),
f_course_months as not materialized (
    -- each series of the revenue course and month (s_course_months: value, base and the band
    -- statistics of the twelve months before), but only when no filter or scope narrows the
    -- facts, or only one known category ($category_mask: its bit) does (its cut); empty
    -- otherwise: alerts_revenue_course works them out
    select cm.series_id, cm.subject_type, cm.subject_id, cm.subject_name, cm.measure, cm.month, cm.value,
           cm.base, cm.ratios, cm.trend, cm.mad
    from s_course_months as cm
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
      and (len($categories) = 0 or (len($categories) = 1 and $category_mask <> 0))
      and cm.category is not distinct from $categories[1]
),
f_measure_days as not materialized (
    -- the facts of f_measure_facts of contract_amount, payments and new_customers per rep and
    -- month (s_measure_days: days, the days with a fact, and to_day, the month's running total
    -- on each), but only when no filter or scope narrows the facts, or only one known category
    -- does (its cut of contract amounts and payments; new customers whatever the category);
    -- empty otherwise
    select md.measure, md.rep_id, md.month, md.days, md.to_day
    from s_measure_days as md
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
      and (len($categories) = 0 or (len($categories) = 1 and $category_mask <> 0))
      and (md.category is not distinct from $categories[1] or (md.measure = 'new_customers' and md.category is null))
),
f_company_days as not materialized (
    -- the company's measures per day (s_company_days: contract_amount, contract_amount_whole,
    -- contracts, payments, plans_due, margin_<method>), but only when nothing but a category
    -- narrows the facts and the viewer sees everyone ($company_wide, bound by the gateway: a
    -- query reads the facts under `not $company_wide`); empty otherwise. A category filter adds
    -- up its cut's rows: the lines of the categories (contract amounts, margins), the contracts
    -- with a line in one of them, their whole amounts, payments and plans (the conditions of
    -- f_contracts, f_contracts_whole, f_payments and f_payment_plans)
    select cd.measure, cd.day, cd.value
    from s_company_days as cd
    where $company_wide
      and ((len($categories) = 0 and cd.cut = 'all')
           or (len($categories) > 0 and cd.cut = 'category' and list_contains($categories, cd.category))
           or (len($categories) > 0 and cd.cut = 'categories' and ($category_mask & cd.category_bits) <> 0
               and ($category_exact or list_has_any($categories, cd.categories))))
),
purchase_rows as not materialized (
    -- the build's purchase days under the filters: s_purchase_days (per customer and day)
    -- unless a team, rep filter or the viewer's scope narrows the contracts, else
    -- s_rep_purchase_days (per rep, customer and day, sorted by rep: a team's reps read their
    -- own row groups, not every contract) of the reps of f_reps, as f_contracts keeps the
    -- contracts of those reps; a customer filter applies to either. A category filter keeps
    -- the rows with a contract with a line in one of the categories, as f_contracts keeps the
    -- contracts, their amount the sum of those lines: the lines added up per category
    -- (category_amounts; one category's entry is found by its place in categories, the same
    -- list's order)
    select pd.customer_id, pd.day,
           case when len($categories) = 0 then pd.amount
                when len($categories) = 1
                    then pd.category_amounts[list_position(pd.categories, $categories[1])].amount::decimal(18, 2)
                else list_sum([x.amount for x in pd.category_amounts
                               if list_contains($categories, x.category)])::decimal(18, 2)
           end as amount
    from (select * exclude (rep_id) from s_rep_purchase_days
          where not (len($teams) = 0 and len($reps) = 0 and $scope_all)
            and rep_id in (select rep_id from f_reps)
          union all
          select * from s_purchase_days
          where len($teams) = 0 and len($reps) = 0 and $scope_all) as pd
    where (len($regions) = 0 or list_contains($regions, pd.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, pd.c_type))
      and (len($sources) = 0 or list_contains($sources, pd.c_source))
      and (len($categories) = 0 or (($category_mask & pd.category_bits) <> 0
                                    and ($category_exact or list_has_any($categories, pd.categories))))
),
f_purchase_days as not materialized (
    -- f_contracts added up per customer and day of signed_on (day): amount; the build's days
    -- as they are without a team, rep or narrower scope, else their reps' rows added up
    select customer_id, day, amount
    from purchase_rows
    where len($teams) = 0 and len($reps) = 0 and $scope_all
    union all
    select customer_id, day, sum(amount)::decimal(18, 2)
    from purchase_rows
    where not (len($teams) = 0 and len($reps) = 0 and $scope_all)
    group by customer_id, day
),
f_purchase_standing as not materialized (
    -- the slipping customers' sums and counts over their purchase days, as the build worked
    -- them out for its own as_of (s_purchase_standing), read only when $standing_built says they
    -- are what f_purchase_days would give (queries.standing_built: the as_of judged is the
    -- build's, f_purchase_days reads s_purchase_days, at most one category): the day's whole
    -- amount (category '') or that category's part; the customer filters from its columns
    select ps.* exclude (category, c_region, c_type, c_source)
    from s_purchase_standing as ps
    where $standing_built
      and ps.category = (case when len($categories) = 0 then '' else $categories[1] end)
      and (len($regions) = 0 or list_contains($regions, ps.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, ps.c_type))
      and (len($sources) = 0 or list_contains($sources, ps.c_source))
),
f_customer_windows as not materialized (
    -- the customers' figures per window of the usual periods, as the build worked them out for
    -- its own as_of (s_customer_windows), read only when $windows_built says they are what
    -- f_contracts and f_lines would give (queries.windows_built: the period's windows are built,
    -- no team, rep or narrower scope, at most one category): whole contracts (category '') or
    -- that category's; the customer filters from its columns
    select cw.* exclude (category, c_region, c_type, c_source)
    from s_customer_windows as cw
    where $windows_built
      and cw.category = (case when len($categories) = 0 then '' else $categories[1] end)
      and (len($regions) = 0 or list_contains($regions, cw.c_region))
      and (len($ctypes) = 0 or list_contains($ctypes, cw.c_type))
      and (len($sources) = 0 or list_contains($sources, cw.c_source))
),
f_customer_window_days as not materialized (
    -- the windows of s_customer_windows (the gateway reads them once per build for
    -- $windows_built)
    select * from s_customer_window_days
),
f_churn_days as not materialized (
    -- the annual churn's two counts on every day, as steps [from_day, to_day) (s_churn_days:
    -- buyers_before, churned; 0 before the first), but only when no filter or narrower scope
    -- applies (empty otherwise: customer_churn then counts f_contracts itself)
    select cd.from_day, cd.to_day, cd.buyers_before, cd.churned
    from s_churn_days as cd
    where len($teams) = 0 and len($reps) = 0 and $scope_all
      and len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0
)
