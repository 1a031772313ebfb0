-- category_bits: each product category and its bit (data/serving.py, s_category_bits), from
-- which the gateway binds a category filter's $category_mask and $category_exact.
-- Parameters: none. Pages: none (queries._execute).
select category, bit from f_category_bits order by category
