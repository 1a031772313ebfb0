"""The serving layer: tables the queries read (through queries/scope.sql) instead of
re-deriving the same joins and "as of a date" state at every request. Built by every
build after the costing (``data.build._derived_steps``); never imported, never read by a
query directly (only scope.sql names them, like the base tables).

- ``s_contracts``: one row per counted (active) contract, every column of ``contracts``
  plus its customer's ``c_region``, ``c_type``, ``c_source``, ``categories`` (the
  sorted distinct categories of its lines) and ``category_bits`` (their bits in
  ``s_category_bits``: a category filter's quick first test) and ``category_amounts``
  (one ``{category, amount}`` per category of its lines, the lines' amounts added up: a
  category filter's contract amount is the sum of its categories' entries, read from the
  row itself instead of joined from the lines); sorted by ``signed_on``
  (then ``contract_id``), so a period reads only its row groups and the customer filters
  need no join.
- ``s_lines``: one row per line of a counted contract, every column of ``contract_items``
  plus the contract's ``signed_on``, ``customer_id``, ``rep_id``, the customer's
  ``c_region``/``c_type``/``c_source``, the product's ``category`` and each costing
  method's COGS (``cogs_fifo``, ``cogs_moving_average``, ``cogs_monthly_average``:
  empty when uncosted or without a costing row) and the FIFO ``shortfall_quantity``
  (empty without a costing row); sorted like ``s_contracts``.
- ``s_contracts_by_rep``, ``s_lines_by_rep``, ``s_payments_by_rep``, ``s_plan_states_by_rep``,
  ``s_stage_intervals_by_rep`` and ``s_customers_by_owner``: the rows of those tables (and of
  ``customers``) sorted by rep first (``rep_id``, or ``owner_rep_id``, then their own order),
  read in their place when a team, a rep or the viewer's scope narrows the reps (BY_REP_SQL).
- ``s_cost_of_sales``: ``cost_of_sales`` rows of counted lines with the line's
  ``signed_on``, ``customer_id``, ``rep_id``, customer dimensions, ``category``,
  ``line_quantity`` and ``line_amount`` (its quantity and amount: no join back to the line);
  sorted by ``signed_on``.
- ``s_payments``: payments of counted contracts, every column of ``payments`` plus the
  contract's ``customer_id``, ``rep_id``, customer dimensions, ``categories`` and ``category_bits``; sorted by
  ``paid_on``.
- ``s_plan_states``: each payment plan's settlement history (the rule of
  queries/receivables_overdue_states.sql, evaluated once per day on which its contract received
  money): one row per plan and interval ``[valid_from, valid_to)`` (empty = unbounded)
  in which the plan is not fully settled, with ``settled`` and ``unsettled``, and its
  counted contract's ``customer_id``, ``rep_id``, customer dimensions, ``categories`` and ``category_bits``
  (plans of void contracts are left out). Overdue on a date is the rows with ``due_on <=``
  it whose interval holds it. Sorted by ``valid_to`` (open-ended first, then latest), so a
  recent date reads only the first row groups.

  The open-ended intervals of these tables (and of ``s_stage_intervals``,
  ``s_last_activities``, ``s_churn_days``) are tested as ``coalesce(valid_to,
  'infinity'::date) > day``, not ``valid_to is null or valid_to > day``: on the build's
  as_of (where every relative period ends) no row ends after the day, DuckDB folds the second
  test to a constant and checks the first on every row of every row group (large: 28 row
  groups, 3.4M intervals, for the 36,770 deals open; coalesce: one row group). On xl the
  deals at risk took 145 ms against 158, the overview's KPIs 70 against 79.
- ``s_stage_intervals``: one row per opportunity and interval of days ``[from_day,
  to_day)`` (``to_day`` empty = open-ended) in which it is open (created, not closed)
  with the same stage held and the moment ``entered_stage_at`` it entered it (rule of
  queries/pipeline_deals.sql: the stint covering the day, the latest if several, else
  the current stage entered at ``created_at``), with the opportunity's ``customer_id``,
  ``rep_id``, ``amount``, ``probability``, ``expected_close_on``, its customer's
  dimensions and the names of its customer and rep (``customer_name``, ``rep_name``: the
  deal lists need no join with the 100,000 customers). The pipeline on a day is an
  interval filter. Sorted by ``to_day`` (open-ended first, then latest), so a recent day
  reads only the first row groups.
- ``s_payment_plans``: payment plans of counted contracts, every column of ``payment_plans``
  plus the contract's ``customer_id``, ``rep_id``, customer dimensions, ``categories`` and ``category_bits``;
  sorted by ``due_on``.
- ``s_opportunities``: every column of ``opportunities`` plus its customer's ``c_region``,
  ``c_type`` and ``c_source``, and ``furthest_open_position``: the highest position among
  the open stages it was seen in (its stints and its current stage; empty if none), the
  reach of queries/funnel_cohort.sql; sorted by ``created_at``.
- ``s_activities``: every column of ``activities`` plus its customer's ``c_region``,
  ``c_type`` and ``c_source``; sorted by ``occurred_at``, so a period reads only its row
  groups and the customer filters need no join with the 100,000 customers.
- ``s_stage_history``: every column of ``opportunity_stage_history`` plus its opportunity's
  ``o_rep_id`` and customer dimensions; sorted by ``entered_at``.
- ``s_stage_stints``: one row per completed stint (``exited_at`` set) of
  ``opportunity_stage_history``, with its length ``days`` = epoch(exited_at − entered_at) /
  86400 (the rule of pipeline_deals' stage medians) and the opportunity's ``customer_id``,
  ``rep_id`` and customer dimensions; sorted by ``rep_id``, then ``exited_at``. It is read
  (f_stage_stints) only under a filter (the build's medians and stage days answer without
  one), for the stage medians of deal health (/funnel, /forecast, /alerts) and the stage days
  of /funnel, instead of the whole stage history. By rep, a rep's stints are a row group or
  two (a rep's own view, a rep filter), and the columns compress better: on large, deals at
  risk under a team filter 46.8 -> 32.3 ms alone and under a rep 36.1 -> 29.2; /funnel's stage
  days under a region filter and this year 13.5 -> 8.9 ms although this year's row groups are
  no longer apart (they were 12 of 28).
- ``s_stock_days``: ``s_cost_of_sales`` added up per product, costing method and day (the
  line's ``signed_on``): ``quantity`` and ``cogs`` (their sums: returns net off), ``sold``
  (a line with quantity > 0 that day) and the product's ``category``; sorted by ``method``
  and ``day``. The stock warnings (/alerts) read it (f_stock_days): a method's days up to a
  date are a range of about 330,000 rows, not 2.3M lines.
- ``s_last_activities``: each customer's last follow-up as of a day: one row per customer
  and interval of days ``[valid_from, valid_to)`` (``valid_to`` empty = unbounded) between
  two days with follow-ups, with ``last_activity_at`` (the latest ``occurred_at``, any rep's,
  on or before those days) and the customer's ``c_region``, ``c_type`` and ``c_source``.
  Sorted by ``valid_to`` (open-ended first, then latest), so a recent date reads about one
  row per customer instead of grouping 3.9M follow-ups (pool_due, /lead-pool and /alerts).
- ``s_pool_days``: the lead pool's changes (the reconstruction of queries/pool_size.sql,
  evaluated once per build: each customer's state at creation and after each of its pool
  events, a change of +1 into the pool or -1 out of it) added up per day and customer
  dimensions (``c_region``, ``c_type``, ``c_source``): ``delta``; sorted by ``day``. The
  pool size on a day is the running sum of a few thousand rows instead of a window over
  every customer and pool event.
- ``s_first_contracts``: one row per customer with a counted contract: ``first_signed_on``
  (the earliest ``signed_on`` of its counted contracts, whoever signed them) and its
  ``c_region``, ``c_type``, ``c_source``. "Bought by a date" is ``first_signed_on <=`` it
  (pool_due, acquisition_conversion): about one row per customer, not every contract.
- ``s_customer_dims``: the distinct (``owner_rep_id``, ``region``, ``type``, ``source``) of
  ``customers`` with how many customers have them (``customers``): the filter bar's regions
  and sources in a viewer's sight (dimension_values) from a few hundred rows, not every
  customer.
- ``s_stage_medians``: the median of ``s_stage_stints.days`` per stage over the stints exited
  on or before ``as_of`` (every stint: every rep is in a team, so f_reps without a filter),
  for ``as_of`` the last day of each month with an exit, before the latest exit, and the
  latest exit (of any stage), from which on every stint counts (another month's end is
  worked out from the stints). Without a filter, a stage's median on such a day (or any
  day after the latest exit) is read here (pipeline_deals' stage medians, f_stage_medians):
  no median of 3.4M stints on /funnel and /forecast for a month's end or as_of.
- ``s_measure_months``: the revenue measures added up per rep and month (``month``, its first
  day; ``value``, the sum): ``contract_amount`` (contract amounts, or with ``category`` set the
  amounts of the lines of that category) and ``payments`` (every payment, or with
  ``categories`` and ``category_bits`` set those of contracts with exactly that set of line
  categories); ``cut`` says which (``all``, ``category``, ``categories``). A category filter
  adds up the matching rows of one cut; the course of revenue (/alerts) reads about 30,000
  rows instead of 2.5M facts. No customer dimension: under a region, type or source filter
  the facts decide (queries/scope.sql, f_measure_months).
- ``s_sales_months``: the lines of counted contracts with quantity > 0 added up per product
  (with its ``category``) and month of ``signed_on`` (``month``, its first day): ``quantity``
  and ``amount``. The year's selling prices of the stock warnings (/alerts) read about 3,600
  rows instead of 930,000 lines when nothing but a category narrows the lines.
- ``s_stock_months``: ``s_stock_days`` added up per product, costing method and month
  (``month``, its first day): ``quantity``, ``cogs``, ``last_sale`` (the last day with
  ``sold``) and the product's ``category``; sorted by ``method`` and ``month``. The stock
  warnings read whole months from it and days only for their sales window.
- ``s_activity_days``: follow-ups counted per rep and day of ``occurred_at`` (``n``); sorted by
  ``day``. The effort warnings (/alerts) read about 90,000 rows for their 210 days instead of
  a million follow-ups when no customer filter applies.
- ``s_contract_paid``: one row per contract with payments: ``paid``, all its payments added up,
  ``last_paid_on``, the day of its last one, and the contract's ``ends_on``; sorted by
  ``ends_on``. By any day on or after ``last_paid_on`` the contract has received ``paid``:
  /receivables' ending contracts read the rows of their days for their listed contracts
  instead of scanning 1.6M payments.
- ``s_stage_days``: the figures of queries/funnel_stage_days.sql (``stints``, ``mean_days`` and
  the quantiles ``p10_days``, ``p25_days``, ``median_days``, ``p75_days``, ``p90_days`` of
  ``s_stage_stints.days``) per stage over the stints exited in each calendar month, quarter and
  year with an exit: ``from_day`` its first day, ``to_day`` its last, or empty for the one
  holding the latest exit (``last_exit_on``): from its first day on, the same stints for any
  end on or after that exit. Every stint (no filter): without a filter, the days in stage of
  such a period (this year, last month, ...) are read here (f_stage_days) instead of the
  quantiles of a million stints at every request; other periods and filtered ones are
  worked out from the stints.
- ``s_win_rates``: the figures of queries/funnel_win_rates.sql per rep (``rep_id``, and the
  total: ``is_total``, ``rep_id`` empty) over the opportunities created in each calendar month,
  quarter and year with one (``from_day`` .. ``to_day``, or from ``from_day`` on for the one
  holding the latest creation ``last_created_on``, as ``s_stage_days``): ``created``, ``won``,
  ``lost``, ``still_open``, ``won_amount``, ``lost_amount``, ``median_cycle_days``. Every
  opportunity (no filter): without a filter, the win rates of such a period are read here
  (f_win_rates) instead of a median per rep over 400,000 deals at every request.
- ``s_cohort_counts``: the opportunities created in each calendar month, quarter and year
  (as ``s_win_rates``) counted per ``rep_id``, current ``stage`` and
  ``furthest_open_position`` (``deals``): without a filter, the cohort funnel of such a period
  (queries/funnel_cohort.sql) adds up a few thousand counts instead of 400,000 deals.
- ``s_lost_counts``: the lost opportunities (current stage of kind 'lost') created in each
  calendar month, quarter and year (as ``s_win_rates``, its latest day ``last_created_on`` that of
  the lost ones) counted per ``lost_reason`` and ``competitor``: ``deals`` and their ``amount``
  (queries/funnel_lost.sql, without a filter).
- ``s_course_months``: the revenue course (queries/alerts_revenue_course.sql) of every series
  without a filter (``category`` empty) and under each single category (``category``: the
  contract amounts of its lines, the payments of contracts with a line in it, every new
  customer; each cut numbered, ranged and windowed on its own, as the course would under that
  filter): one row per cut, series (``series_id``, unique within a cut; ``subject_type``,
  ``subject_id``, ``subject_name``: the company, each team with its reps at any depth, each active rep;
  ``measure``: contract_amount, payments, new_customers; series with a fact) and month
  (``month``, its first day) from the first month with a fact to 24 months after the last:
  ``value`` (the month's facts added up, 0 without), ``base`` (the value 12 months earlier),
  and the band statistics of the twelve months before: ``ratios`` (how many year-on-year
  ratios above 0), ``trend`` (the median of their logarithms) and ``mad`` (the median of
  their distances to it). Sorted by ``category`` (empty first) and ``month``: a judged month
  reads its cut's rows (about 25,000 on large) instead of a window and medians over 30 months
  of facts. Complete months' facts do not depend on the as-of date, and months outside the
  range judge nothing (a judged month needs 8 ratios, so facts 20 months before it, and its base 12
  months before it), so any as-of date reads it exactly.
- ``s_measure_days``: the facts of the revenue course without a filter (``category`` empty:
  contract amounts by ``signed_on``, payments by ``paid_on``, new customers by ``created_at``)
  and under each single category (``category``: the contract amounts of its lines and the
  payments of contracts with a line in it; new customers are the same under any) per
  ``measure``, ``rep_id`` (empty: a pool customer's creation) and ``month`` (its first day): ``days``, the
  days of the month with a fact (ascending), and ``to_day``, the month's running total on
  each of them. A month to date (or its same days a year earlier) is the running total on
  the last day up to the as-of date's day: the course reads about 3,600 rows instead of
  200,000 facts.
- ``s_purchase_days``: the counted contracts added up per customer and day of ``signed_on``
  (``day``): ``amount`` (the sum, as exact as the contracts' own), with the customer's
  ``c_region``, ``c_type`` and ``c_source``, and for a category filter the day's
  ``categories`` (the sorted distinct categories of its contracts' lines), ``category_bits``
  (their bits) and ``category_amounts`` (one ``{category, amount}`` per category: the
  contracts' ``s_contracts.category_amounts`` entries of that category added up); sorted by
  ``day``. The slipping customers (/alerts) read their pyramid standing, purchase days and
  spends from it (f_purchase_days) unless a team, rep filter or the viewer's scope narrows the
  contracts: no grouping of a million contracts per customer and day at each request.
- ``s_rep_purchase_days``: the same per rep (``rep_id``, the contracts'), customer and day,
  sorted by ``rep_id``, then ``day``: under a team, rep filter or a narrower scope the slipping
  customers read their reps' rows (f_purchase_days adds them up per customer and day), a
  few row groups, where the contracts of a customer's whole history are every row group of
  ``s_contracts`` (on xl 198 ms of a team's warnings, the largest scan of /overview).
- ``s_purchase_standing``: what the slipping customers (/alerts) judge, worked out once per
  build as of the build's as_of (the warehouse's latest transaction date: the day the early
  warnings are judged on unless CRM_AS_OF or the URL says otherwise): one row per customer
  with purchase days (``s_purchase_days``) in the 730 days up to it, for every day
  (``category`` '') and for each category bought in them (that category's part of each day,
  as a one-category filter reads it), with the customer's dimensions and the sums and counts
  of queries/alerts_customers_slipping.sql over its days up to as_of: ``amount`` (the 730
  days), ``last_purchase``, ``recent_purchases`` (days above 0 in the 730),
  ``earlier_purchases`` (before them), ``spend_90``, ``spend_90_year_ago``, ``usual_sum``
  (days above 0 in as_of − 455 .. as_of − 90) and ``quarter_sum`` (every day there); sorted by
  ``category``. On xl the slipping customers spent 1.4 s grouping 7M purchase days per
  customer at each request.
- ``s_overdue_judged``: what the collection warnings (/alerts) judge, worked out once per build
  for its as_of (d0) and the same day one and two months earlier (d1, d2: the dates
  queries.alert_settings.alert_params gives): the plans' overdue amounts of
  ``s_plan_states`` (the rule of queries/alerts_collection.sql) added up per customer, rep
  and the contracts' categories (``whole`` false: ``categories``, ``category_bits``, for a
  category filter) and per customer and rep (``whole`` true), with the customer's dimensions:
  ``o0``, ``o1``, ``o2`` (overdue at d0, d1, d2) and ``aged0``, ``aged1`` (90+ days late at
  d0, d1); sorted by ``whole`` (true first). On xl the warnings grouped 3.3M plan states at
  each request.
- ``s_churn_days``: the two counts of the annual churn (queries/customer_churn.sql) on every
  day, as steps: one row per interval of days ``[from_day, to_day)`` (``to_day`` empty =
  unbounded) with ``buyers_before`` (customers whose counted contracts in the year before the
  day's year, (day − 2 years, day − 1 year], sum to > 0) and ``churned`` (those of them whose
  contracts in the year to the day, (day − 1 year, day], do not); before the first row both
  are 0. Worked out once per build from each customer's changes (a contract enters its
  customer's year to a day on its ``signed_on`` and leaves it on the first day whose year
  starts after it) instead of grouping two years of contracts per customer at each request;
  customer_churn reads it (f_churn_days) when no filter or narrower scope applies.
- ``s_company_days``: the company's measures added up per day (``day``) over every counted
  fact: ``contract_amount`` (by ``signed_on``), ``contract_amount_whole`` (the same, whole
  contracts under a category filter), ``contracts`` (their count), ``payments`` (by
  ``paid_on``), ``plans_due`` (payment plan amounts by ``due_on``) and the gross margin of the
  costed lines by each costing method (``margin_fifo``, ``margin_moving_average``,
  ``margin_monthly_average``: amount − COGS over the lines with a COGS, by their
  ``signed_on``); ``value`` the sum, as exact as the facts. ``cut`` says which rows a
  category filter adds up, as in ``s_measure_months``: ``all`` (no category filter),
  ``category`` (the lines of one ``category``: contract amounts and margins) or
  ``categories`` (the contracts whose lines have exactly the categories ``categories``, bits
  ``category_bits``: their count, whole amounts, payments and plans). Sorted by ``cut`` and
  ``day``. The overview's KPIs, margin, sparklines and trend and /receivables' sums read a few thousand
  rows (f_company_days) instead of years of contracts, payments, plans and lines when
  nothing but a category narrows the facts and the viewer sees everyone.
- ``s_customer_window_days`` and ``s_customer_windows``: the /customers figures of each
  customer over the windows of the usual periods as of the build's as_of (WINDOW_PRESETS: the
  windows ``queries.filters.customer_windows`` gives for each, ``from_day`` to ``to_day``,
  both included; the first table lists them). One row per window, customer and ``category``
  ('' for whole contracts, else the contracts and lines of that category), with the
  customer's dimensions: ``amount``, ``contracts`` and ``last_signed_on`` of its counted
  contracts signed in the window (f_contracts without a team, rep or scope: every row of
  ``s_contracts``; under one category the category's amount), and of their lines ``lines``
  and per costing method the COGS (``cogs_fifo``, ...), the lines with one (``costed_fifo``,
  ...) and the amount of those without (``uncosted_fifo``, ...); for a customer with an
  amount > 0, its rank among them in the window and category (customer_tiers' ``position``,
  ``n``, ``amount_before``, ``window_amount``, ``at_least``). Sorted by window and category.
  customer_windows and customer_value read it (f_customer_windows) instead of grouping a year
  of contracts and lines per customer (on xl 6.6M contracts and 8.6M lines for this year) when
  the period's windows are built and no team, rep, narrower scope or second category narrows
  the facts (queries.windows_built); customer_tiers reads the ranks when no customer filter
  narrows them either (queries.ranks_built).
- ``s_judged`` (``query``, ``judged_key``) and ``s_judged_<query>``: the answers of the
  queries of ``queries.JUDGED`` (the early warnings, the figures of /overview, /team,
  /customers, /receivables and /acquisition, /lead-pool's by rep and due, /data's costing) for
  the views opened most, judged as of the build's as_of by the build itself (``judge``, after
  the rest of the layer): without a filter, for each period preset, under each category alone
  and, where there are few teams and reps (queries.JUDGED_PEOPLE), under each team and each
  rep alone (/data's: without a filter alone), for a viewer who sees everyone, with the page's
  default parameters. ``s_judged`` lists the key of each answer (a digest of the query's text
  and every parameter it was worked out with: queries.judged_answers); ``s_judged_<query>``
  holds their rows, each with its answer's ``judged_key`` and its place in it
  (``judged_row``). The gateway reads them only for a call with the same key (another filter,
  scope, setting, as_of or release works the answer out).
- ``s_layer``: one row, ``stamp``: a digest of the statements that built these tables
  (SERVING_STAMP). The gateway serves a warehouse only when its stamp is this release's: a
  file whose serving layer another release built (a table missing, or a column or order
  changed) asks to be rebuilt instead of failing query by query.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from data.build import AS_OF_SQL, JudgeError

# Each product category's bit (the categories in order, the 64th sharing the first's bit):
# a row's category_bits has the bits of its categories, so a category filter tests one
# integer per row and reads the list (categories) only where a bit matches.
CATEGORY_BITS_SQL = """
create or replace table s_category_bits as
select category, 1::bigint << ((row_number() over (order by category) - 1) % 63)::integer as bit
from (select distinct category from products)
"""

# A list in a fixed order is built as list_sort(list(...)), not list(... order by ...): DuckDB
# runs an aggregate with its own ORDER BY by buffering each group's rows and sorting them
# (s_contracts in the build on large: 3.15 -> 2.24 s). A struct sorts by its first field, unique
# per list here.
CONTRACTS_SQL = """
create or replace table s_contracts as
with category_lines as (
    select i.contract_id, p.category, sum(i.amount) as amount
    from contract_items as i
    join products as p on p.product_id = i.product_id
    group by i.contract_id, p.category
),
lines as (
    select l.contract_id, list_sort(list(l.category)) as categories,
           bit_or(b.bit) as category_bits,
           list_sort(list({'category': l.category, 'amount': l.amount})) as category_amounts
    from category_lines as l
    join s_category_bits as b on b.category = l.category
    group by l.contract_id
)
select c.*, cu.region as c_region, cu.type as c_type, cu.source as c_source,
       coalesce(l.categories, []) as categories, coalesce(l.category_bits, 0) as category_bits,
       l.category_amounts
