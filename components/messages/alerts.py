"""Early warnings (/alerts) and the overview's "what changed" block."""

MESSAGES = {
    "page.alerts": {"en": "Alerts", "zh-CN": "预警"},
    "alerts.intro": {
        "en": "Small, measurable drifts noticed before they become big changes: each warning is a "
              "number outside the band its own history leads us to expect. Judged as of {date}, "
              "whatever period is chosen; the other filters apply.",
        "zh-CN": "早于质变发现量变：每条预警都是一个超出其自身历史预期区间的数字。按 {date} 的数据判断，"
                 "与所选时间段无关；其他筛选条件照常生效。",
    },
    "alerts.summary": {"en": "Warnings: {n} ({high} high, {medium} medium, {low} opportunities)",
                       "zh-CN": "共 {n} 条预警：高 {high} 条，中 {medium} 条，机会 {low} 条"},
    "alerts.none": {
        "en": "No warnings: every measure is within its expected band. The rules and their "
              "thresholds are below.",
        "zh-CN": "暂无预警：所有指标都在预期区间内。判断规则与阈值见下方。",
    },
    "alerts.kind_empty": {"en": "Nothing to report: {rule}", "zh-CN": "暂无此类预警。规则：{rule}"},
    "alerts.more": {"en": "… and {n} more: narrow the filters to see them.",
                    "zh-CN": "……另有 {n} 条，请缩小筛选范围查看。"},
    "alerts.rules": {"en": "How warnings are found", "zh-CN": "预警规则"},
    "alerts.settings_note": {
        "en": "Thresholds are settings (environment variables CRM_ALERT_*); the values in force are shown.",
        "zh-CN": "阈值可通过环境变量 CRM_ALERT_* 设置；此处显示当前生效的值。",
    },
    "alerts.open": {"en": "Open", "zh-CN": "查看"},
    "alerts.owner": {"en": "Owner: {name}", "zh-CN": "负责人：{name}"},
    "alerts.since": {"en": "since {date}", "zh-CN": "自 {date} 起"},
    "alerts.trend": {"en": "Recent trend", "zh-CN": "近期走势"},
    "alerts.company": {"en": "The company", "zh-CN": "全公司"},
    "alerts.month_to_date": {"en": "month to date", "zh-CN": "本月至今"},
    "severity.3": {"en": "High", "zh-CN": "高"},
    "severity.2": {"en": "Medium", "zh-CN": "中"},
    "severity.1": {"en": "Opportunity", "zh-CN": "机会"},
    # kinds
    "alerts.kind.revenue_course": {"en": "Revenue and payments off course", "zh-CN": "业绩与回款偏离轨道"},
    "alerts.kind.customers_slipping": {"en": "Key customers slipping", "zh-CN": "重点客户流失风险"},
    "alerts.kind.deals_at_risk": {"en": "Deals at risk", "zh-CN": "大单风险"},
    "alerts.kind.stock": {"en": "Stock: no shortage, no overstock", "zh-CN": "库存：不缺货、不积压"},
    "alerts.kind.collection": {"en": "Collection", "zh-CN": "回款风险"},
    "alerts.kind.effort": {"en": "Effort", "zh-CN": "跟进力度"},
    # rules, stated in plain words with the thresholds in force
    "alerts.rule.revenue_course": {
        "en": "Contract amount, payments and new customers of the company, each team and each rep. "
              "Expected = the same month a year earlier × the median year-on-year ratio of the 12 months "
              "before; band = that ×/÷ the spread of those ratios (±{k} × MAD, robust standard deviations). "
              "The latest complete month is judged, and from day {mtd} the month to date against the same "
              "days a year earlier. A warning needs two judged points in a row out of band (one is enough when "
              "far below it); an opportunity always needs two.",
        "zh-CN": "全公司、各部门、各员工的合同金额、回款金额、新增客户。"
                 "预期 = 去年同月 × 此前 12 个月同比比率的中位数；"
                 "区间 = 在此基础上按这些比率的离散程度上下浮动（±{k} 倍 MAD 稳健标准差）。判断最近一个完整月，"
                 "每月 {mtd} 日起也判断本月至今（与去年同期同日比较）。连续两个判断点超出区间才预警"
                 "（远低于区间时一个即可）；机会类始终需要连续两个。",
    },
    "alerts.rule.customers_slipping": {
        "en": "VIP and major customers (top {share} of the 2-year pyramid): no purchase for more than {gap}× "
              "their usual interval and more than {min_days} days, or 90-day spend down more than {drop} "
              "against the same 90 days a year earlier; only customers whose normal quarter is at least "
              "{min_share} of revenue.",
        "zh-CN": "VIP 与重要客户（近两年客户金字塔前 {share}）："
                 "距上次购买超过其平常间隔的 {gap} 倍且超过 {min_days} 天，"
                 "或近 90 天消费比去年同期下降超过 {drop}；仅限正常季度消费占收入 {min_share} 以上的客户。",
    },
    "alerts.rule.deals_at_risk": {
        "en": "Open deals in the top {share} by amount that are stale (more than {stale}× their stage's median "
              "days and over {stale_min} days), {overdue}+ days past their expected close, or whose "
              "probability is {cut}+ points under the stage's; from day {mtd} of a month, reps whose forecast "
              "for it (signed so far plus the weighted pipeline due by its end) covers less than {coverage} of "
              "their target (without a target for the month, the average of their last three).",
        "zh-CN": "金额前 {share} 的在谈商机：停留超过该阶段中位天数的 {stale} 倍且超过 {stale_min} 天、"
                 "超过预计成交日 {overdue} 天以上，或员工把握比阶段默认值低 {cut} 个百分点以上；"
                 "每月 {mtd} 日起，本月预测（已签合同加月底前预计成交的加权商机）不足目标 {coverage} 的员工"
                 "（本月尚无目标时，取前三个月目标的平均）。",
    },
    "alerts.rule.stock": {
        "en": "Stock on hand against the last {window} days of sales: fewer than {short} days of cover is a "
              "shortage; more than {over} days (or no sales) holding at least {min_value} is overstock, "
              "valued by {method}. A purchase cost rise that cuts the margin by more than {cut} points. "
              "Shortage and cost rise only for products sold on at least {regular} of those {window} days.",
        "zh-CN": "库存与近 {window} 天销量相比：可售天数少于 {short} 天为缺货；超过 {over} 天（或无销售）"
                 "且占用资金不少于 {min_value} 为积压，按{method}计价。采购成本上涨使毛利率下降超过 {cut} 个百分点。"
                 "缺货与成本上涨只判断近 {window} 天内至少有 {regular} 天有销售的产品。",
    },
    "alerts.rule.collection": {
        "en": "Overdue receivables (one settlement rule, as on /receivables) up more than {growth} at each of "
              "the last two month-ends and at least {min} now, for a team, or for a customer whose overdue grew "
              "by at least {min_share} of all overdue; the share overdue more than 90 days up more than {rise} "
              "points in a month.",
        "zh-CN": "部门的逾期应收（与回款管理页同一口径）在最近两个月末各增长超过 {growth}，且当前不少于 {min}；"
                 "客户同样如此且逾期增加额不少于全部逾期的 {min_share}；"
                 "逾期超过 90 天的占比一个月内上升超过 {rise} 个百分点。",
    },
    "alerts.rule.effort": {
        "en": "A rep's follow-ups in the last 30 days down more than {drop} against their own usual rate "
              "(the 180 days before, moved as the whole company moved) and by more than chance ({k} × the "
              "square root of the usual count); {bulk} or more of a rep's customers "
              "due back in the lead pool within 7 days.",
        "zh-CN": "员工近 30 天跟进次数比其平常水平（此前 180 天，按全公司同期变化折算）下降超过 {drop}，"
                 "且降幅超出偶然波动（平常次数平方根的 {k} 倍）；"
                 "员工名下 7 天内将退回公海池的客户达到 {bulk} 个以上。",
    },
    # one sentence per rule
    "alerts.say.course_below": {
        "en": "{subject}: {measure} {period} {figure}, below the expected band {low}–{high} (expected "
              "{expected}). It takes {gap} more to get back into the band.",
        "zh-CN": "{subject}：{period}{measure} {figure}，低于预期区间 {low}–{high}（预期 {expected}），"
                 "需再增加 {gap} 才能回到区间。",
    },
    "alerts.say.course_above": {
        "en": "{subject}: {measure} {period} {figure}, above the expected band {low}–{high} (expected "
              "{expected}): an opportunity to build on.",
        "zh-CN": "{subject}：{period}{measure} {figure}，高于预期区间 {low}–{high}（预期 {expected}），"
                 "是值得把握的机会。",
    },
    "alerts.say.customer_gap": {
        "en": "{subject}: no purchase for {figure} days, against a usual interval of {expected} days; "
              "a normal quarter's spend of {impact} is at risk. Last follow-up: {follow_up}.",
        "zh-CN": "{subject}：已 {figure} 天未购买，平常间隔 {expected} 天；一个季度约 {impact} 的生意面临流失。"
                 "最近跟进：{follow_up}。",
    },
    "alerts.say.customer_drop": {
        "en": "{subject}: {figure} spent in the last 90 days against {expected} in the same days a year "
              "earlier; a normal quarter's spend of {impact} is at risk. Last follow-up: {follow_up}.",
        "zh-CN": "{subject}：近 90 天消费 {figure}，去年同期 {expected}；一个季度约 {impact} 的生意面临流失。"
                 "最近跟进：{follow_up}。",
    },
    "alerts.say.deal_stale": {
        "en": "{subject} ({impact}): {figure} days in {measure}, over the limit of {high} days (stage median "
              "{expected} days).",
        "zh-CN": "{subject}（{impact}）：在“{measure}”阶段已停留 {figure} 天，"
                 "超过 {high} 天的限度（阶段中位 {expected} 天）。",
    },
    "alerts.say.deal_overdue": {
        "en": "{subject} ({impact}): still in {measure} {figure} days after its expected close.",
        "zh-CN": "{subject}（{impact}）：已过预计成交日 {figure} 天，仍在“{measure}”阶段。",
    },
    "alerts.say.deal_marked_down": {
        "en": "{subject} ({impact}): the rep gives it {figure}%, against {expected}% for {measure}.",
        "zh-CN": "{subject}（{impact}）：员工把握 {figure}%，低于“{measure}”阶段默认的 {expected}%。",
    },
    "alerts.say.coverage_low": {
        "en": "{subject}: this month's forecast {figure} (signed so far and weighted pipeline due by month-end), "
              "under {low} ({coverage} of the target {expected}).",
        "zh-CN": "{subject}：本月预测 {figure}（已签合同加月底前预计成交的加权商机），"
                 "低于 {low}（目标 {expected} 的 {coverage}）。",
    },
    "alerts.say.coverage_low_recent": {
        "en": "{subject}: this month's forecast {figure} (signed so far and weighted pipeline due by month-end), "
              "under {low} ({coverage} of {expected}, the average of their last three monthly targets: this "
              "month has none yet).",
        "zh-CN": "{subject}：本月预测 {figure}（已签合同加月底前预计成交的加权商机），低于 {low}"
                 "（前三个月目标平均 {expected} 的 {coverage}；本月目标尚未设定）。",
    },
    "alerts.say.stock_short": {
        "en": "{subject}: stock covers {figure} days of sales, under {low} days.",
        "zh-CN": "{subject}：库存仅够销售 {figure} 天，少于 {low} 天。",
    },
    "alerts.say.stock_out": {
        "en": "{subject}: out of stock while it still sells (limit {low} days of cover).",
        "zh-CN": "{subject}：已断货，但仍有销售（下限为 {low} 天的可售库存）。",
    },
    "alerts.say.stock_over": {
        "en": "{subject}: {impact} of stock covers {figure} days of sales, over {high} days.",
        "zh-CN": "{subject}：库存 {impact}，够销售 {figure} 天，超过 {high} 天。",
    },
    "alerts.say.stock_idle": {
        "en": "{subject}: no sale since {since}, yet {impact} of stock on hand.",
        "zh-CN": "{subject}：自 {since} 起无销售，库存仍有 {impact}。",
    },
    "alerts.say.cost_jump": {
        "en": "{subject}: unit cost {figure} in the last 60 days against {expected} before ({change}), "
              "above the limit of {high}.",
        "zh-CN": "{subject}：近 60 天采购单价 {figure}，此前 {expected}（{change}），超过 {high} 的限度。",
    },
    "alerts.say.overdue_growing": {
        "en": "{subject}: overdue {figure}, up from {expected} a month earlier.",
        "zh-CN": "{subject}：逾期应收 {figure}，一个月前为 {expected}，持续增长。",
    },
    "alerts.say.aged_share_rising": {
        "en": "{subject}: {figure} of overdue is over 90 days late, against {expected} a month earlier.",
        "zh-CN": "{subject}：逾期超过 90 天的占比 {figure}，一个月前为 {expected}。",
    },
    "alerts.say.followups_drop": {
        "en": "{subject}: {figure} follow-ups in the last 30 days against a usual {expected} (limit {low}).",
        "zh-CN": "{subject}：近 30 天跟进 {figure} 次，平常约 {expected} 次（下限 {low}）。",
    },
    "alerts.say.pool_returns": {
        "en": "{subject}: {figure} customers fall back to the lead pool within 7 days unless followed up.",
        "zh-CN": "{subject}：{figure} 个客户若不跟进将在 7 天内退回公海池。",
    },
    # overview
    "overview.changes": {"en": "What changed", "zh-CN": "本期要点"},
    "overview.changes.none": {"en": "No warnings: every measure is within its expected band.",
                              "zh-CN": "暂无预警：各项指标都在预期区间内。"},
    "overview.changes.all": {"en": "All warnings ({n})", "zh-CN": "查看全部 {n} 条预警"},
}
