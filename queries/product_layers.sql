-- product_layers: one row per FIFO cost layer of product $product_id that entered stock
-- up to $end (the period's end): its receipts (purchases) and its customer returns (a
-- return is a new layer at the end of the queue, at the unit cost its FIFO COGS gave it),
-- with the quantity and value still remaining at $end.
-- Rule: the layers form one stream of entering units, in the engine's event order (by
-- date; on one date receipts by purchase_id before returns by contract_id, line_no);
-- FIFO issues consume that stream from its start, so with issued = the units issued up to
-- $end (returns not netted: they are layers), a layer ending at cumulative position
-- entered_through keeps clamp(entered_through − issued, 0, quantity) units. While a
-- shortfall is open (issued > entered) nothing remains. Stock is shared: rep, team and
-- customer filters do not narrow it.
-- Parameters: $end, $product_id + category filter. Pages: /product/<product_id>.
with receipts as (
    select received_on as entered_on, 0 as kind, purchase_id as source, null::integer as line_no,
           quantity, quantity * unit_cost as value
    from f_purchases
    where product_id = $product_id and received_on <= $end
),

returns as (
    select moved_on as entered_on, 1 as kind, contract_id as source, line_no,
           -quantity as quantity, -cogs as value
    from f_stock_issues
    where product_id = $product_id and method = 'fifo' and moved_on <= $end and quantity < 0
),

layers as (
    select *,
           row_number() over (order by entered_on, kind, source, line_no) as layer_no,
           sum(quantity) over (order by entered_on, kind, source, line_no
                               rows between unbounded preceding and current row) as entered_through
    from (select * from receipts union all select * from returns)
),

issued as (
    select coalesce(sum(quantity), 0) as quantity
    from f_stock_issues
    where product_id = $product_id and method = 'fifo' and moved_on <= $end and quantity > 0
),

final as (
    select l.layer_no, l.entered_on, case l.kind when 0 then 'receipt' else 'return' end as kind,
           case l.kind when 0 then l.source else l.source || ' #' || l.line_no end as source,
           l.quantity::double as quantity, (l.value / l.quantity)::double as unit_cost,
           l.value::double as value,
           r.remaining_quantity::double as remaining_quantity,
           round(r.remaining_quantity * l.value / l.quantity, 2)::double as remaining_value
    from layers as l
    cross join issued as i
    cross join lateral (
        select greatest(least(l.entered_through - i.quantity, l.quantity), 0) as remaining_quantity
    ) as r
)

select * from final order by layer_no