from contracts as c
join customers as cu on cu.customer_id = c.customer_id
left join lines as l on l.contract_id = c.contract_id
where c.status = 'active'
order by c.signed_on, c.contract_id
"""

LINES_SQL = """
create or replace table s_lines as
with costs as (
    select contract_id, line_no,
           max(cogs) filter (where method = 'fifo') as cogs_fifo,
           max(cogs) filter (where method = 'moving_average') as cogs_moving_average,
           max(cogs) filter (where method = 'monthly_average') as cogs_monthly_average,
           max(shortfall_quantity) filter (where method = 'fifo') as shortfall_quantity
    from cost_of_sales
    group by contract_id, line_no
)
select i.*, c.signed_on, c.customer_id, c.rep_id, c.c_region, c.c_type, c.c_source, p.category,
       cs.cogs_fifo, cs.cogs_moving_average, cs.cogs_monthly_average, cs.shortfall_quantity
from contract_items as i
join s_contracts as c on c.contract_id = i.contract_id
join products as p on p.product_id = i.product_id
left join costs as cs on cs.contract_id = i.contract_id and cs.line_no = i.line_no
order by c.signed_on, i.contract_id, i.line_no
"""

# The same rows sorted by rep, for the requests whose reps are narrowed (a team, a rep, a
# rep's or a manager's scope): a date-sorted table holds a rep's rows in every row group, so
# such a request read every row of its period, while sorted by rep DuckDB skips the blocks
# outside its reps' ids (the join with f_reps passes their range down to the scan). The
# scope prelude reads them in a union of two branches, one empty at plan time. On xl, the
# overview under a team (12 reps) took 535 ms and 1,017 ms of CPU (139 of them scanning
# s_contracts, 103 s_lines, 77 the customers, 73 s_plan_states), 310 and 551 with the copies;
# /customers 283 -> 143 ms, /receivables 340 -> 204. They add 11 s to large's build (75 -> 86).
BY_REP_SQL = """
create or replace table {table}_by_rep as
select * from {table} order by rep_id, {order}
"""
CUSTOMERS_BY_OWNER_SQL = """
create or replace table s_customers_by_owner as
select * from customers order by owner_rep_id, customer_id
"""

# cost_of_sales holds every costed line once per method, with the line's product and
# quantity and one shortfall for all methods: s_lines has them all (a line without a
# costing row has no shortfall). Read in s_lines' order (signed_on, contract_id, line_no)
# with the methods in name order, the rows come out sorted as they are meant to be stored:
# without an ORDER BY (build_serving keeps insertion order), not sorted again (6.8 million
# rows on large: 3.14 -> 2.55 s in the build).
COST_OF_SALES_SQL = """
create or replace table s_cost_of_sales as
select contract_id, line_no, product_id,
       unnest(['fifo', 'monthly_average', 'moving_average']) as method, quantity,
       unnest([cogs_fifo, cogs_monthly_average, cogs_moving_average]) as cogs, shortfall_quantity,
       signed_on, customer_id, rep_id, c_region, c_type, c_source, category,
       quantity as line_quantity, amount as line_amount
