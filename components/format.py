"""Number, money, percentage and date formatting (ARCHITECTURE.md, "Language and numbers").

Money: ``¥1,234,567`` in English; in Chinese large values as ``¥123.46万`` / ``¥1.23亿``.
Percentages with one decimal; "—" wherever a value is undefined (None, NaN, inf).
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime

DASH = "—"
CURRENCY = os.environ.get("CRM_CURRENCY_SYMBOL", "¥")


def _undefined(value) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value) or math.isinf(value)
    except TypeError:
        return False


def money(value, lang: str = "en") -> str:
    if _undefined(value):
        return DASH
    value = float(value)
    sign = "-" if value < 0 else ""
    amount = abs(value)
    if lang == "zh-CN" and amount >= 1e8:
        return f"{sign}{CURRENCY}{amount / 1e8:,.2f}亿"
    if lang == "zh-CN" and amount >= 1e4:
        return f"{sign}{CURRENCY}{amount / 1e4:,.2f}万"
    if amount >= 1000 or amount == int(amount):
        return f"{sign}{CURRENCY}{amount:,.0f}"
    return f"{sign}{CURRENCY}{amount:,.2f}"


def number(value, lang: str = "en") -> str:
    if _undefined(value):
        return DASH
    value = float(value)
    if lang == "zh-CN" and abs(value) >= 1e8:
        return f"{value / 1e8:,.2f}亿"
    if lang == "zh-CN" and abs(value) >= 1e4:
        return f"{value / 1e4:,.2f}万"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def percent(value, signed: bool = False) -> str:
    """A ratio as a percentage with one decimal: 0.0857 -> '8.6%' ('+8.6%' signed)."""
    if _undefined(value):
        return DASH
    text = f"{float(value) * 100:,.1f}%"
    return f"+{text}" if signed and value > 0 else text


def change(value, kind: str, lang: str = "en") -> str:
    """An absolute change with its sign, in the measure's unit."""
    if _undefined(value):
        return DASH
    text = money(abs(value), lang) if kind == "money" else number(abs(value), lang)
    return ("+" if value > 0 else "-" if value < 0 else "±") + text


def day(value) -> str:
    if value is None or (not isinstance(value, date | datetime) and _undefined(value)):
        return DASH
    return value.strftime("%Y-%m-%d")
