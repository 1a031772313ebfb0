"""The brief, page PDFs and subscriptions."""

MESSAGES = {
    "page.brief": {"en": "Brief", "zh-CN": "销售简报"},
    "brief.kpis": {"en": "Key figures", "zh-CN": "核心指标"},
    "brief.forecast": {"en": "Forecast against target (next 3 months)", "zh-CN": "预测与目标（未来 3 个月）"},
    "brief.open_live": {"en": "Open the live page →", "zh-CN": "打开实时页面 →"},
    "brief.mail_subject": {"en": "{title} · {period}", "zh-CN": "{title} · {period}"},
    "brief.mail_body": {
        "en": "Attached: {title} ({caption}) as a PDF.\n\nThe live page, with the same filters:\n{link}\n\n"
              "You receive this because you subscribed in CRM Analytics; cancel it on the Subscriptions page.",
        "zh-CN": "附件为 PDF 格式的《{title}》（{caption}）。\n\n同样筛选条件下的实时页面：\n{link}\n\n"
                 "您在 CRM 经营分析中订阅了此内容；可在“订阅”页面取消。",
    },
    "nav.pdf": {"en": "PDF", "zh-CN": "PDF"},
    "nav.pdf_label": {"en": "Download this page as PDF", "zh-CN": "下载本页 PDF"},
    "nav.subscribe": {"en": "Subscribe", "zh-CN": "订阅"},
    "nav.subscribe_label": {"en": "Subscribe to this page by e-mail", "zh-CN": "通过邮件订阅本页"},
    "page.subscriptions": {"en": "Subscriptions", "zh-CN": "订阅"},
    "subs.intro": {
        "en": "Receive the brief, or any page with the filters set above, as a PDF by e-mail every week or month.",
        "zh-CN": "每周或每月通过邮件收到销售简报，或按上方筛选条件生成的任一页面的 PDF。",
    },
    "subs.page": {"en": "Page", "zh-CN": "页面"},
    "subs.frequency": {"en": "Frequency", "zh-CN": "频率"},
    "subs.weekly": {"en": "Weekly (last week)", "zh-CN": "每周（上周）"},
    "subs.monthly": {"en": "Monthly (last month)", "zh-CN": "每月（上月）"},
    "subs.lang": {"en": "Language", "zh-CN": "语言"},
    "subs.lang.zh-CN": {"en": "Chinese", "zh-CN": "中文"},
    "subs.lang.en": {"en": "English", "zh-CN": "英文"},
    "subs.recipient": {"en": "Recipient", "zh-CN": "接收人"},
    "subs.since": {"en": "Since", "zh-CN": "订阅日期"},
    "subs.subscribe": {"en": "Subscribe", "zh-CN": "订阅"},
    "subs.list": {"en": "Subscriptions", "zh-CN": "已有订阅"},
    "subs.none": {"en": "No subscriptions yet.", "zh-CN": "暂无订阅。"},
    "subs.cancel": {"en": "Cancel", "zh-CN": "取消订阅"},
    "subs.filters": {"en": "A page subscription keeps the filters set above: {filters}",
                     "zh-CN": "订阅页面时沿用上方的筛选条件：{filters}"},
    "subs.added": {"en": "Subscribed {login} to {target}.", "zh-CN": "已为 {login} 订阅 {target}。"},
    "subs.cancelled": {"en": "Subscription cancelled.", "zh-CN": "已取消订阅。"},
    "subs.refused": {"en": "Not subscribed: {reason}", "zh-CN": "未能订阅：{reason}"},
    "subs.bad_page": {"en": "that page cannot be subscribed to", "zh-CN": "该页面不可订阅"},
}