from s_lines
where shortfall_quantity is not null
"""

# The settlement rule of receivables_overdue_states.sql, evaluated for each contract on each day
# it received money (and before any: valid_from empty). Every plan is settled in order
# (the running sum over all plans equals the one over due plans for a due plan, since
# the plans before a due plan are due too), so a state holds for every as-of date until
# the contract's next payment day. Money beyond a plan's own payments (the pool) reaches
# plans only on the days a contract has some: only then does the running sum matter.
PLAN_STATES_SQL = """
create or replace table s_plan_states as
with events as (
    select distinct contract_id, paid_on as day
    from payments
    where contract_id in (select contract_id from payment_plans)
    union all
    select distinct contract_id, null::date from payment_plans
),
spans as (
    select contract_id, day as valid_from,
           lead(day) over (partition by contract_id order by day nulls first) as valid_to
    from events
),
paid_by_day as (
    select s.contract_id, s.valid_from, p.plan_id, sum(p.amount) as paid
    from spans as s
    join payments as p on p.contract_id = s.contract_id and p.paid_on <= s.valid_from
    group by all
),
plan_paid as (
    select s.valid_from, s.valid_to, pl.plan_id, pl.contract_id, pl.due_on, pl.amount,
           pl.amount - least(coalesce(pd.paid, 0), pl.amount) as remaining,
           greatest(coalesce(pd.paid, 0) - pl.amount, 0) as overpaid
    from spans as s
    join payment_plans as pl on pl.contract_id = s.contract_id
    left join paid_by_day as pd
      on pd.contract_id = s.contract_id and pd.valid_from is not distinct from s.valid_from
     and pd.plan_id = pl.plan_id
),
pools as (
    select contract_id, valid_from, sum(amount) as pool
    from (
        select contract_id, valid_from, paid as amount from paid_by_day where plan_id is null
        union all
        select contract_id, valid_from, overpaid from plan_paid where overpaid > 0
    ) as unassigned
    group by all
    having sum(amount) > 0
),
from_pool as (
    select pp.plan_id, pp.valid_from,
           least(pp.remaining, greatest(0, po.pool - coalesce(sum(pp.remaining) over (
               partition by pp.contract_id, pp.valid_from
               order by pp.due_on, pp.plan_id
               rows between unbounded preceding and 1 preceding
           ), 0))) as from_pool
    from plan_paid as pp
    join pools as po on po.contract_id = pp.contract_id and po.valid_from is not distinct from pp.valid_from
),
settled as (
    select pp.*, coalesce(fp.from_pool, 0) as from_pool
    from plan_paid as pp
    left join from_pool as fp on fp.plan_id = pp.plan_id and fp.valid_from is not distinct from pp.valid_from
)
select s.plan_id, s.contract_id, s.due_on, s.amount, s.valid_from, s.valid_to,
       s.amount - s.remaining + s.from_pool as settled,
       s.remaining - s.from_pool as unsettled,
       c.customer_id, c.rep_id, c.c_region, c.c_type, c.c_source, c.categories, c.category_bits
