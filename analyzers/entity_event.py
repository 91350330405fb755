"""The entity_event matcher (public_risk): a trouble event about a named platform.

rules.md: public_risk is about what others report of a *named* platform or firm. Rules find the
candidates: the rule's terms (跑路, 提现困难, 爆雷, 经侦介入 ...) and a platform named in the
text. The surest names are taken first:
  1. a hashtag topic that starts with a brand (#小资钱包涉嫌诈骗#);
  2. a brand-shaped name right by the trouble words (platform.PlatformFinder: 鑫盛贷跑路了,
     关于“万通宝”平台);
  3. the platform lexicon (P2PDA problem platforms, analyzers/model/platforms.txt, plus the
     names of the targets), nearest to the trouble words;
  4. a brand-shaped name elsewhere (××贷, ××宝, ××金服, ××钱包, ××网 ...), starting a word;
  5. a registered company name, by its short name in brackets or its trade name
     (对深圳市钱爸爸电子商务有限公司立案侦查: 钱爸爸; analyzers/company_name.py), a financial
     one unless the event is a finance one;
  6. another name by the trouble words, if it looks like a firm's or the event is a finance
     one (车站手机 before 报警 is no firm);
  7. the head of a listing line or an @-mentioned account.
On a platform's own pages (kind page) only the surest names (1-3) count. The opinion model (opinion.py),
trained on hand-labelled real posts, then decides whether the post reports trouble at that
platform, and how it sounds. Without a model file the older rule decides (a named platform, not
a positive post, no industry statistics).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from . import platform as plat
from .automaton import KeywordAutomaton
from .company_name import DECLARING, company_names, is_region
from .context import POST_CONTEXT_CHARS, SENT_DELIMS, Doc
from .finding import Finding
from .hits import SEVERITY_ORDER, Hit, word_outside
from .normalize import normalize_term
from .opinion import (
    MAX_MODEL_CHARS,
    Features,
    Opinion,
    OpinionModel,
    features,
    window,
    words,
)
from .rules import Rule

# brand-shaped names anywhere in a text (小资钱包, 宜贷网, 联璧金融, 钱宝网, 红岭创投)
_BRAND = re.compile(r"[\u4e00-\u9fffa-z0-9]{1,8}?(?:金服|钱包|财富|金融|理财|普惠|创投|金所|贷|宝|网)"
                    r"(?:网|贷)?")
MAX_BRAND = 8
# suffixes that only platforms end with (not 宝, 网, 贷, 财富: 淘宝, 上网, 房贷, 实现财富)
_FINANCE_BRAND = re.compile(r"[\u4e00-\u9fff]{2,4}(?:金服|金所|创投|普惠)")
MAX_BRAND_TRIES = 8
_BRAND_END = re.compile(r"(?:金服|钱包|财富|金融|理财|普惠|创投|金所|贷|宝|网|公司|集团|交易所|交易中心|"
                        r"银行|基金|资本|控股|投资|科技|币)$")
# (and the verbs of handling a thing: 偷|钱包, 捡|钱包 is a wallet, not 壹钱包)
_NOT_BRAND = frozenset("的了在是和与从向把被给对说投我你他她它这那有偷丢捡掉找拿抢摸翻")
# words that make a kind of business, not a brand, of a suffix (线下理财, 违规金融, 互联网金融)
_GENERIC_MODIFIERS = frozenset({
    "违规", "线下", "线上", "投资", "互联网", "网络", "非法", "消费", "供应链", "个人", "汽车",
    "传统", "正规", "合规", "民间", "地方", "国家", "科技", "数字", "普通", "金融", "理财",
    "大型", "小型", "知名", "著名", "所谓", "这家", "那家", "一家", "某", "该", "存疑", "股权",
    "众筹", "现金", "小额", "网上", "手机", "上海", "北京", "深圳", "广州", "杭州", "浙江", "广东"})
_CUT_COMPANY = re.compile(r"(?:有限|有限责任|股份有限|信息服务|服务有限)$")
_SCARE_QUOTES = "“\"「『"  # (not 《: a title)
# names that end so are a site's or a net's of every day, not a ××网 platform's: the internet,
# a government site, and the nets of everyday speech (大结局要收网, 拿捕鸟网, 铁丝网)
_NOT_BRAND_END = ("互联网", "金融网", "信息网", "政务网", "官网", "上网", "联网",
                  "收网", "渔网", "鸟网", "落网", "天网", "法网", "电网", "球网", "蛛网", "丝网",
                  "拉网", "织网", "撒网", "局域网", "内网", "外网", "防护网", "安全网")
# what follows 网 in the words of going online (网购, 网友, 网课): no ××网 platform ends there
# (not 上, 页, 络: 在宜贷网上投的, 宜贷网页面, 钱宝网络科技)
_NET_WORDS = frozenset("购友红课费速店名恋文剧吧游民聊瘾虫")
FIRM_REACH = 6  # characters around a name where a firm word (平台, 公司, 老板 ...) may stand
LEXICON_SURE = 0.5  # |lexicon sentiment| from which the word lists' label wins (opinion())
_HASHTAG = re.compile(r"#([^#\s]{2,20})#")
# a hashtag of any length (#全民打击骗子平台海象理财张勇贾永良和兜底方复华王新#), and what is no
# word of the post's own: its hashtags, mentions, links and stock codes ($通产丽星sz002243$)
_HASHTAG_ANY = re.compile(r"#([^#\n]{1,60})#")
_NOT_OWN_WORDS = re.compile(r"#[^#\n]{1,60}#|//@[^:：\s]{1,30}[:：]|@[^\s@:：，,]{1,30}|"
                            r"https?://\S+|\$[^$\n]{1,30}\$|\[[^\]\n]{1,8}\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
RIDING_MIN_CHARS = 6  # a post's own words from which a hashtag's trouble can be riding along
# victims campaigning stack their topics on whatever they post (#懒财网诈骗高手…# #西城区金融办#
# #新华社客户端# … 什么快递费这么贵): from this many hashtags a post is one of theirs
CAMPAIGN_TAGS = 3
# a stock's code as forums write it: $北辰钢构(600496)$, （000001）, sh600519 (normalized: lower case)
_STOCK_CODE = re.compile(r"[($（](?:sh|sz)?[036]\d{5}[)$）]|(?<![a-z0-9])(?:sh|sz)[036]\d{5}(?!\d)")
# a problem-platform listing line: 名称 2018-07-31 地区 提现困难
_LISTING = re.compile(r"(?:^|\n)([\u4e00-\u9fffa-z0-9]{2,10})(?:/[^\n\d]{2,12})?\s*\d{4}-\d\d-\d\d")
# an account a post addresses; not the //@name: of a repost chain, which names who reposted
_MENTION = re.compile(r"(?<!//)@([\u4e00-\u9fffa-z0-9]{2,12})(?![\u4e00-\u9fffa-z0-9]*[:：])")
# a short name declared after a registered one: 资易贷（北京）金融信息服务有限公司简称小资钱包
# or a platform it runs (资易贷（北京）金融信息服务有限公司旗下小资钱包平台), or quoted or bracketed
# right after it (资易贷“小资钱包”, 上海易贷网（宜贷网）)
_DECLARED = re.compile(r"(?:" + DECLARING + r"|旗下的?(?:p2p|网贷|互联网金融|借贷|理财)?"
                       r"(?:平台|品牌|产品)?)[为:：]?[“\"「『《]?([\u4e00-\u9fffa-z0-9]{2,12})")
_FORMER = ("原", "前身", "曾用名", "旧称")
_RIGHT_AFTER = re.compile(r"[“\"「『《（(]([\u4e00-\u9fffa-z0-9]{2,12})[”\"」』》）)]")
# a firm set beside trouble as its opposite (i财富并不像不靠谱的跑路平台): that trouble is no one's
# or that a firm turns its back on (三岛中融做合规企业，拒绝非法集资; 远离非法集资): a slogan
_UNLIKE = re.compile(r"(?:不像|不同于|有别于|不是那种)[^，。！？,!?；;]{0,8}$|"
                     r"(?:拒绝|远离|抵制|杜绝|防范|严防|谨防)$")
# a verdict on what someone does (班主任笑着说“你们这是非法集资啊”): with a plain name found by
# context it is a joke about that deed, not trouble at a firm
_VERDICT = re.compile(r"(?:这是|这就是|这叫|这不就是)(?:典型的|妥妥的|标准的)?$")
# a firm that trouble is measured by (比e租宝案还多一人): the comparison's yardstick
_YARDSTICK_AFTER = re.compile(r"(?:案|事件|平台|那样|那次)?(?:还|更)")
DECLARED_REACH = 40  # characters after a name where its registered form and short name may stand


def _yardstick(t: str, name: str, pos: int) -> bool:
    """Is the name the yardstick of a comparison (比e租宝案还多一人, 比钱宝更坑)?"""
    return pos > 0 and t[pos - 1] == "比" and \
        _YARDSTICK_AFTER.match(t, pos + len(name)) is not None


def sentiment_label(score: float) -> str:
    """negative / neutral / positive of a score in [-1, 1] (the console's 负面/中性/正面)."""
    return "negative" if score <= -0.3 else "positive" if score >= 0.3 else "neutral"


@dataclass(frozen=True)
class Candidate:
    name: str          # normalized
    pos: int           # normalized offset
    source: str        # context, lexicon, brand, company, listing, mention


class EntityEventMatcher:
    def __init__(self, finder: plat.PlatformFinder, neg_re: re.Pattern[str],
                 cut: Callable[[str], Iterable[str]], model: OpinionModel | None,
                 platforms: Iterable[str] = (), firm_words: Iterable[str] = (),
                 generic_events: Iterable[str] = (), everyday_events: Iterable[str] = (),
                 finance_words: Iterable[str] = (),
                 consumer_businesses: Iterable[str] = (), fiction: Iterable[str] = (),
                 lesson: Iterable[str] = (), stock_market: Iterable[str] = (),
                 pets: Iterable[str] = (), complaint_words: Iterable[str] = ()) -> None:
        self._pets = tuple(pets)
        self._complaint = (*complaint_words, *finance_words)
        self._finder = finder
        self._fiction = tuple(fiction)
        self._lesson = tuple(lesson)
        self._stock_market = tuple(stock_market)
        self._consumer = tuple(consumer_businesses)
        # with the word that makes it a business (婚庆公司, 宠物店): that 公司 is no finance
        self._consumer_re = re.compile("(?:" + "|".join(map(re.escape, self._consumer))
                                       + ")(?:公司|店|馆|班|中心|机构)?") if self._consumer else None
        self._generic = frozenset(generic_events)
        self._everyday = frozenset(everyday_events)
        self._finance_words = tuple(finance_words)
        self._firm_words = tuple(firm_words)
        self._neg_re = neg_re
        self._cut = cut
        self.model = model
        keys: dict[str, int] = {}
        for name in platforms:
            key = normalize_term(name)
            if len(key) >= 3:
                keys.setdefault(key, len(key))
        self._names = KeywordAutomaton(keys.items(), compact=True)

    # -- candidates -------------------------------------------------------------------------

    def _lexicon_name(self, t: str, near: int) -> Candidate | None:
        """The lexicon's name nearest the first trouble word (within MAX_MODEL_CHARS)."""
        if not self._names:
            return None
        found = []
        for start, _, length in self._names.find(t, max(0, near - MAX_MODEL_CHARS),
                                                 min(len(t), near + MAX_MODEL_CHARS)):
            found.append((abs(start - near), -length, start))  # nearest, then longest
        for _, neg_length, start in sorted(found):
            name = t[start:start - neg_length]
            if not self._finder.valid(name):
                continue
            # a lexicon name that is a word of the dictionary (存钱罐, 月光宝盒) is an everyday
            # word first, unless a firm word stands by it (网贷平台月光宝盒)
            if self._finder.in_dictionary(name) and not self._firm_like(t, name, start):
                continue
            return Candidate(name, start, "lexicon")
        return None

    def _hashtag_name(self, t: str) -> Candidate | None:
        """#小资钱包涉嫌诈骗[超话]#: a topic that starts with a brand names the platform."""
        for m in _HASHTAG.finditer(t[:MAX_MODEL_CHARS]):
            b = _BRAND.match(m.group(1))
            name = self._brand_of(b.group()) if b else ""
            if b and name:
                return Candidate(name, m.start(1) + b.end() - len(name), "brand")
        return None

    def _brand_name(self, t: str) -> Candidate | None:
        head = t[:MAX_MODEL_CHARS]
        for i, m in enumerate(_BRAND.finditer(head)):
            if i == MAX_BRAND_TRIES:
                break  # a page of 金融 and 网 words: the name is found early or not at all
            name = self._brand_of(m.group())
            start = m.end() - len(name)
            if name and not name.endswith(_NOT_BRAND_END) and \
                    self._starts_a_word(head, start, m.end()) and \
                    not self._suffix_runs_on(head, m.end()):
                return Candidate(name, start, "brand")
        return None

    def _suffix_runs_on(self, t: str, end: int) -> bool:
        """Does a brand's closing 宝 make one word with what follows it (璀璨宝|石 is 宝石,
        永久宝|贝)? Then it ends no name. A closing 网 does only with the words of going online
        (_NET_WORDS: 室友网|购 is 网购); jieba is not asked there, for 宜贷网|易捷金融 is two names
        (网易). Not 贷."""
        if t[end - 1] == "网":
            return t[end:end + 1] in _NET_WORDS
        if t[end - 1] != "宝":
            return False
        first = next(iter(self._cut(t[end - 1:end + 3])), "")
        return len(first) > 1

    def names_platform(self, t: str) -> bool:
        """Does a text name a brand-shaped platform (××贷, ××金服; 至尊金服 too, which
        _brand_name leaves alone for its everyday first word)? Not any name the lexicon knows:
        some are everyday words too (存钱罐 is a piggy bank first)."""
        return _FINANCE_BRAND.search(t) is not None or self._brand_name(t) is not None

    def _starts_a_word(self, t: str, start: int, end: int) -> bool:
        """Does a name at t[start:end] begin a word (not 络借贷 in 网络借贷), with a first word
        that is not an everyday one (相关金融, 市金融)?"""
        lo = max(0, start - 4)
        pos = lo
        for w in self._cut(t[lo:end]):
            if pos == start:
                return not self._finder.everyday(w)
            if pos > start:
                return False
            pos += len(w)
        return False

    def _brand_of(self, run: str) -> str:
        """The name at the end of a brand-shaped run: jieba words from the end, while they
        are not everyday words (著名|p2p|机构|红岭|创投 -> 红岭创投)."""
        run = self._finder.trim(run)  # 我投的|小资钱包
        words = list(self._cut(run))
        name = words.pop() if words else ""
        # (jieba leaves an unknown brand as single characters: those belong to it; an
        # everyday word only completes a two-character suffix: 小资|钱包, not 违规|金融)
        while words and len(name) + len(words[-1]) <= MAX_BRAND:
            w = words[-1]
            if w in _NOT_BRAND or w in _GENERIC_MODIFIERS:
                break
            if not (len(w) == 1 or not self._finder.common(w) or len(name) < 3):
                break
            name = words.pop() + name
        return name if len(name) >= 3 and self._finder.valid(name) else ""

    def candidate(self, doc: Doc, risk: list[Hit],
                  lexicon_spans: list[tuple[int, int]]) -> Candidate | None:
        """The platform a text with trouble words is about, or None. The surest names first:
        a hashtag topic, a brand-shaped name right by the trouble words, the lexicon, a
        brand-shaped name anywhere, then a plain name by the trouble words. A trouble word set
        against the firm (并不像不靠谱的跑路平台) or shunned (拒绝非法集资) does not count; a name that
        is the yardstick of a comparison (比e租宝案还多一人), a pet's (我家仓鼠“小钱包”), or a plain
        name under a verdict joke (你们这是非法集资啊) is none, and so is a post riding a trouble
        hashtag's traffic (#某贷爆雷# 奶茶第二杯半价)."""
        risk = [h for h in risk if not _UNLIKE.search(doc.t, max(0, h.start - 14), h.start)]
        if not risk or self._riding_along(doc.t, risk):
            return None
        cand = self._candidate(doc, risk, lexicon_spans)
        if cand is not None and _yardstick(doc.t, cand.name, cand.pos):
            return None
        if cand is not None and cand.source == "context" and not self._brand_shaped(cand.name) \
                and all(_VERDICT.search(doc.t, max(0, h.start - 8), h.start) for h in risk):
            return None
        if cand is not None and any(p in doc.t[max(0, cand.pos - 4):cand.pos + len(cand.name)]
                                    for p in self._pets):
            return None  # 我家仓鼠“小钱包”越狱跑路了, 我家狗子旺财宝又跑路了: a pet's name
        return cand

    def _riding_along(self, t: str, risk: list[Hit]) -> bool:
        """#某贷爆雷# 奶茶第二杯半价: every trouble word is in a hashtag, and the post's own words
        are about something else (rules.yaml, complaint_words)."""
        tags = [m.span() for m in _HASHTAG_ANY.finditer(t)]
        if not tags or len(tags) >= CAMPAIGN_TAGS:
            return False
        if not all(any(s <= h.start and h.end <= e for s, e in tags) for h in risk):
            return False
        own = _NOT_OWN_WORDS.sub(" ", t)
        if len(_CJK.findall(own)) < RIDING_MIN_CHARS:
            return False
        if any(w in own for w in self._complaint):
            return False
        # the platform named in the post's own words too (海象理财的朋友们不要放弃)
        return self._brand_name(own) is None and self._lexicon_name(own, 0) is None

    def _candidate(self, doc: Doc, risk: list[Hit],
                   lexicon_spans: list[tuple[int, int]]) -> Candidate | None:
        spans = [(h.start, h.end) for h in risk]
        if self._consumer_trouble(doc.t, risk) or self._story(doc):
            # a wedding planner or a renovation firm gone with the deposits, a drama's firm gone
            # bust: only a platform the lexicon knows is still one
            return self._lexicon_name(doc.t, min(s for s, _ in spans))
        found = self._finder.find(doc.t, spans + lexicon_spans, spans)
        if found is not None and self._scare_quoted(doc.t, found[0], found[1]):
            found = None
        if found is not None and _CUT_COMPANY.search(found[0]):
            found = None  # 资易贷（北京）金融信息服务有限|公司: a company name cut short
        if found is not None and self._everyday_thing(doc.t, found[0], found[1]):
            found = None  # 小猪存钱罐提现困难: a piggy bank
        shaped = found is not None and self._brand_shaped(found[0])
        hashtag = self._hashtag_name(doc.t)
        if hashtag is not None:
            return hashtag
        if found is not None and shaped:
            return Candidate(found[0], found[1], "context")
        near = min((h.start for h in risk), default=0)
        if doc.kind == "page":
            # a platform's own pages: only the surest names (its terms and news are no
            # trouble posts, and a page has many brand-shaped words)
            return self._lexicon_name(doc.t, near)
        named = self._lexicon_name(doc.t, near) or self._brand_name(doc.t)
        if named is not None and found is not None and named.name in found[0]:
            return Candidate(found[0], found[1], "context")  # 连州财富 in 连州财富通
        if named is not None:
            return named
        if self._studies(doc) or self._stock_talk(doc):
            # a law student's 集资诈骗罪 by 非法占有目的, a history lesson's 上访; a listed
            # company's 立案调查 and its shareholder's 逾期 (no trouble at a platform: labelling
            # guide, case 10), named by its stock or found as a registered company
            return None
        # a plain name (车站手机) with only everyday trouble words (报警, 诈骗, 失联) is not a
        # firm in trouble; with a finance event (提现困难, 非法集资) it is, and so with an event
        # that is also everyday talk (跑路 of a landlord, 爆雷 of a series) in a text about money
        finance_event = self._finance_event(doc.t, risk)
        # one everyday trouble word and no word of money outside it: a firm word by a name
        # (小饭馆的老板 报案, 物流园的老板 立案) makes no financial firm, and only the names above
        # or a registered financial company still count; a boss 失联 with the office 人去楼空
        # and 报警 is a firm's collapse
        money = (finance_event or self._money_talk(doc.t, risk)
                 or len({h.term for h in risk}) > 1)
        company = self._company_name(doc.t, near, finance_event, money)
        if company is not None:
            return company
        if not money:
            return None
        if found is not None and (finance_event or self._firm_like(doc.t, found[0], found[1])):
            return Candidate(found[0], found[1], "context")
        return self._listed_name(doc.t)

    def _everyday_thing(self, t: str, name: str, pos: int) -> bool:
        """Does a name found by context end in a lexicon name that is a word of the dictionary
        (小猪|存钱罐)? Then it is that everyday thing, as the lexicon's own match would be
        (_lexicon_name), unless a firm word stands by it."""
        return any(start + length == len(name) and self._finder.in_dictionary(name[start:])
                   for start, _, length in self._names.find(name, 0, len(name))) \
            and not self._firm_like(t, name, pos)

    def _scare_quoted(self, t: str, name: str, pos: int) -> bool:
        """Is a name in quotation marks a word the writer marks (“打投”是打榜投票, 以“合作养猪”
        的名义, “非法占有目的”), not a platform's name? Quoted names of platforms are brand-shaped
        (“小资钱包”, “有融网”) or stand by a firm word (“冠群驰骋”公司), or the lexicon knows
        them: in the train split every name quoted so was one of these. Titles in 《》 are
        left to the model (《旺旺贷跑路续…》 is a headline about a platform)."""
        if pos == 0 or t[pos - 1] not in _SCARE_QUOTES:
            return False
        if self._firm_like(t, name, pos):
            return False
        return not self._names.find(name)

    def _story(self, doc: Doc) -> bool:
        """Is a short post about a story (fiction: 剧里, 这部剧, 小说里, 网文)? Its 跑路 and 经侦 are
        the plot's (剧里的'星辰财富'一看就要爆雷). A long article may use the words as a figure of
        speech about a real firm (才米公社……剧情反转), so only a post of POST_CONTEXT_CHARS."""
        return self._short_post_with(doc, self._fiction)

    def _studies(self, doc: Doc) -> bool:
        """Is a short post about studying (lesson: 考研, 申论, 历史课, 刑法分论)? Its 集资诈骗罪 and
        集体上访 may be the syllabus's; a student's own platform still has a name of its own
        (lexicon, brand-shaped), so only a plain name found by context stops counting."""
        return self._short_post_with(doc, self._lesson)

    def _stock_talk(self, doc: Doc) -> bool:
        """Is a short post about trading shares (stock_market: 涨停, 停牌, 退市, 年报, 两融, or a
        stock's code: $北辰钢构(600496)$)? Its trouble words are a listed company's; a P2P
        platform named there still has a name of its own (lexicon, brand-shaped)."""
        return self._short_post(doc) and (any(w in doc.t for w in self._stock_market)
                                          or _STOCK_CODE.search(doc.t) is not None)

    @staticmethod
    def _short_post(doc: Doc) -> bool:
        return doc.kind == "post" and len(doc.t) <= POST_CONTEXT_CHARS

    @classmethod
    def _short_post_with(cls, doc: Doc, words: tuple[str, ...]) -> bool:
        return cls._short_post(doc) and any(w in doc.t for w in words)

    def _everyday_only(self, risk: list[Hit]) -> bool:
        """Are all the trouble words everyday (everyday_events) or generic (generic_events)?"""
        return all(h.term in self._generic or h.term in self._everyday for h in risk)

    def _finance_event(self, t: str, risk: list[Hit]) -> bool:
        """Is one of the trouble words a finance event, in its text? 提现困难 and 非法集资 are;
        跑路, 爆雷, 无法提现 (everyday_events) are when the text has a word of finance
        (finance_words) outside the trouble words; 报警, 失联 (generic_events) never are."""
        if not self._everyday_only(risk):
            return True
        if not any(h.term in self._everyday for h in risk):
            return False
        return self._money_talk(t, risk)

    def _money_talk(self, t: str, risk: list[Hit]) -> bool:
        """Is there a word of finance (finance_words) outside the trouble words?"""
        return word_outside(t, self._finance_words, [(h.start, h.end) for h in risk])

    def _consumer_trouble(self, t: str, risk: list[Hit]) -> bool:
        """Is it a consumer's trouble: only everyday or generic trouble words, a consumer
        business (consumer_businesses: 婚庆公司, 驾校, 会员卡) named, and no word of finance
        besides those words (公司 in 家装公司 is no finance)?"""
        if self._consumer_re is None or not self._everyday_only(risk):
            return False
        shops = [m.span() for m in self._consumer_re.finditer(t)]
        if not shops:
            return False
        return not word_outside(t, self._finance_words, [(h.start, h.end) for h in risk] + shops)

    def _company_name(self, t: str, near: int, finance_event: bool,
                      money: bool) -> Candidate | None:
        """The registered company name (its short name or trade name) nearest the first
        trouble word: 对深圳市钱爸爸电子商务有限公司立案侦查 is about 钱爸爸. With only everyday
        trouble words (报警 at a restaurant company's door) the company must be a financial one
        by its registered name or stand by a firm word (平台, 理财 ...) in a text with a word of
        money (`money`)."""
        best: tuple[int, str, int] | None = None
        for name, pos, financial in company_names(t, self._cut, max(0, near - MAX_MODEL_CHARS),
                                                  min(len(t), near + MAX_MODEL_CHARS)):
            if not (finance_event or financial or money and self._firm_like(t, name, pos)):
                continue
            if self._finder.valid(name) and (best is None or abs(pos - near) < best[0]):
                best = (abs(pos - near), name, pos)
        return Candidate(best[1], best[2], "company") if best else None

    def _brand_shaped(self, name: str) -> bool:
        return bool(_BRAND_END.search(name)) or self._finder.is_suffixed(name)

    def _firm_like(self, t: str, name: str, pos: int) -> bool:
        """Is a name found by context a firm's? Shaped like a brand (××贷, ××金服, ××公司) or
        next to a firm word (××平台, 平台××, ××的老板); 车站手机 before 报警 is not."""
        if self._brand_shaped(name):
            return True
        after = t[pos + len(name):pos + len(name) + FIRM_REACH]
        before = t[max(0, pos - FIRM_REACH):pos]
        return any(w in after or w in before for w in self._firm_words)

    def _listed_name(self, t: str) -> Candidate | None:
        """A name at the head of a listing line, or the first account a post addresses that can
        be a platform's (@冠群驰骋; not @海淀公安分局)."""
        head = t[:MAX_MODEL_CHARS]
        for regex, source in ((_LISTING, "listing"), (_MENTION, "mention")):
            for m in regex.finditer(head):
                if self._finder.valid(m.group(1)):
                    return Candidate(m.group(1), m.start(1), source)
        return None

    def declared_name(self, t: str, cand: Candidate) -> Candidate:
        """The name the public knows a firm by, when the text declares it right after the name
        found: the short name in brackets after a registered name that holds it (杭州锐硕网络科技
        有限公司(得宝理财) -> 得宝理财), a name quoted or bracketed right after it (上海易贷网（宜贷网）
        -> 宜贷网), or the name after 简称/下称/旗下 (资易贷（北京）金融信息服务有限公司简称小资钱包
        -> 小资钱包); else `cand`. Only the reported name changes, not the model's features."""
        end = cand.pos + len(cand.name)
        hi = min(len(t), end + DECLARED_REACH)
        stop = next((i for i in range(end, hi) if t[i] in SENT_DELIMS), hi)
        for name, pos, _ in company_names(t, self._cut, cand.pos, stop):
            if pos > end and "有限" in t[end:pos] and name != cand.name and self._finder.valid(name):
                return Candidate(name, pos, cand.source)
        for m in (_RIGHT_AFTER.match(t, end, stop), _DECLARED.search(t, end, stop)):
            run = m.group(1) if m else ""
            if not run or run.startswith(_FORMER) or is_region(run):
                continue  # 宜贷网（原易贷网）, 资易贷（北京）
            # 小资钱包|诈骗平台: the longest prefix shaped like a brand, else the longest name
            names = [run[:n] for n in range(len(run), 1, -1) if self._finder.valid(run[:n])]
            name = next((n for n in names if self._brand_shaped(n)), names[0] if names else "")
            if name:
                return Candidate(name, m.start(1), cand.source)
        return cand

    # -- the decision -----------------------------------------------------------------------

    def meta(self, doc: Doc, risk: list[Hit], cand: Candidate | None, lo: int = 0,
             hi: int | None = None) -> list[str]:
        """Facts of the rule stage, as model features (cue words: in the model's window)."""
        hi = len(doc.t) if hi is None else hi
        out = [f"kind:{doc.kind}", f"platform:{cand.source if cand else 'none'}"]
        out += sorted({f"event:{h.term}" for h in risk if h.term})
        n = len({h.term for h in risk})
        out.append(f"events:{min(n, 3)}")
        if risk:
            out.append("event:" + max(risk, key=lambda h: SEVERITY_ORDER[h.severity]).severity)
        for cue in ("statistics", "warning", "reporting", "quoting", "denial"):
            if doc.cue_in(cue, lo, hi):
                out.append(f"cue:{cue}")
        # the sentiment lexicon's counts, binned (按时回款, 靠谱 / 血汗钱, 骗)
        for cue in ("positive", "negative"):
            n = doc.cue_count(cue, lo, hi)
            out += [f"{cue}:{k}" for k in range(1, min(n, 3) + 1)]
        if cand is not None and risk:
            gap = min(abs(cand.pos - h.start) for h in risk)
            out.append("near:" + ("10" if gap <= 10 else "40" if gap <= 40 else "far"))
        return out

    def features(self, doc: Doc, risk: list[Hit], cand: Candidate | None) -> Features:
        lo, hi = window(doc.t, min((h.start for h in risk), default=None))
        part = doc.t[lo:hi]
        return features(part, words(part), self.meta(doc, risk, cand, lo, hi))

    def lexicon_sentiment(self, doc: Doc, risk: list[Hit]) -> float:
        """Sentiment from the word lists; the trouble words found count as complaint words
        (立案 next to 尽快 is not a positive post)."""
        negative = sorted(set(doc.cues("negative")) | {h.start for h in risk})
        return plat.sentiment_score(doc.t, negative, doc.cues("positive"), self._neg_re)

    def opinion(self, doc: Doc, risk: list[Hit], cand: Candidate | None,
                feats: Features | None = None) -> Opinion:
        """Risk from the model (0 without one); sentiment from the model with the word lists as
        a second opinion: the score is their mean, and where the word lists are sure (|score|
        >= LEXICON_SURE) and the model says otherwise, their label wins - praise is rare in the
        labelled posts (84 of 1,169), so the model alone underrates it."""
        lex = self.lexicon_sentiment(doc, risk)
        if self.model is None:
            return Opinion(risk=0.0, sentiment=sentiment_label(lex), sentiment_score=lex)
        op = self.model.predict(feats if feats is not None else self.features(doc, risk, cand))
        label = op.sentiment
        if abs(lex) >= LEXICON_SURE and sentiment_label(lex) != label:
            label = sentiment_label(lex)
        return Opinion(risk=op.risk, sentiment=label,
                       sentiment_score=round((op.sentiment_score + lex) / 2, 3))

    def judge(self, doc: Doc, rule: Rule, risk: list[Hit],
              lexicon_spans: list[tuple[int, int]]) -> Finding | None:
        """A finding of `rule` for this text, or None."""
        cand = self.candidate(doc, risk, lexicon_spans)
        if cand is None:
            return None
        feats = self.features(doc, risk, cand) if self.model is not None else None
        if self.model is not None and feats is not None:
            # most candidates stop here: the sentiment is computed only for findings
            p = self.model.risk(feats)
            if p < self.model.threshold:
                return None
        op = self.opinion(doc, risk, cand, feats)
        if self.model is None and (doc.has_cue("statistics") or op.sentiment_score > 0.2):
            return None  # industry statistics, or a positive post that uses a risk word
        score = op.sentiment_score
        # the name as written in the text (禾雲金服), and normalized for grouping by platform
        cand = self.declared_name(doc.t, cand)
        ps, pe = doc.norm.span(cand.pos, cand.pos + len(cand.name))
        platform = doc.norm.original[ps:pe]
        risk = sorted(risk, key=lambda h: (-SEVERITY_ORDER[h.severity], h.start))
        best = risk[0]
        start, end = doc.norm.span(best.start, best.end)
        extra: dict[str, object] = {"platform_normalized": cand.name,
                                    "platform_source": cand.source,
                                    "signals": sorted({h.term for h in risk if h.term})}
        extra["sentiment_label"] = op.sentiment
        if self.model is not None:
            extra["risk_probability"] = round(op.risk, 3)
        return Finding(
            rule=rule.id, severity=best.severity, evidence=doc.norm.original[start:end],
            start=start, end=end, clause=rule.clause, lead=rule.lead, rule_name=rule.name,
            normalized=doc.t[best.start:best.end], platform=platform, sentiment=score,
            extra=extra,
        )
