"""Server time of the console's busiest pages with a large SQLite store.

Fills a store with N findings (default 200,000) and a tenth as many pages, then measures, in
process (Flask test client: routing, store queries and template rendering, no network), the
review queue of each reviewing role, a later page of the queue, a filtered queue, and the search
page. Prints p50 and p95 per page and the ratio to the login page measured in the same run
(the framework's own cost). The goal is p95 under 200 ms for every page on SQLite.

    python -m benchmarks.console_speed [--size tiny|bench|full] [--findings 200000]
                                       [--requests 60] [--data-dir DIR]

With --data-dir, a store filled by an earlier run with enough findings is reused (generating
200,000 findings with their jieba tokens takes a few minutes).
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Row, main, preset  # noqa: E402
from console import create_app  # noqa: E402
from console.users import UserStore, users_path  # noqa: E402
from findings import FindingQuery, FindingRecord, PageRecord, finding_id, page_id  # noqa: E402
from findings.open import store_from_settings  # noqa: E402
from settings import load_settings  # noqa: E402

GOAL_MS = 200.0
PASSWORD = "benchmark-password"
RULES = [("promised_return", 25, "市金融局; ads also 市工商局", "年化收益{r}%，稳赚不赔"),
         ("guaranteed_principal", 15, "市金融局; ads also 市工商局", "保本保息，本金无忧"),
         ("restricted_name", 10, "市工商局, which informs 市金融局", "{p}投资管理有限公司"),
         ("real_estate_finance", 5, "市住房和城乡建设管理局", "首付贷，首付分期"),
         ("margin_financing", 5, "市金融局", "股票配资1:10杠杆"),
         ("unlicensed_payment", 5, "人民银行清远市中心支行", "免费领POS机"),
         ("fundraising_signal", 10, "市金融局; 市公安局 when crime is suspected", "原始股认购，推荐返利"),
         ("improper_subsidy", 5, "市金融局", "注册送现金红包，新手标加息"),
         ("public_risk", 20, "市委宣传部、市网信办", "{p}提现困难，已经逾期三个月，维权群")]
PLATFORMS = [f"{a}{b}" for a in ("金", "鑫", "汇", "融", "安", "盛", "聚", "财", "信", "宝")
             for b in ("贷", "宝", "财富", "金服", "理财", "在线", "e贷", "钱包")]
STATUSES = ["new"] * 25 + ["confirmed"] * 35 + ["dismissed"] * 35 + ["forwarded"] * 5


def fill(store, n: int, pages: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    weights = [w for _, w, _, _ in RULES]
    now = datetime.now(UTC)
    batch: list[FindingRecord] = []
    started = time.perf_counter()
    for i in range(n):
        rule, _, lead, template = rnd.choices(RULES, weights)[0]
        platform = rnd.choice(PLATFORMS)
        evidence = template.format(r=rnd.randint(6, 40), p=platform)
        kind = ("post" if rule == "public_risk" else "enterprise" if rule == "restricted_name"
                else rnd.choice(["ad", "page", "page", "page", "news"]))
        seen = now - timedelta(minutes=rnd.randint(0, 180 * 24 * 60))
        source = (f"enterprise:{platform}{i}" if kind == "enterprise"
                  else f"http://site{i % 2000}.example.invalid/p/{i}")
        context = f"{platform}平台公告：{evidence}。详情请咨询客服。"
        batch.append(FindingRecord(
            id=finding_id(source, rule, evidence), rule=rule,
            severity=rnd.choice(["high", "high", "medium", "medium", "low"]), evidence=evidence,
            start=len(platform) + 5, end=len(platform) + 5 + len(evidence), clause="二(一)1",
            lead=lead, source=source, captured_at=seen, normalized=evidence, context=context,
            domain=f"site{i % 2000}.example.invalid", target=f"target{i % 200}", kind=kind,
            platform=platform if rule == "public_risk" else None,
            sentiment=-0.6 if rule == "public_risk" else None, operator=f"清远{platform}有限公司",
            first_seen=seen, last_seen=seen, status=rnd.choice(STATUSES)))
        if len(batch) == 2000:
            store.upsert_findings(batch)
            batch = []
            if (i + 1) % 20000 == 0:
                print(f"  {i + 1:,} findings ({time.perf_counter() - started:.0f} s)",
                      file=sys.stderr)
    store.upsert_findings(batch)
    for i in range(pages):
        platform = rnd.choice(PLATFORMS)
        url = f"http://site{i % 2000}.example.invalid/page/{i}"
        text = (f"{platform}是一家互联网金融信息服务平台。" + rnd.choice(RULES)[3].format(
            r=rnd.randint(6, 30), p=platform) + "投资有风险，理财需谨慎。" * 5)
        store.save_page(PageRecord(id=page_id("bench", url), url=url, captured_at=now,
                                   title=f"{platform}官网", text=text, domain=f"site{i % 2000}"))


def measure(client, url: str, requests: int) -> list[float]:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        t = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, url
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


# data_dir: reuse a store filled by an earlier run (empty: a new temporary one).
SIZES = {
    "tiny": {"findings": 500, "requests": 5, "data_dir": ""},
    "bench": {"findings": 20_000, "requests": 30, "data_dir": ""},
    "full": {"findings": 200_000, "requests": 60, "data_dir": ""},
}


def run(size: str = "full", **options: Any) -> list[Row]:
    args = SimpleNamespace(**preset(SIZES, size, options))
    data_dir = Path(args.data_dir) if args.data_dir else Path(
        tempfile.mkdtemp(prefix="console-speed-"))
    settings = load_settings(environ={}, overrides={"data_dir": str(data_dir)})
    store = store_from_settings(settings)
    have = sum(store.count_findings(FindingQuery(), by="status").values())
    if have < args.findings:
        print(f"filling {data_dir} with {args.findings - have:,} findings…", file=sys.stderr)
        t = time.perf_counter()
        fill(store, args.findings - have, max(1, args.findings // 10), seed=have + 7)
        print(f"filled in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    total = sum(store.count_findings(FindingQuery(), by="status").values())
    users = UserStore(users_path(settings))
    for role in ("commerce", "finance", "opinion", "admin"):
        if users.get(role) is None:
            users.add(role, role, PASSWORD)
    app = create_app(settings, store=store, users=users)
    clients = {}
    for role in ("commerce", "finance", "opinion", "admin"):
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        client.post("/login", data={"name": role, "password": PASSWORD, "csrf_token": token})
        clients[role] = client
    first = clients["commerce"].get("/review").get_data(as_text=True)
    later = re.search(r'href="(/review\?[^"]*cursor=[^"]+)"', first)
    since = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    cases = [
        ("登录页（基线）", "admin", "/login"),
        ("审核队列 commerce（两个范围合并）", "commerce", "/review"),
        ("审核队列 commerce 第 2 页", "commerce",
         later.group(1).replace("&amp;", "&") if later else "/review"),
        ("审核队列 finance", "finance", "/review"),
        ("审核队列 opinion", "opinion", "/review"),
        ("审核队列 admin 全部", "admin", "/review?scope=all"),
        ("审核队列 按规则+日期筛选", "finance", f"/review?rule=promised_return&since={since}"),
        ("审核队列 最新优先", "finance", "/review?sort=newest"),
        ("搜索 保本保息", "admin", "/search?q=" + quote("保本保息")),
        ("搜索 平台名", "admin", "/search?q=" + quote(PLATFORMS[3])),
        ("搜索 逾期 维权", "admin", "/search?q=" + quote("逾期 维权")),
    ]
    print(f"console server time, SQLite store with {total:,} findings, "
          f"{args.requests} requests per page (ms)")
    print(f"{'page':<34}{'p50':>9}{'p95':>9}{'x login':>9}  goal p95<{GOAL_MS:.0f}")
    base = None
    worst = 0.0
    login_p95 = 0.0
    for label, role, url in cases:
        times = measure(clients[role], url, args.requests)
        p50, high = statistics.median(times), p95(times)
        base = base or p50
        if url != "/login":
            worst = max(worst, high)
        else:
            login_p95 = high
        ok = "ok" if high < GOAL_MS else "SLOW"
        print(f"{label:<34}{p50:>9.1f}{high:>9.1f}{p50 / base:>9.1f}  {ok}")
    print(f"worst p95: {worst:.1f} ms ({'meets' if worst < GOAL_MS else 'misses'} the goal)")
    store.close()
    users.close()
    return [Row(f"worst page p95, {total:,} findings, vs login page", worst, login_p95, "ms",
                f"< {GOAL_MS:.0f} ms")]


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
