-- build_info: one row, the warehouse's build (built_at, source, as_of, row_counts).
-- Parameters: none. Pages: all (as_of), /data.
select * from f_build_info
