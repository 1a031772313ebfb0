-- data_costing_products: the products whose lines the costing could not fully cost.
-- Grain: one row per product with an uncosted line or a shortfall line.
-- Parameters: the scope and dimension filters only (no period: all dates). Pages: /data.
-- Rule choices: as data_costing (counted lines, FIFO rows; uncosted = cogs empty,
-- shortfall = shortfall_quantity > 0). receipts = the product's purchases (0 means
-- uncosted: add its purchases). Order: uncosted revenue, then shortfall quantity, both
-- descending, then product_id.
with by_product as (
    -- the products with an uncosted or a shortfall line (data_costing_by_product)
    select
        p.product_id,
        p.lines,
        p.revenue::decimal(18, 2) as revenue,
        coalesce(p.uncosted_revenue, 0)::decimal(18, 2) as uncosted_revenue,
        p.shortfall_lines,
        p.shortfall_quantity::decimal(18, 4) as shortfall_quantity
    from q_data_costing_by_product as p
    where p.uncosted_lines > 0 or p.shortfall_lines > 0
),

receipts as (
    select pu.product_id, count(*) as receipts
    from f_purchases as pu
    group by pu.product_id
),
final as (
    select
        b.product_id,
        p.name as product_name,
        p.category,
        coalesce(r.receipts, 0) as receipts,
        b.lines,
        b.revenue,
        b.uncosted_revenue,
        b.shortfall_lines,
        b.shortfall_quantity
    from by_product as b
    join f_products as p on p.product_id = b.product_id
    left join receipts as r on r.product_id = b.product_id
    order by b.uncosted_revenue desc, b.shortfall_quantity desc, b.product_id
)
select * from final
