"""Product mix and margin (/products) and the product page (/product/<product_id>)."""

MESSAGES = {
    "page.products": {"en": "Products", "zh-CN": "产品分析"},
    # costing methods
    "products.method": {"en": "Costing method", "zh-CN": "成本计价方法"},
    "products.method.fifo": {"en": "FIFO", "zh-CN": "先进先出"},
    "products.method.moving_average": {"en": "Moving average", "zh-CN": "移动加权平均"},
    "products.method.monthly_average": {"en": "Monthly weighted average", "zh-CN": "全月一次加权平均"},
    "products.compare": {"en": "Compare with", "zh-CN": "对比方法"},
    "products.compare.none": {"en": "No comparison", "zh-CN": "不对比"},
    # measures
    "products.quantity": {"en": "Volume (quantity)", "zh-CN": "销量"},
    "products.revenue": {"en": "Revenue", "zh-CN": "销售额"},
    "products.cogs": {"en": "Cost of goods sold", "zh-CN": "销售成本"},
    "products.margin": {"en": "Gross margin", "zh-CN": "毛利"},
    "products.margin_pct": {"en": "Margin %", "zh-CN": "毛利率"},
    "products.uncosted_revenue": {"en": "Uncosted revenue", "zh-CN": "无成本收入"},
    "products.margin_by": {"en": "Gross margin · {method}", "zh-CN": "毛利 · {method}"},
    "products.margin_difference": {"en": "Margin difference ({compare} − {method})",
                                   "zh-CN": "毛利差额（{compare} − {method}）"},
    "products.product": {"en": "Product", "zh-CN": "产品"},
    "products.product_id": {"en": "Product ID", "zh-CN": "产品编号"},
    "products.category": {"en": "Category", "zh-CN": "类别"},
    "products.rank_quantity": {"en": "Rank by volume", "zh-CN": "销量排名"},
    "products.rank_revenue": {"en": "Rank by revenue", "zh-CN": "销售额排名"},
    "products.rank_margin": {"en": "Rank by margin", "zh-CN": "毛利排名"},
    "products.abc_revenue": {"en": "ABC by revenue", "zh-CN": "销售额ABC"},
    "products.abc_margin": {"en": "ABC by margin", "zh-CN": "毛利ABC"},
    # cards
    "products.summary": {"en": "Product totals for the period", "zh-CN": "本期产品汇总"},
    "products.mix": {"en": "The same products ranked three ways: volume, revenue, gross margin (top {n})",
                     "zh-CN": "同一批产品的三种排名：销量、销售额、毛利（前 {n} 名）"},
    "products.table": {"en": "Products: volume, revenue, margin, ranks and ABC classes (click a row for "
                             "the product)",
                       "zh-CN": "产品明细：销量、销售额、毛利、排名与ABC分类（点击行查看产品）"},
    "products.treemap": {"en": "Revenue by category and product (click a category to narrow, a product to "
                               "open it)",
                         "zh-CN": "按类别和产品的销售额（点击类别筛选，点击产品查看详情）"},
    "products.pareto": {"en": "Pareto / ABC: products by revenue and by gross margin",
                        "zh-CN": "帕累托 / ABC：产品按销售额与毛利"},
    "products.pareto_share": {"en": "Cumulative share", "zh-CN": "累计占比"},
    "products.monthly": {"en": "Margin % by month", "zh-CN": "月度毛利率"},
    "products.compare_card": {"en": "Gross margin per product: two costing methods side by side",
                              "zh-CN": "各产品毛利：两种计价方法对比"},
    "products.compare_hint": {
        # a chart annotation does not wrap: the break keeps it inside a half-width card
        "en": "Pick a second method under “Compare with”<br>to see each product's margin by both methods "
              "and the difference.",
        "zh-CN": "在“对比方法”中选择第二种计价方法，即可查看各产品两种方法下的毛利及差额。",
    },
    "products.stock": {"en": "Stock on hand and its value at the period's end, per method",
                       "zh-CN": "期末库存数量及各计价方法下的库存金额"},
    "products.stock_note": {
        "en": "At {date}. Value = value received − cost of goods sold up to that day (returns add back); "
              "quantity = received − issued. After a shortfall (an issue beyond stock on hand, costed at the "
              "last known unit cost; a later receipt fills the gap at its own cost without re-costing it) this "
              "value differs from the layers actually left by that variance, and a negative quantity means "
              "goods were sold before they were received. A product without receipts has no value (—).",
        "zh-CN": "截至 {date}。库存金额 = 入库金额 − 截至当日的销售成本（退货冲回）；数量 = 入库 − 出库。"
                 "出现缺货（出库超过库存，按最近一次入库单价计成本；之后的入库先补足缺口，按其自身成本出库，"
                 "不回溯调整）后，该金额与实际剩余批次的金额会相差这部分差异；数量为负表示先销后进。"
                 "没有入库记录的产品无库存金额（—）。",
    },
    "products.quantity_on_hand": {"en": "Quantity on hand", "zh-CN": "库存数量"},
    "products.value_fifo": {"en": "Value (FIFO)", "zh-CN": "金额（先进先出）"},
    "products.value_moving_average": {"en": "Value (moving average)", "zh-CN": "金额（移动加权平均）"},
    "products.value_monthly_average": {"en": "Value (monthly average)", "zh-CN": "金额（全月一次加权平均）"},
    "products.shortfall": {"en": "Lines issued beyond stock on hand (shortfall)", "zh-CN": "缺货出库明细"},
    "products.signed_on": {"en": "Signed on", "zh-CN": "签约日期"},
    "products.contract": {"en": "Contract", "zh-CN": "合同"},
    "products.line": {"en": "Line", "zh-CN": "行号"},
    "products.shortfall_quantity": {"en": "Short by", "zh-CN": "缺货数量"},
    # alerts
    "products.uncosted_alert": {
        "en": "{amount} of revenue in this period has no cost: {products} never had a stock receipt. "
              "Its margin is not counted (never a zero cost): gross margin and margin % cover the costed "
              "revenue of {costed}.",
        "zh-CN": "本期有 {amount} 的收入没有成本：{products} 没有任何入库记录。"
                 "这部分不计毛利（绝不按零成本计算）：毛利和毛利率只按有成本的收入 {costed} 计算。",
    },
    "products.shortfall_alert": {
        "en": "{lines} line(s) in this period issued {units} unit(s) more than the stock on hand; costed units "
              "among them went out at the last known unit cost. See the shortfall table below.",
        "zh-CN": "本期有 {lines} 行出库超过库存，共缺 {units} 个单位；其中有成本的部分按最近一次入库单价计成本。"
                 "详见下方缺货出库明细。",
    },
    "products.empty": {"en": "No product sold in this period for these filters.",
                       "zh-CN": "当前时间段和筛选条件下没有产品销售。"},
    "products.empty_margin": {"en": "No costed product sold in this period: there is no margin to show.",
                              "zh-CN": "本期没有有成本的产品销售，无毛利可显示。"},
    "products.empty_stock": {"en": "No stock moves up to this date.", "zh-CN": "截至该日没有库存变动。"},
    # product page
    "product.title": {"en": "{name} ({product_id})", "zh-CN": "{name}（{product_id}）"},
    "product.subtitle": {"en": "Category {category} · unit {unit} · list price {price}",
                         "zh-CN": "类别 {category} · 单位 {unit} · 标价 {price}"},
    "product.not_found": {"en": "Product not found", "zh-CN": "未找到该产品"},
    "product.not_found_body": {
        "en": "There is no product {product_id} (or it is outside the product-category filter).",
        "zh-CN": "没有编号为 {product_id} 的产品（或该产品不在当前产品类别筛选范围内）。",
    },
    "product.back": {"en": "Back to products", "zh-CN": "返回产品分析"},
    "product.ranks": {"en": "Rank by volume {q} · by revenue {r} · by margin {m} (of {n} products)",
                      "zh-CN": "销量排名 {q} · 销售额排名 {r} · 毛利排名 {m}（共 {n} 个产品）"},
    "product.monthly": {"en": "Sales by month: revenue and gross margin", "zh-CN": "月度销售：销售额与毛利"},
    "product.layers": {"en": "FIFO cost layers remaining at the period's end",
                       "zh-CN": "期末剩余成本批次（先进先出）"},
    "product.layers_empty": {"en": "No layer remains at this date: everything received has been issued.",
                             "zh-CN": "截至该日没有剩余批次：入库已全部出库。"},
    "product.uncosted": {"en": "This product has no stock receipts: its cost is unknown, so its {amount} of "
                               "revenue in this period carries no margin (never a zero cost).",
                         "zh-CN": "该产品没有入库记录，成本未知：本期 {amount} 的收入不计毛利（绝不按零成本计算）。"},
    "product.receipts": {"en": "Receipts and return layers up to the period's end",
                         "zh-CN": "截至期末的入库与退货批次"},
    "product.customers": {"en": "Top customers of this product (click a row for the customer)",
                          "zh-CN": "该产品的主要客户（点击行查看客户）"},
    "product.customer_id": {"en": "Customer ID", "zh-CN": "客户编号"},
    "product.entered_on": {"en": "Date", "zh-CN": "日期"},
    "product.kind": {"en": "Layer", "zh-CN": "批次类型"},
    "product.kind.receipt": {"en": "Receipt", "zh-CN": "入库"},
    "product.kind.return": {"en": "Customer return", "zh-CN": "客户退货"},
    "product.source": {"en": "Purchase / contract", "zh-CN": "入库单 / 合同"},
    "product.unit_cost": {"en": "Unit cost", "zh-CN": "单位成本"},
    "product.value": {"en": "Value", "zh-CN": "金额"},
    "product.remaining_quantity": {"en": "Remaining quantity", "zh-CN": "剩余数量"},
    "product.remaining_value": {"en": "Remaining value", "zh-CN": "剩余金额"},
}