from settled as s
join s_contracts as c on c.contract_id = s.contract_id
where s.remaining - s.from_pool > 0
order by s.valid_to desc nulls first, s.due_on, s.plan_id
"""

# An opportunity's stints follow one another (the data rules: none overlaps another or ends
# before it starts, only the last may be open), so the days of pipeline_deals' rule are
# cut by the stints' own bounds: each stint holds its days [entered, exited), and the days
# before the first stint, between two stints and after the last hold the current stage
# entered at created_at. Those pieces, cut to the days from creation to closing, are the
# intervals.
STAGE_INTERVALS_SQL = """
create or replace table s_stage_intervals as
with stints as (
    select opportunity_id, stage, entered_at, entered_at::date as entered_on, exited_at::date as exited_on,
           lag(exited_at::date) over w as previous_exited_on,
           row_number() over w = 1 as first,
           lead(entered_at) over w is null as last
    from opportunity_stage_history
    window w as (partition by opportunity_id order by entered_at)
),
pieces as (
    select opportunity_id, entered_on as from_day, exited_on as to_day, stage, entered_at from stints
    where exited_on is null or exited_on > entered_on
    union all
    -- the days before each stint since the previous one (or since ever)
    select opportunity_id, previous_exited_on, entered_on, null, null from stints
    where first or entered_on > previous_exited_on
    union all
    -- the days after the last stint
    select opportunity_id, exited_on, null, null, null from stints where last and exited_on is not null
    union all
    -- every day, for an opportunity without stints
    select opportunity_id, null, null, null, null from opportunities as o
    where not exists (select 1 from opportunity_stage_history as h where h.opportunity_id = o.opportunity_id)
),
cut as (
    select p.opportunity_id, greatest(p.from_day, o.created_at::date) as from_day,
           case when o.closed_on is not null and (p.to_day is null or o.closed_on < p.to_day) then o.closed_on
                else p.to_day end as to_day,
           coalesce(p.stage, o.stage) as stage,
           coalesce(p.entered_at, o.created_at) as entered_stage_at,
           o.customer_id, o.rep_id, o.amount, o.probability, o.expected_close_on,
           cu.region as c_region, cu.type as c_type, cu.source as c_source,
           cu.name as customer_name, r.name as rep_name
    from pieces as p
    join opportunities as o on o.opportunity_id = p.opportunity_id
    join customers as cu on cu.customer_id = o.customer_id
    left join reps as r on r.rep_id = o.rep_id
)
select * from cut
where to_day is null or to_day > from_day
order by to_day desc nulls first, from_day, opportunity_id
"""

# the contract's customer, rep, customer dimensions and category bits on the facts of a
# counted contract (payments, payment plans)
CONTRACT_FACTS_SQL = """
create or replace table s_{table} as
select x.*, c.customer_id, c.rep_id, c.c_region, c.c_type, c.c_source, c.categories, c.category_bits
from {table} as x
join s_contracts as c on c.contract_id = x.contract_id
order by x.{day}, x.{key}
"""

OPPORTUNITIES_SQL = """
create or replace table s_opportunities as
with touched as (
    select h.opportunity_id, st.position
    from opportunity_stage_history as h
    join stages as st on st.stage = h.stage and st.kind = 'open'
    union all
    select o.opportunity_id, st.position
    from opportunities as o
    join stages as st on st.stage = o.stage and st.kind = 'open'
),
reach as (
    select opportunity_id, max(position) as furthest_open_position
    from touched
    group by opportunity_id
)
select o.*, cu.region as c_region, cu.type as c_type, cu.source as c_source, r.furthest_open_position
from opportunities as o
join customers as cu on cu.customer_id = o.customer_id
left join reach as r on r.opportunity_id = o.opportunity_id
order by o.created_at, o.opportunity_id
"""

ACTIVITIES_SQL = """
create or replace table s_activities as
select a.*, cu.region as c_region, cu.type as c_type, cu.source as c_source
from activities as a
join customers as cu on cu.customer_id = a.customer_id
order by a.occurred_at, a.activity_id
"""

STAGE_HISTORY_SQL = """
create or replace table s_stage_history as
select h.*, o.rep_id as o_rep_id, o.c_region, o.c_type, o.c_source
from opportunity_stage_history as h
join s_opportunities as o on o.opportunity_id = h.opportunity_id
order by h.entered_at, h.opportunity_id
"""

STAGE_STINTS_SQL = """
create or replace table s_stage_stints as
select h.opportunity_id, h.stage, h.entered_at, h.exited_at,
       epoch(h.exited_at - h.entered_at) / 86400 as days,
       o.customer_id, o.rep_id, o.c_region, o.c_type, o.c_source
from opportunity_stage_history as h
join s_opportunities as o on o.opportunity_id = h.opportunity_id
where h.exited_at is not null
order by o.rep_id, h.exited_at, h.opportunity_id, h.stage
"""

STOCK_DAYS_SQL = """
create or replace table s_stock_days as
select cs.product_id, cs.category, cs.method, cs.signed_on as day,
       sum(cs.quantity) as quantity, sum(cs.cogs) as cogs, bool_or(cs.quantity > 0) as sold
from s_cost_of_sales as cs
group by all
order by cs.method, day, cs.product_id
"""

LAST_ACTIVITIES_SQL = """
create or replace table s_last_activities as
with days as (
    select a.customer_id, a.c_region, a.c_type, a.c_source, a.occurred_at::date as day,
           max(a.occurred_at) as last_activity_at
    from s_activities as a
    group by all
)
select d.customer_id, d.day as valid_from,
       lead(d.day) over (partition by d.customer_id order by d.day) as valid_to,
       d.last_activity_at, d.c_region, d.c_type, d.c_source
