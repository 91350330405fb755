"""Store speed, in one run: SQLite insert rate, cluster indexing through the store vs raw
`helpers.bulk` of the same documents, and p50/p95 of a filtered Chinese full-text query over
200,000 findings on both backends.

    python -m benchmarks.store_speed                 # starts its own OpenSearch node
    python -m benchmarks.store_speed --url http://127.0.0.1:9200 --count 50000
    python -m benchmarks.store_speed --size tiny --skip-cluster

Goals: SQLite >= 5,000 findings/s; store >= 0.9x raw bulk; query p95 < 200 ms.
Figures are printed, never asserted: speed depends on the machine.
"""

from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import Row, main, preset  # noqa: E402
from findings import FindingQuery, FindingRecord, Store, finding_id, open_store  # noqa: E402

EVIDENCE = ["保本保息", "年化收益率15%", "稳赚不赔", "首付贷", "股票配资", "提现困难", "资金池",
            "注册送现金红包", "个人POS机办理", "零风险", "月息2分", "原始股认购", "逾期代偿",
            "众筹买房", "新手标加息"]
FILLER = ["本平台", "欢迎投资", "安全可靠", "银行存管", "限时抢购", "新用户专享", "名额有限",
          "详情咨询客服", "公司地址", "北江金服", "鑫盛贷", "季享盈", "理财产品", "期限三个月",
          "百元起投", "当日计息", "资金安全", "专业团队", "值得信赖", "用户评价"]
RULES = ["promised_return", "guaranteed_principal", "real_estate_finance", "margin_financing",
         "unlicensed_payment", "fundraising_signal", "improper_subsidy", "public_risk"]
LEADS = ["市金融局", "市工商局", "市公安局", "市住房和城乡建设管理局", "人民银行清远市中心支行"]
T0 = datetime(2026, 1, 1, tzinfo=UTC)
QUERY_WORDS = ["保本", "年化收益", "稳赚不赔", "首付贷", "配资", "提现困难", "资金池", "零风险"]


def make_findings(count: int, seed: int = 7) -> list[FindingRecord]:
    rnd = random.Random(seed)
    out = []
    for i in range(count):
        evidence = rnd.choice(EVIDENCE)
        source = f"http://site{i % 2000}.example.invalid/p{i // 2000}.html"
        rule = rnd.choice(RULES)
        context = "".join(rnd.sample(FILLER, 4)) + evidence + "".join(rnd.sample(FILLER, 3))
        at = T0 + timedelta(seconds=i * 13)
        out.append(FindingRecord(
            id=finding_id(source, rule, f"{evidence}{i}"), rule=rule,
            severity=rnd.choice(["high", "high", "medium", "low"]), evidence=evidence,
            start=10, end=10 + len(evidence), clause="二(一)1", lead=rnd.choice(LEADS),
            source=source, captured_at=at, rule_name=rule, normalized=f"{evidence}{i}",
            context=context, domain=f"site{i % 2000}.example.invalid", target=f"t{i % 50}",
            content_hash="ab" * 32, status=rnd.choice(["new", "new", "new", "confirmed"])))
    return out


def queries(n: int, seed: int = 11) -> list[FindingQuery]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        q = FindingQuery(text=rnd.choice(QUERY_WORDS), limit=50)
        choice = rnd.randrange(3)
        if choice == 0:
            q.severities = ["high"]
        elif choice == 1:
            q.statuses = ["new"]
            q.leads = [rnd.choice(LEADS)]
        else:
            q.rules = [rnd.choice(RULES)]
            q.since = T0 + timedelta(days=rnd.randrange(1, 20))
        out.append(q)
    return out


def timed_inserts(store: Store, findings: list[FindingRecord], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(findings), batch):
        store.upsert_findings(findings[i:i + batch])
    return len(findings) / (time.perf_counter() - start)


