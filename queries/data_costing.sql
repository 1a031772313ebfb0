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
with totals as (
    -- over the products' sums (data_costing_by_product): one grouping of the lines, no
    -- distinct count of products beside the totals
    select
        coalesce(sum(p.lines), 0)::bigint as counted_lines,
        coalesce(sum(p.revenue), 0)::decimal(18, 2) as counted_revenue,
        coalesce(sum(p.uncosted_lines), 0)::bigint as uncosted_lines,
        coalesce(sum(p.uncosted_revenue), 0)::decimal(18, 2) as uncosted_revenue,
        count(*) filter (where p.uncosted_lines > 0) as uncosted_products,
        coalesce(sum(p.shortfall_lines), 0)::bigint as shortfall_lines,
        coalesce(sum(p.shortfall_quantity), 0)::decimal(18, 4) as shortfall_quantity
    from q_data_costing_by_product as p
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