from days as d
order by valid_to desc nulls first, d.customer_id
"""

POOL_DAYS_SQL = """
create or replace table s_pool_days as
with events as (
    select e.customer_id, e.occurred_at,
           e.event in ('release', 'auto_return') as in_pool,
           row_number() over (partition by e.customer_id order by e.occurred_at, e.event) as seq
    from pool_events as e
),
initial as (
    select a.customer_id, a.created_at,
           coalesce(not first_event.in_pool, a.owner_rep_id is null) as in_pool
    from customers as a
    left join events as first_event on first_event.customer_id = a.customer_id and first_event.seq = 1
),
states as (
    select customer_id, created_at as occurred_at, in_pool, 0 as seq from initial
    union all
    select customer_id, occurred_at, in_pool, seq from events
),
changes as (
    select customer_id, occurred_at::date as day,
           in_pool::integer - coalesce(lag(in_pool::integer) over (
               partition by customer_id order by seq), 0) as delta
    from states
)
select ch.day, cu.region as c_region, cu.type as c_type, cu.source as c_source, sum(ch.delta)::bigint as delta
from changes as ch
join customers as cu on cu.customer_id = ch.customer_id
group by all
order by ch.day, c_region, c_type, c_source
"""

FIRST_CONTRACTS_SQL = """
create or replace table s_first_contracts as
select c.customer_id, min(c.signed_on) as first_signed_on, c.c_region, c.c_type, c.c_source
from s_contracts as c
group by all
order by c.customer_id
"""

CUSTOMER_DIMS_SQL = """
create or replace table s_customer_dims as
select owner_rep_id, region, type, source, count(*) as customers
from customers
group by all
order by owner_rep_id, region, type, source
"""

STAGE_MEDIANS_SQL = """
create or replace table s_stage_medians as
with stints as (
    select ss.stage, ss.days, ss.exited_at::date as exited_on
    from s_stage_stints as ss
),
days as (
    select distinct last_day(exited_on) as as_of from stints
    where last_day(exited_on) < (select max(exited_on) from stints)
    union
    select max(exited_on) from stints
)
select d.as_of, s.stage, median(s.days) as median_days
from days as d
join stints as s on s.exited_on <= d.as_of
group by d.as_of, s.stage
order by d.as_of desc, s.stage
"""

MEASURE_MONTHS_SQL = """
create or replace table s_measure_months as
with rows as (
    select 'contract_amount' as measure, 'all' as cut, date_trunc('month', signed_on)::date as month, rep_id,
           null::varchar as category, null::varchar[] as categories, null::bigint as category_bits,
           sum(amount) as value
    from s_contracts
    group by all
    union all
    select 'contract_amount', 'category', date_trunc('month', signed_on)::date, rep_id, category, null, null,
           sum(amount)
    from s_lines
    group by all
    union all
    select 'payments', 'all', date_trunc('month', paid_on)::date, rep_id, null, null, null, sum(amount)
    from s_payments
    group by all
    union all
    select 'payments', 'categories', date_trunc('month', paid_on)::date, rep_id, null, categories, category_bits,
           sum(amount)
    from s_payments
    group by all
)
select * from rows
order by cut, month, measure, rep_id
"""

SALES_MONTHS_SQL = """
create or replace table s_sales_months as
select product_id, category, date_trunc('month', signed_on)::date as month, sum(quantity) as quantity,
       sum(amount) as amount
from s_lines
where quantity > 0
group by all
order by month, product_id
"""

STOCK_MONTHS_SQL = """
create or replace table s_stock_months as
select product_id, category, method, date_trunc('month', day)::date as month, sum(quantity) as quantity,
       sum(cogs) as cogs, max(day) filter (where sold) as last_sale
from s_stock_days
group by all
order by method, month, product_id
"""

CONTRACT_PAID_SQL = """
create or replace table s_contract_paid as
select p.contract_id, c.ends_on, p.paid, p.last_paid_on
from (select contract_id, sum(amount) as paid, max(paid_on) as last_paid_on
      from s_payments
      group by contract_id) as p
