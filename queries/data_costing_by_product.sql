-- data_costing_by_product: one row per product with counted lines (f_lines: the lines of
-- f_contract_items with their FIFO COGS and shortfall), the costing's reach on its lines:
-- lines, revenue (their amounts), uncosted_lines and uncosted_revenue (cogs empty: a line
-- without a costing row too), shortfall_lines (shortfall_quantity > 0) and
-- shortfall_quantity (its sum, a line without a costing row as 0). Sums as added up (no
-- cast): data_costing adds them over the products, data_costing_products lists the products
-- with an uncosted or shortfall line; one grouping of the lines defines both.
-- Parameters: the scope and dimension filters only (no period: all dates). Pages: /data.
with lines as (
    -- f_lines carries each line's FIFO COGS and shortfall (empty without a costing row)
    select l.product_id, l.amount, l.cogs_fifo as cogs, coalesce(l.shortfall_quantity, 0) as shortfall_quantity
    from f_lines as l
),

final as (
    select
        l.product_id,
        count(*) as lines,
        sum(l.amount) as revenue,
        count(*) filter (where l.cogs is null) as uncosted_lines,
        sum(l.amount) filter (where l.cogs is null) as uncosted_revenue,
        count(*) filter (where l.shortfall_quantity > 0) as shortfall_lines,
        sum(l.shortfall_quantity) as shortfall_quantity
    from lines as l
    group by l.product_id
)

select * from final order by product_id
