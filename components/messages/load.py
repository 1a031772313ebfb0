"""Messages of the importer (data/load.py): problems, warnings, summary and command line."""

MESSAGES = {
    "load.problem": {"en": "{where}: {rule}", "zh-CN": "{where}：{rule}"},
    "load.separator": {"en": ", ", "zh-CN": "，"},
    "load.row": {"en": "row {row}", "zh-CN": "第 {row} 行"},
    "load.column": {"en": "column {column}", "zh-CN": "列 {column}"},
    "load.value": {"en": "value {value}", "zh-CN": "值 {value}"},
    "load.warning": {"en": "Warning: {message}", "zh-CN": "警告：{message}"},
    "load.failed": {
        "en": "Nothing was loaded; the current warehouse is unchanged. {count} problem(s):",
        "zh-CN": "未导入任何数据，现有数据仓库保持不变。共 {count} 个问题：",
    },
    "load.summary": {
        "en": "Loaded {source} into {out} in {seconds} s; data as of {as_of}. Rows per table:",
        "zh-CN": "已将 {source} 导入 {out}，用时 {seconds} 秒；数据截至 {as_of}。各表行数：",
    },
    "load.summary_row": {"en": "  {table} ({file}): {rows} rows", "zh-CN": "  {table}（{file}）：{rows} 行"},
    "load.exported": {
        "en": "Exported {count} tables to {folder}", "zh-CN": "已将 {count} 张表导出到 {folder}",
    },
    "load.template_written": {
        "en": "Import template written to {folder}", "zh-CN": "导入模板已写入 {folder}",
    },
    # Files and mapping.toml
    "load.no_folder": {"en": "folder not found", "zh-CN": "找不到该文件夹"},
    "load.missing_file": {
        "en": "required file is missing (or {detail})", "zh-CN": "缺少必需的文件（或 {detail}）",
    },
    "load.optional_missing": {
        "en": "optional file not given; the table will be empty",
        "zh-CN": "未提供可选文件，该表将为空表",
    },
    "load.optional_empty": {
        "en": "empty file; the optional table will be empty", "zh-CN": "文件为空，该可选表将作为空表",
    },
    "load.empty_file": {
        "en": "the file is empty (no header row)", "zh-CN": "文件为空（没有表头行）",
    },
    "load.ambiguous_file": {
        "en": "more than one file for this table ({detail}); keep one",
        "zh-CN": "同一张表有多个文件（{detail}），请只保留一个",
    },
    "load.unsupported_format": {
        "en": "unsupported file type (use .csv, .xlsx or .parquet)",
        "zh-CN": "不支持的文件类型（请使用 .csv、.xlsx 或 .parquet）",
    },
    "load.mapped_file_missing": {
        "en": "file named in mapping.toml not found", "zh-CN": "找不到 mapping.toml 中指定的文件",
    },
    "load.unused_file": {
        "en": "file not used (neither a table name nor named in mapping.toml)",
        "zh-CN": "未使用的文件（既不是标准表名，也未在 mapping.toml 中指定）",
    },
    "load.encoding": {
        "en": "cannot read the text: neither UTF-8 nor GBK/GB18030 (the bytes shown break {detail})",
        "zh-CN": "无法识别文本编码：既不是 UTF-8，也不是 GBK/GB18030（所示字节不符合 {detail}）",
    },
    "load.control_character": {
        "en": "holds the invisible control character {detail} (shown as <U+…>); remove it from the export",
        "zh-CN": "含有不可见的控制字符 {detail}（以 <U+…> 显示）；请从导出文件中删除",
    },
    "load.key_character": {
        "en": "the key holds the invisible character {detail} (shown as <U+…>: a BOM, zero-width space or "
              "control character), so it matches no other key; remove it",
        "zh-CN": "编号中含有不可见字符 {detail}（以 <U+…> 显示：BOM、零宽空格或控制字符），与其他编号无法对应；请删除",
    },
    "load.mixed_line_ends": {
        "en": "line ends change here ({detail}): save the file again with one kind of line end",
        "zh-CN": "从这一行起换行符不一致（{detail}）：请用统一的换行符重新保存文件",
    },
    "load.formula": {
        "en": "an Excel formula without a saved value: open the file in Excel or WPS and save it, or paste "
              "the values",
        "zh-CN": "Excel 公式没有保存计算结果：请用 Excel 或 WPS 打开后保存，或粘贴为数值",
    },
    "load.symlink": {
        "en": "is a symbolic link: the import reads only ordinary files in the folder",
        "zh-CN": "是符号链接：导入只读取文件夹中的普通文件",
    },
    "load.outside_folder": {
        "en": "is outside the import folder {detail} (or a link): mapping.toml may name only files in it",
        "zh-CN": "不在导入文件夹 {detail} 内（或是链接）：mapping.toml 只能指定该文件夹中的文件",
    },
    "load.unreadable": {"en": "cannot read the file ({detail})", "zh-CN": "无法读取文件（{detail}）"},
    "load.no_sheet": {"en": "no sheet named {detail}", "zh-CN": "没有名为 {detail} 的工作表"},
    "load.mapping_syntax": {
        "en": "mapping.toml is not valid TOML ({detail})", "zh-CN": "mapping.toml 不是有效的 TOML（{detail}）",
    },
    "load.mapping_invalid": {
        "en": "invalid entry in mapping.toml (expected {detail})",
        "zh-CN": "mapping.toml 中的条目无效（应为 {detail}）",
    },
    "load.mapping_unknown_table": {
        "en": "mapping.toml names an unknown table", "zh-CN": "mapping.toml 中的表名不存在",
    },
    "load.mapping_unknown_column": {
        "en": "mapping.toml maps onto a column that table {detail} does not have",
        "zh-CN": "mapping.toml 映射到的列在表 {detail} 中不存在",
    },
    "load.mapping_unknown_key": {
        "en": "unknown setting in mapping.toml (allowed: file, sheet, columns, values)",
        "zh-CN": "mapping.toml 中有未知设置（可用：file、sheet、columns、values）",
    },
    # Headers and rows
    "load.missing_column": {
        "en": "required column is missing ({detail})", "zh-CN": "缺少必需的列（{detail}）",
    },
    "load.extra_column": {
        "en": "column not in the import format; ignored", "zh-CN": "该列不属于导入格式，已忽略",
    },
    "load.duplicate_column": {
        "en": "two columns map onto the same column ({detail})", "zh-CN": "两列映射到了同一列（{detail}）",
    },
    "load.malformed_line": {
        "en": "malformed line ({detail})", "zh-CN": "该行格式错误（{detail}）",
    },
    "load.stages_required": {
        "en": "the stages table is required when opportunities has rows",
        "zh-CN": "商机表有数据时，必须提供阶段表（stages）",
    },
    # Cells
    "load.not_a_date": {
        "en": "not a date (use 2024-03-05 or 2024/3/5)", "zh-CN": "不是日期（请用 2024-03-05 或 2024/3/5）",
    },
    "load.not_a_timestamp": {
        "en": "not a date and time (use 2024-03-05 14:30 or 2024/3/5 14:30:00)",
        "zh-CN": "不是日期时间（请用 2024-03-05 14:30 或 2024/3/5 14:30:00）",
    },
    "load.not_a_number": {"en": "not a number", "zh-CN": "不是数字"},
    "load.not_an_integer": {"en": "not a whole number", "zh-CN": "不是整数"},
    "load.not_a_boolean": {
        "en": "not a yes/no value (true/false, 1/0, yes/no, 是/否)",
        "zh-CN": "不是是/否值（true/false、1/0、yes/no、是/否）",
    },
    "load.more": {
        "en": "{detail} more problem(s) of this kind not shown", "zh-CN": "另有 {detail} 个同类问题未列出",
    },
    # Command line
    "load.cli": {
        "en": "Load a CRM export (one file per table) into the warehouse.",
        "zh-CN": "把 CRM 导出的数据（每张表一个文件）导入数据仓库。",
    },
    "load.cli_folder": {
        "en": "folder with <table>.csv/.xlsx/.parquet and an optional mapping.toml",
        "zh-CN": "包含 <表名>.csv/.xlsx/.parquet 及可选 mapping.toml 的文件夹",
    },
    "load.cli_export": {
        "en": "export the warehouse's tables to this folder instead",
        "zh-CN": "改为把数据仓库的各表导出到此文件夹",
    },
    "load.cli_template": {
        "en": "write an empty import template (headers and mapping.toml) to this folder",
        "zh-CN": "把空的导入模板（表头和 mapping.toml）写入此文件夹",
    },
    "load.cli_out": {
        "en": "the warehouse file (written by a load, read by --export)",
        "zh-CN": "数据仓库文件（导入时写入，--export 时读取）",
    },
    "load.cli_format": {"en": "file format of --export", "zh-CN": "--export 的文件格式"},
    "load.cli_quiet": {"en": "no progress bars", "zh-CN": "不显示进度条"},
    "load.cli_verbose": {
        "en": "also print each build step's time (wall and CPU seconds)",
        "zh-CN": "同时显示构建各步骤的用时（实际与 CPU 秒数）",
    },
    "load.step_time": {"en": "  {step}: {wall} s (CPU {cpu} s)", "zh-CN": "  {step}：{wall} 秒（CPU {cpu} 秒）"},
}
