"""Speed of the analyzers on one core: jieba.lcut (the baseline) against the full pipeline.

    python -m benchmarks.analyzer_speed [--size tiny|bench|full] [--mb 20] [--seed 7]

Builds a corpus of realistic page text (navigation, footers with 版权所有 and ICP lines,
paragraphs of the city's plan in traditional and simplified characters, everyday filler, and the
labeled texts of tests/corpus sprinkled in as the findings), then measures in one run:

  (a) jieba.lcut over every page (the baseline the issue compares against);
  (b) the `patrol analyze` pipeline: JSON Lines in -> analyze -> JSON Lines out;
  (c) a bare Aho-Corasick scan of the same text, the ceiling.

Times are CPU seconds of this process (time.process_time), pinned to one core, so that other
work on a shared machine does not distort the figures. (a) and (b) are interleaved: the corpus is
cut into CHUNKS slices, and each slice is run through both, in alternating order, so that a slow
spell of the machine (another process on the core's sibling, a lower clock) falls on both sides
of the ratio instead of on whichever ran during it; the per-slice ratios are printed as well.
Load time (rules, automaton, jieba dictionary) is reported separately; peak memory is the
process's maximum resident set size, and the Python allocation peak of the pipeline measured
with tracemalloc on a sample (tracemalloc slows everything, so not on the timed run).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLAN = ROOT / "tests" / "analyzers" / "data" / "qingyuan-internet-finance-rectification-plan-2016.txt"
CORPUS = ROOT / "tests" / "corpus" / "texts.jsonl"

from benchmarks.common import Row, main, preset  # noqa: E402

NAV = ["首页", "新闻中心", "通知公告", "政务公开", "办事服务", "互动交流", "关于我们", "联系我们",
       "产品中心", "会员中心", "帮助中心", "网站地图", "理财学院", "信息披露", "招贤纳士"]
CITIES = ["清城区", "清新区", "英德市", "连州市", "佛冈县", "阳山县", "连山县", "连南县"]
THINGS = ["自来水管网改造", "道路绿化", "垃圾分类", "社区卫生服务中心", "老旧小区加装电梯",
          "乡村振兴示范带", "公交线路调整", "中小学校舍维修", "农贸市场升级", "防汛物资储备"]
GOODS = ["英德红茶", "清远鸡", "连州菜心", "阳山淮山", "佛冈豆腐", "西牛麻竹笋", "连山大肉姜"]
TEMPLATES = [
    "{city}{thing}工程近日完成验收，预计惠及群众{n}余户，相关部门将持续做好后续管理工作。",
    "据气象部门预报，本周{city}以多云天气为主，最高气温{t}摄氏度，请市民注意防暑降温。",
    "{city}召开{thing}推进会，会议强调要压实责任，确保{m}月底前完成全部任务。",
    "为方便群众办事，{city}政务服务中心推出“一窗通办”，平均办理时间缩短至{n}分钟。",
    "本店新到{good}，产地直发，{n}元起售，欢迎新老顾客选购，支持货到付款。",
    "网友留言：{city}某路段路灯损坏已有{m}天，希望有关部门尽快维修。回复：已转交处理。",
    "{good}采摘节将于{m}月{d}日开幕，活动期间设有农产品展销、文艺演出等环节。",
    "{city}图书馆开展周末亲子阅读活动，每场限{n}组家庭参加，请提前预约。",
    "今年以来，{city}累计新增就业岗位{n}个，城镇登记失业率控制在合理区间。",
    "楼主分享：周末带孩子去{city}爬山，空气很好，山顶风景不错，推荐大家去看看。",
    "{city}人民医院提醒：近期为流感高发期，请市民勤洗手、多通风，出现症状及时就医。",
    "招聘：{city}某物流公司招聘仓库管理员{m}名，待遇面议，有意者请携带简历面试。",
    "关于{city}{thing}项目的公示：公示期为{m}个工作日，如有异议请向有关部门反映。",
    "{good}礼盒装上市，精选原料，传统工艺，节日送礼佳品，满{n}元包邮。",
    "二手转让：九成新婴儿车一辆，{city}同城自提，价格{n}元，有意私聊。",
]


def filler(rng: random.Random) -> str:
    return rng.choice(TEMPLATES).format(
        city=rng.choice(CITIES), thing=rng.choice(THINGS), good=rng.choice(GOODS),
        n=rng.randint(10, 9000), t=rng.randint(18, 36), m=rng.randint(1, 12),
        d=rng.randint(1, 28))


def build_pages(target_bytes: int, seed: int) -> list[tuple[str, str]]:
    """(kind, text) pages totalling at least target_bytes of UTF-8."""
    import opencc

    rng = random.Random(seed)
    plan = PLAN.read_text("utf-8")
    plan_lines = [x for x in plan.splitlines() if len(x.strip()) > 10]
    plan_lines += [opencc.OpenCC("t2s").convert(x) for x in plan_lines]
    labeled = [json.loads(x)["text"] for x in CORPUS.read_text("utf-8").splitlines()
               if x.strip()] if CORPUS.is_file() else ["北江金服：保本保息，年化12%。"]
    kinds = ["page", "page", "page", "news", "notice", "post", "ad"]
    pages: list[tuple[str, str]] = []
    total = 0
    while total < target_bytes:
        lines = [" | ".join(rng.sample(NAV, 8))]
        for _ in range(rng.randint(20, 120)):
            r = rng.random()
            if r < 0.04:
                lines.append(rng.choice(labeled))       # the findings
            elif r < 0.30:
                lines.append(rng.choice(plan_lines))    # government text, traditional or not
            else:
                lines.append(filler(rng))
        lines.append(f"版权所有 © 2016 清远{rng.choice(CITIES)}信息科技有限公司 "
                     f"粤ICP备{rng.randint(10000000, 99999999)}号")
        text = "\n".join(lines)
        pages.append((rng.choice(kinds), text))
        total += len(text.encode("utf-8"))
    return pages


def pin_one_core() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to cpu {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_pipeline(analyzer: object, jsonl: str) -> int:
    """What `patrol analyze` does per record, minus the terminal: parse, analyze, serialize."""
    from cli.analyze import iter_records

    out = io.StringIO()
    n = 0
    for record_id, text, kind in iter_records(io.StringIO(jsonl), "bench.jsonl", "jsonl",
                                              "page", print):
        findings = [f.to_dict() for f in analyzer.analyze(text, kind)]
        n += len(findings)
        out.write(json.dumps({"id": record_id, "findings": findings}, ensure_ascii=False))
        out.write("\n")
    return n


CHUNKS = 10  # slices of the corpus that (a) and (b) take turns on


def interleaved(analyzer: object, pages: list[tuple[str, str]],
                jsonl: str) -> tuple[float, float, int, list[float]]:
    """CPU seconds of jieba.lcut and of the pipeline over the whole corpus, slice by slice in
    alternating order (see the module docstring), the findings, and the per-slice ratios."""
    import jieba

    lines = jsonl.splitlines(keepends=True)
    step = max(1, -(-len(pages) // CHUNKS))
    jieba_s = pipe_s = 0.0
    n = 0
    ratios = []
    for i, start in enumerate(range(0, len(pages), step)):
        texts = [text for _, text in pages[start:start + step]]
        records = "".join(lines[start:start + step])
        times = {}
        for side in (("a", "b") if i % 2 == 0 else ("b", "a")):
            t0 = time.process_time()
            if side == "a":
                for text in texts:
                    jieba.lcut(text)
            else:
                n += run_pipeline(analyzer, records)
            times[side] = time.process_time() - t0
        jieba_s += times["a"]
        pipe_s += times["b"]
        ratios.append(times["a"] / max(times["b"], 1e-9))
    return jieba_s, pipe_s, n, ratios


SIZES = {  # corpus size in MB (UTF-8) and the seed of its generator
    "tiny": {"mb": 0.2, "seed": 7},
    "bench": {"mb": 4.0, "seed": 7},
    "full": {"mb": 20.0, "seed": 7},
}


def run(size: str = "full", **options: Any) -> list[Row]:
    args = preset(SIZES, size, options)
    print(pin_one_core())

    t0 = time.process_time()
    pages = build_pages(int(args["mb"] * 1_000_000), args["seed"])
    size = sum(len(t.encode("utf-8")) for _, t in pages)
    mb = size / 1e6
    jsonl = "".join(json.dumps({"id": i, "text": t, "kind": k}, ensure_ascii=False) + "\n"
                    for i, (k, t) in enumerate(pages))
    print(f"corpus: {len(pages)} pages, {mb:.1f} MB, built in {time.process_time() - t0:.1f} s")
    rss_before = rss_mb()

    t0 = time.process_time()
    from analyzers import Analyzer

    analyzer = Analyzer(ROOT / "config" / "rules.yaml", ROOT / "config" / "licensed.txt")
    load = time.process_time() - t0
    print(f"load (import, rules, automaton, jieba dictionary): {load:.2f} s, "
          f"peak RSS {rss_before:.0f} -> {rss_mb():.0f} MB")

    import jieba

    jieba.initialize()
    jieba_s, pipe_s, n, ratios = interleaved(analyzer, pages, jsonl)
    print(f"(a) jieba.lcut:        {mb / jieba_s:6.2f} MB/s  ({jieba_s:.1f} s)")
    print(f"(b) patrol analyze:    {mb / pipe_s:6.2f} MB/s  ({pipe_s:.1f} s, {n} findings)")
    ratios.sort()
    print(f"per-slice ratios (b)/(a) of {len(ratios)} slices: min {ratios[0]:.1f}x, "
          f"median {ratios[len(ratios) // 2]:.1f}x, max {ratios[-1]:.1f}x")

    auto = analyzer._automaton
    t0 = time.process_time()
    for _, text in pages:
        auto.find(text)
    ac_s = time.process_time() - t0
    print(f"(c) bare Aho-Corasick: {mb / ac_s:6.2f} MB/s  (ceiling)")
    print(f"ratio (b)/(a): {jieba_s / pipe_s:.1f}x   ceiling (c)/(a): {jieba_s / ac_s:.1f}x")

    sample = "".join(jsonl.splitlines(keepends=True)[:max(1, len(pages) // 10)])
    tracemalloc.start()
    run_pipeline(analyzer, sample)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory: process RSS {rss_mb():.0f} MB (the corpus itself is held in memory); "
          f"pipeline Python allocations peak {peak / 1e6:.1f} MB on a "
          f"{len(sample.encode()) / 1e6:.1f} MB sample")
    return [
        Row("patrol analyze vs jieba.lcut", mb / pipe_s, mb / jieba_s, "MB/s", ">= 10x"),
        Row("bare Aho-Corasick (ceiling) vs jieba.lcut", mb / ac_s, mb / jieba_s, "MB/s"),
        Row("load: rules, automaton, jieba dictionary", load, None, "s"),
    ]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