join s_contracts as c on c.contract_id = p.contract_id
order by c.ends_on, p.contract_id
"""

ACTIVITY_DAYS_SQL = """
create or replace table s_activity_days as
select rep_id, occurred_at::date as day, count(*) as n
from activities
group by all
order by day, rep_id
"""

# Figures of the facts of every calendar month, quarter and year with a fact (``from_day``, its
# first day; ``to_day``, its last), each worked out by the build without a filter: a query reads
# them for exactly such a period instead of working them out from the facts. The period holding
# the latest fact (``{latest}``) is open-ended (``to_day`` empty): from its first day on, it holds
# the same facts for any end on or after that day (this year, this month); the month, quarter
# and year starting on one day then hold the same facts (one row is kept).
CALENDAR_FIGURES_SQL = """
create or replace table {table} as
with facts as (
    {facts}
),
latest as (
    select max(day) as {latest} from facts
),
periods as (
    -- each fact in the month, quarter and year of its day (their length in months)
    select f.*, p.months, date_trunc(p.unit, f.day)::date as from_day
    from facts as f
    cross join (values ('month', 1), ('quarter', 3), ('year', 12)) as p(unit, months)
),
figures as (
    select from_day, months, {figures}
    from periods
    group by {grouping}
),
spans as (
    select f.*, l.{latest},
           case when (f.from_day + to_months(f.months))::date <= l.{latest}
                then (f.from_day + to_months(f.months))::date - 1 end as to_day
    from figures as f
    cross join latest as l
    qualify row_number() over (partition by f.from_day, to_day, {keys} order by f.months) = 1
)
select from_day, to_day, {latest}, {columns}
from spans
order by from_day, to_day nulls last, {order}
"""

STAGE_DAYS_SQL = CALENDAR_FIGURES_SQL.format(
    table="s_stage_days", latest="last_exit_on",
    facts="select stage, days, exited_at::date as day from s_stage_stints",
    figures="stage, count(*) as stints, avg(days) as mean_days, "
            "quantile_cont(days, [0.10, 0.25, 0.50, 0.75, 0.90]) as q",
    grouping="all", keys="stage", order="stage",
    columns="stage, stints, mean_days, q[1] as p10_days, q[2] as p25_days, q[3] as median_days, "
            "q[4] as p75_days, q[5] as p90_days")

WIN_RATES_SQL = CALENDAR_FIGURES_SQL.format(
    table="s_win_rates", latest="last_created_on",
    facts="select o.rep_id, st.kind, o.amount, o.created_at::date as day, "
          "date_diff('day', o.created_at::date, o.closed_on) as cycle_days "
          "from s_opportunities as o join stages as st on st.stage = o.stage",
    figures="""rep_id, grouping(rep_id) = 1 as is_total,
           count(*) as created,
           count(*) filter (where kind = 'won') as won,
           count(*) filter (where kind = 'lost') as lost,
           count(*) filter (where kind = 'open') as still_open,
           coalesce(sum(amount) filter (where kind = 'won'), 0)::double as won_amount,
           coalesce(sum(amount) filter (where kind = 'lost'), 0)::double as lost_amount,
           median(cycle_days) filter (where kind = 'won') as median_cycle_days""",
    grouping="grouping sets ((from_day, months, rep_id), (from_day, months))", keys="is_total, rep_id",
    order="is_total desc, rep_id",
    columns="rep_id, is_total, created, won, lost, still_open, won_amount, lost_amount, median_cycle_days")

COHORT_COUNTS_SQL = CALENDAR_FIGURES_SQL.format(
    table="s_cohort_counts", latest="last_created_on",
    facts="select rep_id, stage, furthest_open_position, created_at::date as day from s_opportunities",
    figures="rep_id, stage, furthest_open_position, count(*) as deals",
    grouping="all", keys="rep_id, stage, furthest_open_position", order="rep_id, stage, furthest_open_position",
    columns="rep_id, stage, furthest_open_position, deals")

LOST_COUNTS_SQL = CALENDAR_FIGURES_SQL.format(
    table="s_lost_counts", latest="last_created_on",
    facts="select o.lost_reason, o.competitor, o.amount, o.created_at::date as day "
          "from s_opportunities as o join stages as st on st.stage = o.stage and st.kind = 'lost'",
    figures="lost_reason, competitor, count(*) as deals, sum(amount) as amount",
    grouping="all", keys="lost_reason, competitor", order="lost_reason, competitor",
    columns="lost_reason, competitor, deals, amount")


# the rule of alerts_revenue_course over every month: the facts of f_measure_facts without a
# filter (s_measure_months' cut 'all', customers by created_at), and under each single category
# (category set: its lines' amounts, s_measure_months' cut 'category'; the payments of contracts
# with a line in it, cut 'categories'; every new customer); the subjects of alerts_team_members
# and f_reps' active reps; trend and mad as the medians the query takes. Each cut is numbered,
# ranged and windowed on its own (partition by category), as the query would under its filter.
COURSE_MONTHS_SQL = """
create or replace table s_course_months as
with recursive descendants as (
    select t.team_id as root_id, t.team_id
    from teams as t
    union all
    select d.root_id, child.team_id
    from teams as child
    join descendants as d on child.parent_team_id = d.team_id
),
members as (
    select 'team' as subject_type, t.team_id as subject_id, t.name as subject_name, r.rep_id
    from descendants as d
    join teams as t on t.team_id = d.root_id
    join reps as r on r.team_id = d.team_id
    union all
    select 'rep', r.rep_id, r.name, r.rep_id
    from reps as r
    where r.active
),
new_customers as (
    select date_trunc('month', cu.created_at)::date as month, cu.owner_rep_id as rep_id, count(*) as value
    from customers as cu
    group by all
),
rep_months as (
    select null::varchar as category, mm.measure, mm.month, mm.rep_id, mm.value::decimal(38, 2) as value
    from s_measure_months as mm
    where mm.cut = 'all'
    union all
    select mm.category, mm.measure, mm.month, mm.rep_id, mm.value
    from s_measure_months as mm
    where mm.cut = 'category'
    union all
    select unnest(mm.categories), mm.measure, mm.month, mm.rep_id, mm.value
    from s_measure_months as mm
    where mm.cut = 'categories'
    union all
    select k.category, 'new_customers', n.month, n.rep_id, n.value
    from new_customers as n
    cross join (select null::varchar as category union all select category from s_category_bits) as k
),
monthly as (
    select f.category, 'company' as subject_type, 'company' as subject_id, null::varchar as subject_name,
           f.measure, f.month, sum(f.value) as value
    from rep_months as f
    group by all
    union all
    select f.category, m.subject_type, m.subject_id, m.subject_name, f.measure, f.month, sum(f.value)
    from rep_months as f
    join members as m on m.rep_id = f.rep_id
    group by all
),
series as (
    -- numbered within its cut (series_id) and among all (key: the windows' narrow partition)
    select s.*, row_number() over (partition by s.category order by s.subject_type, s.subject_id, s.measure)
               as series_id,
           row_number() over (order by s.category nulls first, s.subject_type, s.subject_id, s.measure) as key
    from (select distinct category, subject_type, subject_id, subject_name, measure from monthly) as s
),
months as (
    select category,
           unnest(generate_series(min(month), max(month) + interval 24 month, interval 1 month))::date as month
    from monthly
    group by category
),
facts as (
    select s.key, m.month, m.value
    from monthly as m
    join series as s
      on s.category is not distinct from m.category and s.subject_type = m.subject_type
     and s.subject_id = m.subject_id and s.measure = m.measure
),
grid as (
    select s.key, mo.month, coalesce(f.value, 0) as value
    from series as s
    join months as mo on mo.category is not distinct from s.category
    left join facts as f on f.key = s.key and f.month = mo.month
),
yoy as (
    select g.*, lag(g.value, 12, 0) over w as base, g.value / nullif(lag(g.value, 12) over w, 0) as ratio
    from grid as g
    window w as (partition by g.key order by g.month)
),
history as (
    -- the ratios above 0 of the twelve months before (the grid has every month)
    select y.*, list(y.ratio) filter (where y.ratio > 0) over (
               partition by y.key order by y.month rows between 12 preceding and 1 preceding) as ratios
    from yoy as y
),
logs as (
    select h.key, h.month, h.value, h.base, [ln(r) for r in h.ratios] as log_ratios
    from history as h
),
trends as (
    select l.*, list_median(l.log_ratios) as trend
    from logs as l
)
select s.category, s.series_id, s.subject_type, s.subject_id, s.subject_name, s.measure, t.month, t.value, t.base,
       coalesce(len(t.log_ratios), 0) as ratios, t.trend, list_median([abs(x - t.trend) for x in t.log_ratios]) as mad
from trends as t
join series as s on s.key = t.key
order by s.category nulls first, t.month, s.series_id
"""

MEASURE_DAYS_SQL = """
create or replace table s_measure_days as
with days as (
    select null::varchar as category, 'contract_amount' as measure, rep_id, signed_on as day,
           sum(amount)::decimal(38, 2) as value
    from s_contracts
    group by all
    union all
    select null, 'payments', rep_id, paid_on, sum(amount) from s_payments group by all
    union all
    select null, 'new_customers', owner_rep_id, created_at::date, count(*) from customers group by all
    union all
    select x.category, 'contract_amount', rep_id, signed_on, sum(x.amount)
    from (select rep_id, signed_on, unnest(category_amounts) as x from s_contracts)
    group by all
    union all
    select category, 'payments', rep_id, paid_on, sum(amount)
    from (select rep_id, paid_on, amount, unnest(categories) as category from s_payments)
    group by all
),
months as (
    select category, measure, rep_id, date_trunc('month', day)::date as month,
           list_sort(list({'day': dayofmonth(day), 'value': value})) as points
    from days
    group by all
)
select category, measure, rep_id, month, [p.day for p in points] as days,
       [list_sum([p.value for p in points[:i]]) for i in range(1, len(points) + 1)] as to_day
from months
order by category nulls first, month, measure, rep_id
"""

# Most customer days have one contract: those rows are the contract's own (its amount, lists
# and bits); only the days with several (about 3% on large) add up their contracts' entries per
# category, so the build lists some 28,000 days' categories, not a million (0.8 s on large
# instead of 4-6 s).
PURCHASE_DAYS_SQL = """
create or replace table {table} as
with shared_days as (
    select {by}, signed_on
    from s_contracts
    group by all
    having count(*) > 1
),
shared as (
    select c.*
    from s_contracts as c
    semi join shared_days using ({by}, signed_on)
),
shared_categories as (
    select {by}, day, list_sort(list(category)) as categories,
           list_sort(list({{'category': category, 'amount': amount}})) as category_amounts
    from (select {by}, signed_on as day, x.category, sum(x.amount) as amount
          from (select {by}, signed_on, unnest(category_amounts) as x from shared)
          group by all)
    group by all
)
select {by}, c.signed_on as day, c.amount::decimal(18, 2) as amount, c.c_region, c.c_type, c.c_source,
       c.categories, c.category_bits, c.category_amounts
from s_contracts as c
anti join shared_days using ({by}, signed_on)
union all
select {by}, d.day, d.amount, d.c_region, d.c_type, d.c_source,
       coalesce(sc.categories, []), d.category_bits, sc.category_amounts
from (select {by}, signed_on as day, sum(amount)::decimal(18, 2) as amount, c_region, c_type, c_source,
             bit_or(category_bits) as category_bits
      from shared
      group by all) as d
left join shared_categories as sc using ({by}, day)
order by {order}
"""

COMPANY_DAYS_SQL = """
create or replace table s_company_days as
with line_days as (
    -- the lines per day and category: amounts, and the margin of the costed ones per method
    select signed_on as day, category, sum(amount) as amount,
           sum(amount - cogs_fifo) filter (where cogs_fifo is not null) as margin_fifo,
           sum(amount - cogs_moving_average) filter (where cogs_moving_average is not null) as margin_moving_average,
           sum(amount - cogs_monthly_average) filter (where cogs_monthly_average is not null)
               as margin_monthly_average
    from s_lines
    group by all
),
by_category as (
    unpivot line_days
    on amount as contract_amount, margin_fifo, margin_moving_average, margin_monthly_average
    into name measure value value
),
contract_days as (
    select signed_on as day, categories, category_bits, sum(amount) as contract_amount_whole,
           count(*) as contracts
    from s_contracts
    group by all
),
by_categories as (
    -- per day and set of line categories: the contracts, their whole amounts, payments and plans
    select measure, day, categories, category_bits, value
    from (unpivot contract_days on contract_amount_whole, contracts into name measure value value)
    union all
    select 'payments', paid_on, categories, category_bits, sum(amount)
    from s_payments
    group by all
    union all
    select 'plans_due', due_on, categories, category_bits, sum(amount)
    from s_payment_plans
    group by all
),
rows as (
    select measure, 'category' as cut, day, category, null::varchar[] as categories, null::bigint as category_bits,
           value
    from by_category
    union all
    select measure, 'categories', day, null, categories, category_bits, value
    from by_categories
    union all
    -- no category filter: every row of a measure per day (the whole contract amounts are the
    -- contract amounts)
    select measure, 'all', day, null, null, null, sum(value)
    from (select measure, day, value from by_category where measure <> 'contract_amount'
          union all
          select measure, day, value from by_categories
          union all
          select 'contract_amount', day, value from by_categories where measure = 'contract_amount_whole')
    group by measure, day
)
select measure, cut, day, category, categories, category_bits, value::decimal(38, 2) as value
from rows
order by cut, day, measure
"""

# the periods whose customer windows the build works out (s_customer_windows), as Filters.periods
# gives them as of the build's as_of: those ending on it share their two years, so each adds only
# its own two windows; last month and last year add two years more each (16 windows on large:
# 2.7M rows, 7.6 s; last quarter would add two more years for a period read less often)
WINDOW_PRESETS = ("this_month", "last_month", "this_quarter", "this_year", "last_year", "last_90_days", "year_to_date")

# the windows, bound by build_serving ($from_days, $to_days: customer_windows of each preset)
CUSTOMER_WINDOW_DAYS_SQL = """
create or replace table s_customer_window_days as
select unnest($from_days::date[]) as from_day, unnest($to_days::date[]) as to_day
order by from_day, to_day
"""

# customer_windows.sql's sums and customer_value.sql's costs per window: f_contracts and
# f_lines without a team, rep or scope filter are every row of s_contracts and s_lines (a
# contract's rep is a rep of a team: the data rules), a category's amount of a contract its
# entry of category_amounts (as f_contracts reads it), and a contract has a category exactly
# when it has a line of it
CUSTOMER_WINDOWS_SQL = """
create or replace table s_customer_windows as
with contract_rows as (
    select w.from_day, w.to_day, c.customer_id, '' as category, c.amount::decimal(18, 2) as amount,
           c.signed_on, c.c_region, c.c_type, c.c_source
    from s_contracts as c
    join s_customer_window_days as w on c.signed_on between w.from_day and w.to_day
    union all
    select w.from_day, w.to_day, c.customer_id, c.x.category, c.x.amount::decimal(18, 2),
           c.signed_on, c.c_region, c.c_type, c.c_source
    from (select customer_id, signed_on, c_region, c_type, c_source, unnest(category_amounts) as x
          from s_contracts) as c
    join s_customer_window_days as w on c.signed_on between w.from_day and w.to_day
),
contract_sums as (
    select from_day, to_day, customer_id, category, any_value(c_region) as c_region,
           any_value(c_type) as c_type, any_value(c_source) as c_source,
           sum(amount) as amount, count(*) as contracts, max(signed_on) as last_signed_on
    from contract_rows
    group by from_day, to_day, customer_id, category
),
line_sums as (
    select w.from_day, w.to_day, l.customer_id,
           case when grouping(l.category) = 1 then '' else l.category end as category,
           count(*) as lines,
           sum(l.cogs_fifo) as cogs_fifo, count(l.cogs_fifo) as costed_fifo,
           coalesce(sum(l.amount) filter (where l.cogs_fifo is null), 0) as uncosted_fifo,
           sum(l.cogs_moving_average) as cogs_moving_average, count(l.cogs_moving_average) as costed_moving_average,
           coalesce(sum(l.amount) filter (where l.cogs_moving_average is null), 0) as uncosted_moving_average,
           sum(l.cogs_monthly_average) as cogs_monthly_average, count(l.cogs_monthly_average) as costed_monthly_average,
           coalesce(sum(l.amount) filter (where l.cogs_monthly_average is null), 0) as uncosted_monthly_average
    from s_lines as l
    join s_customer_window_days as w on l.signed_on between w.from_day and w.to_day
    group by grouping sets ((w.from_day, w.to_day, l.customer_id), (w.from_day, w.to_day, l.customer_id, l.category))
)
select c.*, coalesce(l.lines, 0) as lines,
       l.* exclude (from_day, to_day, customer_id, category, lines),
       -- customer_tiers' ranks of the window's buyers (amount > 0) when no customer filter
       -- narrows them (the same windows over the same rows; empty for the others)
       case when c.amount > 0 then row_number() over ranks end as position,
       case when c.amount > 0 then count(*) over buyers end as n,
       case when c.amount > 0 then coalesce(sum(c.amount) over (ranks rows between unbounded preceding
                                                                and 1 preceding), 0) end as amount_before,
       case when c.amount > 0 then sum(c.amount) over buyers end as window_amount,
       case when c.amount > 0 then count(*) over (partition by c.from_day, c.to_day, c.category, c.amount > 0
                                                  order by c.amount desc range between unbounded preceding
                                                  and current row) end as at_least
from contract_sums as c
left join line_sums as l
  on l.from_day = c.from_day and l.to_day = c.to_day and l.customer_id = c.customer_id and l.category = c.category
window buyers as (partition by c.from_day, c.to_day, c.category, c.amount > 0),
       ranks as (buyers order by c.amount desc, c.customer_id)
order by c.from_day, c.to_day, c.category, c.customer_id
"""

# the build's as_of (data.build.AS_OF_SQL) inlined: one statement, no value carried between
PURCHASE_STANDING_SQL = """
create or replace table s_purchase_standing as
with as_of as (
    select ({as_of})::date as day
),
days as (
    -- every purchase day up to as_of (category ''), and each category's part of it
    select p.customer_id, '' as category, p.day, p.amount, p.c_region, p.c_type, p.c_source
    from s_purchase_days as p
    where p.day <= (select day from as_of)
    union all
    select p.customer_id, x.category, p.day, x.amount::decimal(18, 2), p.c_region, p.c_type, p.c_source
    from (select customer_id, day, c_region, c_type, c_source, unnest(category_amounts) as x
          from s_purchase_days
          where day <= (select day from as_of)) as p
)
select d.customer_id, d.category, any_value(d.c_region) as c_region, any_value(d.c_type) as c_type,
       any_value(d.c_source) as c_source,
       sum(d.amount) filter (where d.day > a.day - 730) as amount,
       max(d.day) filter (where d.amount > 0 and d.day > a.day - 730) as last_purchase,
       count(*) filter (where d.amount > 0 and d.day > a.day - 730) as recent_purchases,
       count(*) filter (where d.amount > 0 and d.day <= a.day - 730) as earlier_purchases,
       sum(d.amount) filter (where d.amount > 0 and d.day > a.day - 90) as spend_90,
       sum(d.amount) filter (where d.amount > 0 and d.day > (a.day - interval 1 year)::date - 90
                                and d.day <= (a.day - interval 1 year)::date) as spend_90_year_ago,
       sum(d.amount) filter (where d.amount > 0 and d.day > a.day - 455 and d.day <= a.day - 90) as usual_sum,
       sum(d.amount) filter (where d.day > a.day - 455 and d.day <= a.day - 90) as quarter_sum
from days as d
cross join as_of as a
group by d.customer_id, d.category
having count(*) filter (where d.day > a.day - 730) > 0
order by d.category, d.customer_id
"""

# the build's as_of (data.build.AS_OF_SQL) inlined; its dates as alert_params steps back
OVERDUE_JUDGED_SQL = """
create or replace table s_overdue_judged as
with dates as (
    select (d0 - interval 2 month)::date as d2, (d0 - interval 1 month)::date as d1, d0
    from (select ({as_of})::date as d0)
),
states as (
    -- as queries/alerts_collection.sql adds them up (a state holds on d when its interval holds
    -- d and it is overdue there), per customer, rep and the contract's categories
    select ps.customer_id, ps.rep_id, any_value(ps.c_region) as c_region, any_value(ps.c_type) as c_type,
           any_value(ps.c_source) as c_source, ps.categories, any_value(ps.category_bits) as category_bits,
           coalesce(sum(ps.unsettled::double) filter (
               where (ps.valid_from is null or ps.valid_from <= d.d0)
                 and (ps.valid_to is null or ps.valid_to > d.d0)), 0) as o0,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < d.d1 and (ps.valid_from is null or ps.valid_from <= d.d1)
                 and (ps.valid_to is null or ps.valid_to > d.d1)), 0) as o1,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < d.d2 and (ps.valid_from is null or ps.valid_from <= d.d2)), 0) as o2,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < d.d0 - 90 and (ps.valid_from is null or ps.valid_from <= d.d0)
                 and (ps.valid_to is null or ps.valid_to > d.d0)), 0) as aged0,
           coalesce(sum(ps.unsettled::double) filter (
               where ps.due_on < d.d1 - 90 and (ps.valid_from is null or ps.valid_from <= d.d1)
                 and (ps.valid_to is null or ps.valid_to > d.d1)), 0) as aged1
    from s_plan_states as ps
    cross join dates as d
    where ps.due_on < d.d0 and (ps.valid_to is null or ps.valid_to > d.d2)
    group by ps.customer_id, ps.rep_id, ps.categories
)
select customer_id, rep_id, any_value(c_region) as c_region, any_value(c_type) as c_type,
       any_value(c_source) as c_source, true as whole, null::varchar[] as categories, null::bigint as category_bits,
       sum(o0) as o0, sum(o1) as o1, sum(o2) as o2, sum(aged0) as aged0, sum(aged1) as aged1
