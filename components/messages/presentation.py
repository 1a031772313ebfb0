"""Chart notes, accessibility labels and export header texts (components/figures.py,
components/cards.py, the keyboard drills)."""

MESSAGES = {
    "products.pareto_over": {
        "en": "Running share peaks at {peak}: products with a negative margin bring it back to 100%",
        "zh-CN": "累计占比最高 {peak}：负毛利产品使其回落到 100%",
    },
    "chart.clipped": {
        "en": "Axis cut at ±{limit}: {n} outlier(s) not drawn to scale (largest {largest})",
        "zh-CN": "坐标轴截断于 ±{limit}：{n} 个异常值未按比例画出（最大 {largest}）",
    },
}