def latencies(store: Store, qs: list[FindingQuery]) -> tuple[float, float, float]:
    for q in qs[:10]:  # warm caches
        store.query_findings(q)
    times = []
    for q in qs:
        start = time.perf_counter()
        page = store.query_findings(q)
        times.append((time.perf_counter() - start) * 1000)
        assert page.total is not None
    times.sort()
    deep = []
    cursor = None
    for _ in range(40):  # 40 pages of 50 deep into one result
        start = time.perf_counter()
        page = store.query_findings(FindingQuery(text="保本", limit=50, cursor=cursor))
        deep.append((time.perf_counter() - start) * 1000)
        cursor = page.next_cursor
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1], statistics.median(deep[-10:])


def compare_indexing(store: Store, url: str, kind: str, prefix: str,
                     findings: list[FindingRecord], rounds: int = 10,
                     batch: int = 10_000) -> tuple[float, float]:
    """Indexing rate through the store vs raw helpers.bulk of the very documents the store
    sends, into an index with the same mapping. Interleaved in rounds, so that both see the
    same background load and index sizes on a shared machine. The store gets `batch` findings
    per call (a bulk load): it pipelines within a call, segmenting and encoding the next chunk
    while the cluster indexes the previous one."""
    from findings.cluster.clients import connect
    from findings.cluster.docs import finding_doc
    from findings.cluster.indices import template_body
    from findings.cluster.mappings import FINDINGS

    index = f"{prefix}-raw"
    admin = connect(url)
    admin.request("PUT", f"/{index}", body=template_body(index, 1, FINDINGS)["template"])
    if kind == "opensearch":
        from opensearchpy import OpenSearch, helpers

        client = OpenSearch([url], timeout=120)
    else:
        from elasticsearch import Elasticsearch, helpers

        client = Elasticsearch(url, request_timeout=120)
    size = -(-len(findings) // rounds)
    store_time = raw_time = 0.0
    errors = 0
    for r in range(rounds):
        part = findings[r * size:(r + 1) * size]
        start = time.perf_counter()
        for i in range(0, len(part), batch):
            store.upsert_findings(part[i:i + batch])
        store_time += time.perf_counter() - start
        docs = [finding_doc(f) for f in part]  # the store's documents, made beforehand
        actions = [{"_op_type": "create", "_index": index, "_id": d["id"], "_source": d}
                   for d in docs]
        start = time.perf_counter()
        _ok, failed = helpers.bulk(client, actions, chunk_size=500, raise_on_error=False)
        raw_time += time.perf_counter() - start
        errors += len(failed)
    if errors:
        print(f"  raw bulk errors: {errors}")
    admin.request("DELETE", f"/{index}")
    admin.close()
    return len(findings) / store_time, len(findings) / raw_time


def indexing_row(count: int, kind: str = "opensearch", url: str = "") -> Row:
    """Only the store/raw indexing comparison, on a node of `kind` started here (or at
    `url`), for benchmarks/distributed_speed.py."""
    work = Path(tempfile.mkdtemp(prefix="store-indexing-"))
    node = None
    try:
        if not url:
            from tests.services.searchnode import start_searchnode

            node = start_searchnode(kind, work / "node")
            url = node.url
        prefix = f"bench{uuid.uuid4().hex[:6]}"
        with open_store(url, data_dir=work, index_prefix=prefix) as cstore:
            timed_inserts(cstore, make_findings(5_000, seed=5), 2_000)
            store_rate, raw_rate = compare_indexing(
                cstore, url, cstore.kind, prefix, make_findings(count))
            cstore.drop_indexes()
    finally:
        if node is not None:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"  store {store_rate:,.0f} findings/s, raw helpers.bulk {raw_rate:,.0f} docs/s: "
          f"{store_rate / raw_rate:.2f}x (goal >= 0.9x)")
    return Row("cluster indexing via the store vs raw bulk", store_rate, raw_rate, "docs/s",
               ">= 0.9x")


