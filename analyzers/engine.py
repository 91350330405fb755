"""The rule engine: normalize, match, judge the context, read rates.

    normalize (OpenCC + translate + separator removal, with an offset map)
      -> one Aho-Corasick pass over the normalized text: terms, look-alikes, pattern anchors
         and rate keywords all come out of the same scan
      -> nothing of a rule found: return (the common case, and the cheap one)
      -> per candidate: look-alike exclusions, negation just before it, jieba word boundaries
         in a small window, warning/report/complaint cue words in its sentence or document
         (a second automaton, run only there: see context.py)
      -> rates after rate keywords, annualized, judged as return or borrowing cost
      -> findings with evidence and offsets in the text as given

An Analyzer is built once (rules, automaton, jieba dictionary) and is read-only afterwards, so
threads may share it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import enterprise as ent
from . import pinyin, segment
from . import platform as plat
from .automaton import KeywordAutomaton
from .context import (
    CUE_KINDS,
    GAP_STOP,
    POST_CONTEXT_CHARS,
    QUOTES,
    SENT_DELIMS,
    Doc,
    masking_values,
    negation_re,
)
from .entity_event import EntityEventMatcher
from .finding import Finding
from .hits import Hit, inside, merge, near_licensed, outermost, word_outside
from .normalize import normalize
from .offer_gate import GATE_FILE, OfferGate
from .opinion import MODEL_FILE, PLATFORMS_FILE, Opinion, OpinionModel, load_platforms
from .rates import column_rates, parse_rates
from .rules import RULE_KINDS, Rule, RuleSet, Term, load_rules

KINDS = ("ad", "page", "post", "news", "notice")
PUBLIC_RISK_KINDS = ("post", "news", "notice", "page")
# A post or news story that reports trouble at a platform quotes its old claims (说好的保本保息,
# 年化12%的产品无法兑付, 0元购的路由器): rules.md gives such a text public_risk only, never rules 1-8.
# A platform's own notice (notice) and its pages (page) still answer for what they promise.
TROUBLE_REPORT_KINDS = ("post", "news")
# Kinds of text that report on others; with a report cue anywhere, quoted claims are not offers.
# A news text is a report as such: an advertorial in a news feed is marked ([推广], 【广告】).
REPORT_KINDS = ("news", "notice")
# Kinds of text whose first sentence is a headline: a warning there (警惕配资陷阱！) makes the
# whole text a warning. Not ads and pages: an ad may use 谨防 to look trustworthy, and a page
# starts with its navigation.
HEADLINE_KINDS = ("post", "notice", "news")
# How close (normalized characters) before a rate an offer of credit must be for the rate to
# be its price.
LENDING_NEAR = 30
# Candidates judged per rule (terms, and the anchors of each pattern) and rate keywords read per
# text. A real page has a handful; an adversarial one repeats a term millions of times, and
# every later step (look-alikes, nesting, merging) must stay linear in the text.
MAX_CANDIDATES = 200
# the word of a referral scheme: with it, 静态收益 and 动态收益 are two offers (_one_everyday_offer)
REFERRAL = ("推荐", "介绍")
# A contact that a post gives (a link, a mobile number, a QQ number, a messaging handle such as
# v：wz_365) is a call to act, like the offer_cues words (the text is normalized: ASCII digits,
# lower case).
CONTACT_RE = re.compile(r"https?://|www\.|\.com\b|(?<!\d)1[3-9]\d{9}(?!\d)|qq[:：\s]*\d{5,}"
                        r"|(?<![a-z])(v|vx|wx|微信|威信|薇信|qq|扣扣)\s*[:：]\s*[a-z0-9_-]{4,}")
DEFAULT_MAX_TEXT_CHARS = 1_000_000
# A term that is the whole of a quotation named by a verb of naming is a word, not a thing
# done or offered: 班长收班费被我们称为'非法集资', 社团的会费叫做「非法集资」 (_named_as_word).
_NAMING = re.compile(r"(叫做|叫作|称为|称作|称之为|戏称|戏称为|说成|当成|管这叫|美其名曰|外号|念成|读成|"
                     r"听成|看成|写成)\s*$")
# a quotation in a post: what someone else said or wrote (_others_words)
_QUOTATION = re.compile(r'“[^“”]{1,120}”|「[^「」]{1,120}」|『[^『』]{1,120}』|"[^"]{1,120}"|'
                        r"'[^'\n]{1,120}'|‘[^‘’]{1,120}’")
_OPEN_QUOTES, _CLOSE_QUOTES = "“\"'「『‘", "”\"'」』’"
# Reported speech in a post: someone else's words told without quotation marks, between a verb
# of speaking to the poster and the poster's own answer (同事问我首付贷能不能碰，我说先攒首付;
# 陌生号加我问要不要配资，我回：不用了). Only with the answer: "朋友拉我进了个项目，说半年翻倍，我
# 放了两万" reports a pitch and then vouches for it (_others_words).
_TOLD_ME = re.compile(r"(私信里|加我问|私信问我|问(?!题)|被问|跟我说|对我说|和我说|给我说|找我说|"
                      r"拦[住下]?我说?|拉我|劝我|推荐我|一直推|推销|加我说|私信我说|私信我?[:：]|"
                      r"私信(?=有人|又有|收到)|私信我?(?=[“\"「『'‘])|短信[:：]|打来电话说|"
                      r"(?:又是|又来|接到|来了)[^，。！？:：\s]{0,8}电话|有人推荐)")  # 又是配资电话：'…'
# the poster's answer, or the family's in the poster's telling (我爸当场说不借)
_MY_ANSWER = re.compile(r"我(爸|妈|老公|老婆|媳妇)?(当场|直接|就)?(说|回|回复|答)|我[:：]|回复[:：]"
                        r"|已?拉黑")
REPORTED_CHARS = 80  # how far a verb of speaking reaches to the answer

log = logging.getLogger(__name__)


def _named_as_word(t: str, s: int, e: int) -> bool:
    """Is t[s:e] the whole of a quotation right after a verb of naming (_NAMING), or the head
    of a nickname quoted after 叫 (班长被全班叫'非法集资头子')?"""
    if not (0 < s and e < len(t) and t[s - 1] in _OPEN_QUOTES):
        return False
    if t[s - 2:s - 1] == "叫" and not t[s - 3:s - 1] == "大叫":
        return True
    return t[e] in _CLOSE_QUOTES and _NAMING.search(t, max(0, s - 7), s - 1) is not None


def _reported_speech(t: str) -> list[tuple[int, int]]:
    """Spans of t that tell what someone else said to the poster (_TOLD_ME ... _MY_ANSWER)."""
    told = [m.span() for m in _TOLD_ME.finditer(t)]
    spans: list[tuple[int, int]] = []
    last = 0  # a telling does not reach back past the previous answer
    for m in _MY_ANSWER.finditer(t):
        if any(s <= m.start() < e for s, e in told):
            continue  # the 我说 of 跟我说
        # the verb is part of the telling: 私信问我, 加我问 are the other's acts, not the
        # poster's call to be messaged; the telling starts at its first verb (私信里…有人问)
        before = [s for s, e in told if e <= m.start() and m.start() - e <= REPORTED_CHARS
                  and s >= last]
        if before:
            spans.append((min(before), m.start()))
        last = m.end()
    return spans


def _compared(t: str, s: int, e: int) -> bool:
    """Is t[s:e] the measure of a comparison (这利率比配资还黑, 比首付贷更坑), not a thing
    offered?"""
    return s > 0 and t[s - 1] == "比" and t[e:e + 1] in ("还", "更")


@dataclass
class AnalysisStats:
    """What one analysis did, in steps rather than seconds (tests assert on these)."""

    chars: int = 0              # characters analyzed (after truncation)
    truncated: int = 0          # characters dropped beyond max_text_chars
    candidates: int = 0         # term, anchor and rate-keyword candidates judged
    dropped_candidates: int = 0  # beyond MAX_CANDIDATES, not judged
    regex_calls: int = 0        # pattern regexes run (each in a bounded window)
    regex_chars: int = 0        # characters of those windows together
    offer_gated: bool = False   # a post's rules 1-8 findings dropped by the offer gate


def _capped(items: list[Any], key: Any, stats: AnalysisStats) -> list[Any]:
    """The first MAX_CANDIDATES items of each key (rule, or rule and pattern)."""
    seen: dict[Any, int] = {}
    out = []
    for item in items:
        k = key(item)
        n = seen.get(k, 0)
        seen[k] = n + 1
        if n < MAX_CANDIDATES:
            out.append(item)
        else:
            stats.dropped_candidates += 1
    return out


def line_span(t: str, pos: int) -> tuple[int, int]:
    """[start, end) of the line of t that holds pos."""
    end = t.find("\n", pos)
    return t.rfind("\n", 0, pos) + 1, len(t) if end < 0 else end


class Analyzer:
    """Text in, findings out. Build once; `analyze` is cheap and thread-safe."""

    def __init__(self, rules_file: Path | str, licensed_file: Path | str | None = None,
                 enabled_rules: list[str] | tuple[str, ...] | None = None,
                 rate_high: float = 10.0, rate_warning: float = 6.0,
                 userdict: Path | str | None = None, cache_dir: Path | str | None = None,
                 max_text_chars: int = DEFAULT_MAX_TEXT_CHARS,
                 opinion_model: Path | str | None = MODEL_FILE,
                 offer_gate: Path | str | None = GATE_FILE,
                 platforms_file: Path | str | None = PLATFORMS_FILE,
                 platforms: Iterable[str] = ()) -> None:
        self.rules_file = Path(rules_file)
        self.max_text_chars = int(max_text_chars)
        self.ruleset: RuleSet = load_rules(self.rules_file)
        self.rules: dict[str, Rule] = self.ruleset.rules
        # no list (or an empty one): every rule of the file
        self.enabled = frozenset(enabled_rules or self.rules)
        # the matchers a rule runs in are chosen by the kinds it names, never by its id
        self._by_kind: dict[str, tuple[str, ...]] = {
            kind: tuple(rid for rid, r in self.rules.items() if kind in r.kinds
                        and rid in self.enabled)
            for kind in RULE_KINDS
        }
        self._rate_rule = next(iter(self._by_kind["rate"]), None)
        self.rate_high = float(rate_high)
        self.rate_warning = float(rate_warning)
        self.licensed = ent.load_licensed(Path(licensed_file) if licensed_file else None)
        ctx = self.ruleset.context
        self._neg_re = negation_re(ctx["negation"], ctx["negation_bridge"])
        self._neg_re_by_rule = {
            rid: negation_re(ctx["negation"] + r.extra_negation, ctx["negation_bridge"])
            for rid, r in self.rules.items() if r.extra_negation
        }
        self._known_terms = frozenset(t.text for r in self.rules.values() for t in r.terms)
        self._everyday_offers = frozenset(ctx["everyday_offers"])
        self._standalone = {rid: frozenset(t.text for t in r.terms if t.standalone)
                            for rid, r in self.rules.items()}
        self._longest_exclude = max(
            [len(x) for r in self.rules.values() for x in r.exclude]
            + [len(x) for r in self.rules.values() for t in r.terms for x in t.exclude] + [0])
        self._automaton = self._build_automaton()
        self._cues = self._build_cue_automaton()
        self._cue_masking = masking_values(self._cues)
        self._name_matchers = {rid: ent.RestrictedMatcher(self.rules[rid], ctx)
                               for rid in self._by_kind["enterprise_name"]}
        self._tok = segment.tokenizer(
            sorted(self._known_terms | set(self.ruleset.restricted_terms)),
            Path(userdict) if userdict else None,
            Path(cache_dir) if cache_dir else None,
        )
        self._platform = plat.PlatformFinder(ctx, frozenset(
            t.text for r in self.rules.values() if r.kinds != ("enterprise_name",)
            for t in r.terms
        ), self._tok.FREQ)
        # public opinion: the model file and the platform lexicon are read once, here
        model = None
        if opinion_model and Path(opinion_model).is_file():
            model = OpinionModel.load(Path(opinion_model))
        elif opinion_model:
            log.warning("opinion model %s not found: public_risk is decided by rules only "
                        "(make model DATA=...)", opinion_model)
        self._offer_gate: OfferGate | None = None
        if offer_gate and Path(offer_gate).is_file():
            self._offer_gate = OfferGate.load(Path(offer_gate))
        elif offer_gate:
            log.warning("offer gate %s not found: posts' rules 1-8 findings are not gated "
                        "(python scripts/train_offer_gate.py)", offer_gate)
        names = [*(load_platforms(Path(platforms_file)) if platforms_file else []), *platforms]
        self._events = EntityEventMatcher(self._platform, self._neg_re, self._cut, model, names,
                                          ctx["firm_words"], ctx["generic_events"],
                                          ctx["everyday_events"], ctx["finance_words"],
                                          ctx["consumer_businesses"], ctx["fiction"],
                                          ctx["lesson"], ctx["stock_market"], ctx["pets"],
                                          ctx["complaint_words"])

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], platforms: Iterable[str] = ()) -> Analyzer:
        """Build from the patrol settings (rules_file, licensed_file, enabled_rules, rates);
        `platforms`: names of platforms to look for besides the lexicon (the targets')."""
        path = getattr(settings, "path", None)
        if path is not None:
            rules_file = path("rules_file")
            licensed = path("licensed_file")
        else:
            rules_file = Path(settings["rules_file"])
            licensed = Path(settings["licensed_file"]) if settings.get("licensed_file") else None
        userdict = rules_file.parent / "jieba_userdict.txt"
        return cls(
            rules_file=rules_file,
            licensed_file=licensed if licensed and str(licensed) not in ("", ".") else None,
            enabled_rules=settings.get("enabled_rules"),
            rate_high=settings.get("rate_high_threshold", 10.0),
            rate_warning=settings.get("rate_warning_threshold", 6.0),
            userdict=userdict if userdict.is_file() else None,
            # jieba caches its dictionary; keep that under the data home, not in /tmp
            cache_dir=settings.data_dir / "cache" if hasattr(settings, "data_dir") else None,
            max_text_chars=settings.get("analyzer_max_text_chars", DEFAULT_MAX_TEXT_CHARS),
            platforms=platforms,
        )

    # -- building ---------------------------------------------------------------------------

    def _build_automaton(self) -> KeywordAutomaton[tuple[tuple[Any, ...], ...]]:
        entries: dict[str, list[tuple[Any, ...]]] = {}

        def add(key: str, entry: tuple[Any, ...]) -> None:
            if key:
                entries.setdefault(key, []).append(entry)

        for rid, rule in self.rules.items():
            if rid not in self.enabled or not {"lexicon", "entity_event"} & set(rule.kinds):
                continue  # names are checked by check_enterprise, not in running text
            mixes = "lexicon" in rule.kinds and "entity_event" not in rule.kinds
            for term in rule.terms:
                add(term.text, ("t", rid, term))
                if mixes:  # an offer's word with pinyin mixed in (shou付dai, pei资)
                    for spelling in pinyin.mixed_spellings(term.text):
                        add(spelling, ("p", rid, term))
                for x in term.exclude:
                    add(x, ("x", rid, term.text))
            for x in rule.exclude:
                add(x, ("x", rid, ""))
            for i, pat in enumerate(rule.patterns):
                for a in pat.anchors:
                    add(a, ("a", rid, i))
        if self._rate_rule is not None:
            for period in ("annual", "monthly", "weekly", "daily"):
                for kw in self.ruleset.rates[period]:
                    add(kw, ("r", period))
        for name in self.licensed:
            add(name, ("l", name))
        return KeywordAutomaton((key, tuple(value)) for key, value in entries.items())

    def _build_cue_automaton(self) -> KeywordAutomaton[tuple[str, ...]]:
        kinds: dict[str, set[str]] = {}
        for kind in CUE_KINDS:
            for w in self.ruleset.context[kind]:
                kinds.setdefault(w, set()).add(kind)
        return KeywordAutomaton((w, tuple(sorted(ks))) for w, ks in kinds.items())

    # -- the public API ---------------------------------------------------------------------

    def analyze(self, text: str, kind: str = "page") -> list[Finding]:
        """Findings of every enabled rule in `text` (restricted_name of a page's operator too)."""
        return self.analyze_with_stats(text, kind)[0]

    def analyze_with_stats(self, text: str, kind: str = "page"
                           ) -> tuple[list[Finding], AnalysisStats]:
        """`analyze`, and how much work it took (characters, candidates, regex calls)."""
        stats = AnalysisStats()
        if not text:
            return [], stats
        if kind not in KINDS:
            kind = "page"
        if len(text) > self.max_text_chars:
            # crawled text is written by adversaries: a 10 MB "page" is cut, not choked on
            stats.truncated = len(text) - self.max_text_chars
            log.warning("text of %d characters: analyzing the first %d (analyzer_max_text_chars)",
                        len(text), self.max_text_chars)
            text = text[:self.max_text_chars]
        stats.chars = len(text)
        norm = normalize(text)
        doc = Doc(norm, kind, self._cues, self._cue_masking)
        terms, excludes, anchors, rate_kw, licensed = self._scan(doc, stats)
        stats.candidates = len(terms) + len(anchors) + len(rate_kw)
        findings: list[Finding] = []
        operator_licensed = False
        if kind == "page" and self._name_matchers:
            operator_findings, operator_licensed = self._operator_findings(text)
            findings.extend(operator_findings)
        if not (terms or anchors or rate_kw):
            return findings, stats

        terms = outermost(terms)
        hits = self._hits(doc, terms, excludes, anchors, stats)

        # A complaint or a police report quotes a platform's claims (说好的保本保息); the
        # quoting and warning words in the same sentence keep those out of rules 1-8.
        event_rules = self._by_kind["entity_event"]
        others = [h for h in hits if h.rule not in event_rules]
        if kind in PUBLIC_RISK_KINDS:
            for rid in event_rules:
                risk = [h for h in hits if h.rule == rid]
                risk_finding = self._events.judge(doc, self.rules[rid], risk, [
                    (s, e) for s, e, _, _ in terms]) if risk else None
                if risk_finding is not None:
                    findings.append(risk_finding)
            if kind in TROUBLE_REPORT_KINDS and any(f.rule in event_rules for f in findings):
                return findings, stats
        kept = [h for h in others if self._context_ok(doc, h)]
        if licensed or operator_licensed:
            # a licensed institution describing its own business (代收代付 by a licensed payment
            # company, in the same sentence or on its own site) is not unlicensed payment
            kept = [h for h in kept if not self.rules[h.rule].licensed_exempt or not (
                operator_licensed or near_licensed(doc, h, licensed))]
        # Offers of credit (hits made of borrowing words: 配资, 杠杆, 首付贷; 房产众筹 offers an
        # investment, not credit): a rate just after one (LENDING_NEAR) or in its sentence,
        # with no investment words, is the price of the loan (天天配：1-10倍杠杆⏎月月配：最高8倍，
        # 月息1.2%).
        lending = [(h.start, h.end) for h in kept if doc.cue_in("borrowing", h.start, h.end)]
        kept.extend(self._rate_hits(doc, rate_kw, lending))
        if kind == "post" and kept and self._others_words(doc, kept):
            kept = []  # 短信：“股票配资，一比十，当天到账”。删了。 a pitch received, not made
        if kind == "post" and self._one_everyday_offer(doc, kept) and not self._post_offers(doc):
            kept = []  # 周末躺平是我唯一的零风险投资: an everyday sense, offered to nobody
        if kind == "post" and kept and self._offer_gate is not None \
                and not self._offer_gate.offers(doc.t):
            stats.offer_gated = True  # 谈恋爱就像配资: the words of an offer, no offer
            kept = []
        findings.extend(self._to_findings(doc, merge(kept)))
        return findings, stats

    def check_enterprise(self, name: str, scope: str = "") -> list[Finding]:
        """Findings of the enterprise_name rules for an enterprise record (offsets into name or
        scope)."""
        if not self._name_matchers or not name and not scope:
            return []
        if ent.licensed_key(name) in self.licensed:
            return []
        out: list[Finding] = []
        for rid, matcher in self._name_matchers.items():
            rule = self.rules[rid]
            for field_name, value in (("name", name), ("scope", scope)):
                if not value:
                    continue
                for s, e, norm_ev in matcher.find(value, self._tok, scope=field_name == "scope"):
                    extra = {"field": "scope"} if field_name == "scope" else {}
                    out.append(Finding(
                        rule=rid, severity=rule.severity, evidence=value[s:e],
                        start=s, end=e, clause=rule.clause, lead=rule.lead, rule_name=rule.name,
                        normalized=norm_ev, extra=extra,
                    ))
        return out

    def extract_operator(self, text: str) -> str | None:
        """The site operator named in a page footer (版权所有, ©, 主办单位, 运营方, ICP备案)."""
        found = ent.find_operator(text)
        return found[0] if found else None

    def _cut(self, text: str) -> list[str]:
        return list(self._tok.cut(text, HMM=False))

    def opinion_features(self, text: str, kind: str = "post") -> tuple[dict[str, float], bool]:
        """The opinion model's features of a text, and whether the rules make it a public_risk
        candidate (a trouble word and a named platform). Training uses exactly this."""
        text = text[:self.max_text_chars]
        doc = Doc(normalize(text), kind if kind in KINDS else "post", self._cues,
                  self._cue_masking)
        terms, risk = self._event_hits(doc)
        cand = self._events.candidate(doc, risk, terms) if risk else None
        return self._events.features(doc, risk, cand).normalized(), cand is not None

    def _event_hits(self, doc: Doc) -> tuple[list[tuple[int, int]], list[Hit]]:
        """(spans of the lexicon terms, judged hits of the entity_event rules) of a text, found
        exactly as analyze finds them: the model is trained on what it will be shown."""
        stats = AnalysisStats()
        terms, excludes, anchors, _, _ = self._scan(doc, stats)
        terms = outermost(terms)
        event_rules = self._by_kind["entity_event"]
        risk = [h for h in self._hits(doc, terms, excludes,
                                      [a for a in anchors if a[2] in event_rules], stats)
                if h.rule in event_rules]
        return [(s, e) for s, e, _, _ in terms], risk

    def _scan(self, doc: Doc, stats: AnalysisStats) -> tuple[
            list[tuple[int, int, str, Term]], dict[int, list[tuple[int, str, str]]],
            list[tuple[int, int, str, int]], list[tuple[int, int, str]], list[int]]:
        """One pass of the automaton: (terms, excludes by start, pattern anchors, rate keywords,
        starts of licensed names), each capped at MAX_CANDIDATES per rule."""
        terms: list[tuple[int, int, str, Term]] = []
        excludes: dict[int, list[tuple[int, str, str]]] = {}  # by start: (end, rule, term)
        anchors: list[tuple[int, int, str, int]] = []
        rate_kw: list[tuple[int, int, str]] = []
        licensed: list[int] = []
        for start, end, entries in self._automaton.find(doc.t):
            for e in entries:
                tag = e[0]
                if tag == "t":
                    terms.append((start, end, e[1], e[2]))
                elif tag == "p":
                    if pinyin.latin_bounded(doc.t, start, end):
                        terms.append((start, end, e[1], e[2]))
                elif tag == "x":
                    excludes.setdefault(start, []).append((end, e[1], e[2]))
                elif tag == "a":
                    anchors.append((start, end, e[1], e[2]))
                elif tag == "r":
                    rate_kw.append((start, end, e[1]))
                elif len(licensed) < MAX_CANDIDATES:
                    licensed.append(start)
        if max(len(terms), len(anchors), len(rate_kw)) > MAX_CANDIDATES:
            # only hostile or huge texts get here: the common case pays nothing for the caps
            terms = _capped(terms, lambda x: x[2], stats)
            anchors = _capped(anchors, lambda x: (x[2], x[3]), stats)
            rate_kw = _capped(rate_kw, lambda x: "rates", stats)
        return terms, excludes, anchors, rate_kw, licensed

    def _hits(self, doc: Doc, terms: list[tuple[int, int, str, Term]],
              excludes: dict[int, list[tuple[int, str, str]]],
              anchors: list[tuple[int, int, str, int]], stats: AnalysisStats) -> list[Hit]:
        """The terms that stand in their context and the patterns that match at their anchors,
        of rules whose required words the text has."""
        hits: list[Hit] = []
        for s, e, rid, term in terms:
            if self._term_ok(doc, s, e, rid, term, excludes):
                hits.append(Hit(rid, s, e, term.severity, term=term.text))
        for s, e, rid, idx in anchors:
            hits.extend(self._pattern_hits(doc, s, e, rid, idx, stats))
        # (asked once per rule: the words a rule requires are looked for in the whole text)
        met = {rid for rid in {h.rule for h in hits} if self._rule_requires(doc, rid, hits)}
        return [h for h in hits if h.rule in met]

    def opinion(self, text: str, kind: str = "post") -> Opinion:
        """The opinion model on any text: P(trouble at a platform) and the sentiment (without
        a model file: risk 0, sentiment from the word lists)."""
        doc = Doc(normalize(text[:self.max_text_chars]), kind if kind in KINDS else "post",
                  self._cues, self._cue_masking)
        terms, risk = self._event_hits(doc)
        cand = self._events.candidate(doc, risk, terms) if risk else None
        return self._events.opinion(doc, risk, cand)

    def sentiment(self, text: str) -> float:
        """Sentiment of a post in [-1, 1] (negative to positive); see `opinion`."""
        return self.opinion(text).sentiment_score if text else 0.0

    # -- candidates -------------------------------------------------------------------------

    def _term_ok(self, doc: Doc, s: int, e: int, rid: str, term: Term,
                 excludes: dict[int, list[tuple[int, str, str]]]) -> bool:
        # a look-alike holds the term, so it starts at most its own length before it
        for xs in range(max(0, s - self._longest_exclude), s + 1):
            for xe, xrid, xterm in excludes.get(xs, ()):
                if xrid == rid and e <= xe and (not xterm or xterm == term.text):
                    return False
        rule = self.rules[rid]
        if term.negation and "negation" in rule.context and self._negated(doc, s, rid):
            return False
        if _named_as_word(doc.t, s, e):
            return False
        if term.unless:
            ss, se = doc.sentence(s, e)
            # (rules 1-8 only; a trouble word's stay in its sentence, and a story's trouble is
            # judged with the post's candidate: EntityEventMatcher.candidate)
            if (doc.kind == "post" and len(doc.t) <= POST_CONTEXT_CHARS
                    and rid not in self._by_kind["entity_event"]):
                ss, se = 0, len(doc.t)  # 剧本杀还差两个人。拉人头拉到嗓子冒烟: the post explains it
            if any(w in doc.t[ss:se] for w in term.unless):
                return False
        if term.boundary:
            cs, ce = doc.clause(s, e)
            ws, we = max(cs, s - 8), min(ce, e + 8)
            if not segment.on_boundaries(self._tok, doc.t[ws:we], s - ws, e - ws,
                                         self._known_terms):
                return False
        return True

    def _negated(self, doc: Doc, s: int, rid: str) -> bool:
        cs, _ = doc.clause(s, s)
        prefix = doc.t[max(cs, s - 10):s].rstrip(QUOTES)
        if not prefix:
            return False
        regex = self._neg_re_by_rule.get(rid, self._neg_re)
        return regex.search(prefix) is not None

    def _pattern_hits(self, doc: Doc, s: int, e: int, rid: str, idx: int,
                      stats: AnalysisStats) -> list[Hit]:
        rule = self.rules[rid]
        pat = rule.patterns[idx]
        ss, se = doc.sentence(s, e)
        ws, we = max(ss, s - pat.window), min(se, e + pat.window)
        if pat.unless and any(w in doc.t[ss:se] for w in pat.unless):
            return []  # another sense in this sentence (经乙方筛选推荐给出借人)
        stats.regex_calls += 1
        stats.regex_chars += we - ws
        out = []
        for m in pat.regex.finditer(doc.t, ws, we):
            if m.start() < e and s < m.end() and m.end() > m.start():
                if "negation" in rule.context and self._negated(doc, m.start(), rid):
                    continue
                out.append(Hit(rid, m.start(), m.end(), pat.severity))
        return out

    def _rule_requires(self, doc: Doc, rid: str, hits: list[Hit]) -> bool:
        rule = self.rules[rid]
        if rule.requires and not any(w in doc.t for w in rule.requires):
            return False
        if doc.kind != "post" or not rule.requires_in_posts:
            return True
        if doc.has_cue("private_contact") or CONTACT_RE.search(doc.t) is not None:
            return True  # 保本，随存随取，加V：xyb2088 - a seller's call, whatever it names
        if self._events.names_platform(doc.t):
            return True  # 推荐“金库宝”，注册就送5000元体验金: a brand-shaped platform is its object
        # a term's own words do not count (躺着赚钱 is no context for itself); a pattern's span
        # does (注册鑫盛贷送现金红包 names the lender), and so do two terms of the rule (新手标加息，
        # 注册送现金红包: offers that name each other)
        own = [h for h in hits if h.rule == rid and h.term]
        if any(h.term in self._standalone[rid] for h in own):
            return True  # 新手标加息5%，限时！: the term is the offer and names its object
        # (a pattern's offer apart from the terms is another one: 加息券免费领，新手专享加息3%)
        apart = any(h.rule == rid and not h.term and not inside(h, own) for h in hits)
        if len({h.term for h in own}) + apart > 1:
            return True
        return word_outside(doc.t, rule.requires_in_posts, [(h.start, h.end) for h in own])

    def _is_report(self, doc: Doc) -> bool:
        if doc.kind not in REPORT_KINDS or doc.has_cue("advertorial"):
            return False
        if doc.kind == "news":
            return True
        return doc.has_cue("reporting") or doc.has_cue("warning")

    def _headline_warns(self, doc: Doc) -> bool:
        """Does the first sentence of a post, notice or news text warn (警惕配资陷阱！)?"""
        if doc.headline_warns is None:
            doc.headline_warns = False
            t = doc.t
            i = 0
            while i < len(t) and (t[i] in SENT_DELIMS or t[i].isspace()):
                i += 1
            if doc.kind in HEADLINE_KINDS and i < len(t):
                ss, se = doc.sentence(i, i)
                doc.headline_warns = doc.cue_in("warning", ss, se)
        return doc.headline_warns

    def _warned(self, doc: Doc, ss: int, se: int) -> bool:
        return doc.cue_in("warning", ss, se) or self._headline_warns(doc)

    def _one_everyday_offer(self, doc: Doc, kept: list[Hit]) -> bool:
        """Is the one offer word of these hits one of everyday_offers? A term inside another
        found with it is the same word (稳赚 in 稳赚不赔, 保本 in 保本保息), not a second one, and so
        is a pattern that matched the term's own words (收益翻倍). A rate always counts."""
        terms = {h.term for h in kept}

        def same_word(h: Hit) -> bool:
            if h.annual_rate is not None:
                return False
            if h.term and any(h.term != u and h.term in u for u in terms):
                return True
            return not h.term and inside(h, (o for o in kept if o.term))

        words = {h.term for h in kept if not same_word(h)}
        if len(words) == 2 and words <= self._everyday_offers:
            # two kinds of one thing (静态收益 and 动态收益, 零风险 and 无风险: the same last two
            # characters) are one offer word said twice, except in a referral scheme's pitch
            # (推荐朋友还有动态收益), where the pair is the scheme
            a, b = words
            return a[-2:] == b[-2:] and not any(w in doc.t for w in REFERRAL)
        return len(words) == 1 and next(iter(words)) in self._everyday_offers

    def _post_offers(self, doc: Doc) -> bool:
        """Does a post whose one offer word has everyday senses too (零风险, 兜底, 资金池:
        everyday_offers) make an offer? Rules 1-8 are about what a text offers; such a post
        offers when it speaks to its readers (私聊, 名额, 进群, a link or a phone number),
        pitches its object (这个项目, 我们公司, a platform it names) or vouches for it (我投了).
        A rate, a second offer word, or one with no everyday sense (股票配资, 个人POS机) needs
        none."""
        return (doc.has_cue("offer_cues") or CONTACT_RE.search(doc.t) is not None
                or self._events.names_platform(doc.t))

    def _others_words(self, doc: Doc, hits: list[Hit]) -> bool:
        """Is every offer of a short post inside quotation marks or reported speech
        (_reported_speech), and does the post in its own words neither call its readers
        (offer_cues, a contact) nor name a platform? Then it tells a pitch it received or saw
        (手机又弹出“期货配资，十倍杠杆”，我默默关了推送; 路边有人拦我说免费领POS机，我说走了), as a
        reader would; a seller's own quoted slogan, or the answer that sells, comes with a call
        to act."""
        if len(doc.t) > POST_CONTEXT_CHARS:
            return False
        spans = sorted([m.span() for m in _QUOTATION.finditer(doc.t)] + _reported_speech(doc.t))
        if not spans:
            return False
        told = [doc.t[s:e] for s, e in spans]
        # an offer word outside them that repeats one inside is the poster's echo of the pitch
        # (私信：'一个月翻倍'。我：你一个月翻倍的话…), not an offer of the poster's
        if not all(any(s < h.start and h.end < e for s, e in spans)
                   or any(doc.t[h.start:h.end] in w for w in told) for h in hits):
            return False
        outside, pos = [], 0
        for s, e in spans:
            if s > pos:
                outside.append((pos, s))
            pos = max(pos, e)
        outside.append((pos, len(doc.t)))
        own = "".join(doc.t[a:b] for a, b in outside)
        return not (any(doc.cue_in("offer_cues", a, b) or doc.cue_in("private_contact", a, b)
                        for a, b in outside)
                    or CONTACT_RE.search(own) is not None or self._events.names_platform(own))

    def _context_ok(self, doc: Doc, h: Hit) -> bool:
        if _compared(doc.t, h.start, h.end):
            return False
        rule = self.rules[h.rule]
        ss, se = doc.sentence(h.start, h.end)
        if "warning" in rule.context and self._warned(doc, ss, se):
            return False
        if "quoting" in rule.context and doc.cue_in("quoting", ss, se):
            return False
        return not ("reporting" in rule.context and self._is_report(doc))

    # -- rates ------------------------------------------------------------------------------

    def _rate_hits(self, doc: Doc, rate_kw: list[tuple[int, int, str]],
                   lending: list[tuple[int, int]] | None = None) -> list[Hit]:
        rid = self._rate_rule
        if not rate_kw or rid is None:
            return []
        max_gap = int(self.ruleset.rates["max_gap"])
        not_returns = self.ruleset.rates["not_returns"]
        out: list[Hit] = []
        seen: set[tuple[int, int]] = set()
        # a keyword inside a longer keyword (收益率 in 年化收益率) reads the same number
        for ks, ke, period in sorted(rate_kw, key=lambda r: (r[0], -r[1])):
            rates = parse_rates(doc.t, ke, period, max_gap, GAP_STOP)
            in_column = not rates
            if in_column:  # a table header (产品 | 期限 | 预期年化) and the rates below it
                rates = column_rates(doc.t, ks, ke, period)
            for rate in rates:
                key = (rate.part_start, rate.part_end)
                if key in seen:
                    continue
                seen.add(key)
                if rate.annual < self.rate_warning:
                    continue
                if any(doc.t.endswith(w, 0, ks) or w in doc.t[ke:rate.part_start]
                       for w in not_returns):
                    continue  # 年化增长率200%, 年化跌了80%, 涨幅年化25%: a rate of change
                ss, se = doc.sentence(ks, rate.end)
                # in a table, the header row and the rate's own row are its context
                spans = [(ss, se)] if not in_column else [
                    line_span(doc.t, ks), line_span(doc.t, rate.part_start)]
                # the offer of credit comes first, or stands in the rate's own sentence
                near_loan = any(ks - LENDING_NEAR < e <= ks or ss <= s < se
                                for s, e in lending or ())
                if not self._rate_context_ok(doc, spans, near_loan):
                    continue
                severity = "high" if rate.annual >= self.rate_high else "medium"
                first = rate.part_start == rate.start and not in_column
                start = ks if first else rate.part_start
                out.append(Hit(rid, start, rate.part_end, severity,
                                annual_rate=rate.annual))
        return out

    def _rate_context_ok(self, doc: Doc, spans: list[tuple[int, int]], lending: bool) -> bool:
        """Is a rate in these sentences an advertised return (not a warning, a quote, a
        report, past performance or the price of a loan)?"""
        rule = self.rules[self._rate_rule or ""]
        if self._is_report(doc):
            return False

        def cue(kind: str) -> bool:
            return any(doc.cue_in(kind, s, e) for s, e in spans)

        if "warning" in rule.context and any(self._warned(doc, s, e) for s, e in spans):
            return False
        if cue("quoting") or cue("past_performance"):
            return False
        if doc.kind == "post" and (cue("own_result") or cue("in_game")):
            # 我的基金今年收益率30%了: the poster's own result; 游戏里的钱庄NPC日息5%: a game's
            return False
        return not ((lending or cue("borrowing")) and not cue("investment"))

    # -- output -----------------------------------------------------------------------------

    def _to_findings(self, doc: Doc, hits: list[Hit]) -> list[Finding]:
        out = []
        for h in hits:
            rule = self.rules[h.rule]
            start, end = doc.norm.span(h.start, h.end)
            out.append(Finding(
                rule=h.rule, severity=h.severity, evidence=doc.norm.original[start:end],
                start=start, end=end, clause=rule.clause, lead=rule.lead, rule_name=rule.name,
                annual_rate=h.annual_rate, normalized=doc.t[h.start:h.end],
            ))
        return out

    def _operator_findings(self, text: str) -> tuple[list[Finding], bool]:
        """restricted_name findings of the page's operator, and whether it is licensed."""
        found = ent.find_operator(text)
        if not found:
            return [], False
        name, offset = found
        if ent.licensed_key(name) in self.licensed:
            return [], True
        out = []
        for f in self.check_enterprise(name):
            f.start += offset
            f.end += offset
            f.extra = {"field": "operator", "operator": name}
            out.append(f)
        return out, False
