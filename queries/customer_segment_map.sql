-- customer_segment_map: one row per RFM cell (r_score 1..5 × f_score 1..5, 25 rows): its
-- key rf_cell ('r-f'), segment (METRICS.md "Customer value", from R and F only) and the segment's display
-- order (most valuable first). The one place the mapping lives; customer_value and
-- customer_groups read it as q_customer_segment_map.
-- R1–2/F1–2 hibernating, R1–2/F3–4 at_risk, R1–2/F5 cant_lose, R3/F1–2 about_to_sleep,
-- R3/F3 need_attention, R3–4/F4–5 loyal, R4/F1 promising, R5/F1 new,
-- R4–5/F2–3 potential_loyalist, R5/F4–5 champions.
-- Parameters: none. Pages: /customers, /customer/<id>.
with scores as (
    select unnest(generate_series(1, 5)) as score
),

cells as (
    select r.score as r_score, f.score as f_score
    from scores as r
    cross join scores as f
),

mapped as (
    select r_score, f_score,
           case
               when r_score <= 2 and f_score <= 2 then 'hibernating'
               when r_score <= 2 and f_score <= 4 then 'at_risk'
               when r_score <= 2 then 'cant_lose'
               when r_score = 3 and f_score <= 2 then 'about_to_sleep'
               when r_score = 3 and f_score = 3 then 'need_attention'
               when r_score <= 4 and f_score >= 4 then 'loyal'
               when r_score = 4 and f_score = 1 then 'promising'
               when r_score = 5 and f_score = 1 then 'new'
               when f_score <= 3 then 'potential_loyalist'
               else 'champions'
           end as segment
    from cells
),

final as (
    select m.r_score, m.f_score, m.r_score || '-' || m.f_score as rf_cell, m.segment,
           list_position(['champions', 'loyal', 'potential_loyalist', 'new', 'promising', 'need_attention',
                          'about_to_sleep', 'at_risk', 'cant_lose', 'hibernating'], m.segment) as segment_order
    from mapped as m
)

select * from final order by r_score, f_score
