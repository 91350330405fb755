#!/usr/bin/env python3
"""Sanity checks for the hand-labeled corpus (format, ids, labels, minimum counts, coverage).

Run:  python3 tests/corpus/validate.py
"""

import collections
import json
import os
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

def _text_rules():
    """The rules that read running text, from the rules file where every rule is declared."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    from settings.rulecatalog import text_rules

    return text_rules()


RULES = _text_rules()
KINDS = {"ad", "page", "post", "news", "notice"}
TERMS = [
    "交易所",
    "交易中心",
    "金融",
    "资产管理",
    "理财",
    "基金",
    "基金管理",
    "投资管理",
    "财富管理",
    "股权投资基金",
    "网贷",
    "网络借贷",
    "P2P",
    "股权众筹",
    "互联网保险",
    "支付",
]
# only the traditional forms that occur in enterprises.jsonl
T2S = str.maketrans("資產財貸網絡借眾籌聯險權", "资产财贷网络借众筹联险权")
EVASIONS = [
    "穩賺不賠",
    "零風險",
    "首付貸",
    "網貸",
    "保本保息",
    "年化１８％",
    "Ｐ２Ｐ",
    "保-本",
    "保 本 保 息",
    "保·本",
    "保/本",
    "保|本",
    "保_本",
    "保•本",
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "保(bǎo)本",
    "印發(fā)",
    "&nbsp;",
    "?",
    "年化十二个点",
    "年化十五个点",
    "月息两分",
    "月息一分半",
    "日息万分之五",
    "日息千分之一",
    "月息2分",
    "月息2%",
    "日息0.1%",
    "年化12%-15%",
]
NEGATIONS = [
    "不保本",
    "非保本",
    "不保证本金",
    "不承诺保本",
    "不承诺收益",
    "并非保本",
    "过往业绩不代表未来表现",
    "理财非存款、产品有风险、投资须谨慎",
    "保本经营",
    "零风险购物",
    "兜底保障",
    "转贷资金池",
    "融资融券",
    "支付宝",
    "平台跑路了怎么办",
    "累计收益14.72%",
    "固定收益类资产",
    "LPR",
    "信用卡分期手续费",
]


def load(name):
    out = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    sys.exit("%s:%d: %s" % (name, n, e))
    return out


def main():
    errs = []
    texts = load("texts.jsonl")
    ids = [o["id"] for o in texts]
    if len(ids) != len(set(ids)):
        errs.append("duplicate text ids")
    pos = collections.Counter()
    for o in texts:
        for k in ("id", "kind", "text", "labels", "rates", "note"):
            if k not in o:
                errs.append("{}: missing {}".format(o.get("id"), k))
        if o["kind"] not in KINDS:
            errs.append("{}: bad kind".format(o["id"]))
        if not set(o["labels"]) <= set(RULES) or o["labels"] != sorted(set(o["labels"])):
            errs.append("{}: bad labels {}".format(o["id"], o["labels"]))
        if o["rates"] and "promised_return" not in o["labels"]:
            errs.append("{}: rates without promised_return".format(o["id"]))
        if any(not isinstance(r, float) or r < 6.0 for r in o["rates"]) or o["rates"] != sorted(
            set(o["rates"])
        ):
            errs.append("{}: bad rates {}".format(o["id"], o["rates"]))
        if "public_risk" in o["labels"] and not o.get("platform"):
            errs.append("{}: public_risk without platform".format(o["id"]))
        if o.get("platform") and o["platform"] not in unicodedata.normalize("NFKC", o["text"]):
            errs.append("{}: platform not in text".format(o["id"]))
        pos.update(o["labels"])
    negs = sum(1 for o in texts if not o["labels"])
    if len(texts) < 320:
        errs.append("texts < 320")
    if negs < 120:
        errs.append("hard negatives < 120")
    for r in RULES:
        if pos[r] < 25:
            errs.append("%s positives %d < 25" % (r, pos[r]))
    alltext = "\n".join(o["text"] for o in texts)
    for e in EVASIONS:
        if e not in alltext:
            errs.append(f"evasion missing: {e!r}")
    negtext = "\n".join(o["text"] for o in texts if not o["labels"])
    for e in NEGATIONS:
        if e not in negtext:
            errs.append(f"negative case missing: {e!r}")

    ents = load("enterprises.jsonl")
    licensed = [
        l.strip() for l in open(os.path.join(HERE, "licensed.txt"), encoding="utf-8") if l.strip()
    ]
    eids = [o["id"] for o in ents]
    if len(eids) != len(set(eids)):
        errs.append("duplicate enterprise ids")
    term_count = collections.Counter()
    for o in ents:
        if o["labels"] not in ([], ["restricted_name"]):
            errs.append("{}: bad labels".format(o["id"]))
        if o["labels"] and o["name"] in licensed:
            errs.append("{}: licensed name labelled positive".format(o["id"]))
        if o["labels"]:
            s = unicodedata.normalize("NFKC", o["name"] + "|" + o["scope"]).translate(T2S)
            for t in TERMS:
                term_count[t] += s.count(t)
    eneg = sum(1 for o in ents if not o["labels"])
    if len(ents) < 110:
        errs.append("enterprises < 110")
    if eneg < 45:
        errs.append("enterprise negatives < 45")
    for t in TERMS:
        if term_count[t] < 4:
            errs.append("term %s only %d times" % (t, term_count[t]))
    used = {o["name"] for o in ents if not o["labels"]}
    if len(licensed) < 8:
        errs.append("licensed.txt < 8 names")
    for name in licensed:
        if name not in used:
            errs.append(f"licensed name not used by a negative: {name}")

    print("texts: %d lines, %d hard negatives" % (len(texts), negs))
    print("%-22s %5s %5s" % ("rule", "pos", "neg"))
    for r in RULES:
        print("%-22s %5d %5d" % (r, pos[r], len(texts) - pos[r]))
    print("kinds:", dict(collections.Counter(o["kind"] for o in texts)))
    print(
        "texts with rates: %d, rate values: %d"
        % (sum(1 for o in texts if o["rates"]), sum(len(o["rates"]) for o in texts))
    )
    print(
        "enterprises: %d (%d restricted_name, %d negative); licensed names: %d"
        % (len(ents), len(ents) - eneg, eneg, len(licensed))
    )
    print("term occurrences in positive records:", dict(term_count))
    if errs:
        print("\nERRORS:\n  " + "\n  ".join(errs))
        sys.exit(1)
    print("OK")


if __name__ == "__main__":
    main()
