-- customer_window_days: the windows (from_day, to_day, both included) whose customer figures
-- the build worked out (data/serving.py, s_customer_windows), from which the gateway binds
-- $windows_built (queries.windows_built).
-- Parameters: none. Pages: none (queries._execute).
select from_day, to_day from f_customer_window_days order by from_day, to_day
