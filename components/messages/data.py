"""/data page messages: the build, its data rules and costing coverage, the import format."""

MESSAGES = {
    "page.data": {"en": "Data", "zh-CN": "数据"},
    "data.intro": {
        "en": "What the dashboards are built from, and how to load your own CRM data.",
        "zh-CN": "看板所用的数据从何而来，以及如何导入自己的 CRM 数据。",
    },
    "data.whole_warehouse": {
        "en": "This page describes the whole warehouse, all dates: the filters above do not apply here.",
        "zh-CN": "本页描述整个数据仓库（全部日期），上方的筛选条件不作用于本页。",
    },
    # the build
    "data.build": {"en": "Current warehouse", "zh-CN": "当前数据仓库"},
    "data.source": {"en": "Source", "zh-CN": "数据来源"},
    "data.source_demo": {"en": "Demo company (scale {scale}, seed {seed})",
                         "zh-CN": "演示公司（规模 {scale}，随机种子 {seed}）"},
    "data.source_folder": {"en": "Imported from the folder “{name}”", "zh-CN": "从文件夹“{name}”导入"},
    "data.built_at": {"en": "Built at", "zh-CN": "生成时间"},
    "data.as_of": {"en": "Data as of", "zh-CN": "数据截至"},
    "data.contracts": {"en": "Contracts", "zh-CN": "合同"},
    "data.contract_items": {"en": "Contract lines", "zh-CN": "合同明细"},
    "data.file": {"en": "File", "zh-CN": "文件"},
    # rows per table
    "data.rows": {"en": "Rows per table", "zh-CN": "各表行数"},
    "data.table_required": {"en": "required", "zh-CN": "必需"},
    "data.table_optional": {"en": "optional", "zh-CN": "可选"},
    "data.table_derived": {"en": "derived (computed by the build)", "zh-CN": "派生（由构建计算）"},
    "data.col_table": {"en": "Table", "zh-CN": "表"},
    "data.col_kind": {"en": "Kind", "zh-CN": "类别"},
    "data.col_rows": {"en": "Rows", "zh-CN": "行数"},
    # costing coverage
    "data.costing": {"en": "Costing coverage", "zh-CN": "成本核算覆盖情况"},
    "data.uncosted_revenue": {"en": "Uncosted revenue", "zh-CN": "未核算成本的收入"},
    "data.of_counted": {"en": "{share} of the counted revenue ({total})", "zh-CN": "占有效收入 {total} 的 {share}"},
    "data.uncosted_lines": {"en": "Uncosted lines", "zh-CN": "未核算成本的明细"},
    "data.lines_of": {"en": "{lines} of {total} counted lines", "zh-CN": "有效明细 {total} 条中的 {lines} 条"},
    "data.shortfall_lines": {"en": "Shortfall lines", "zh-CN": "库存不足的明细"},
    "data.shortfall_detail": {"en": "{lines} lines, {units} units beyond stock on hand",
                              "zh-CN": "{lines} 条，超出库存 {units} 个单位"},
    "data.uncosted_note": {
        "en": "{products} product(s) have no purchases, so their lines have no cost of sales and margins "
              "leave them out. Add their receipts to purchases.csv and load again.",
        "zh-CN": "有 {products} 个产品没有任何采购入库记录，其明细没有销售成本，毛利不含这部分收入。"
                 "请在 purchases.csv 中补充入库记录后重新导入。",
    },
    "data.all_costed": {"en": "Every counted line has a cost of sales.", "zh-CN": "所有有效明细都已核算销售成本。"},
    "data.shortfall_note": {
        "en": "A shortfall line sold more units than were in stock: the missing units are costed at the last "
              "known unit cost (none, if the product has no purchase at all). Missing or late purchases "
              "usually cause it.",
        "zh-CN": "库存不足的明细是指销售数量超过当时库存：缺少的部分按最近一次已知单位成本核算"
                 "（产品没有任何采购时则无法核算）。"
                 "通常是采购记录缺失或入库日期偏晚所致。",
    },
    "data.no_shortfall": {"en": "No line sold more than the stock on hand.", "zh-CN": "没有超出库存的销售明细。"},
    "data.costing_products": {"en": "Products to check: uncosted or short of stock",
                              "zh-CN": "需核查的产品：未核算成本或库存不足"},
    "data.col_product_id": {"en": "Product ID", "zh-CN": "产品编号"},
    "data.col_product_name": {"en": "Product", "zh-CN": "产品"},
    "data.col_category": {"en": "Category", "zh-CN": "类别"},
    "data.col_receipts": {"en": "Purchases", "zh-CN": "采购入库次数"},
    "data.col_lines": {"en": "Counted lines", "zh-CN": "有效明细数"},
    "data.col_revenue": {"en": "Revenue", "zh-CN": "收入"},
    "data.col_uncosted_revenue": {"en": "Uncosted revenue", "zh-CN": "未核算成本的收入"},
    "data.col_shortfall_lines": {"en": "Shortfall lines", "zh-CN": "库存不足明细数"},
    "data.col_shortfall_quantity": {"en": "Units beyond stock", "zh-CN": "超出库存数量"},
    # data rules
    "data.rules": {"en": "Data rules", "zh-CN": "数据规则"},
    "data.rules_summary": {
        "en": "All {count} rules passed when this warehouse was built ({built_at}): a build is published only "
              "when every rule passes.",
        "zh-CN": "本数据仓库生成时（{built_at}）全部 {count} 条规则均已通过：只有所有规则通过，数据才会发布。",
    },
    "data.passed": {"en": "passed", "zh-CN": "通过"},
    "data.group_required": {"en": "Required values ({count})", "zh-CN": "必填值（{count}）"},
    "data.group_allowed": {"en": "Allowed values ({count})", "zh-CN": "取值范围（{count}）"},
    "data.group_key": {"en": "Unique keys ({count})", "zh-CN": "主键唯一（{count}）"},
    "data.group_reference": {"en": "References resolve ({count})", "zh-CN": "引用有效（{count}）"},
    "data.group_cross_row": {"en": "Rules across rows ({count})", "zh-CN": "跨行规则（{count}）"},
    "data.rule_required": {"en": "values required: {columns}", "zh-CN": "必填：{columns}"},
    "data.rule_allowed": {"en": "{column}: {detail}", "zh-CN": "{column}：{detail}"},
    "data.rule_key": {"en": "unique: {columns}", "zh-CN": "唯一：{columns}"},
    "data.rule_reference": {"en": "{column} → {detail}", "zh-CN": "{column} → {detail}"},
    "data.rule.contract_amount": {
        "en": "a contract's amount equals the sum of its lines (within one cent)",
        "zh-CN": "合同金额等于其明细金额之和（误差不超过一分）",
    },
    "data.rule.payment_before_signing": {
        "en": "no payment before its contract was signed", "zh-CN": "回款日期不早于合同签约日期",
    },
    "data.rule.stint_order": {
        "en": "a stage stint does not exit before it enters", "zh-CN": "阶段退出时间不早于进入时间",
    },
    "data.rule.stint_overlap": {
        "en": "an opportunity's stage stints do not overlap", "zh-CN": "同一商机的阶段时段互不重叠",
    },
    "data.rule.stage_positions": {
        "en": "stage positions run 1..n without gaps", "zh-CN": "阶段序号从 1 连续编号到 n",
    },
    # importing
    "data.import": {"en": "Load your own CRM data", "zh-CN": "导入自己的 CRM 数据"},
    "data.load": {"en": "How to load a folder", "zh-CN": "如何导入一个文件夹"},
    "data.load_intro": {
        "en": "Export your CRM to a folder with one file per table (CSV, Excel or Parquet), in the format below.",
        "zh-CN": "将 CRM 数据导出到一个文件夹，每张表一个文件（CSV、Excel 或 Parquet），格式见下表。",
    },
    "data.load_step1": {
        "en": "Download the template: every table's header row, and a mapping.toml for your own file names, "
              "headers and values.",
        "zh-CN": "下载模板：包含每张表的表头，以及用于映射自己文件名、表头和取值的 mapping.toml。",
    },
    "data.load_step2": {
        "en": "Fill it (or map your own export onto it) and put the files in one folder.",
        "zh-CN": "填写模板（或用映射对应自己的导出文件），把文件放进同一个文件夹。",
    },
    "data.load_step3": {
        "en": "In the project folder, run one of these lines:",
        "zh-CN": "在项目目录下运行以下任一命令：",
    },
    "data.folder_placeholder": {"en": "FOLDER", "zh-CN": "文件夹"},
    "data.copy": {"en": "Copy the command", "zh-CN": "复制命令"},
    "data.load_after": {
        "en": "The load checks every file and rule first; on any problem it lists each one (file, row, column, "
              "value) and the current data stays as it is. Otherwise it replaces the warehouse at once, and this "
              "app shows the new data on the next click, without a restart.",
        "zh-CN": "导入会先检查所有文件和规则；发现问题时逐条列出（文件、行、列、值），现有数据保持不变。"
                 "检查通过后一次性替换数据仓库，本应用在下一次点击时即显示新数据，无需重启。",
    },
    "data.template_button": {"en": "Download the template (ZIP)", "zh-CN": "下载导入模板（ZIP）"},
    "data.template_hint": {
        "en": "Headers only; stages is required as soon as opportunities has rows. The same from a shell:",
        "zh-CN": "仅含表头；提供商机数据时必须同时提供 stages。也可在命令行生成：",
    },
    "data.format": {"en": "The import format: tables and columns", "zh-CN": "导入格式：表与列"},
    "data.col_table_required": {"en": "Table is", "zh-CN": "表"},
    "data.col_column": {"en": "Column", "zh-CN": "列"},
    "data.col_type": {"en": "Type", "zh-CN": "类型"},
    "data.col_in_file": {"en": "Column in the file", "zh-CN": "文件中的列"},
    "data.col_value": {"en": "Value", "zh-CN": "取值"},
    "data.col_allowed": {"en": "Allowed values", "zh-CN": "取值范围"},
    "data.col_key": {"en": "Key", "zh-CN": "主键"},
    "data.col_refers_to": {"en": "Refers to", "zh-CN": "引用"},
    "data.column_required": {"en": "required", "zh-CN": "必需"},
    "data.column_optional": {"en": "may be left out", "zh-CN": "可省略"},
    "data.value_required": {"en": "required", "zh-CN": "必填"},
    "data.value_optional": {"en": "may be empty", "zh-CN": "可为空"},
    "data.is_key": {"en": "key", "zh-CN": "主键"},
    "data.type_varchar": {"en": "text", "zh-CN": "文本"},
    "data.type_date": {"en": "date", "zh-CN": "日期"},
    "data.type_timestamp": {"en": "date and time", "zh-CN": "日期时间"},
    "data.type_boolean": {"en": "yes/no", "zh-CN": "是/否"},
    "data.type_integer": {"en": "whole number", "zh-CN": "整数"},
    "data.type_decimal": {"en": "number, {places} decimals", "zh-CN": "数字，{places} 位小数"},
}
