"""Registered company names as firm names: 深圳市钱爸爸电子商务有限公司 -> 钱爸爸.

News and police notices name a firm by its registered name (region, trade name, line of business,
有限公司), often with the short name the public knows it by in brackets after it
(上海中赢金融信息服务有限公司（中赢金融）, 杭州优杨投资管理有限公司（即佑米金融）). Such a name is a firm
by its form, so public_risk may anchor on it when no platform name is found (rules.md: a named
platform or firm). The trade name is what is left of the words before 有限公司 once the line of
business is taken off the end and the region off the front; the bracketed short name wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

# the legal form: 有限公司, 有限责任公司, 股份有限公司
_FORM = re.compile(r"(?:股份)?有限(?:责任)?公司")
# the short name in brackets right after the form: （中赢金融）, （即佑米金融）, （钱爸爸平台）
# (brackets as written, full or half width; 资易贷(北京)金融信息服务有限公司(小资钱包p2p平台，法定代表人…))
# the words that declare a short name (简称, 下称 ...): here and in entity_event.declared_name
DECLARING = "以下简称|以下称|简称|下称"
_ALIAS = re.compile(r"[（(](?:即|" + DECLARING + r")?([\u4e00-\u9fffa-z0-9]{2,12}?)(?:p2p|网贷)?"
                    r"(?:平台|母公司)?[）)，,、]")
_RUN = re.compile(r"[\u4e00-\u9fffa-z0-9（）()]{1,30}$")
# lines of business that end a registered name (taken off its end)
BUSINESS = frozenset({
    "电子商务", "商务", "信息", "服务", "信息服务", "金融信息", "金融服务", "金融", "投资",
    "控股", "投资控股", "投资管理", "资产管理", "财富管理", "管理", "咨询", "投资咨询", "科技",
    "科技股份", "网络", "网络科技", "信息科技", "互联网", "集团", "股份", "区块", "链", "区块链",
    "贸易", "实业", "发展", "技术", "电子", "文化", "传媒", "商贸", "供应链", "融资租赁", "租赁",
    "担保", "小额贷款", "典当", "保理", "商业保理", "基金", "基金管理", "资本", "经纪", "代理",
    "餐饮", "物业", "房地产", "置业", "建设", "建筑", "教育", "医疗", "健康", "农业", "生物",
    "食品", "酒店", "旅游", "汽车", "物流", "制造", "工程", "装饰", "广告", "企业管理",
})
# a registered name in one of these lines is a financial firm's
FINANCE_LINE = re.compile(r"金融|投资|资产|财富|理财|资本|基金|贷|担保|保理|租赁|典当|众筹|支付|"
                          r"交易所|交易中心|区块链|金服|金控|钱包|银行|信托|证券|期货|保险")
_BUSINESS_LONGEST_FIRST = sorted(BUSINESS, key=len, reverse=True)
# regions that begin a registered name (taken off its front; a name stops there)
REGIONS = frozenset({
    "上海", "北京", "深圳", "天津", "重庆", "广东", "广州", "浙江", "杭州", "江苏", "南京",
    "山东", "青岛", "福建", "厦门", "福州", "湖北", "武汉", "湖南", "长沙", "四川", "成都",
    "河南", "郑州", "河北", "安徽", "合肥", "江西", "南昌", "陕西", "西安", "云南", "昆明",
    "辽宁", "沈阳", "大连", "吉林", "黑龙江", "广西", "贵州", "海南", "山西", "内蒙古",
    "宁波", "温州", "苏州", "无锡", "东莞", "佛山", "香港", "中国", "全国",
})
# words that stand before a name in a sentence, never in it (对|深圳市钱爸爸..., 以涉嫌...)
_BEFORE = frozenset("对以向的在与和被将把是由及等为称即了从给据经")
MIN_NAME, MAX_NAME = 2, 8


def is_region(word: str) -> bool:
    """Is `word` a region that begins a registered name (上海, 朝阳区)?"""
    return word in REGIONS or (len(word) >= 2 and word[-1] in "省市区县")


def trade_name(words: list[str]) -> str:
    """The trade name in the words before a legal form, or "" (see the module docstring)."""
    words = list(words)
    while words and words[-1] in BUSINESS:
        words.pop()
    if words:   # jieba may join the line of business to the name (易商通科技)
        words[-1] = _strip_business(words[-1])
    name: list[str] = []
    depth = 0
    while words:
        w = words.pop()
        if w in "）)":         # a region in brackets: 资邦（上海）投资控股
            depth += 1
            continue
        if w in "（(":
            depth -= 1
            if depth < 0:
                break
            continue
        if depth:
            continue
        if is_region(w) or w in _BEFORE or (len(w) > 3 and not name):
            break
        if sum(map(len, name)) + len(w) > MAX_NAME:
            break
        name.insert(0, w)
    text = "".join(name)
    return text if len(text) >= MIN_NAME else ""


def _strip_business(word: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for b in _BUSINESS_LONGEST_FIRST:
            if word.endswith(b) and len(word) - len(b) >= MIN_NAME:
                word, stripped = word[:-len(b)], True
                break
    return word


def company_names(t: str, cut: Callable[[str], Iterable[str]], lo: int = 0,
                  hi: int | None = None) -> Iterator[tuple[str, int, bool]]:
    """(name, offset, financial) of each registered company name in t[lo:hi]: the bracketed
    short name after it when there is one, else its trade name; financial when the registered
    name or the short name says a line of finance (FINANCE_LINE)."""
    hi = len(t) if hi is None else hi
    for form in _FORM.finditer(t, lo, hi):
        run = _RUN.search(t, max(0, form.start() - 30), form.start())
        registered = run.group() if run else ""
        alias = _ALIAS.match(t, form.end())
        if alias:
            financial = bool(FINANCE_LINE.search(registered + alias.group(0)))
            yield alias.group(1), alias.start(1), financial
            continue
        if run is None:
            continue
        name = trade_name(list(cut(registered)))
        if name:
            start = t.rfind(name, run.start(), form.start())
            if start >= 0:
                yield name, start, bool(FINANCE_LINE.search(t[start:form.start()]))
