"""Chart notes, accessibility labels and export header texts (components/figures.py,
components/cards.py, the keyboard drills)."""

MESSAGES = {
    "export.page": {"en": "Page", "zh-CN": "页面"},
    "export.card": {"en": "Card", "zh-CN": "卡片"},
    "export.filters": {"en": "Filters", "zh-CN": "筛选"},
    "export.no_filters": {"en": "none", "zh-CN": "无"},
    "drill.stage": {"en": "List the deals of a stage", "zh-CN": "列出某阶段的商机"},
    "drill.rfm_cell": {"en": "List the customers of an RFM cell", "zh-CN": "列出某 RFM 格的客户"},
    "drill.rfm_cell_option": {"en": "R {r} · F {f}", "zh-CN": "R {r} · F {f}"},
    "drill.category": {"en": "Filter by a category", "zh-CN": "按产品类别筛选"},
    "drill.product": {"en": "Open a product", "zh-CN": "打开某个产品"},
    # dcc.Dropdown's own texts (components.controls.dropdown_labels); {num_selected} is the dropdown's
    "dropdown.select_all": {"en": "Select all", "zh-CN": "全选"},
    "dropdown.deselect_all": {"en": "Deselect all", "zh-CN": "取消全选"},
    "dropdown.selected_count": {"en": "{num_selected} selected", "zh-CN": "已选 {num_selected} 项"},
    "dropdown.search": {"en": "Search", "zh-CN": "搜索"},
    "dropdown.clear_search": {"en": "Clear search", "zh-CN": "清除搜索"},
    "dropdown.clear_selection": {"en": "Clear selection", "zh-CN": "清除选择"},
    "dropdown.no_options_found": {"en": "No options found", "zh-CN": "没有匹配的选项"},
    "datepicker.start": {"en": "Start date", "zh-CN": "开始日期"},
    "datepicker.end": {"en": "End date", "zh-CN": "结束日期"},
    "datepicker.prev_month": {"en": "Previous month", "zh-CN": "上个月"},
    "datepicker.next_month": {"en": "Next month", "zh-CN": "下个月"},
    "datepicker.close": {"en": "Close calendar", "zh-CN": "关闭日历"},
    "datepicker.clear": {"en": "Clear dates", "zh-CN": "清除日期"},
    "datepicker.year_up": {"en": "Next year", "zh-CN": "下一年"},
    "datepicker.year_down": {"en": "Previous year", "zh-CN": "上一年"},
    "datepicker.year": {"en": "Year", "zh-CN": "年份"},
    # the calendar's weekday heads, Monday first (comma-separated)
    "datepicker.weekdays": {"en": "Mo,Tu,We,Th,Fr,Sa,Su", "zh-CN": "一,二,三,四,五,六,日"},
    "products.pareto_over": {
        "en": "Running share peaks at {peak}: products with a negative margin bring it back to 100%",
        "zh-CN": "累计占比最高 {peak}：负毛利产品使其回落到 100%",
    },
    "chart.clipped": {
        "en": "Axis cut at ±{limit}: {n} outlier(s) not drawn to scale (largest {largest})",
        "zh-CN": "坐标轴截断于 ±{limit}：{n} 个异常值未按比例画出（最大 {largest}）",
    },
}
