"""Data rule messages (build and import)."""

MESSAGES = {
    "rule.violation": {
        "en": "{table}, row {row}, column {column}, value {value}: {rule}",
        "zh-CN": "{table} 第 {row} 行，列 {column}，值 {value}：{rule}",
    },
    "rule.required": {"en": "a value is required", "zh-CN": "必填，不能为空"},
    "rule.check": {"en": "value not allowed ({detail})", "zh-CN": "取值不允许（{detail}）"},
    "rule.duplicate_key": {"en": "duplicate key", "zh-CN": "主键重复"},
    "rule.foreign_key": {
        "en": "refers to a missing {detail}", "zh-CN": "引用的 {detail} 不存在",
    },
    "rule.contract_amount": {
        "en": "contract amount does not equal the sum of its lines",
        "zh-CN": "合同金额不等于明细金额之和",
    },
    "rule.payment_before_signing": {
        "en": "payment dated before the contract was signed",
        "zh-CN": "回款日期早于合同签约日期",
    },
    "rule.stint_order": {"en": "stage stint exits before it enters", "zh-CN": "阶段退出时间早于进入时间"},
    "rule.stint_overlap": {
        "en": "stage stint overlaps the previous stint of the same opportunity",
        "zh-CN": "商机阶段时段与前一阶段重叠",
    },
    "rule.date_window": {
        "en": "date outside the plausible window {detail} (settings CRM_DATE_MIN, CRM_DATE_MAX)",
        "zh-CN": "日期超出合理范围 {detail}（设置项 CRM_DATE_MIN、CRM_DATE_MAX）",
    },
    "build.write_failed": {
        "en": "Cannot write the warehouse {path}: {reason} ({free} free there). Nothing was changed.",
        "zh-CN": "无法写入数据仓库 {path}：{reason}（该处剩余空间 {free}）。未做任何更改。",
    },
    "build.judge_failed": {
        "en": "The warehouse was built, but its early warnings could not be worked out on it ({detail}); "
              "it was not published. Nothing was changed.",
        "zh-CN": "数据仓库已构建，但无法在其上计算预警（{detail}），因此未发布。未做任何更改。",
    },
    "build.disk_full": {"en": "the disk is full", "zh-CN": "磁盘已满"},
    "build.read_only": {"en": "the file system is read-only", "zh-CN": "文件系统为只读"},
    "build.not_writable": {"en": "no permission to write there", "zh-CN": "没有写入权限"},
    "rule.stage_positions": {
        "en": "stage positions must run 1..n without gaps",
        "zh-CN": "阶段序号必须从 1 连续编号到 n",
    },
}
