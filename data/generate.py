"""The synthetic demo company: ``python -m data.generate --scale demo --seed 42``.

Three years of a Chinese B2B equipment distributor up to ``--end``: two-level sales
teams whose reps join and leave, a heavy-tailed customer base that grows and follows
the Chinese business calendar (Spring Festival dip, 618, Double 11, quarter-end
pushes), opportunities moving through the pipeline, contracts with lines, payment
plans and payments, stock receipts whose costs drift, expenses, follow-ups, the
lead pool and monthly targets.

Everything is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed
order, so a seed, an end date and a scale give the same warehouse byte for byte.
Rows are generated in bulk (numpy arrays, one loop per month, region or chunk at
most) and written to the staging tables through Arrow; DuckDB only turns integer
codes into ids, names, dates and decimals. The build (``data.build.build``) then
checks every data rule and publishes.

Time inside the generator is a float number of days since the first day of the
history (``start``); day ``n_days - 1`` is ``end``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from tqdm import tqdm

from data import build as warehouse


@dataclass(frozen=True)
class Scale:
    reps: int
    customers: int
    contracts: int
    products: int


SCALES = {
    "tiny": Scale(reps=12, customers=400, contracts=2_000, products=20),
    "demo": Scale(reps=30, customers=2_000, contracts=15_000, products=60),
    "large": Scale(reps=600, customers=100_000, contracts=1_000_000, products=300),
    "xl": Scale(reps=4_000, customers=1_000_000, contracts=10_000_000, products=1_000),
}

YEARS = 3
CHUNK = 1_000_000  # rows per staged insert, bounds memory on big scales

# Approximate Chinese New Year (春节) dates; other years fall back to 5 February.
SPRING_FESTIVAL = {
    2015: "02-19", 2016: "02-08", 2017: "01-28", 2018: "02-16", 2019: "02-05", 2020: "01-25",
    2021: "02-12", 2022: "02-01", 2023: "01-22", 2024: "02-10", 2025: "01-29", 2026: "02-17",
    2027: "02-06", 2028: "01-26", 2029: "02-13", 2030: "02-03", 2031: "01-23", 2032: "02-11",
    2033: "01-31", 2034: "02-19", 2035: "02-08",
}

# region, share of the business, cities (the first is the regional office)
REGIONS = (
    ("华东", 0.30, ("上海", "杭州", "南京", "苏州", "宁波", "合肥", "济南", "青岛", "福州", "厦门")),
    ("华南", 0.20, ("广州", "深圳", "东莞", "佛山", "南宁", "海口")),
    ("华北", 0.18, ("北京", "天津", "石家庄", "太原", "呼和浩特")),
    ("西南", 0.10, ("成都", "重庆", "昆明", "贵阳")),
    ("华中", 0.10, ("武汉", "长沙", "郑州", "南昌")),
    ("西北", 0.06, ("西安", "兰州", "银川", "乌鲁木齐")),
    ("东北", 0.06, ("沈阳", "大连", "长春", "哈尔滨")),
)
CITIES = tuple(c for _, _, cities in REGIONS for c in cities)
CITY_OFFSET = np.cumsum([0] + [len(cities) for _, _, cities in REGIONS])

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
                 "余杜叶程魏苏吕丁任沈姚卢")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍建红文辉宇鹏飞浩然欣怡婷雪梅晨阳博俊峰志军")
BRAND = tuple("恒信华泰鑫盛宏达永安金鼎瑞丰隆昌博远天成嘉和中科新源海通德润佳联瑞祥汇通万利广汇创元")
# industry, name words
INDUSTRIES = (
    ("制造业", ("机械", "精密制造", "电子", "实业")),
    ("批发零售", ("贸易", "商贸", "商业")),
    ("信息技术", ("科技", "信息技术", "软件", "网络科技")),
    ("金融", ("投资", "融资租赁", "资产管理")),
    ("教育", ("教育科技", "培训")),
    ("医疗健康", ("医疗器械", "医药", "健康科技")),
    ("建筑地产", ("建设", "置业", "建筑工程")),
    ("物流运输", ("物流", "供应链", "运输")),
    ("餐饮酒店", ("餐饮管理", "酒店管理")),
    ("能源化工", ("能源", "化工", "新材料")),
)
INDUSTRY_SHARE = np.array([0.22, 0.18, 0.14, 0.05, 0.06, 0.08, 0.09, 0.08, 0.04, 0.06])
TRADE_WORDS = tuple(w for _, words in INDUSTRIES for w in words)
TRADE_OFFSET = np.cumsum([0] + [len(words) for _, words in INDUSTRIES])
SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
SOURCES = ("官网", "广告", "展会", "转介绍", "电话营销", "合作伙伴", "线下拜访")
# the lead pool fills from marketing; reps bring their own leads
SOURCE_SHARE_POOL = np.array([0.35, 0.25, 0.25, 0.05, 0.05, 0.03, 0.02])
SOURCE_SHARE_REP = np.array([0.05, 0.03, 0.10, 0.30, 0.25, 0.12, 0.15])
NUMERALS = "一二三四五六七八九"

# category, base name, unit, list price range, typical quantity per line
CATALOGUE = (
    ("电脑整机", "商用台式机", "台", 3_500, 8_000, 4), ("电脑整机", "笔记本电脑", "台", 5_000, 12_000, 3),
    ("电脑整机", "图形工作站", "台", 12_000, 30_000, 1), ("电脑整机", "一体机", "台", 4_000, 7_000, 3),
    ("打印设备", "激光打印机", "台", 1_500, 6_000, 2), ("打印设备", "复印一体机", "台", 8_000, 40_000, 1),
    ("打印设备", "标签打印机", "台", 800, 3_000, 2), ("网络设备", "千兆交换机", "台", 1_000, 20_000, 2),
    ("网络设备", "企业路由器", "台", 800, 10_000, 1), ("网络设备", "无线AP", "个", 300, 1_500, 6),
    ("网络设备", "防火墙", "台", 5_000, 50_000, 1), ("安防监控", "网络摄像机", "个", 300, 2_000, 8),
    ("安防监控", "硬盘录像机", "台", 1_500, 8_000, 1), ("安防监控", "门禁终端", "台", 1_000, 5_000, 2),
    ("办公耗材", "硒鼓", "个", 200, 900, 12), ("办公耗材", "墨盒", "个", 80, 400, 15),
    ("办公耗材", "复印纸", "箱", 150, 300, 20), ("办公耗材", "色带", "盒", 30, 120, 15),
    ("配件", "显示器", "台", 800, 3_000, 4), ("配件", "键鼠套装", "套", 80, 300, 8),
    ("配件", "移动硬盘", "个", 300, 1_200, 4), ("配件", "内存条", "条", 200, 1_000, 6),
)
SERIES = ("Pro", "Max", "Lite", "S", "X", "Plus", "E", "M")

# (stage, position, default probability, kind, mean days in stage)
STAGES = (
    ("初步接洽", 1, 10, "open", 8), ("需求确认", 2, 30, "open", 14), ("方案报价", 3, 50, "open", 18),
    ("谈判审核", 4, 75, "open", 12), ("赢单", 5, 100, "won", 0), ("输单", 6, 0, "lost", 0),
)
LOST_REASONS = ("价格过高", "选择竞品", "预算不足", "需求取消", "决策延迟", "联系不上", "产品不匹配")
LOST_SHARE = np.array([0.25, 0.25, 0.15, 0.1, 0.1, 0.08, 0.07])
COMPETITORS = ("联想企业购", "京东企业购", "华信科技", "中拓办公", "得力集团", "晨光科力普", "神州数码")
PAYMENT_METHODS = ("银行转账", "承兑汇票", "支付宝", "微信支付", "现金")
EXPENSES = (  # category, median amount in yuan, spread, share
    ("差旅费", 1_500, 0.6, 0.30), ("业务招待费", 800, 0.7, 0.25), ("交通费", 150, 0.5, 0.20),
    ("通讯费", 200, 0.3, 0.08), ("礼品费", 500, 0.6, 0.10), ("会务费", 3_000, 0.5, 0.07),
)
ACTIVITY_KINDS = ("visit", "call", "message", "meeting", "other")


def _sql_list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _pick(values, column: str) -> str:
    """SQL: the value at 0-based code ``column`` of a literal list."""
    return f"{_sql_list(values)}[{column} + 1]"


def _ident(prefix: str, column: str, width: int, nullable: bool = False) -> str:
    """SQL: id ``prefix`` + zero-padded 1-based number from a 0-based code (-1 = null)."""
    sql = f"'{prefix}' || lpad(({column} + 1)::varchar, {width}, '0')"
    return f"case when {column} >= 0 then {sql} end" if nullable else sql


def _money(column: str) -> str:
    """SQL: integer cents -> DECIMAL(18,2), exact."""
    return f"({column} / 100)::decimal(18, 2)"


def _width(n: int, at_least: int) -> int:
    return max(at_least, len(str(n)))


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals (一, 十一, 二十三)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + ("" if ones == 0 else NUMERALS[ones - 1])


def _spring_festival(year: int) -> np.datetime64:
    return np.datetime64(f"{year}-{SPRING_FESTIVAL.get(year, '02-05')}")


def _calendar_weights(days: np.ndarray) -> np.ndarray:
    """Relative business volume of each day: weekends, Spring Festival dip, 618,
    Double 11, National Day holiday and the quarter-end push."""
    months = days.astype("datetime64[M]")
    month = months.astype(int) % 12 + 1
    dom = (days - months).astype(int) + 1
    month_len = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]")).astype(int)
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    w = np.where(weekday == 5, 0.3, np.where(weekday == 6, 0.2, 1.0))
    years = days.astype("datetime64[Y]").astype(int) + 1970
    for year in np.unique(years):
        # the dip spans the year of the festival and the weeks around it
        offset = (days - _spring_festival(int(year))).astype(int)
        w *= np.where((offset >= -7) & (offset <= 10), 0.3,
                      np.where((offset >= -14) & (offset <= 18), 0.75, 1.0))
    w *= np.where((month == 6) & (dom <= 18), np.where(dom >= 15, 2.2, 1.5), 1.0)
    w *= np.where(month == 11, np.where((dom >= 8) & (dom <= 11), 2.6, np.where(dom <= 11, 1.6, 1.15)), 1.0)
    w *= np.where((month == 10) & (dom <= 7), 0.25, 1.0)
    w *= np.where((month % 3 == 0) & (dom > month_len - 10), 1.6, 1.0)
    return w


class _Company:
    def __init__(self, con: duckdb.DuckDBPyConnection, scale: Scale, seed: int, end: date, progress: bool):
        self.con = con
        self.scale = scale
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.end = end
        self.start = date(end.year - YEARS, end.month, 28 if (end.month, end.day) == (2, 29) else end.day)
        self.start += timedelta(days=1)
        self.n_days = (end - self.start).days + 1
        self.days = np.datetime64(self.start) + np.arange(self.n_days)
        self.month_of_day = (self.days.astype("datetime64[M]") - np.datetime64(self.start, "M")).astype(int)
        self.n_months = int(self.month_of_day[-1]) + 1
        self.month_first_day = np.searchsorted(self.month_of_day, np.arange(self.n_months))
        self.epoch = (np.datetime64(self.start, "s") - np.datetime64(0, "s")).astype(np.int64)
        self.rows: dict[str, int] = {}
        self.progress = progress
        self._rep_cum: dict[int | None, np.ndarray] = {}
        # volume of business per day: calendar shape times ~12% a year on top of the
        # growth that comes from a customer base that accumulates
        years = np.arange(self.n_days) / 365.25
        weights = _calendar_weights(self.days) * 1.12 ** years
        self.cum = np.concatenate([[0.0], np.cumsum(weights)])
        self.cum /= self.cum[-1]

    # -- helpers ---------------------------------------------------------------------

    def insert(self, table: str, select: str, **columns) -> None:
        """Stage ``columns`` (numpy arrays) into ``table`` through ``select`` (SQL over
        the chunk's columns), numbering ``_row`` on from the rows already staged."""
        n = len(next(iter(columns.values())))
        row0 = self.rows.get(table, 0)
        for lo in range(0, n, CHUNK):
            part = {k: np.ascontiguousarray(v[lo:lo + CHUNK]) for k, v in columns.items()}
            part["_row"] = np.arange(row0 + lo + 1, row0 + min(n, lo + CHUNK) + 1, dtype=np.int64)
            self.con.register("chunk", pa.table(part))
            self.con.execute(f'insert into staging."{table}" by name select {select}, _row from chunk')
            self.con.unregister("chunk")
        self.rows[table] = row0 + n

    def date_sql(self, column: str) -> str:
        return f"date '{self.start}' + {column}::integer"

    def ts_sql(self, column: str) -> str:
        """SQL: float days since start -> TIMESTAMP to the second."""
        return f"make_timestamp((round({column} * 86400)::bigint + {self.epoch}) * 1000000)"

    def sample_days(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """One business day per row, in [lo, hi) (integer days), shaped by the calendar."""
        a, b = self.cum[lo], self.cum[hi]
        u = a + self.rng.random(len(lo)) * (b - a)
        return np.clip(np.searchsorted(self.cum, u, side="right") - 1, lo, hi - 1)

    def work_time(self, n: int) -> np.ndarray:
        """A time of day within office hours (09:00-18:00), as a fraction of a day."""
        return self.rng.uniform(0.375, 0.75, n)

    def pick_reps(self, days: np.ndarray, region: int | None = None) -> np.ndarray:
        """A rep active on each of ``days`` (optionally of one region), by productivity.

        Each day's row of weights is normalised to (day, day + 1], so one sorted search
        over the flattened matrix picks a rep for every (day, uniform) pair at once."""
        if region not in self._rep_cum:
            d = np.arange(self.n_days)[:, None]
            w = ((self.hired_day[None, :] <= d) & (d < self.left_day[None, :])) * self.rep_weight[None, :]
            if region is not None:
                w = w * (self.rep_region == region)[None, :]
            cum = np.cumsum(w, axis=1)
            self._rep_cum[region] = (cum / cum[:, -1:] + np.arange(self.n_days)[:, None]).ravel()
        u = np.clip(days, 0, self.n_days - 1) + self.rng.random(len(days)) * (1 - 1e-9)
        return np.searchsorted(self._rep_cum[region], u, side="right") % len(self.rep_weight)

    def pick_reps_in_region(self, days: np.ndarray, regions: np.ndarray) -> np.ndarray:
        out = np.empty(len(days), dtype=np.int64)
        for r in range(self.n_regions):
            mask = regions == r
            out[mask] = self.pick_reps(days[mask], r)
        return out

    def owner_at(self, customers: np.ndarray, days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The owning rep of each customer on each (integer) day, and since when."""
        seg = (self.seg_start[customers] <= days[:, None]).sum(axis=1) - 1
        return self.seg_owner[customers, seg], self.seg_start[customers, seg]

    # -- teams, reps, products, stages ------------------------------------------------

    def teams_and_reps(self) -> None:
        rng, n_reps = self.rng, self.scale.reps
        self.n_regions = n_regions = min(len(REGIONS), max(2, n_reps // 10))
        n_groups = max(n_regions, (n_reps - n_regions) // 5)
        share = np.array([s for _, s, _ in REGIONS[:n_regions]])
        per_region = np.maximum(1, np.floor(share / share.sum() * n_groups)).astype(int)
        per_region[0] += n_groups - per_region.sum()
        team_name, team_parent, group_region, group_city = [], [], [], []
        for r in range(n_regions):
            team_name.append(f"{REGIONS[r][0]}大区")
            team_parent.append(-1)
        for r in range(n_regions):
            cities = REGIONS[r][2]
            for g in range(per_region[r]):
                city = cities[g % len(cities)]
                team_name.append(f"{city}{_numeral(g // len(cities) + 1)}组")
                team_parent.append(r)
                group_region.append(r)
                group_city.append(CITY_OFFSET[r] + g % len(cities))
        self.insert(
            "teams", "'T' || lpad((t + 1)::varchar, 3, '0') as team_id, name, "
            "case when parent >= 0 then 'T' || lpad((parent + 1)::varchar, 3, '0') end as parent_team_id",
            t=np.arange(len(team_name)), name=np.array(team_name), parent=np.array(team_parent))

        # reps: a head per region (on the region team), a lead per group, members spread
        # over the groups; heads and leads were there before the history starts and stay
        group_region, group_city = np.array(group_region), np.array(group_city)
        n_members = n_reps - n_regions - n_groups
        member_group = np.sort(rng.integers(0, n_groups, n_members))
        rep_team = np.concatenate([np.arange(n_regions), n_regions + np.arange(n_groups),
                                   n_regions + member_group])
        rep_region = np.concatenate([np.arange(n_regions), group_region, group_region[member_group]])
        manager = np.concatenate([np.full(n_regions, -1), group_region, n_regions + member_group])
        senior = np.arange(n_reps) < n_regions + n_groups
        # members: 60% already on board, the rest hired through the history, more later
        hired = np.where(rng.random(n_reps) < 0.6, -rng.uniform(30, 6 * 365, n_reps),
                         self.n_days * rng.beta(1.3, 1.0, n_reps) - 1)
        hired = np.where(senior, -rng.uniform(365, 8 * 365, n_reps), hired).astype(np.int64)
        # about a fifth of the members leave again (left_day = first day away)
        leaves = ~senior & (rng.random(n_reps) < 0.22)
        left = np.maximum(hired, 0) + 120 + rng.integers(0, 2 * 365, n_reps)
        leaves &= left < self.n_days - 15
        self.hired_day = hired
        self.left_day = np.where(leaves, left, np.iinfo(np.int64).max)
        self.rep_region = rep_region
        self.rep_city = np.concatenate([CITY_OFFSET[:n_regions], group_city, group_city[member_group]])
        self.rep_weight = rng.lognormal(0, 0.35, n_reps) * np.where(
            np.arange(n_reps) < n_regions, 0.3, np.where(senior, 0.7, 1.0))
        self.senior = senior
        self.rep_width = _width(n_reps, 3)
        name_code = rng.choice(len(SURNAMES) * (len(GIVEN) + 1) * len(GIVEN), n_reps, replace=False)
        surname, rest = np.divmod(name_code, (len(GIVEN) + 1) * len(GIVEN))
        given1, given2 = np.divmod(rest, len(GIVEN))  # given1 == len(GIVEN): one-character name
        self.insert(
            "reps", f"{_ident('R', 'r', self.rep_width)} as rep_id, "
            f"{_pick(SURNAMES, 'surname')} || coalesce({_pick(GIVEN, 'given1')}, '') "
            f"|| {_pick(GIVEN, 'given2')} as name, "
            f"'T' || lpad((team + 1)::varchar, 3, '0') as team_id, "
            f"{_ident('R', 'manager', self.rep_width, nullable=True)} as manager_rep_id, "
            f"{_pick([n for n, _, _ in REGIONS], 'region')} as region, "
            f"{self.date_sql('hired')} as hired_on, active",
            r=np.arange(n_reps), surname=surname, given1=given1, given2=given2, team=rep_team,
            manager=manager, region=rep_region, hired=hired, active=~leaves)

    def products_and_stages(self) -> None:
        rng, n = self.rng, self.scale.products
        kind = np.concatenate([np.arange(len(CATALOGUE)), rng.integers(0, len(CATALOGUE), n - len(CATALOGUE))]) \
            if n > len(CATALOGUE) else rng.permutation(len(CATALOGUE))[:n]
        low = np.array([c[3] for c in CATALOGUE])[kind]
        high = np.array([c[4] for c in CATALOGUE])[kind]
        price = np.exp(rng.uniform(np.log(low), np.log(high)))
        price = np.where(price > 1000, np.round(price, -1), np.round(price)) - 1  # 3999-style prices
        self.list_cents = (price * 100).astype(np.int64)
        self.base_quantity = np.array([c[5] for c in CATALOGUE])[kind].astype(float)
        self.popularity = rng.pareto(1.2, n) + 0.05
        self.popularity /= self.popularity.sum()
        names = [f"{CATALOGUE[k][1]} {SERIES[i % len(SERIES)]}{100 + 10 * (i // len(SERIES)) + k}"
                 for i, k in enumerate(kind)]
        self.product_width = _width(n, 4)
        self.insert(
            "products", f"{_ident('P', 'p', self.product_width)} as product_id, name, "
            f"{_pick([c[0] for c in CATALOGUE], 'kind')} as category, "
            f"{_pick([c[2] for c in CATALOGUE], 'kind')} as unit, {_money('price')} as list_price",
            p=np.arange(n), name=np.array(names), kind=kind, price=self.list_cents)
        self.insert(
            "stages", "stage, position, probability::decimal(5, 2) as default_probability, kind",
            stage=np.array([s[0] for s in STAGES]), position=np.array([s[1] for s in STAGES]),
            probability=np.array([s[2] for s in STAGES]), kind=np.array([s[3] for s in STAGES]))

    # -- customers and the lead pool ---------------------------------------------------

    def customers(self) -> None:
        rng, nc, n_days = self.rng, self.scale.customers, self.n_days
        # nearly half existed before the history; the rest arrive with the business
        pre = rng.random(nc) < 0.45
        created = np.where(pre, -rng.integers(30, 3 * 365, nc),
                           self.sample_days(np.zeros(nc, dtype=np.int64), np.full(nc, n_days)))
        created = created + self.work_time(nc)
        order = np.argsort(created, kind="stable")  # ids follow creation
        created, pre = created[order], pre[order]

        # pool leads (marketing) wait to be claimed or assigned; the rest are a rep's own
        from_pool = ~pre & (rng.random(nc) < 0.35)
        taken_at = created + rng.exponential(15, nc) + 0.05
        taken = ~from_pool | ((rng.random(nc) < 0.6) & (taken_at < n_days - 0.5))
        t_own = np.where(taken, np.where(from_pool, taken_at, np.maximum(created, 0.4)), np.inf)
        owner0 = np.full(nc, -1)
        owner0[taken] = self.pick_reps(np.floor(t_own[taken]).astype(np.int64))
        region = np.where(taken, self.rep_region[np.maximum(owner0, 0)],
                          rng.choice(self.n_regions, nc, p=self.region_share()))
        near = rng.random(nc) < 0.7
        span = CITY_OFFSET[region + 1] - CITY_OFFSET[region]
        other_city = CITY_OFFSET[region] + (rng.random(nc) * span).astype(int)
        city = np.where(taken & near, self.rep_city[np.maximum(owner0, 0)], other_city)

        buyer = taken & (rng.random(nc) < np.where(pre, 0.75, np.where(from_pool, 0.4, 0.5)))
        # owned prospects: some go back to the pool untouched (auto_return after the
        # follow-up limit), some are released by their rep
        fate = rng.random(nc)
        auto = taken & ~buyer & (fate < 0.3)
        released = taken & ~buyer & (fate >= 0.3) & (fate < 0.4)
        # the last follow-up before an auto-return is 30 days before it (or the claim)
        gap = rng.exponential(60, nc)
        drop_at = np.where(auto, t_own + np.where(gap > 1, gap, 0) + 30 + rng.uniform(0.01, 0.3, nc),
                           t_own + rng.exponential(120, nc) + 0.01)
        drops = (auto | released) & (drop_at < n_days - 0.3)
        own_end = np.where(drops, drop_at, np.inf)
        end_event = np.where(drops, np.where(auto, 2, 1), 0)  # 1 release, 2 auto_return

        # when an owner leaves: buyers (and half the prospects) are assigned to a rep of
        # the same region, the others go back to the pool; the next owner may leave too
        k = 5
        seg_owner = np.full((nc, k), -1)
        seg_start = np.full((nc, k), np.iinfo(np.int64).max)
        seg_owner[:, 0] = owner0
        seg_start[:, 0] = np.where(taken, np.iinfo(np.int64).min, seg_start[:, 0])
        current = owner0.copy()
        leave_events = []  # (customer, day, event, rep)
        for s in range(1, k):
            left = np.where(taken, self.left_day[np.maximum(current, 0)], np.iinfo(np.int64).max)
            hit = taken & (left < own_end) & (left < n_days)
            if not hit.any():
                break
            idx = np.flatnonzero(hit)
            keep = (buyer[idx] | (rng.random(len(idx)) < 0.5)) & (s < k - 1)
            moved, freed = idx[keep], idx[~keep]
            new = self.pick_reps_in_region(left[moved], region[moved])
            seg_owner[moved, s], seg_start[moved, s] = new, left[moved]
            leave_events.append((moved, left[moved], 3, new))
            leave_events.append((freed, left[freed], 1, current[freed]))
            own_end[freed] = left[freed]
            end_event[freed] = 0  # the planned drop never happens
            current[moved] = new
        self.seg_owner, self.seg_start = seg_owner, seg_start
        self.auto_return = end_event == 2
        owner = np.where(taken & np.isinf(own_end), current, -1)

        # buyers: a size (heavy tail), a buying window after they are won, some churn
        size = rng.lognormal(0, 1.45, nc)
        agent = buyer & (rng.random(nc) < 0.08)
        size = np.where(agent, size * 2.5, size)
        first = np.where(pre, rng.uniform(0, 30, nc), np.where(taken, t_own, 0) + rng.exponential(45, nc))
        churn = np.where(rng.random(nc) < 0.3, first + rng.exponential(500, nc), np.inf)
        b = np.ceil(first).astype(np.int64)
        e = np.minimum(np.minimum(own_end, churn), n_days).astype(np.int64)
        buyer &= b < e
        b, e = np.where(buyer, b, 0), np.where(buyer, e, 0)
        self.created, self.t_own, self.own_end, self.size = created, t_own, own_end, size
        self.buyer, self.window = buyer, (b, e)

        # the customer record; its type follows what it did (settled after contracts)
        industry = rng.choice(len(INDUSTRIES), nc, p=INDUSTRY_SHARE)
        self.customer_width = _width(nc, 6)
        self.customer_cols = {
            "c": np.arange(nc), "created": created, "owner": owner, "industry": industry, "region": region,
            "city": city, "source": np.where(from_pool, rng.choice(len(SOURCES), nc, p=SOURCE_SHARE_POOL),
                                             rng.choice(len(SOURCES), nc, p=SOURCE_SHARE_REP)),
            "b1": rng.integers(0, len(BRAND), nc), "b2": rng.integers(0, len(BRAND), nc),
            "trade": TRADE_OFFSET[industry] + (rng.random(nc) * np.diff(TRADE_OFFSET)[industry]).astype(int),
            "suffix": rng.integers(0, len(SUFFIXES), nc), "agent": agent, "churned": np.isfinite(churn),
            "lost_lead": rng.random(nc) < 0.05}

        # lead-pool movements: claims/assigns of pool leads, owner changes when reps
        # leave, releases and auto-returns; replayed in time order they end in `owner`
        got = from_pool & taken
        assign = rng.random(nc) < 0.25
        ev_c = [np.flatnonzero(got)]
        ev_t = [taken_at[got]]
        ev_e = [np.where(assign[got], 3, 0)]
        ev_r = [owner0[got]]
        for who, day, event, rep in leave_events:
            ev_c.append(who)
            ev_t.append(day + rng.uniform(0.375, 0.45, len(who)))
            ev_e.append(np.full(len(who), event))
            ev_r.append(rep)
        dropped = np.flatnonzero(end_event > 0)
        ev_c.append(dropped)
        ev_t.append(own_end[dropped])
        ev_e.append(end_event[dropped])
        ev_r.append(self.owner_at(dropped, np.floor(own_end[dropped]).astype(np.int64))[0])
        cust, at, event, rep = (np.concatenate(x) for x in (ev_c, ev_t, ev_e, ev_r))
        order = np.lexsort((cust, at))
        self.insert(
            "pool_events", f"{_ident('C', 'c', self.customer_width)} as customer_id, "
            f"{self.ts_sql('t')} as occurred_at, {_pick(['claim', 'release', 'auto_return', 'assign'], 'e')} "
            f"as event, {_ident('R', 'r', self.rep_width, nullable=True)} as rep_id",
            c=cust[order], t=at[order], e=event[order], r=rep[order])

    def region_share(self) -> np.ndarray:
        share = np.array([s for _, s, _ in REGIONS[:self.n_regions]])
        return share / share.sum()

    def insert_customers(self, bought: np.ndarray, last_buy: np.ndarray) -> None:
        cols = self.customer_cols
        # customer (or agent) once they bought; lost when they churned and have not bought
        # for half a year; a few dead leads are marked lost too
        lapsed = bought & cols["churned"] & (last_buy < self.n_days - 180)
        kind = np.where(bought, np.where(lapsed, 3, np.where(cols["agent"], 2, 1)),
                        np.where(cols["lost_lead"], 3, 0))
        level = np.where(bought, np.digitize(self.size, [0.6, 2.0]), 3)
        level = np.where(bought, 2 - level, 3)  # A = largest
        self.insert(
            "customers", f"{_ident('C', 'c', self.customer_width)} as customer_id, "
            f"{_pick(CITIES, 'city')} || {_pick(BRAND, 'b1')} || {_pick(BRAND, 'b2')} || "
            f"{_pick(TRADE_WORDS, 'trade')} || {_pick(SUFFIXES, 'suffix')} as name, "
            f"{self.ts_sql('created')} as created_at, "
            f"{_pick(['prospect', 'customer', 'agent', 'lost'], 'kind')} as type, "
            f"{_ident('R', 'owner', self.rep_width, nullable=True)} as owner_rep_id, "
            f"{_pick([i for i, _ in INDUSTRIES], 'industry')} as industry, "
            f"{_pick([n for n, _, _ in REGIONS], 'region')} as region, {_pick(CITIES, 'city')} as city, "
            f"{_pick(SOURCES, 'source')} as source, {_pick(['A', 'B', 'C', 'D'], 'level')} as level",
            **{k: v for k, v in cols.items() if k not in ("agent", "churned", "lost_lead")},
            kind=kind, level=level)

    # -- contracts, lines, plans, payments ---------------------------------------------

    def contract_headers(self) -> None:
        rng = self.rng
        b, e = self.window
        buyers = np.flatnonzero(self.buyer)
        # contracts per buyer: one, plus more the bigger the customer and its window
        exposure = self.size[buyers] ** 0.55 * (self.cum[e[buyers]] - self.cum[b[buyers]])
        rate = max(self.scale.contracts - len(buyers), 0) / exposure.sum()
        count = 1 + rng.poisson(rate * exposure)
        customer = np.repeat(buyers, count)
        day = self.sample_days(b[customer], e[customer])
        order = np.lexsort((customer, day))
        self.c_customer, self.c_day = customer[order], day[order]
        self.c_rep, self.c_since = self.owner_at(self.c_customer, self.c_day)
        n = len(day)
        self.c_void = rng.random(n) < 0.015
        self.c_amount = np.zeros(n, dtype=np.int64)
        self.contract_width = _width(n, 8)

    def contract_lines(self) -> None:
        """Lines, payment plans, payments and the follow-ups that led to each contract,
        one month of contracts at a time; keeps stock demand and amounts for later."""
        n_products = len(self.list_cents)
        self.demand = np.zeros((n_products, self.n_months))
        self.rep_month = np.zeros((2, len(self.rep_weight), self.n_months))
        bounds = np.searchsorted(self.c_day, self.month_first_day)
        bounds = np.append(bounds, len(self.c_day))
        for m in tqdm(range(self.n_months), desc="contracts", unit="month", disable=not self.progress):
            self.month_of_contracts(np.arange(bounds[m], bounds[m + 1]))

    def month_of_contracts(self, k: np.ndarray) -> None:
        rng, n = self.rng, len(k)
        if n == 0:
            return
        day, cust, void = self.c_day[k], self.c_customer[k], self.c_void[k]
        lines = 1 + np.minimum(rng.poisson(1.3, n), 7)
        li = np.repeat(np.arange(n), lines)
        line_no = np.arange(len(li)) - np.repeat(np.cumsum(lines) - lines, lines) + 1
        product = rng.choice(len(self.list_cents), len(li), p=self.popularity)
        # bigger customers buy more units; prices drift up ~3% a year before discount
        qty = np.ceil(self.base_quantity[product] * self.size[cust[li]] ** 0.5
                      * rng.lognormal(-0.3, 0.6, len(li))).astype(np.int64)
        years_to_end = (self.n_days - day[li]) / 365.25
        price = np.round(self.list_cents[product] * (1 - 0.03 * years_to_end)
                         * (1 + rng.normal(0, 0.015, len(li))))
        discount = rng.choice([0.0, 0.05, 0.1, 0.15, 0.2], len(li), p=[0.35, 0.25, 0.2, 0.12, 0.08])
        # a few contracts carry a customer return: a later line takes back part of the
        # first line's product at the same price and discount (so the total stays > 0)
        ret = (line_no == lines[li]) & (lines[li] > 1) & (rng.random(len(li)) < 0.02)
        first = np.cumsum(lines)[li] - lines[li]  # index of the contract's first line
        product = np.where(ret, product[first], product)
        price = np.where(ret, price[first], price)
        discount = np.where(ret, discount[first], discount)
        qty = np.where(ret, -np.maximum(1, qty[first] // 3), qty)
        raw = qty * price * (1 - discount)
        amount = (np.sign(raw) * np.floor(np.abs(raw) + 0.5)).astype(np.int64)
        total = np.bincount(li, weights=amount, minlength=n).astype(np.int64)
        self.c_amount[k] = total
        self.insert(
            "contract_items", f"{_ident('K', 'k', self.contract_width)} as contract_id, line_no, "
            f"{_ident('P', 'p', self.product_width)} as product_id, q::decimal(18, 4) as quantity, "
            f"(price / 100)::decimal(18, 4) as unit_price, {_money('amount')} as amount",
            k=k[li], line_no=line_no, p=product, q=qty, price=price.astype(np.int64), amount=amount)
        counted = ~void[li]
        np.add.at(self.demand, (product[counted], self.month_of_day[day[li][counted]]), qty[counted])
        active = ~void
        np.add.at(self.rep_month[0], (self.c_rep[k][active], self.month_of_day[day[active]]), total[active])
        self.plans_and_payments(k[active], day[active], total[active])
        self.contract_activities(k, day)

    def plans_and_payments(self, k: np.ndarray, signed: np.ndarray, total: np.ndarray) -> None:
        rng, n = self.rng, len(k)
        parts = rng.choice([1, 2, 3, 4], n, p=[0.45, 0.3, 0.15, 0.1])
        ci = np.repeat(np.arange(n), parts)
        nth = np.arange(len(ci)) - np.repeat(np.cumsum(parts) - parts, parts)
        step = np.where(rng.random(n) < 0.3, 90, 30)
        due = signed[ci] + rng.choice([0, 7, 15, 30], n)[ci] + nth * step[ci]
        base = total // parts
        plan_amount = np.where(nth == parts[ci] - 1, total[ci] - base[ci] * (parts[ci] - 1), base[ci])
        self.insert(
            "payment_plans", f"{_ident('K', 'k', self.contract_width)} || '-' || (nth + 1)::varchar as plan_id, "
            f"{_ident('K', 'k', self.contract_width)} as contract_id, {self.date_sql('due')} as due_on, "
            f"{_money('amount')} as amount",
            k=k[ci], nth=nth, due=due, amount=plan_amount)
        # payers: on time, late, partly (later instalments half or not paid), never
        habit = rng.choice(4, n, p=[0.58, 0.3, 0.08, 0.04])[ci]
        paid_on = np.where(habit == 0, due + rng.integers(-5, 4, len(ci)),
                           due + 5 + rng.exponential(35, len(ci)).astype(np.int64))
        paid_on = np.maximum(paid_on, signed[ci])  # never before signing
        share = np.where((habit == 2) & (nth > 0), rng.choice([0.0, 0.5], len(ci)), 1.0)
        paid = np.floor(plan_amount * share).astype(np.int64)
        # rarely a customer pays a little too much on its last instalment
        over = (nth == parts[ci] - 1) & (rng.random(len(ci)) < 0.003)
        paid = np.where(over, paid + np.round(paid * rng.uniform(0.01, 0.1, len(ci))).astype(np.int64), paid)
        keep = (habit < 3) & (paid > 0) & (paid_on < self.n_days)
        np.add.at(self.rep_month[1], (self.c_rep[k[ci]][keep], self.month_of_day[paid_on[keep]]), paid[keep])
        pid = np.arange(self.rows.get("payments", 0), self.rows.get("payments", 0) + keep.sum())
        self.insert(
            "payments", f"{_ident('H', 'pid', 9)} as payment_id, "
            f"{_ident('K', 'k', self.contract_width)} as contract_id, {self.date_sql('paid_on')} as paid_on, "
            f"{_money('paid')} as amount, case when with_plan then "
            f"{_ident('K', 'k', self.contract_width)} || '-' || (nth + 1)::varchar end as plan_id, "
            f"{_pick(PAYMENT_METHODS, 'method')} as method",
            pid=pid, k=k[ci][keep], paid_on=paid_on[keep], paid=paid[keep], nth=nth[keep],
            with_plan=rng.random(keep.sum()) < 0.9,
            method=rng.choice(len(PAYMENT_METHODS), keep.sum(), p=[0.7, 0.12, 0.08, 0.07, 0.03]))

    def contract_activities(self, k: np.ndarray, day: np.ndarray) -> None:
        """The follow-ups in the weeks before a contract, by its rep while owning it."""
        rng = self.rng
        count = 1 + rng.poisson(1.2, len(k))
        ci = np.repeat(np.arange(len(k)), count)
        rep = self.c_rep[k][ci]
        lo = np.maximum.reduce([self.c_since[k][ci].clip(min=0), self.hired_day[rep].clip(min=0),
                                self.t_own[self.c_customer[k][ci]]])
        signed = day[ci] + 0.7
        at = signed - rng.uniform(0, 1, len(ci)) * np.minimum(30, signed - lo)
        self.add_activities(self.c_customer[k][ci], rep, at, np.array([0.35, 0.25, 0.1, 0.25, 0.05]))

    def add_activities(self, customer, rep, at, kind_share) -> None:
        aid = np.arange(self.rows.get("activities", 0), self.rows.get("activities", 0) + len(at))
        self.insert(
            "activities", f"{_ident('A', 'a', 9)} as activity_id, "
            f"{_ident('C', 'c', self.customer_width)} as customer_id, "
            f"{_ident('R', 'r', self.rep_width)} as rep_id, {self.ts_sql('t')} as occurred_at, "
            f"{_pick(ACTIVITY_KINDS, 'kind')} as kind",
            a=aid, c=customer, r=rep, t=at, kind=self.rng.choice(len(ACTIVITY_KINDS), len(at), p=kind_share))

    def insert_contracts(self, opportunity: np.ndarray) -> None:
        rng, n = self.rng, len(self.c_day)
        service = rng.random(n) < 0.25
        ends = self.c_day + rng.choice([180, 365, 730], n) - 1
        self.insert(
            "contracts", f"{_ident('K', 'k', self.contract_width)} as contract_id, "
            f"{_ident('C', 'c', self.customer_width)} as customer_id, "
            f"{_ident('R', 'r', self.rep_width)} as rep_id, {self.date_sql('day')} as signed_on, "
            f"{_money('amount')} as amount, case when void then 'void' else 'active' end as status, "
            f"{_ident('O', 'opp', self.opportunity_width, nullable=True)} as opportunity_id, "
            f"case when service then {self.date_sql('ends')} end as ends_on",
            k=np.arange(n), c=self.c_customer, r=self.c_rep, day=self.c_day, amount=self.c_amount,
            void=self.c_void, opp=opportunity, service=service, ends=ends)

    # -- opportunities -----------------------------------------------------------------

    def opportunities(self) -> None:
        rng, n_days = self.rng, self.n_days
        n_contracts = len(self.c_day)
        won = np.flatnonzero(~self.c_void & (rng.random(n_contracts) < 0.6))
        # opportunities that did not (or not yet) turn into a contract: over the time a
        # rep owned the customer; recent ones are still open at the end
        n_other = int(len(won) * 0.9)
        owned = np.flatnonzero(np.isfinite(self.t_own) & (self.t_own < n_days - 1))
        weight = np.where(self.buyer[owned], self.size[owned] ** 0.3, 0.5)
        cust = rng.choice(owned, n_other, p=weight / weight.sum())
        lo = np.ceil(self.t_own[cust]).astype(np.int64)
        hi = np.minimum(self.own_end[cust], n_days).astype(np.int64)
        ok = lo < hi
        cust, lo, hi = cust[ok], lo[ok], hi[ok]
        o_day = self.sample_days(lo, hi)
        o_rep = self.owner_at(cust, o_day)[0]
        n_won, n_other = len(won), len(cust)
        n = n_won + n_other

        # stages reached: won deals pass all four open stages (some skip 需求确认 or
        # 方案报价); the others stop somewhere
        reach = np.concatenate([np.full(n_won, 4), rng.choice([1, 2, 3, 4], n_other, p=[0.3, 0.3, 0.25, 0.15])])
        pos = np.arange(1, 5)[None, :]
        visited = pos <= reach[:, None]
        skip = (reach >= 3) & (rng.random(n) < 0.15)
        visited[skip, rng.integers(1, 3, n)[skip]] = False
        mean_days = np.array([s[4] for s in STAGES[:4]], dtype=float)
        dur = rng.gamma(1.8, 1.0, (n, 4)) * mean_days / 1.8 * visited
        dur = np.where(visited, np.maximum(dur, 0.01), 0)
        total = dur.sum(axis=1)

        # won: the terminal stint starts at the signing, stints go back from there but not
        # before the customer was taken or the rep hired
        close = np.empty(n)
        close[:n_won] = self.c_day[won] + self.work_time(n_won)
        lb = np.maximum.reduce([self.t_own[self.c_customer[won]],
                                self.hired_day[self.c_rep[won]].clip(min=0).astype(float),
                                self.c_since[won].clip(min=0).astype(float)])
        room = np.maximum(close[:n_won] - lb, 0.02)
        shrink = np.minimum(1.0, room / total[:n_won])
        # (at least a minute per stint, so stints never share a start second)
        dur[:n_won] = np.where(visited[:n_won], np.maximum(dur[:n_won] * shrink[:, None], 0.001), 0)
        total[:n_won] = dur[:n_won].sum(axis=1)
        created = np.empty(n)
        created[:n_won] = close[:n_won] - total[:n_won]
        created[n_won:] = np.maximum(o_day + self.work_time(n_other), self.t_own[cust] + 0.001)
        close[n_won:] = created[n_won:] + total[n_won:]
        now = n_days - 0.25  # 18:00 on the end date
        is_open = np.zeros(n, dtype=bool)
        is_open[n_won:] = close[n_won:] >= now
        entered = created[:, None] + np.cumsum(dur, axis=1) - dur
        visited &= entered < now

        # ids follow creation time
        order = np.argsort(created, kind="stable")
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        self.opportunity_width = _width(n, 8)
        opp_of_contract = np.full(n_contracts, -1)
        opp_of_contract[won] = rank[:n_won]
        customer = np.concatenate([self.c_customer[won], cust])
        rep = np.concatenate([self.c_rep[won], o_rep])
        stage_now = np.where(is_open, visited.shape[1] - 1 - np.argmax(visited[:, ::-1], axis=1),
                             np.where(np.arange(n) < n_won, 4, 5))
        # amounts: the contract's (as expected earlier), others like a typical contract
        typical = self.c_amount[rng.choice(won, n_other)] if n_won else np.full(n_other, 100_000)
        amount = np.concatenate([self.c_amount[won] * rng.uniform(0.95, 1.25, n_won),
                                 typical * rng.lognormal(0, 0.3, n_other)])
        amount = np.maximum(np.round(amount, -4), 10_000).astype(np.int64)  # whole hundreds of yuan
        default_p = np.array([s[2] for s in STAGES])[stage_now]
        own_p = np.clip(default_p + rng.choice([-20, -10, 0, 10, 20], n), 0, 100)
        has_p = rng.random(n) < 0.3
        # expected close: planned from the stage clock; late deals overrun their plan
        planned = np.floor(created + total * rng.uniform(0.5, 1.1, n)).astype(np.int64)
        has_expected = np.where(is_open, rng.random(n) < 0.85, True)
        lost = ~is_open & (np.arange(n) >= n_won)
        reason = rng.choice(len(LOST_REASONS), n, p=LOST_SHARE)
        competitor = np.where(lost & ((reason == 1) | (rng.random(n) < 0.2)),
                              rng.integers(0, len(COMPETITORS), n), -1)
        self.insert(
            "opportunities", f"{_ident('O', 'o', self.opportunity_width)} as opportunity_id, "
            f"{_ident('C', 'c', self.customer_width)} as customer_id, "
            f"{_ident('R', 'r', self.rep_width)} as rep_id, {self.ts_sql('created')} as created_at, "
            f"{_pick([s[0] for s in STAGES], 'stage')} as stage, {_money('amount')} as amount, "
            f"case when has_p then p::decimal(5, 2) end as probability, "
            f"case when has_expected then {self.date_sql('planned')} end as expected_close_on, "
            f"case when not is_open then {self.date_sql('floor(close)')} end as closed_on, "
            f"case when lost then {_pick(LOST_REASONS, 'reason')} end as lost_reason, "
            f"case when competitor >= 0 then {_pick(COMPETITORS, 'competitor')} end as competitor",
            o=rank[order], c=customer[order], r=rep[order], created=created[order], stage=stage_now[order],
            amount=amount[order], has_p=has_p[order], p=own_p[order], has_expected=has_expected[order],
            planned=planned[order], is_open=is_open[order], close=close[order], lost=lost[order],
            reason=reason[order], competitor=competitor[order])

        # stints: each visited open stage until the next one starts; closed deals end in
        # 赢单/输单 (still there, so no exit), open ones stay in their current stage
        stint_opp, stint_stage = np.nonzero(visited[order])
        entered_s = entered[order][stint_opp, stint_stage]
        last = np.append(stint_opp[1:] != stint_opp[:-1], True)
        # a stint ends when the next one starts (or at the close); the same float both times
        exited = np.where(last, np.where(is_open[order][stint_opp], np.nan, close[order][stint_opp]),
                          np.append(entered_s[1:], np.nan))
        closed = np.flatnonzero(~is_open[order])
        terminal_stage = stage_now[order][closed]
        opp = np.concatenate([stint_opp, closed])
        stage = np.concatenate([stint_stage, terminal_stage])
        entered_all = np.concatenate([entered_s, close[order][closed]])
        exited_all = np.concatenate([exited, np.full(len(closed), np.nan)])
        stint_order = np.lexsort((entered_all, opp))
        self.insert(
            "opportunity_stage_history", f"{_ident('O', 'o', self.opportunity_width)} as opportunity_id, "
            f"{_pick([s[0] for s in STAGES], 'stage')} as stage, {self.ts_sql('entered')} as entered_at, "
            f"case when isnan(exited) then null else {self.ts_sql('exited')} end as exited_at",
            o=opp[stint_order], stage=stage[stint_order], entered=entered_all[stint_order],
            exited=exited_all[stint_order])
        self.insert_contracts(opp_of_contract)

    # -- stock, people, follow-ups, targets --------------------------------------------

    def purchases(self) -> None:
        """Receipts keep stock ahead of sales; costs drift per product.

        Each month's receipt arrives just before it and tops stock up to the
        month's sales plus a margin (an opening receipt holds six weeks of sales).
        Now and then a delivery is missed, and a few products only arrive weeks after
        their first sales, so some issues run beyond stock on hand (shortfalls); the
        next receipt fills the gap."""
        rng = self.rng
        n_products, n_months = self.demand.shape
        late = rng.random(n_products) < 0.05
        late[np.argmax(self.popularity)] = True  # at least one best seller arrives late
        opening = np.ceil(self.demand.mean(axis=1) * 1.5 + 5) * ~late
        missed = rng.random(self.demand.shape) < 0.02
        cover = rng.uniform(1.1, 1.4, self.demand.shape)
        qty = np.zeros(self.demand.shape)
        stock = opening.copy()
        for m in range(n_months):
            qty[:, m] = np.where(missed[:, m], 0, np.maximum(np.ceil(self.demand[:, m] * cover[:, m] - stock), 0))
            stock += qty[:, m] - self.demand[:, m]
        # cost: 55-75% of list price, a trend of a few % a year and a monthly random walk
        years = np.arange(n_months) / 12
        log_cost = (np.log(self.list_cents * rng.uniform(0.55, 0.75, n_products))[:, None]
                    + rng.normal(0.02, 0.05, n_products)[:, None] * years
                    + np.cumsum(rng.normal(0, 0.025, (n_products, n_months)), axis=1))
        # a month's receipt arrives in the last days before it (the first on day one,
        # a late product's three weeks into the first month)
        day = np.maximum(self.month_first_day[None, :] - rng.integers(1, 6, qty.shape), 0)
        day[:, 0] = np.where(late, np.minimum(20, self.n_days - 1), 0)
        p_idx = np.repeat(np.arange(n_products), n_months)
        p_all = np.concatenate([np.arange(n_products), p_idx])
        day_all = np.concatenate([np.zeros(n_products, dtype=np.int64), day.ravel()])
        qty_all = np.concatenate([opening, qty.ravel()])
        cost_all = np.concatenate([log_cost[:, 0], log_cost.ravel()]) + rng.normal(0, 0.01, len(p_all))
        keep = (qty_all > 0) & (day_all < self.n_days)
        p_all, day_all, qty_all, cost_all = p_all[keep], day_all[keep], qty_all[keep], cost_all[keep]
        order = np.lexsort((p_all, day_all))
        self.insert(
            "purchases", f"{_ident('G', 'g', 7)} as purchase_id, {_ident('P', 'p', self.product_width)} as product_id, "
            f"{self.date_sql('day')} as received_on, q::decimal(18, 4) as quantity, "
            f"(cost / 10000)::decimal(18, 4) as unit_cost",
            g=np.arange(len(order)), p=p_all[order], day=day_all[order], q=qty_all[order],
            cost=np.round(np.exp(cost_all[order]) * 100).astype(np.int64))

    def rep_active_days(self) -> tuple[np.ndarray, np.ndarray]:
        """First active day and number of active days of every rep in every month."""
        first = self.month_first_day[None, :]
        nxt = np.append(self.month_first_day[1:], self.n_days)[None, :]
        lo = np.maximum(first, self.hired_day[:, None])
        hi = np.minimum(nxt, np.minimum(self.left_day, self.n_days)[:, None])
        return lo, np.maximum(hi - lo, 0)

    def expenses(self) -> None:
        rng = self.rng
        lo, span = self.rep_active_days()
        count = rng.poisson(span / 30 * 5)
        rep = np.repeat(np.repeat(np.arange(len(self.rep_weight)), self.n_months), count.ravel())
        start = np.repeat(lo.ravel(), count.ravel())
        day = start + (rng.random(len(rep)) * np.repeat(span.ravel(), count.ravel())).astype(np.int64)
        cat = rng.choice(len(EXPENSES), len(rep), p=[e[3] for e in EXPENSES])
        median = np.array([e[1] for e in EXPENSES])[cat]
        spread = np.array([e[2] for e in EXPENSES])[cat]
        amount = np.round(median * rng.lognormal(0, spread) * 100, -1).astype(np.int64)
        order = np.lexsort((rep, day))
        self.insert(
            "expenses", f"{_ident('E', 'e', 8)} as expense_id, {_ident('R', 'r', self.rep_width)} as rep_id, "
            f"{self.date_sql('day')} as incurred_on, {_pick([e[0] for e in EXPENSES], 'cat')} as category, "
            f"{_money('amount')} as amount",
            e=np.arange(len(order)), r=rep[order], day=day[order], cat=cat[order], amount=amount[order])

    def follow_ups(self) -> None:
        """Routine follow-ups while a rep owns a customer (denser for buyers), the last
        one 30 days before an auto-return, and a recent one for every owned prospect."""
        rng, n_days = self.rng, self.n_days
        nc = len(self.t_own)
        taken = np.isfinite(self.t_own)
        stop = np.minimum(self.own_end, n_days - 0.3)
        auto = self.auto_return
        stop = np.where(auto, stop - 31.5, stop)
        per_day = np.where(self.buyer, 0.03, 0.015)
        for lo in tqdm(range(0, nc, CHUNK), desc="follow-ups", unit="chunk", disable=not self.progress):
            c = np.arange(lo, min(nc, lo + CHUNK))
            c = c[taken[c]]
            start = np.maximum(self.t_own[c], 0)
            span = np.maximum(stop[c] - start, 0)
            count = rng.poisson(span * per_day[c])
            ci = np.repeat(c, count)
            at = np.repeat(start, count) + rng.random(len(ci)) * np.repeat(span, count)
            at = np.floor(at) + self.work_time(len(ci))
            at = np.clip(at, start.repeat(count), stop[ci])
            # the follow-up that starts the 30-day clock before an auto-return
            last = c[auto[c] & (self.own_end[c] - 30.2 > self.t_own[c])]
            last_at = self.own_end[last] - 30.2
            recent = c[self.buyer[c] == 0]
            recent = recent[(self.customer_cols["owner"][recent] >= 0)]
            recent_at = np.maximum(n_days - 0.3 - rng.uniform(0, 29, len(recent)), self.t_own[recent])
            cust = np.concatenate([ci, last, recent])
            when = np.concatenate([at, last_at, recent_at])
            rep = self.owner_at(cust, np.floor(when).astype(np.int64))[0]
            order = np.lexsort((cust, when))
            self.add_activities(cust[order], rep[order], when[order], np.array([0.15, 0.45, 0.25, 0.08, 0.07]))

    def targets(self) -> None:
        """Monthly goals for contract amount and payments in every month a rep works:
        the rep's share of the business around that month times the company's month,
        with a personal stretch (some reps beat it, some miss); the regional heads and
        a few others have none."""
        rng = self.rng
        _, span = self.rep_active_days()
        n_reps = len(self.rep_weight)
        company = self.rep_month.sum(axis=1)  # (measure, month)
        # the first and last months may be partial: scale them to whole months
        first_month = np.datetime64(self.start, "M")
        last_day = (np.datetime64(self.end, "M") + 1).astype("datetime64[D]")
        days = np.arange(first_month.astype("datetime64[D]"), last_day)
        weights = _calendar_weights(days)
        month_of = (days.astype("datetime64[M]") - first_month).astype(int)
        covered = (days >= np.datetime64(self.start)) & (days <= np.datetime64(self.end))
        whole_month = company / (np.bincount(month_of, weights * covered) / np.bincount(month_of, weights))

        def around(x: np.ndarray) -> np.ndarray:  # sums over the seven months around each
            c = np.cumsum(np.pad(x, [(0, 0)] * (x.ndim - 1) + [(4, 3)]), axis=-1)
            return c[..., 7:] - c[..., :-7]

        share = around(self.rep_month) / np.maximum(around(company), 1)[:, None, :]
        stretch = rng.lognormal(-0.08, 0.15, n_reps)
        goal = share * whole_month[:, None, :] * stretch[None, :, None] * rng.lognormal(0, 0.1, share.shape)
        goal = np.maximum(np.round(goal / 100_000) * 100_000, 1_000_000)  # whole thousands of yuan
        with_targets = (np.arange(n_reps) >= self.n_regions) & (rng.random(n_reps) < 0.92)
        m, r, mo = np.nonzero(np.broadcast_to((span > 0) & with_targets[:, None], goal.shape))
        first = (first_month + mo).astype("datetime64[D]")
        self.insert(
            "targets", f"{_ident('R', 'r', self.rep_width)} as rep_id, month::date as month, "
            f"{_pick(['contract_amount', 'payment_amount'], 'm')} as measure, {_money('goal')} as amount",
            r=r, month=first, m=m, goal=goal[m, r, mo].astype(np.int64))

    def run(self) -> None:
        steps = [self.teams_and_reps, self.products_and_stages, self.customers, self.contract_headers,
                 self.contract_lines, self.opportunities, self.purchases, self.expenses,
                 self.follow_ups, self.targets, self.settle_customers]
        for step in steps:
            step()

    def settle_customers(self) -> None:
        counted = ~self.c_void
        nc = len(self.t_own)
        bought = np.bincount(self.c_customer[counted], minlength=nc) > 0
        last_buy = np.full(nc, -1)
        np.maximum.at(last_buy, self.c_customer[counted], self.c_day[counted])
        self.insert_customers(bought, last_buy)


# -- planted events (--plant-events) ----------------------------------------------------
# Known events planted into an otherwise normal history, so that the early warnings
# (/alerts) can be measured against them (benchmarks/alerts.py). Each is a few SQL edits of
# the staged tables after the company is generated; its subject is chosen by a fixed order
# (ties by id), so a seed and an end date plant the same events every time. Each event's
# first statement creates the temp table ``planted`` (its subject: subject_id plus the ids
# the warnings may name, rep_id, team_id); the others edit the staged rows. $end is the
# generator's last day.
PLANTS = (
    ("vip_stops_buying", "customer", (
        # the biggest frequent buyer of the last two years (purchases on 12+ days) stops
        # buying: its contracts of the last 120 days are voided, their plans and payments go
        """create or replace temp table planted as
           select customer_id as subject_id, max(rep_id) as rep_id, null as team_id
           from staging.contracts
           where status = 'active' and signed_on > $end::date - 730
           group by customer_id
           having count(distinct signed_on) >= 12
           order by sum(amount) desc, customer_id limit 1""",
        """create or replace temp table voided as
           select contract_id from staging.contracts
           where customer_id = (select subject_id from planted) and signed_on > $end::date - 120""",
        "delete from staging.payments where contract_id in (select contract_id from voided)",
        "delete from staging.payment_plans where contract_id in (select contract_id from voided)",
        "update staging.contracts set status = 'void' where contract_id in (select contract_id from voided)",
    )),
    ("rep_follow_ups_halve", "rep", (
        # the active rep with the most follow-ups in the 180 days before the last 30 loses
        # every second follow-up of the last 30 days
        """create or replace temp table planted as
           select a.rep_id as subject_id, a.rep_id, null as team_id
           from staging.activities as a
           join staging.reps as r on r.rep_id = a.rep_id
           where r.active and a.occurred_at::date > $end::date - 210 and a.occurred_at::date <= $end::date - 30
           group by a.rep_id
           order by count(*) desc, a.rep_id limit 1""",
        """delete from staging.activities where activity_id in (
               select activity_id from (
                   select activity_id, row_number() over (order by occurred_at, activity_id) as n
                   from staging.activities
                   where rep_id = (select subject_id from planted) and occurred_at::date > $end::date - 30
               ) where n % 2 = 0)""",
    )),
    ("product_cost_jumps", "product", (
        # the product with the most revenue in the last year, among those received in the
        # last 60 days: those receipts cost 30% more
        """create or replace temp table planted as
           select i.product_id as subject_id, null as rep_id, null as team_id
           from staging.contract_items as i
           join staging.contracts as c on c.contract_id = i.contract_id
           where c.status = 'active' and c.signed_on > $end::date - 365
             and i.product_id in (select product_id from staging.purchases where received_on > $end::date - 60)
           group by i.product_id
           order by sum(i.amount) desc, i.product_id limit 1""",
        """update staging.purchases set unit_cost = round(unit_cost * 1.3, 4)
           where product_id = (select subject_id from planted) and received_on > $end::date - 60""",
    )),
    ("product_stops_selling", "product", (
        # the product with the most lines in the last 120 days (other than the one whose
        # cost jumped) stops selling: customers switch to its new model (a new product, same
        # category and price, "<id>-N"), which takes those lines and receives their quantity
        # the day before at the old model's latest cost; the old model's receipts keep arriving
        """create or replace temp table planted as
           select i.product_id as subject_id, null as rep_id, null as team_id,
                  i.product_id || '-N' as successor_id
           from staging.contract_items as i
           join staging.contracts as c on c.contract_id = i.contract_id
           where c.signed_on > $end::date - 120
             and i.product_id not in (select subject_id from plants where event = 'product_cost_jumps')
           group by i.product_id
           order by count(*) desc, i.product_id limit 1""",
        """insert into staging.products (product_id, name, category, unit, list_price, _row)
           select pl.successor_id, p.name || ' 新款', p.category, p.unit, p.list_price,
                  (select max(_row) + 1 from staging.products)
           from staging.products as p
           join planted as pl on pl.subject_id = p.product_id""",
        """insert into staging.purchases (purchase_id, product_id, received_on, quantity, unit_cost, _row)
           select 'G-PLANT-1', pl.successor_id, $end::date - 121, sum(i.quantity),
                  (select unit_cost from staging.purchases where product_id = pl.subject_id
                   order by received_on desc, purchase_id desc limit 1),
                  (select max(_row) + 1 from staging.purchases)
           from staging.contract_items as i
           join staging.contracts as c on c.contract_id = i.contract_id
           cross join planted as pl
           where i.product_id = pl.subject_id and c.signed_on > $end::date - 120 and i.quantity > 0
           group by pl.successor_id, pl.subject_id""",
        """update staging.contract_items set product_id = (select successor_id from planted)
           where product_id = (select subject_id from planted)
             and contract_id in (select contract_id from staging.contracts where signed_on > $end::date - 120)""",
    )),
    ("team_payments_slip", "team", (
        # the sub-team with the most payments in the last year: every payment of its reps'
        # contracts due in the last 60 days slips past the end of the history
        """create or replace temp table planted as
           select r.team_id as subject_id, null as rep_id, r.team_id
           from staging.payments as p
           join staging.contracts as c on c.contract_id = p.contract_id
           join staging.reps as r on r.rep_id = c.rep_id
           join staging.teams as t on t.team_id = r.team_id
           where t.parent_team_id is not null and p.paid_on > $end::date - 365
           group by r.team_id
           order by sum(p.amount) desc, r.team_id limit 1""",
        """delete from staging.payments
           where paid_on > $end::date - 60
             and contract_id in (select c.contract_id from staging.contracts as c
                                 join staging.reps as r on r.rep_id = c.rep_id
                                 where r.team_id = (select subject_id from planted))""",
    )),
    ("large_deal_stalls", "opportunity", (
        # the largest open deal stalls: its history moves 120 days back and its expected
        # close is 45 days past
        """create or replace temp table planted as
           select o.opportunity_id as subject_id, o.rep_id, null as team_id
           from staging.opportunities as o
           join staging.stages as s on s.stage = o.stage
           where s.kind = 'open' and o.closed_on is null
           order by o.amount desc, o.opportunity_id limit 1""",
        """update staging.opportunities
           set created_at = created_at - interval 120 day, expected_close_on = $end::date - 45
           where opportunity_id = (select subject_id from planted)""",
        """update staging.opportunity_stage_history
           set entered_at = entered_at - interval 120 day, exited_at = exited_at - interval 120 day
           where opportunity_id = (select subject_id from planted)""",
    )),
)


def plant_events(con: duckdb.DuckDBPyConnection, end: date) -> list[dict]:
    """Plant PLANTS into ``staging.*``; return one dict per event: event, subject_type,
    subject_id, rep_id, team_id (the ids a warning about it may name)."""
    con.execute("create or replace temp table plants "
                "(event varchar, subject_type varchar, subject_id varchar, rep_id varchar, team_id varchar)")
    for event, subject_type, statements in PLANTS:
        for sql in statements:
            con.execute(sql, {"end": end} if "$end" in sql else None)
        con.execute("insert into plants select $event, $type, subject_id, rep_id, team_id from planted",
                    {"event": event, "type": subject_type})
    columns = ("event", "subject_type", "subject_id", "rep_id", "team_id")
    return [dict(zip(columns, row, strict=True)) for row in con.execute("select * from plants").fetchall()]


def fill_demo(con: duckdb.DuckDBPyConnection, scale: str = "demo", seed: int = 42,
              end: date | None = None, progress: bool = True, planted: list | None = None) -> dict[str, int]:
    """Write the synthetic company into ``staging.*``; return rows per table. With a list
    ``planted``, also plant the known events (PLANTS) and append them to it."""
    company = _Company(con, SCALES[scale], seed, end or date.today(), progress)
    company.run()
    if planted is not None:
        planted.extend(plant_events(con, company.end))
    return dict(company.rows)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m data.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=list(SCALES), default="demo")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end", type=date.fromisoformat, default=date.today(), help="last day (YYYY-MM-DD)")
    parser.add_argument("--out", type=Path, default=None, help="warehouse file (default: the app's)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--plant-events", action="store_true",
                        help="plant known events for the early warnings (benchmarks/alerts.py)")
    args = parser.parse_args(argv)
    out = args.out or warehouse.warehouse_path()
    started = time.monotonic()
    planted = [] if args.plant_events else None
    try:
        info = warehouse.build(
            out, lambda con: fill_demo(con, args.scale, args.seed, args.end, progress=not args.quiet, planted=planted),
            source=f"demo:{args.scale}:{args.seed}", progress=not args.quiet)
    except (warehouse.WriteError, warehouse.JudgeError) as e:
        print(e.message(os.environ.get("CRM_LANG")), file=sys.stderr)
        raise SystemExit(1) from None
    width = max(len(t) for t in info["rows"])
    for table, count in info["rows"].items():
        print(f"{table:<{width}} {count:>12,}")
    for event in planted or ():
        print(f"planted {event['event']}: {event['subject_type']} {event['subject_id']}")
    print(f"{out}: as of {info['as_of']}, built in {time.monotonic() - started:.1f} s")
    return info


if __name__ == "__main__":
    main()
