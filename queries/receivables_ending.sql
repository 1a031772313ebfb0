-- receivables_ending: one row per counted contract ending (ends_on) in
-- [$day, $day + $days days] ($day: the page's state date, the period's end, not after
-- as_of), with its amount, payments received by $day and the
-- outstanding amount (amount - payments; negative = paid beyond the amount). With a category
-- filter the amount stays the whole contract's (f_contracts_whole), like its payments.
-- Ordered by ends_on, then contract_id; the first $limit of them, with total_rows: how many
-- there are in all (payments and names are looked up for the listed contracts only: a
-- contract paid in full by $day from its per-build sum, s_contract_paid).
-- Parameters: $day, $days, $limit + scope. Pages: /receivables.
with ending as (
    select c.contract_id, c.customer_id, c.rep_id, c.signed_on, c.ends_on, c.amount
    from f_contracts_whole as c
    where c.ends_on between $day and $day::date + $days::integer
),

listed as (
    select e.*, count(*) over () as total_rows
    from ending as e
    order by e.ends_on, e.contract_id
    limit $limit
),

listed_paid as (
    -- the listed contracts' per-build payment sums (f_contract_paid, sorted by ends_on: the
    -- listed contracts' days bound the read to their row groups)
    select cp.contract_id, cp.paid, cp.last_paid_on
    from f_contract_paid as cp
    where cp.ends_on between $day and $day::date + $days::integer
      and cp.contract_id in (select contract_id from listed)
),

paid as (
    -- a listed contract whose last payment is on or before $day had received all of its
    -- payments by then; only the others add up their payments to $day
    select lp.contract_id, lp.paid
    from listed_paid as lp
    where lp.last_paid_on <= $day
    union all
    select p.contract_id, sum(p.amount) as paid
    from f_payments as p
    where p.paid_on <= $day
      and p.contract_id in (select contract_id from listed_paid where last_paid_on > $day)
    group by p.contract_id
),

final as (
    select e.contract_id, e.customer_id, cu.name as customer_name, e.rep_id, r.name as rep_name,
           e.signed_on, e.ends_on,
           e.amount::double as amount,
           coalesce(p.paid, 0)::double as paid,
           (e.amount - coalesce(p.paid, 0))::double as outstanding,
           e.total_rows
    from listed as e
    join f_accounts as cu on cu.customer_id = e.customer_id
    join f_reps as r on r.rep_id = e.rep_id
    left join paid as p using (contract_id)
)

select * from final order by ends_on, contract_id
