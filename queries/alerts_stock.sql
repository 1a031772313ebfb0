-- alerts_stock: one row per product of f_products short of stock, overstocked, or whose
-- purchase cost rose enough to cut its margin (不缺货、不积压). Stock is shared, like
-- f_purchases and f_stock_days (the issues per day): the rep, team and customer filters do not narrow it.
-- On hand at $as_of = received − issued quantity up to $as_of; its value = value received −
-- COGS by $alert_costing_method up to $as_of (as products_stock). Daily sales = quantity
-- issued in the $alert_sales_window days up to $as_of / $alert_sales_window; cover = on hand /
-- daily sales, in days.
-- Regular seller: sold (quantity > 0) on at least $alert_regular_days different days of the
-- sales window. A product sold now and then (to order) is often out of stock by design and
-- its cost is quoted per order, so the shortage and cost rules judge regular sellers only.
-- Rules: stock_short = a regular seller with cover < $alert_short_days (on hand ≤ 0 included;
-- severity 3 when on hand ≤ 0); stock_over = on hand > 0 worth at least
-- $alert_over_min_value and (no sales in the window, or cover > $alert_over_days) (severity
-- 3 with no sales, else 2; impact = the stock's value, the money tied up). cost_jump = the average unit cost of the receipts in the 60 days up
-- to $as_of against that of the receipts in the 180 days before them, the rise as a share
-- of the average net selling price (counted lines of f_lines with quantity > 0 signed in
-- the 365 days up to $as_of; else the list price) above $alert_margin_cut (margin points
-- lost), for a regular seller; severity 2, impact = the rise × the quantity sold in the sales window.
-- figure / expected_low / expected_high: cover days against the two limits, or the new
-- unit cost against the old one. since: stock_over without sales = the day after the last
-- sale (else the first receipt); others = the first day of the window judged. sparkline =
-- quantity sold per month over the twelve months up to $as_of's month.
-- Parameters: $as_of, $alert_sales_window, $alert_regular_days, $alert_short_days, $alert_over_days,
-- $alert_over_min_value, $alert_margin_cut, $alert_costing_method + category filter.
-- Pages: /alerts, / (what changed).
with received as (
    select product_id, sum(quantity) as quantity, sum(quantity * unit_cost) as value,
           min(received_on) as first_receipt
    from f_purchases
    where received_on <= $as_of::date
    group by product_id
),

issued_monthly as (
    -- per product and month (the sparkline's months too): from the issues added up per day
    -- (f_stock_days: a day of the method's range per product), the months before the sales
    -- window's added up by the build (f_stock_months)
    select product_id, date_trunc('month', day)::date as month, sum(quantity) as quantity, sum(cogs) as cogs,
           sum(quantity) filter (where day > $as_of::date - $alert_sales_window::integer) as recent,
           max(day) filter (where sold) as last_sale,
           count(*) filter (where sold and day > $as_of::date - $alert_sales_window::integer) as sale_days
    from f_stock_days
    where day <= $as_of::date and method = $alert_costing_method
      and day >= date_trunc('month', $as_of::date - $alert_sales_window::integer + 1)::date
    group by all
    union all
    select sm.product_id, sm.month, sm.quantity, sm.cogs, null, sm.last_sale, 0
    from f_stock_months as sm
    where sm.method = $alert_costing_method
      and sm.month < date_trunc('month', $as_of::date - $alert_sales_window::integer + 1)::date
),

issued as (
    select product_id, sum(quantity) as quantity, sum(cogs) as cogs, sum(recent) as recent,
           max(last_sale) as last_sale, sum(sale_days) as sale_days
    from issued_monthly
    group by product_id
),

stock as (
    select p.product_id, p.name as product_name, p.list_price,
           coalesce(r.quantity, 0) - coalesce(i.quantity, 0) as on_hand,
           case when r.product_id is not null then r.value - coalesce(i.cogs, 0) end as value,
           greatest(coalesce(i.recent, 0), 0) / $alert_sales_window as daily,
           i.last_sale, r.first_receipt,
           coalesce(i.sale_days, 0) >= $alert_regular_days as regular
    from f_products as p
    left join received as r on r.product_id = p.product_id
    left join issued as i on i.product_id = p.product_id
    where r.product_id is not null or i.product_id is not null
),

stock_rows as (
    select case when s.regular and s.daily > 0 and s.on_hand < $alert_short_days * s.daily then 'stock_short'
                else 'stock_over' end as rule,
           case when s.regular and s.daily > 0 and s.on_hand < $alert_short_days * s.daily
                then case when s.on_hand <= 0 then 3 else 2 end
                else case when s.daily = 0 then 3 else 2 end end as severity,
           s.product_id, s.product_name,
           'cover_days' as measure,
           (s.on_hand / nullif(s.daily, 0))::double as figure,
           null::double as expected,
           $alert_short_days::double as expected_low, $alert_over_days::double as expected_high,
           case when s.daily = 0 then coalesce(s.last_sale + 1, s.first_receipt)
                else $as_of::date - $alert_sales_window::integer + 1 end as since,
           case when s.regular and s.daily > 0 and s.on_hand < $alert_short_days * s.daily
                then ($alert_short_days * s.daily - s.on_hand) * coalesce(s.value / nullif(s.on_hand, 0), 0)
                else s.value end::double as impact,
           s.on_hand::double as on_hand, s.value::double as stock_value
    from stock as s
    where (s.regular and s.daily > 0 and s.on_hand < $alert_short_days * s.daily)
       or (s.on_hand > 0 and s.value >= $alert_over_min_value
           and (s.daily = 0 or s.on_hand > $alert_over_days * s.daily))
),

costs as (
    select product_id,
           sum(quantity * unit_cost) filter (where received_on > $as_of::date - 60)
               / sum(quantity) filter (where received_on > $as_of::date - 60) as new_cost,
           sum(quantity * unit_cost) filter (where received_on <= $as_of::date - 60)
               / sum(quantity) filter (where received_on <= $as_of::date - 60) as old_cost
    from f_purchases
    where received_on > $as_of::date - 240 and received_on <= $as_of::date
    group by product_id
),

prices as (
    -- the year's whole months added up per build (f_sales_months, its months as a range of
    -- day), the days before and after them from the lines (f_lines carries its contract's
    -- signed_on: a range of the date-sorted lines)
    select product_id, sum(amount) / sum(quantity) as price
    from (
        select sm.product_id, sm.quantity, sm.amount
        from f_sales_months as sm
        where sm.day >= (date_trunc('month', $as_of::date - 365) + interval 1 month)::date
          and sm.day < date_trunc('month', $as_of::date + 1)::date
        union all
        select l.product_id, l.quantity, l.amount
        from f_lines as l
        where l.quantity > 0 and l.signed_on > $as_of::date - 365
          and l.signed_on < (date_trunc('month', $as_of::date - 365) + interval 1 month)::date
        union all
        select l.product_id, l.quantity, l.amount
        from f_lines as l
        where l.quantity > 0 and l.signed_on >= date_trunc('month', $as_of::date + 1)::date
          and l.signed_on <= $as_of::date
    ) as year_lines
    where product_id in (select product_id from costs where new_cost > old_cost)
    group by product_id
),

cost_rows as (
    select 'cost_jump' as rule, 2 as severity, s.product_id, s.product_name,
           'unit_cost' as measure, co.new_cost::double as figure, co.old_cost::double as expected,
           null::double as expected_low,
           (co.old_cost + $alert_margin_cut * coalesce(pr.price, s.list_price))::double as expected_high,
           $as_of::date - 59 as since,
           ((co.new_cost - co.old_cost) * s.daily * $alert_sales_window)::double as impact,
           s.on_hand::double as on_hand, s.value::double as stock_value
    from costs as co
    join stock as s on s.product_id = co.product_id
    left join prices as pr on pr.product_id = co.product_id
    where co.new_cost - co.old_cost > $alert_margin_cut * coalesce(pr.price, s.list_price)
      and s.regular
),

sparks as (
    -- quantity sold per month over the twelve months up to $as_of's month (empty months 0)
    select p.product_id, list(coalesce(m.quantity, 0)::double order by mo.month) as sparkline
    from f_products as p
    semi join (select product_id from stock_rows union all select product_id from cost_rows) as w
      on w.product_id = p.product_id
    cross join q_alerts_months as mo
    left join issued_monthly as m on m.product_id = p.product_id and m.month = mo.month
    group by p.product_id
),

final as (
    select 'stock' as kind, x.rule, x.severity, 'product' as subject_type, x.product_id as subject_id,
           x.product_name as subject_name, null::varchar as rep_id, null::varchar as rep_name,
           x.measure, x.figure, x.expected, x.expected_low, x.expected_high, x.since, x.impact,
           sp.sparkline, x.on_hand, x.stock_value
    from (select * from stock_rows union all by name select * from cost_rows) as x
    join sparks as sp on sp.product_id = x.product_id
)

select * from final order by severity desc, impact desc, subject_id
