-- product_info: one row for product $product_id if it exists within the category filter
-- (none otherwise: the page says it was not found).
-- Parameters: $product_id + category filter. Pages: /product/<product_id>.
with final as (
    select p.product_id, p.name as product_name, p.category, p.unit, p.list_price::double as list_price
    from f_products as p
    where p.product_id = $product_id
)

select * from final