from states
group by customer_id, rep_id
union all
select customer_id, rep_id, c_region, c_type, c_source, false, categories, category_bits, o0, o1, o2, aged0, aged1
from states
order by whole desc, customer_id, rep_id
"""

# A customer buys in the year to day D, (D − 1 year, D], when its contracts there sum to > 0.
# That sum changes only on the days a contract enters (signed_on) or leaves the year: the first
# D with D − 1 year >= signed_on (a_year_on: signed_on + 1 year, except from a 29 February, as
# 28 February next year still reaches back to 28 February; 1 March is the first past it). The
# running sum of those changes per customer gives the intervals in which it buys; bought in
# the year before D's = bought in the year to D − 1 year (D − 2 years = (D − 1 year) − 1
# year on every day), i.e. D in [a_year_on(from), a_year_on(to)) for each such interval.
# Counting interval ends over all customers gives the counts on every day: buyers_before =
# the moved intervals holding D, churned = those less the customers whose own interval holds
# D too. 1 s on large.
CHURN_DAYS_SQL = """
create or replace temp macro a_year_on(day) as
    case when ((day + interval 1 year)::date - interval 1 year)::date < day
         then (day + interval 1 year)::date + 1
         else (day + interval 1 year)::date
    end;
create or replace table s_churn_days as
with changes as (
    select customer_id, signed_on as day, amount
    from s_contracts
    union all
    select customer_id, a_year_on(signed_on), -amount
    from s_contracts
),
steps as (
    select customer_id, day, sum(sum(amount)) over (partition by customer_id order by day) as year_amount,
           lead(day) over (partition by customer_id order by day) as next_day
    from changes
    group by customer_id, day
),
buying as (
    -- the days [from_day, to_day) on which the customer buys in the year to the day (the last
    -- step, after every contract left, sums to 0: to_day is never empty here)
    select customer_id, day as from_day, next_day as to_day
    from steps
    where year_amount > 0
),
bought_before as (
    -- the days whose year before holds a buying day of the customer: its intervals a year on
    select customer_id, a_year_on(from_day) as from_day, a_year_on(to_day) as to_day
    from buying
),
kept as (
    -- ... on which it buys again in the year to the day
    select b.customer_id, greatest(b.from_day, y.from_day) as from_day, least(b.to_day, y.to_day) as to_day
    from bought_before as y
    join buying as b on b.customer_id = y.customer_id and b.from_day < y.to_day and y.from_day < b.to_day
),
ends as (
    select day, sum(before) as before, sum(kept) as kept
    from (select from_day as day, 1 as before, 0 as kept from bought_before
          union all
          select to_day, -1, 0 from bought_before
          union all
          select from_day, 0, 1 from kept
          union all
          select to_day, 0, -1 from kept)
    group by day
)
select day as from_day, lead(day) over (order by day) as to_day,
       (sum(before) over (order by day))::bigint as buyers_before,
       (sum(before) over (order by day) - sum(kept) over (order by day))::bigint as churned
