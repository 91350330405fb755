"""Enterprise records: the restricted words of plan clause 三(一) in names and business scopes,
and the operator named in a site's footer.

A licensed institution (exact name, from the licensed list) is exempt; 基金会 is a charity, not a
fund; a scope that names a restricted word only to exclude it (不含投资管理、资产管理等金融业务)
is not a finding.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import segment
from .automaton import KeywordAutomaton
from .normalize import normalize
from .rules import Rule

# Clause delimiters of a business scope; 、 is not one (不含投资管理、资产管理 is one clause).
_SCOPE_CLAUSE = re.compile(r"[；;。，,（）()\n]")


def licensed_key(name: str) -> str:
    """Names compare after normalization (full-width brackets, spaces, traditional forms)."""
    return normalize(name.strip()).text.replace(" ", "")


def load_licensed(path: Path | None) -> frozenset[str]:
    """Exact names of licensed institutions, one per line; # starts a comment.

    A configured file that is missing is an error: silently exempting nobody would flag every
    licensed bank in the city.
    """
    if path is None:
        return frozenset()
    if not Path(path).is_file():
        raise FileNotFoundError(f"licensed institutions file not found: {path}")
    names = set()
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(licensed_key(line))
    return frozenset(names)


class RestrictedMatcher:
    """Aho-Corasick over the 16 restricted words, with look-alike exclusions."""

    def __init__(self, rule: Rule | None, context: dict[str, tuple[str, ...]]) -> None:
        self.rule = rule
        self._scope_excl = context.get("scope_exclusion", ())
        self._auto: KeywordAutomaton[tuple[tuple[str, str], ...]] = KeywordAutomaton(())
        self._known: frozenset[str] = frozenset()
        if rule is None:
            return
        entries: dict[str, list[tuple[str, str]]] = {}
        for t in rule.terms:
            entries.setdefault(t.text, []).append(("t", t.text))
            for x in t.exclude:
                entries.setdefault(x, []).append(("x", t.text))
        for x in rule.exclude:
            entries.setdefault(x, []).append(("x", ""))
        self._auto = KeywordAutomaton((k, tuple(v)) for k, v in entries.items())
        self._known = frozenset(t.text for t in rule.terms)
        self._boundary = {t.text: t.boundary for t in rule.terms}

    def find(self, value: str, tok: object, scope: bool = False) -> list[tuple[int, int, str]]:
        """(start, end, normalized term) in `value` as given, longest terms only."""
        if self.rule is None or not value:
            return []
        norm = normalize(value)
        t = norm.text
        hits: list[tuple[int, int, str]] = []
        excl: list[tuple[int, int, str]] = []
        for start, end, entries in self._auto.find(t):
            for kind, term in entries:
                (hits if kind == "t" else excl).append((start, end, term))
        kept: list[tuple[int, int, str]] = []
        for s, e, term in sorted(hits, key=lambda h: (h.__getitem__(0), -h[1])):
            if any(xs <= s and e <= xe and (not xt or xt == term) for xs, xe, xt in excl):
                continue
            if any(ks <= s and e <= ke for ks, ke, _ in kept):
                continue  # 基金 inside 基金管理: one finding
            if self._boundary.get(term) and not self._on_boundary(tok, t, s, e):
                continue
            if scope and self._excluded_in_scope(t, s, e):
                continue
            kept.append((s, e, term))
        out = []
        for s, e, term in kept:
            os_, oe = norm.span(s, e)
            out.append((os_, oe, term))
        return out

    def _on_boundary(self, tok: object, t: str, s: int, e: int) -> bool:
        ws, we = max(0, s - 6), min(len(t), e + 6)
        return segment.on_boundaries(tok, t[ws:we], s - ws, e - ws, self._known)

    def _excluded_in_scope(self, t: str, s: int, e: int) -> bool:
        cs = 0
        for m in _SCOPE_CLAUSE.finditer(t, 0, s):
            cs = m.end()
        m = _SCOPE_CLAUSE.search(t, e)
        ce = m.start() if m else len(t)
        clause = t[cs:ce]
        before = t[cs:s]
        if "除外" in t[e:ce]:
            return True
        return any(w in before for w in self._scope_excl) or clause.startswith(("非", "不"))


# -- the site operator ----------------------------------------------------------------------

_ORG_SUFFIX = (r"(?:有限责任公司|股份有限公司|有限公司|分公司|公司|集团|交易所|交易中心|中心|事务所|"
               r"合作社|银行|研究院|研究所|协会|商行|工作室|网络|科技|平台|商会|委员会|办公室)")
_NAME = rf"[\u4e00-\u9fff\u3400-\u4dbf（）()A-Za-z0-9·&]{{2,40}}?{_ORG_SUFFIX}"
_HAN_RUN = r"[\u4e00-\u9fff\u3400-\u4dbf（）()A-Za-z0-9·]{2,30}"
_YEARS = r"(?:\d{4}\s*(?:[-–—~]\s*\d{4})?\s*(?:年)?)?"

_OPERATOR_PATTERNS = [
    re.compile(rf"(?:主办单位|主办方|运营方|运营单位|运营主体|运营商|经营者|主体名称|网站主办者)"
               rf"\s*[:：]\s*(?P<name>{_HAN_RUN})"),
    re.compile(rf"版权所有\s*[:：]?\s*(?:©|\(c\)|copyright)?\s*{_YEARS}\s*(?P<name>{_HAN_RUN})",
               re.I),
    re.compile(rf"(?:©|\(c\)|copyright)\s*(?:©|\(c\))?\s*{_YEARS}\s*(?P<name>{_HAN_RUN})", re.I),
    re.compile(rf"(?P<name>{_NAME})\s*(?:[|｜]\s*)?(?:版权所有|all rights reserved)", re.I),
    re.compile(rf"(?P<name>{_NAME})\s*(?:[|｜]\s*)?(?:ICP备案[:：]?\s*)?"
               rf"[\u4e00-\u9fff]ICP[备證证]"),
    re.compile(rf"ICP[备證证][案]?[:：]?\s*[\u4e00-\u9fff]?ICP[备證证]?\s*\d+号(?:-\d+)?\s*"
               rf"(?P<name>{_NAME})"),
    # an about-us line: 禾丰贷由深圳前海鼎禾金融信息服务有限公司运营; 公司全称：成都金穗互联网金融服务有限公司
    re.compile(rf"由(?P<name>{_NAME})(?:负责|独家|全资)?运营"),
    re.compile(rf"(?:公司|企业)全称\s*[:：]\s*(?P<name>{_NAME})"),
    re.compile(rf"(?P<name>{_NAME})旗下(?:的)?(?:平台|产品|网站|品牌)"),
]
_TRAILING = re.compile(r"(?:版权所有|保留所有权利|all rights reserved|[\u4e00-\u9fff]ICP.*)$",
                       re.I)


FOOTER_REACH = 120
# 版权所有|©|\(c\)|copyright|主办|运营|ICP|经营者|全称|旗下, in any letter case (re.I also takes
# İ and ı for i). Written as the first character, then the rest of the word that character
# begins: a pattern that starts with a plain class lets the regex engine skip the rest of a
# page in a tight loop, about three times faster than the alternation with re.I.
_I = "[iIİı]"
_FOOTER_MARK = re.compile(
    rf"[版©(cC主运iIİı经全旗](?:(?<=版)权所有|(?<=©)|(?<=\()[cC]\)|(?<=[cC])[oO][pP][yY][rR]{_I}[gG][hH][tT]"
    rf"|(?<=主)办|(?<=运)营|(?<={_I})[cC][pP]|(?<=经)营者|(?<=全)称|(?<=旗)下)")


def find_operator(text: str) -> tuple[str, int] | None:
    """(operator name, offset in text) from footer lines and about-us lines (由…运营, 公司全称,
    …旗下平台), or None; the last one wins when a page has several (the footer is at the end)."""
    best: tuple[str, int] | None = None
    done_upto = -1
    for mark in _FOOTER_MARK.finditer(text):
        if mark.start() < done_upto:
            continue  # this line was read already
        # the footer line around the mark, at most FOOTER_REACH characters each way: a
        # megabyte "line" must not be searched once per mark
        lo = max(0, mark.start() - FOOTER_REACH)
        ls = text.rfind("\n", lo, mark.start()) + 1 or lo
        le = text.find("\n", mark.end(), mark.end() + FOOTER_REACH)
        le = min(len(text), mark.end() + FOOTER_REACH) if le < 0 else le
        done_upto = le
        line = text[ls:le]
        for pat in _OPERATOR_PATTERNS:
            m = pat.search(line)
            if not m:
                continue
            name = _TRAILING.sub("", m.group("name")).strip()
            if len(name) >= 2:
                best = (name, ls + m.start("name"))
                break
    return best
