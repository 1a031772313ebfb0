-- receivables_summary: one row: plan amounts due in [$start, $end], payments received in
-- it, the collection rate received / due (NULL when nothing was due), and the outstanding
-- total as of $day (the page's state date: the period's end, not after as_of, the date of
-- the overdue amounts): the sum over counted contracts signed by then of amount - payments
-- received by then (a contract paid beyond its amount lowers the total). Plans and payments
-- belong to whole contracts, so a category filter selects the contracts with a matching
-- line and sets their whole amounts (f_contracts_whole), not the lines', against them.
-- When nothing but a category narrows the facts and the viewer sees everyone, every sum
-- comes from the build's daily sums (f_company_days). Otherwise, without a customer or
-- category filter the outstanding total adds up the complete months before $day's month
-- from the monthly sums (f_rep_months: every counted contract's amount, every payment) and
-- only $day's month from the facts; else every fact up to $day. The payments are read once
-- for both sums (read twice, their relation was computed whole once, every payment ever).
-- Parameters: $start, $end, $day + scope. Pages: /receivables.
with company as (
    -- from f_company_days (empty unless nothing but a category narrows the facts and the
    -- viewer sees everyone): the plans due and the payments received in the period, the whole
    -- contracts signed and the payments received up to $day
    select sum(d.value) filter (where d.measure = 'plans_due' and d.day between $start and $end) as due,
           sum(d.value) filter (where d.measure = 'payments' and d.day between $start and $end) as received,
           sum(d.value) filter (where d.measure = 'contract_amount_whole' and d.day <= $day) as signed,
           sum(d.value) filter (where d.measure = 'payments' and d.day <= $day) as paid
    from f_company_days as d
    where d.measure in ('plans_due', 'payments', 'contract_amount_whole')
      and d.day <= greatest($end::date, $day::date)
),

due as (
    -- the facts from here on, only when f_company_days is empty (not $company_wide, a
    -- constant: pruned at planning otherwise)
    select sum(amount) as due
    from f_payment_plans
    where not $company_wide
      and due_on between $start and $end
),

bounds as (
    -- the first day the facts are read from for the outstanding total
    select (case when len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0 and len($categories) = 0
                 then date_trunc('month', $day::date + 1)::date
                 else '-infinity'::date end) as facts_from
),

payment_sums as (
    -- the bounds written out as constants, so the date-sorted scan skips the row groups outside
    select sum(p.amount) filter (where p.paid_on between $start and $end) as received,
           sum(p.amount) filter (where p.paid_on <= $day and p.paid_on >= (select facts_from from bounds)) as paid
    from f_payments as p
    where not $company_wide
      and p.paid_on between least($start::date,
                                  (case when len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
                                             and len($categories) = 0
                                        then date_trunc('month', $day::date + 1)::date
                                        else '-infinity'::date end))
                        and greatest($end::date, $day::date)
),

month_sums as (
    -- the complete months before $day's month, without a customer or category filter
    select sum(mm.value) filter (where mm.measure = 'contract_amount') as signed,
           sum(mm.value) filter (where mm.measure = 'payments') as paid
    from f_rep_months as mm
    where not $company_wide
      and mm.month < date_trunc('month', $day::date + 1)::date
),

signed_days as (
    select sum(k.amount) as signed
    from f_contracts_whole as k
    where not $company_wide
      and k.signed_on <= $day
      and k.signed_on >= (case when len($regions) = 0 and len($ctypes) = 0 and len($sources) = 0
                                    and len($categories) = 0
                               then date_trunc('month', $day::date + 1)::date
                               else '-infinity'::date end)
),

outstanding as (
    -- NULL without a contract signed by $day (one source or the other: the empty one gives NULL)
    select coalesce(c.signed - coalesce(c.paid, 0),
                    (case when m.signed is not null or s.signed is not null
                          then coalesce(m.signed, 0) + coalesce(s.signed, 0) end)
                    - coalesce(m.paid, 0) - coalesce(p.paid, 0)) as outstanding
    from company as c, month_sums as m, signed_days as s, payment_sums as p
),

final as (
    select coalesce(c.due, d.due, 0)::double as due,
           coalesce(c.received, p.received, 0)::double as received,
           (coalesce(c.received, p.received, 0) / nullif(coalesce(c.due, d.due, 0), 0))::double as collection_rate,
           coalesce(o.outstanding, 0)::double as outstanding
    from company as c, due as d, payment_sums as p, outstanding as o
)

select * from final
