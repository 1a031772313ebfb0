-- funnel_stages: one row per pipeline stage, in `position` order (never alphabetical):
-- stage, position, kind (open, won, lost), default_probability.
-- Parameters: scope only. Pages: /funnel, /forecast (stage order, allowed URL values).
with final as (
    select s.stage, s.position, s.kind, s.default_probability::double as default_probability
    from f_stages as s
)

select * from final order by position, stage