from ends
order by from_day
"""

SERVING_TABLES = ("s_category_bits", "s_contracts", "s_lines", "s_cost_of_sales", "s_contracts_by_rep",
                  "s_lines_by_rep", "s_customers_by_owner", "s_payments_by_rep", "s_plan_states_by_rep",
                  "s_stage_intervals_by_rep", "s_payments", "s_plan_states",
                  "s_stage_intervals", "s_payment_plans", "s_opportunities", "s_activities", "s_stage_history",
                  "s_stage_stints", "s_stock_days", "s_last_activities", "s_pool_days",
                  "s_first_contracts", "s_customer_dims", "s_stage_medians",
                  "s_measure_months", "s_sales_months", "s_stock_months", "s_activity_days",
                  "s_contract_paid", "s_stage_days", "s_win_rates",
                  "s_cohort_counts", "s_lost_counts", "s_course_months", "s_measure_days", "s_purchase_days",
                  "s_rep_purchase_days", "s_purchase_standing", "s_overdue_judged", "s_customer_window_days",
                  "s_customer_windows", "s_churn_days", "s_company_days", "s_judged", "s_layer")


# filled by judge, after the build's checkpoint: the judged answers' keys (none until then)
JUDGED_SQL = """
create or replace table s_judged (query varchar, judged_key varchar)
"""

SERVING_STATEMENTS = (
    CATEGORY_BITS_SQL, CONTRACTS_SQL, LINES_SQL, COST_OF_SALES_SQL,
    BY_REP_SQL.format(table="s_contracts", order="signed_on, contract_id"),
    BY_REP_SQL.format(table="s_lines", order="signed_on, contract_id, line_no"), CUSTOMERS_BY_OWNER_SQL,
    CONTRACT_FACTS_SQL.format(table="payments", day="paid_on", key="payment_id"),
    PLAN_STATES_SQL, STAGE_INTERVALS_SQL,
    BY_REP_SQL.format(table="s_payments", order="paid_on, payment_id"),
    BY_REP_SQL.format(table="s_plan_states", order="valid_to desc nulls first, due_on, plan_id"),
    BY_REP_SQL.format(table="s_stage_intervals", order="to_day desc nulls first, from_day, opportunity_id"),
    CONTRACT_FACTS_SQL.format(table="payment_plans", day="due_on", key="plan_id"),
    OPPORTUNITIES_SQL,
    ACTIVITIES_SQL,
    STAGE_HISTORY_SQL, STAGE_STINTS_SQL, STOCK_DAYS_SQL, LAST_ACTIVITIES_SQL,
    POOL_DAYS_SQL, FIRST_CONTRACTS_SQL, CUSTOMER_DIMS_SQL, STAGE_MEDIANS_SQL,
    MEASURE_MONTHS_SQL, SALES_MONTHS_SQL, STOCK_MONTHS_SQL, ACTIVITY_DAYS_SQL,
    CONTRACT_PAID_SQL, STAGE_DAYS_SQL, WIN_RATES_SQL,
    COHORT_COUNTS_SQL, LOST_COUNTS_SQL, COURSE_MONTHS_SQL, MEASURE_DAYS_SQL,
    PURCHASE_DAYS_SQL.format(table="s_purchase_days", by="customer_id", order="day, customer_id"),
    PURCHASE_DAYS_SQL.format(table="s_rep_purchase_days", by="rep_id, customer_id", order="rep_id, day, customer_id"),
    PURCHASE_STANDING_SQL.format(as_of=AS_OF_SQL), OVERDUE_JUDGED_SQL.format(as_of=AS_OF_SQL),
    CUSTOMER_WINDOW_DAYS_SQL, CUSTOMER_WINDOWS_SQL, CHURN_DAYS_SQL, COMPANY_DAYS_SQL, JUDGED_SQL,
)
# what the gateway compares with a warehouse's s_layer.stamp (changes with any statement above)
SERVING_STAMP = hashlib.sha256("\n;\n".join(SERVING_STATEMENTS).encode()).hexdigest()[:16]


def build_serving(con: duckdb.DuckDBPyConnection) -> None:
    """Derived-table step: (re)build every serving table from the published base tables
    and ``cost_of_sales``, and stamp the layer (s_layer) last."""
    days = window_days(con)
    bound = {"from_days": [first for first, _ in days], "to_days": [last for _, last in days]}
    con.execute("set preserve_insertion_order = true")  # (DuckDB's default) s_cost_of_sales relies on it
    for sql in SERVING_STATEMENTS:
        con.execute(sql, {k: v for k, v in bound.items() if f"${k}" in sql})
    con.execute("create or replace table s_layer as select $stamp as stamp", {"stamp": SERVING_STAMP})


def judge(path: Path, config: dict) -> None:
    """Store in the built file at ``path`` (checkpointed and closed) the answers of the
    queries of queries.JUDGED for the views the build judges (s_judged, s_judged_<query>).
    They are worked out by the gateway itself, in a process of its own (``python -m queries
    judge``, the file served read-only as CRM_WAREHOUSE), so that each answer's key is the one
    a request computes, with the build's memory (CRM_BUILD_MEMORY, else DuckDB's default share
    of the RAM) rather than a worker's; then written here with ``config`` (the build's). Raises
    ``JudgeError`` with the process's last line if it fails (the file is then not published)."""
    from queries import JUDGED  # (queries imports this module)

    env = {**os.environ, "CRM_WAREHOUSE": str(path), "CRM_DUCKDB_MEMORY": os.environ.get("CRM_BUILD_MEMORY") or "80%",
           "CRM_DUCKDB_RESTING_MEMORY": ""}  # (a worker's pool between statements: not here)
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run([sys.executable, "-m", "queries", "judge", folder], cwd=Path(__file__).parents[1],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise JudgeError((done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1])
        answers = {name: pa.ipc.open_file(f"{folder}/{name}.arrow").read_all() for name in JUDGED}
    con = duckdb.connect(str(path), config=config)
    try:
        for name, table in answers.items():
            con.register("answers", table)
            con.execute(f"create or replace table s_judged_{name} as select * from answers")
            con.unregister("answers")
            con.execute("insert into s_judged select $name, unnest($keys::varchar[])",
                        {"name": name, "keys": json.loads(table.schema.metadata[b"judged_keys"])})
        con.execute("checkpoint")
    finally:
        con.close()


def window_days(con: duckdb.DuckDBPyConnection) -> list[tuple[date, date]]:
    """The windows of s_customer_window_days: those of WINDOW_PRESETS as of the build's as_of
    (none for an empty warehouse), each once."""
    from queries.filters import Filters, customer_windows  # (queries imports this module)

    as_of = con.execute(AS_OF_SQL).fetchone()[0]
    if as_of is None:
        return []
    return sorted({window for preset in WINDOW_PRESETS
                   for window in customer_windows(Filters(preset=preset).periods(as_of))})
