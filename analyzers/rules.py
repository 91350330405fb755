"""Load and check the rules file (config/rules.yaml).

The rules are data so that a deployment can add a word without a release. A bad file is refused
at start with the line of the offending entry: a typo in a regex or a misspelt key must not turn
into a silently missing rule in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from settings.rulecatalog import RULE_KINDS

from .normalize import normalize_term
from .regex_safety import nested_repeat

_RULE_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
SEVERITIES = ("high", "medium", "low")
CONTEXT_KEYS = (
    "negation", "negation_bridge", "warning", "reporting", "quoting", "borrowing",
    "past_performance", "own_result", "investment", "scope_exclusion", "statistics", "platform_after",
    "platform_before", "name_stop", "platform_suffix", "positive", "negative", "advertorial",
    "firm_words", "generic_events", "everyday_events", "finance_words", "consumer_businesses",
    "offer_cues", "everyday_offers", "private_contact", "fiction", "lesson", "denial", "not_quoting",
    "stock_market", "in_game", "pets", "complaint_words", "not_contact",
)
RATE_KEYS = ("annual", "monthly", "weekly", "daily", "max_gap", "not_returns")
RULE_KEYS = (
    "name", "clause", "lead", "lead_note", "severity", "kind", "terms", "exclude", "patterns",
    "negation", "boundary", "context", "extra_negation", "requires", "requires_in_posts",
    "licensed_exempt",
)
TERM_KEYS = ("term", "severity", "boundary", "exclude", "negation", "unless", "standalone")
RULE_CONTEXTS = ("negation", "warning", "quoting", "reporting")
PATTERN_KEYS = ("regex", "anchors", "severity", "window", "unless")


class RulesError(ValueError):
    """The rules file is invalid; the message names the file and line."""


@dataclass(frozen=True)
class Term:
    text: str                 # normalized form, as matched
    raw: str                  # as written in the rules file
    severity: str
    boundary: bool            # require jieba word boundaries at both ends
    negation: bool            # a negation just before the term cancels it
    exclude: tuple[str, ...]  # normalized look-alike phrases that contain the term
    unless: tuple[str, ...]   # words that, in the same sentence, give the term another sense
    # the term names a financial offer by itself (新手标加息, 首投返现): a post needs no word of
    # the rule's requires_in_posts beside it
    standalone: bool = False


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    anchors: tuple[str, ...]  # normalized literals; the regex runs only near one of them
    severity: str
    window: int
    unless: tuple[str, ...] = ()  # words that, in the same sentence, give a match another sense


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    clause: str
    lead: str
    severity: str
    terms: tuple[Term, ...]
    patterns: tuple[Pattern, ...]
    exclude: tuple[str, ...]
    context: tuple[str, ...]        # which contexts cancel a hit: negation, warning, quoting
    extra_negation: tuple[str, ...]
    requires: tuple[str, ...]       # the text must contain one of these (empty: no condition)
    # a post (kind post) must also contain one of these outside the rule's own hits: on social
    # media 稳赚 and 保本 are said of claw machines, shops and exams; an offer to investors
    # names what is offered (投资, 理财, 本金 ...)
    requires_in_posts: tuple[str, ...] = ()
    lead_note: str = ""             # who else hears of it, for people (routing: departments.yaml)
    kinds: tuple[str, ...] = ("lexicon",)  # which matchers run it (settings.rulecatalog)
    licensed_exempt: bool = False   # a licensed institution near the hit (or running the site)
                                    # describes its own licensed business: no finding


@dataclass
class RuleSet:
    rules: dict[str, Rule]
    context: dict[str, tuple[str, ...]]
    rates: dict[str, Any]
    restricted_terms: tuple[str, ...] = field(default_factory=tuple)
    source: str = ""


def _where(path: str, node: yaml.Node | None) -> str:
    return f"{path}:{node.start_mark.line + 1}" if node is not None else path


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    return {k.value: (k, v) for k, v in node.value}


def load_rules(path: Path) -> RuleSet:
    """Read and check a rules file; raise RulesError naming file:line on any problem."""
    p = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{p}: cannot read rules file ({exc.strerror})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else p
        problem = getattr(exc, "problem", None) or str(exc)
        ctx, ctx_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if ctx and ctx_mark is not None:
            # an unclosed bracket is noticed only at the end; say where it was opened
            problem += f"; {ctx} at line {ctx_mark.line + 1}"
        raise RulesError(f"{where}: not valid YAML ({problem})") from None
    if root is None or not isinstance(root, yaml.MappingNode):
        raise RulesError(f"{p}:1: expected a mapping with 'rules', 'context' and 'rates'")
    top = _mapping(root)
    for key, (knode, _) in top.items():
        if key not in ("version", "rules", "context", "rates"):
            raise RulesError(f"{_where(p, knode)}: unknown top-level key {key!r}")
    if "rules" not in top:
        raise RulesError(f"{p}:1: missing 'rules'")

    context = _load_context(p, top.get("context"))
    rates = _load_rates(p, top.get("rates"))
    rules_node = top["rules"][1]
    if not isinstance(rules_node, yaml.MappingNode):
        raise RulesError(f"{_where(p, rules_node)}: 'rules' must map rule ids to rules")
    rules: dict[str, Rule] = {}
    restricted: tuple[str, ...] = ()
    for rid, (knode, vnode) in _mapping(rules_node).items():
        if not _RULE_ID.match(rid):
            raise RulesError(f"{_where(p, knode)}: rule id {rid!r}: use lower-case letters, "
                             "digits and _ (like promised_return)")
        rule = _load_rule(p, rid, vnode)
        rules[rid] = rule
        if "enterprise_name" in rule.kinds:
            restricted += tuple(t.text for t in rule.terms)
    return RuleSet(rules=rules, context=context, rates=rates, restricted_terms=restricted,
                   source=p)


def _str_list(p: str, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node]]:
    if not isinstance(node, yaml.SequenceNode):
        raise RulesError(f"{_where(p, node)}: {what} must be a list")
    out = []
    # a list may hold an alias of another list (unless: [*consumer_venues, 公里]): one level
    # is flattened, so that a word list shared by two terms is written once
    items = [sub for item in node.value
             for sub in (item.value if isinstance(item, yaml.SequenceNode) else [item])]
    for item in items:
        if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
            raise RulesError(f"{_where(p, item)}: {what}: expected a non-empty string")
        out.append((str(item.value), item))
    return out


def _load_context(p: str, pair: tuple[yaml.Node, yaml.Node] | None) -> dict[str, tuple[str, ...]]:
    if pair is None:
        return {k: () for k in CONTEXT_KEYS}
    node = pair[1]
    if not isinstance(node, yaml.MappingNode):
        raise RulesError(f"{_where(p, node)}: 'context' must be a mapping of word lists")
    out: dict[str, tuple[str, ...]] = {k: () for k in CONTEXT_KEYS}
    for key, (knode, vnode) in _mapping(node).items():
        if key not in CONTEXT_KEYS:
            raise RulesError(f"{_where(p, knode)}: unknown context list {key!r}")
        out[key] = tuple(normalize_term(w) for w, _ in _str_list(p, vnode, f"context.{key}"))
    return out


def _load_rates(p: str, pair: tuple[yaml.Node, yaml.Node] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"annual": (), "monthly": (), "weekly": (), "daily": (), "max_gap": 6,
                           "not_returns": ()}
    if pair is None:
        return out
    node = pair[1]
    if not isinstance(node, yaml.MappingNode):
        raise RulesError(f"{_where(p, node)}: 'rates' must be a mapping")
    for key, (knode, vnode) in _mapping(node).items():
        if key not in RATE_KEYS:
            raise RulesError(f"{_where(p, knode)}: unknown rates key {key!r}")
        if key == "max_gap":
            try:
                out[key] = int(vnode.value)
            except (TypeError, ValueError):
                raise RulesError(f"{_where(p, vnode)}: max_gap must be an integer") from None
        else:
            out[key] = tuple(normalize_term(w) for w, _ in _str_list(p, vnode, f"rates.{key}"))
    return out


def _severity(p: str, node: yaml.Node) -> str:
    value = str(node.value)
    if value not in SEVERITIES:
        raise RulesError(f"{_where(p, node)}: severity must be one of {', '.join(SEVERITIES)}")
    return value


def _bool(p: str, node: yaml.Node) -> bool:
    value = str(node.value).lower()
    if value not in ("true", "false", "yes", "no"):
        raise RulesError(f"{_where(p, node)}: expected true or false")
    return value in ("true", "yes")


def _load_rule(p: str, rid: str, node: yaml.Node) -> Rule:
    if not isinstance(node, yaml.MappingNode):
        raise RulesError(f"{_where(p, node)}: rule {rid} must be a mapping")
    m = _mapping(node)
    for key, (knode, _) in m.items():
        if key not in RULE_KEYS:
            raise RulesError(f"{_where(p, knode)}: rule {rid}: unknown key {key!r}")
    for key in ("name", "clause", "lead", "kind"):
        if key not in m:
            raise RulesError(f"{_where(p, node)}: rule {rid}: missing {key!r}"
                             + (f" (one or more of {', '.join(RULE_KINDS)})" if key == "kind"
                                else ""))
    knode = m["kind"][1]
    kind_items = _str_list(p, knode, "kind") if isinstance(knode, yaml.SequenceNode) else \
        [(str(knode.value), knode)]
    for k, kn in kind_items:
        if k not in RULE_KINDS:
            raise RulesError(f"{_where(p, kn)}: rule {rid}: unknown kind {k!r}; "
                             f"known: {', '.join(RULE_KINDS)}")
    kinds = tuple(k for k, _ in kind_items)
    severity = _severity(p, m["severity"][1]) if "severity" in m else "high"
    boundary = _bool(p, m["boundary"][1]) if "boundary" in m else False
    negation = _bool(p, m["negation"][1]) if "negation" in m else True
    exclude = tuple(normalize_term(w) for w, _ in _str_list(p, m["exclude"][1], "exclude")) \
        if "exclude" in m else ()
    context: tuple[str, ...] = ("negation", "warning", "quoting", "reporting")
    if "context" in m:
        items = _str_list(p, m["context"][1], "context")
        for w, wnode in items:
            if w not in RULE_CONTEXTS:
                raise RulesError(f"{_where(p, wnode)}: rule {rid}: unknown context {w!r}; "
                                 f"known: {', '.join(RULE_CONTEXTS)}")
        context = tuple(w for w, _ in items)
    requires = tuple(normalize_term(w) for w, _ in _str_list(p, m["requires"][1], "requires")) \
        if "requires" in m else ()
    requires_in_posts = tuple(normalize_term(w) for w, _ in _str_list(
        p, m["requires_in_posts"][1], "requires_in_posts")) if "requires_in_posts" in m else ()
    extra_neg = tuple(normalize_term(w) for w, _ in _str_list(p, m["extra_negation"][1],
                                                               "extra_negation")) \
        if "extra_negation" in m else ()
    terms: list[Term] = []
    if "terms" in m:
        tnode = m["terms"][1]
        if not isinstance(tnode, yaml.SequenceNode):
            raise RulesError(f"{_where(p, tnode)}: rule {rid}: terms must be a list")
        for item in tnode.value:
            terms.append(_load_term(p, rid, item, severity, boundary, negation))
    patterns: list[Pattern] = []
    if "patterns" in m:
        pnode = m["patterns"][1]
        if not isinstance(pnode, yaml.SequenceNode):
            raise RulesError(f"{_where(p, pnode)}: rule {rid}: patterns must be a list")
        for item in pnode.value:
            patterns.append(_load_pattern(p, rid, item, severity))
    if not terms and not patterns:
        raise RulesError(f"{_where(p, node)}: rule {rid}: needs terms or patterns")
    return Rule(
        id=rid, name=str(m["name"][1].value), clause=str(m["clause"][1].value),
        lead=str(m["lead"][1].value), severity=severity, terms=tuple(terms),
        patterns=tuple(patterns), exclude=exclude, context=context, extra_negation=extra_neg,
        requires=requires, requires_in_posts=requires_in_posts,
        lead_note=str(m["lead_note"][1].value) if "lead_note" in m else "",
        kinds=kinds,
        licensed_exempt=_bool(p, m["licensed_exempt"][1]) if "licensed_exempt" in m else False,
    )


def _load_term(p: str, rid: str, item: yaml.Node, severity: str, boundary: bool,
               negation: bool) -> Term:
    if isinstance(item, yaml.ScalarNode):
        raw = str(item.value)
        opts: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    elif isinstance(item, yaml.MappingNode):
        opts = _mapping(item)
        for key, (knode, _) in opts.items():
            if key not in TERM_KEYS:
                raise RulesError(f"{_where(p, knode)}: rule {rid}: unknown term key {key!r}")
        if "term" not in opts:
            raise RulesError(f"{_where(p, item)}: rule {rid}: a term mapping needs 'term'")
        raw = str(opts["term"][1].value)
    else:
        raise RulesError(f"{_where(p, item)}: rule {rid}: a term is a string or a mapping")
    text = normalize_term(raw)
    if len(text) < 2:
        raise RulesError(f"{_where(p, item)}: rule {rid}: term {raw!r} is too short")
    return Term(
        text=text, raw=raw,
        severity=_severity(p, opts["severity"][1]) if "severity" in opts else severity,
        boundary=_bool(p, opts["boundary"][1]) if "boundary" in opts else boundary,
        negation=_bool(p, opts["negation"][1]) if "negation" in opts else negation,
        exclude=tuple(normalize_term(w) for w, _ in _str_list(p, opts["exclude"][1], "exclude"))
        if "exclude" in opts else (),
        unless=tuple(normalize_term(w) for w, _ in _str_list(p, opts["unless"][1], "unless"))
        if "unless" in opts and opts["unless"][1].value else (),
        standalone=_bool(p, opts["standalone"][1]) if "standalone" in opts else False,
    )


def _load_pattern(p: str, rid: str, item: yaml.Node, severity: str) -> Pattern:
    if not isinstance(item, yaml.MappingNode):
        raise RulesError(f"{_where(p, item)}: rule {rid}: a pattern is a mapping with "
                         "'regex' and 'anchors'")
    opts = _mapping(item)
    for key, (knode, _) in opts.items():
        if key not in PATTERN_KEYS:
            raise RulesError(f"{_where(p, knode)}: rule {rid}: unknown pattern key {key!r}")
    if "regex" not in opts or "anchors" not in opts:
        raise RulesError(f"{_where(p, item)}: rule {rid}: a pattern needs 'regex' and 'anchors'")
    rnode = opts["regex"][1]
    try:
        regex = re.compile(str(rnode.value))
    except re.error as exc:
        raise RulesError(f"{_where(p, rnode)}: rule {rid}: bad regex ({exc})") from None
    if nested_repeat(str(rnode.value)):
        raise RulesError(f"{_where(p, rnode)}: rule {rid}: regex has a repeat inside a repeat "
                         "(like (a+)+), which hostile text can make backtrack for minutes; "
                         "bound the inner part or write it without nesting")
    anchors = tuple(normalize_term(w) for w, _ in _str_list(p, opts["anchors"][1], "anchors"))
    window = 40
    if "window" in opts:
        try:
            window = int(opts["window"][1].value)
        except (TypeError, ValueError):
            raise RulesError(f"{_where(p, opts['window'][1])}: window must be an integer") \
                from None
    return Pattern(
        regex=regex, anchors=anchors,
        severity=_severity(p, opts["severity"][1]) if "severity" in opts else severity,
        window=window,
        unless=tuple(normalize_term(w) for w, _ in _str_list(p, opts["unless"][1], "unless"))
        if "unless" in opts else (),
    )
