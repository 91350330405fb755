"""Rates as they are written in ads and posts, turned into percent per year.

Works on the normalized text (half-width digits, simplified characters). A rate is a number
with a unit after a period keyword found by the automaton: 年化18%, 月息两分, 日息千分之一,
年化十二个点, 年化12%-15%, 年回报三成. Monthly rates are multiplied by 12, weekly rates by 52
and daily rates by 365 (rules.md, "Conversions", which names no weekly rate: 每周收益2% is a
week's, a 52nd of a year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM_CHARS = "零〇一二两三四五六七八九十百千"

_NUM = rf"(?:\d+(?:\.\d+)?|[{CN_NUM_CHARS}]+(?:点[{CN_NUM_CHARS}]+)?)"
_RANGE_SEP = r"\s*(?:-|~|至|到|—|－)\s*"
# 分 with a tenth after it is colloquial too: 月息一分二 = 1.2% a month, 两分五 = 2.5%
_UNIT = (r"(?:%|个百分点|个点|分半|分[一二三四五六七八九1-9](?![0-9〇零一二两三四五六七八九十百千万元块钟个])"
         r"|分(?![钱钟])|厘(?!米)|成半|成[一二三四五六七八九](?![\u4e00-\u9fff])"
         r"|成(?![\u4e00-\u9fff]))")  # 一分钱 is a cent, 一分钟 a minute,
# 三厘米 a length; 三成 is 30% where no word goes on (not 八成是, 成本)

# One rate expression: 百分之十八 / 千分之一 / 万分之五, or a number with a unit, either of
# them possibly a range (12%-15%, 12-15%, 7%至9%).
RATE_RE = re.compile(
    rf"(?P<frac>百分之|千分之|万分之)(?P<fa>{_NUM})(?:{_RANGE_SEP}(?:百分之|千分之|万分之)?"
    rf"(?P<fb>{_NUM}))?"
    # colloquial 万五 = 万分之五, 千三 = 千分之三 (日息万五); not inside a number (每月一千八)
    r"|(?<![\d〇零一二两三四五六七八九十百])(?P<frac2>万|千)(?P<fc>\d|[一二两三四五六七八九])(?![\d〇零一二两三四五六七八九十百千万元块])"
    rf"|(?P<a>{_NUM})\s*(?P<ua>{_UNIT})?(?:{_RANGE_SEP}(?P<b>{_NUM})\s*(?P<ub>{_UNIT}))?"
)

# per-period value of one "分" and one "厘", in percent (年息一分 = 10%, 月息一分 = 1%,
# 日息一分 = 0.1%; a 厘 is a tenth of that)
_FEN = {"annual": 10.0, "monthly": 1.0, "weekly": 1.0, "daily": 0.1}
_FACTOR = {"annual": 1.0, "monthly": 12.0, "weekly": 52.0, "daily": 365.0}


def cn_number(text: str) -> float | None:
    """Value of an Arabic or Chinese numeral (十二 = 12, 二十四 = 24, 一点五 = 1.5, 两 = 2)."""
    if not text:
        return None
    if text[0].isdigit():
        try:
            return float(text)
        except ValueError:
            return None
    if "点" in text:
        whole, _, frac = text.partition("点")
        w = cn_number(whole) if whole else 0.0
        if w is None or not frac or any(c not in _DIGITS for c in frac):
            return None
        return w + float("0." + "".join(str(_DIGITS[c]) for c in frac))
    if not any(c in _UNITS for c in text):
        # a plain run of digits (二零 = 20) rather than a counted number
        if any(c not in _DIGITS for c in text):
            return None
        return float("".join(str(_DIGITS[c]) for c in text))
    total, current = 0, 0
    for c in text:
        if c in _DIGITS:
            current = _DIGITS[c]
        elif c in _UNITS:
            total += (current or 1) * _UNITS[c]
            current = 0
        else:
            return None
    return float(total + current)


@dataclass(frozen=True)
class Rate:
    start: int          # normalized offsets of the whole expression (keyword excluded)
    end: int
    annual: float       # percent per year
    period: str         # annual, monthly, weekly, daily
    part_start: int     # this end's own number (for the second end of a range)
    part_end: int


def _value(num: str, unit: str | None, period: str) -> float | None:
    v = cn_number(num)
    if v is None:
        return None
    if unit in ("%", "个点", "个百分点"):
        per = v
    elif unit == "分":
        per = v * _FEN[period]
    elif unit == "分半":
        per = (v + 0.5) * _FEN[period]
    elif unit and unit.startswith("分") and len(unit) == 2:
        tenth = cn_number(unit[1])
        if tenth is None:
            return None
        per = (v + tenth / 10) * _FEN[period]
    elif unit == "厘":
        per = v * _FEN[period] / 10
    elif unit == "成":
        per = v * 10  # 年回报三成 = 30%
    elif unit == "成半":
        per = (v + 0.5) * 10  # 一成半 = 15%
    elif unit.startswith("成"):
        tenth = cn_number(unit[1])
        if tenth is None:
            return None
        per = (v + tenth / 10) * 10  # 一成五 = 15%
    else:
        return None
    return round(per * _FACTOR[period], 4)


_MINUS = "-－−负"


def parse_rates(text: str, pos: int, period: str, max_gap: int, stop: str) -> list[Rate]:
    """Rates written after a period keyword that ends at `pos` (at most `max_gap` chars later).

    The first number that carries a rate unit wins; a clause delimiter in `stop` ends the search.
    """
    limit = min(len(text), pos + max_gap + 1)
    i = pos
    while i < limit:
        c = text[i]
        if c in stop:
            if c == "\n" and len(text[pos:i].strip(" :\t")) <= 4:
                i += 1  # a table cell: 预期年化收益率\n12.00%
                continue
            return []
        if c.isdigit() or c in CN_NUM_CHARS or c in "百千万":
            if i > pos and text[i - 1] in _MINUS:
                return []  # 收益率-15%: a loss reported, not a return promised
            m = RATE_RE.match(text, i)
            if m and m.end() > i:
                found = _from_match(m, period)
                if found:
                    return found + _listed(text, found[-1].end, period)
                if c.isdigit():
                    return []  # a number without a rate unit: not a rate (期限3个月)
        i += 1
    return []


# the next item of a list of rates: 年化4.2%、月盈计划7.5%、年盈计划11.8% (a product's name of up
# to 8 characters, then a percentage)
_LIST_ITEM = re.compile(r"、[\u4e00-\u9fffA-Za-z]{0,8}(?=\d)")
# items read after one keyword: a price list has a handful; a hostile page can repeat
# "年化1%、" a million times, and every keyword before it would walk the rest of the run
MAX_LIST_ITEMS = 12


def _listed(text: str, pos: int, period: str) -> list[Rate]:
    """The further percentages of a list that goes on after a rate ending at `pos`: one keyword
    prices every product of the list. Only 、 joins items, and only a % counts as a rate."""
    out: list[Rate] = []
    while len(out) < MAX_LIST_ITEMS and (item := _LIST_ITEM.match(text, pos)) is not None:
        m = RATE_RE.match(text, item.end())
        if not m or "%" not in (m.group("ua") or "", m.group("ub") or ""):
            break
        rates = _from_match(m, period)
        if not rates:
            break
        out += rates
        pos = m.end()
    return out


def _from_match(m: re.Match[str], period: str) -> list[Rate]:
    if m.group("frac"):
        scale = {"百分之": 1.0, "千分之": 0.1, "万分之": 0.01}[m.group("frac")]
        out = []
        for g in ("fa", "fb"):
            if m.group(g):
                v = cn_number(m.group(g))
                if v is None:
                    return []
                annual = round(v * scale * _FACTOR[period], 4)
                first = g == "fa"
                out.append(Rate(m.start(), m.end(), annual, period,
                                m.start() if first else m.start(g), m.end(g)))
        return out
    if m.group("frac2"):
        v = cn_number(m.group("fc"))
        if v is None:
            return []
        scale = 0.01 if m.group("frac2") == "万" else 0.1
        annual = round(v * scale * _FACTOR[period], 4)
        return [Rate(m.start(), m.end(), annual, period, m.start(), m.end())]
    unit_b = m.group("ub")
    unit_a = m.group("ua") or unit_b
    if not unit_a:
        return _bare_annual(m, period)
    if unit_a[0] in "分厘" and m.group("a")[0].isdigit() and period == "annual":
        return []  # 年化3分 is not how annual rates are written; 3分 is likely a score
    va = _value(m.group("a"), unit_a, period)
    if va is None:
        return []
    out = [Rate(m.start(), m.end(), va, period, m.start("a"), m.end("ua") if m.group("ua")
                else m.end("a"))]
    if m.group("b"):
        vb = _value(m.group("b"), unit_b, period)
        if vb is not None:
            out.append(Rate(m.start(), m.end(), vb, period, m.start("b"), m.end()))
    return out


def _bare_annual(m: re.Match[str], period: str) -> list[Rate]:
    """年化十五, 年化二十：an annual rate said in Chinese numerals with no unit, where no word
    goes on after it (not 年化十五天), the figure is one a promise would name (6 to 100) and it
    is written as a number is (二十, 十五; not 保底歪了个七七)."""
    num = m.group("a")
    if period != "annual" or m.group("b") or "十" not in num:
        return []
    after = m.string[m.end():m.end() + 1]
    v = cn_number(num)
    if v is None or not 6 <= v <= 100 or "\u4e00" <= after <= "\u9fff":
        return []
    return [Rate(m.start(), m.end(), float(v), period, m.start("a"), m.end("a"))]


_CELL_SEP = re.compile(r"[ \t]*[|\t][ \t]*")
TABLE_ROWS = 30  # rows of a flattened table read below a header
MAX_TABLE_LINE = 2000  # characters: a longer line is running text, not a table header or row


def _cells(text: str, ls: int, le: int) -> list[tuple[int, int]]:
    """(start, end) of the cells of the line text[ls:le], split at | or tabs."""
    out, pos = [], ls
    for m in _CELL_SEP.finditer(text, ls, le):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, le))
    return out


def column_rates(text: str, kw_start: int, kw_end: int, period: str) -> list[Rate]:
    """Rates in the column of a flattened table whose header cell holds the keyword:

        产品 | 期限 | 预期年化
        金穗宝1号 | 3个月 | 9.2%

    Rows below the header with the same number of cells are read, up to TABLE_ROWS; a cell
    counts only when it is a rate with a unit and nothing else.
    """
    ls = text.rfind("\n", max(0, kw_start - MAX_TABLE_LINE), kw_start) + 1
    le = text.find("\n", kw_end, kw_end + MAX_TABLE_LINE)
    if le < 0:
        le = len(text) if len(text) - kw_end <= MAX_TABLE_LINE else -1
    if le < 0 or kw_start - ls >= MAX_TABLE_LINE:
        return []  # no table header is that long; scanning it per keyword would be quadratic
    header = _cells(text, ls, le)
    if len(header) < 2:
        return []
    col = next((i for i, (s, e) in enumerate(header) if s <= kw_start and kw_end <= e), None)
    if col is None:
        return []
    out: list[Rate] = []
    pos = le
    for _ in range(TABLE_ROWS):
        if pos >= len(text):
            break
        rs = pos + 1
        re_ = text.find("\n", rs, rs + MAX_TABLE_LINE)
        if re_ < 0:
            re_ = len(text) if len(text) - rs <= MAX_TABLE_LINE else -1
        if re_ < 0:
            break  # a "row" longer than any table row: the table ended
        pos = re_
        row = _cells(text, rs, re_)
        if len(row) != len(header):
            break  # the table ended
        cs, ce = row[col]
        cell = text[cs:ce].strip()
        if not cell:
            continue
        cs += len(text[cs:ce]) - len(text[cs:ce].lstrip())
        m = RATE_RE.match(text, cs)
        if not m or m.end() != cs + len(cell):
            continue
        out.extend(r for r in _from_match(m, period) if r.part_end > r.part_start
                   and (m.group("ua") or m.group("ub") or m.group("frac") or m.group("frac2")))
    return out
