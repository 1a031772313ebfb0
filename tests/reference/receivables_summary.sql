-- receivables_summary: one row: plan amounts due in [$start, $end], payments received in
-- it, the collection rate received / due (NULL when nothing was due), and the outstanding
-- total as of $day (the page's state date: the period's end, not after as_of, the date of
-- the overdue amounts): the sum over counted contracts signed by then of amount - payments
-- received by then (a contract paid beyond its amount lowers the total). Plans and payments
-- belong to whole contracts, so a category filter selects the contracts with a matching
-- line and sets their whole amounts (f_contracts_whole), not the lines', against them.
-- Parameters: $start, $end, $day + scope. Pages: /receivables.
with due as (
    select sum(amount) as due
    from f_payment_plans
    where due_on between $start and $end
),

received as (
    select sum(amount) as received
    from f_payments
    where paid_on between $start and $end
),

outstanding as (
    select (select sum(k.amount) from f_contracts_whole as k where k.signed_on <= $day)
         - coalesce((select sum(amount) from f_payments where paid_on <= $day), 0) as outstanding
),

final as (
    select coalesce(d.due, 0)::double as due,
           coalesce(r.received, 0)::double as received,
           (coalesce(r.received, 0) / nullif(coalesce(d.due, 0), 0))::double as collection_rate,
           coalesce(o.outstanding, 0)::double as outstanding
    from due as d, received as r, outstanding as o
)

select * from final