# count: findings stored; url: a running Elasticsearch/OpenSearch (empty: start a node of
# `kind`); queries: filtered full-text queries timed; skip_cluster: SQLite only.
SIZES = {
    "tiny": {"count": 2_000, "url": "", "kind": "opensearch", "queries": 20,
             "skip_cluster": False},
    "bench": {"count": 30_000, "url": "", "kind": "opensearch", "queries": 100,
              "skip_cluster": False},
    "full": {"count": 200_000, "url": "", "kind": "opensearch", "queries": 200,
             "skip_cluster": False},
}


def run(size: str = "full", **options: Any) -> list[Row]:
    args = SimpleNamespace(**preset(SIZES, size, options))
    rows: list[Row] = []

    work = Path(tempfile.mkdtemp(prefix="store-speed-"))
    print(f"generating {args.count:,} findings ...", flush=True)
    findings = make_findings(args.count)
    qs = queries(args.queries)

    print("\n== SQLite ==")
    with open_store("", data_dir=work / "sqlite") as store:
        rate = timed_inserts(store, findings, 500)
        print(f"  insert, batches of 500: {rate:,.0f} findings/s  (goal >= 5,000)")
        rows.append(Row("SQLite insert, batches of 500", rate, None, "findings/s", ">= 5,000"))
        small = make_findings(5_000, seed=99)
        print(f"  insert, batches of 10 (one page at a time): "
              f"{timed_inserts(store, small, 10):,.0f} findings/s")
        again = timed_inserts(store, findings[:20_000], 500)
        print(f"  re-sighting known findings (update last_seen): {again:,.0f} findings/s")
        p50, p95, deep = latencies(store, qs)
        print(f"  filtered full-text query over {args.count:,}: p50 {p50:.1f} ms, "
              f"p95 {p95:.1f} ms (goal p95 < 200 ms); page 31-40 via cursor: {deep:.1f} ms")
        sqlite_p95 = p95
        rows.append(Row(f"SQLite full-text query p95, {args.count:,} findings", p95, None, "ms",
                        "< 200 ms"))

    if args.skip_cluster:
        shutil.rmtree(work, ignore_errors=True)
        return rows
    node = None
    url = args.url
    if not url:
        from tests.services.searchnode import start_searchnode

        print(f"\nstarting a {args.kind} node ...", flush=True)
        node = start_searchnode(args.kind, work / "node")
        url = node.url
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    try:
        with open_store(url, data_dir=work, index_prefix=prefix) as cstore:
            print(f"\n== cluster: {cstore.kind} at {url} ==")
            warm = make_findings(5_000, seed=5)
            timed_inserts(cstore, warm, 2_000)
            store_rate, raw_rate = compare_indexing(
                cstore, url, cstore.kind, prefix, findings)
            print(f"  indexing through the store, 10,000 per call: {store_rate:,.0f} findings/s")
            print(f"  raw helpers.bulk, same documents: {raw_rate:,.0f} docs/s")
            print(f"  ratio store/raw: {store_rate / raw_rate:.2f}x (goal >= 0.9x)")
            rows.append(Row("cluster indexing via the store vs raw bulk", store_rate, raw_rate,
                            "docs/s", ">= 0.9x"))
            pages = make_findings(3_000, seed=123)
            print(f"  through the store, 10 findings per call (one page at a time): "
                  f"{timed_inserts(cstore, pages, 10):,.0f} findings/s")
            p50, p95, deep = latencies(cstore, qs)
            print(f"  filtered full-text query over {args.count + 5_000:,}: p50 {p50:.1f} ms, "
                  f"p95 {p95:.1f} ms; page 31-40 via cursor: {deep:.1f} ms")
            print(f"\n  p95 cluster/SQLite: {p95 / sqlite_p95:.2f}x")
            rows.append(Row("cluster full-text query p95 vs SQLite", p95, sqlite_p95, "ms",
                            "< 200 ms"))
            cstore.drop_indexes()
    finally:
        if node is not None:
            node.stop()
        shutil.rmtree(work, ignore_errors=True)
    return rows


if __name__ == "__main__":
    sys.exit(main(run, SIZES, __doc__.splitlines()[0]))
