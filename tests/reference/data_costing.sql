-- data_costing: how much of the counted revenue the costing could not cost.
-- Grain: one row.
-- Parameters: the scope and dimension filters only (no period: all dates). The /data
-- page passes no filters, so the row describes the whole warehouse.
-- Pages: /data.
-- Rule choices: counted lines are the lines of active contracts (f_contract_items),
-- returns with their sign. A line is uncosted when its cogs is empty: a product with no
-- receipts is uncosted in every method, and stock on hand (hence the shortfall) is the
-- same in every method, so the FIFO rows are read. A line without a costing row counts
-- as uncosted (never a silent zero cost). A shortfall line issued more units than
-- stock on hand (shortfall_quantity > 0).
with lines as (
    select i.product_id, i.amount, cs.cogs, coalesce(cs.shortfall_quantity, 0) as shortfall_quantity
    from f_contract_items as i
    left join f_cost_of_sales as cs
        on cs.contract_id = i.contract_id and cs.line_no = i.line_no and cs.method = 'fifo'
),
totals as (
    select
        count(*) as counted_lines,
        coalesce(sum(l.amount), 0)::decimal(18, 2) as counted_revenue,
        count(*) filter (where l.cogs is null) as uncosted_lines,
        coalesce(sum(l.amount) filter (where l.cogs is null), 0)::decimal(18, 2) as uncosted_revenue,
        count(distinct l.product_id) filter (where l.cogs is null) as uncosted_products,
        count(*) filter (where l.shortfall_quantity > 0) as shortfall_lines,
        coalesce(sum(l.shortfall_quantity), 0)::decimal(18, 4) as shortfall_quantity
    from lines as l
),
final as (
    select
        counted_lines,
        counted_revenue,
        uncosted_lines,
        uncosted_revenue,
        uncosted_revenue / nullif(counted_revenue, 0) as uncosted_share,
        uncosted_products,
        shortfall_lines,
        shortfall_quantity
    from totals
)
select * from final
