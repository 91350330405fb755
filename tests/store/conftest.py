"""Backends for the store contract suite: a real SQLite file and the real search node.

Each test gets a fresh store: a new SQLite file, or a new index prefix on the session's node
(its indexes are deleted afterwards). `store_spec` is what another process needs to open the
same store (URL, data_dir, options).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from findings import FindingRecord, Store, finding_id, open_store

# Both engines run the same contract: OpenSearch through opensearch-py, Elasticsearch through
# the official client. Fault tests use the default node (`search_node`) only.
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("opensearch", id="opensearch", marks=pytest.mark.searchnode),
    pytest.param("elasticsearch", id="elasticsearch", marks=pytest.mark.searchnode),
]


@dataclass
class StoreSpec:
    backend: str
    url: str
    data_dir: str
    options: dict[str, Any] = field(default_factory=dict)

    def open(self) -> Store:
        return open_store(self.url, data_dir=self.data_dir, **self.options)


def _make_prefix(url: str, spool: Path) -> str:
    prefix = f"t{uuid.uuid4().hex[:8]}"
    open_store(url, data_dir=spool, index_prefix=prefix).close()
    return prefix


@pytest.fixture(scope="session")
def cluster_prefixes(search_nodes: Any,
                     tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], str]]:
    """One set of indexes per node kind, created once (index creation is the slow part of a
    cluster store); each test empties it instead."""
    from findings.cluster.admin import delete_prefix

    made: dict[str, str] = {}

    def get(kind: str) -> str:
        if kind not in made:
            made[kind] = _make_prefix(search_nodes(kind).url, tmp_path_factory.mktemp("spool"))
        return made[kind]

    yield get
    for kind, prefix in made.items():
        delete_prefix(search_nodes(kind).url, prefix)


@pytest.fixture(scope="session")
def cluster_prefix(search_node: Any, cluster_prefixes: Callable[[str], str]) -> str:
    """The index prefix on the default node (`search_node`)."""
    return cluster_prefixes(search_node.kind)


@pytest.fixture(params=BACKENDS)
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> StoreSpec:
    data_dir = str(tmp_path / "var")
    if request.param == "sqlite":
        return StoreSpec("sqlite", f"sqlite:///{tmp_path / 'store.sqlite3'}", data_dir)
    node = request.getfixturevalue("search_nodes")(request.param)
    prefix = request.getfixturevalue("cluster_prefixes")(request.param)
    from findings.cluster.admin import clear_prefix

    clear_prefix(node.url, prefix)
    return StoreSpec("cluster", node.url, data_dir,
                     {"index_prefix": prefix, "retry_seconds": 20})


@pytest.fixture
def open_spec(store_spec: StoreSpec) -> Iterator[Callable[[], Store]]:
    """Open the test's store (again); every store opened is closed at teardown."""
    opened: list[Store] = []

    def opener() -> Store:
        s = store_spec.open()
        opened.append(s)
        return s

    yield opener
    for s in opened:
        s.close()


@pytest.fixture
def store(open_spec: Callable[[], Store]) -> Store:
    return open_spec()


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def make_finding(n: int = 0, *, source: str | None = None, rule: str = "guaranteed_principal",
                 severity: str = "high", evidence: str = "保本保息", context: str | None = None,
                 at: datetime | None = None, **fields: Any) -> FindingRecord:
    """A finding like the analyzers and the crawler make; `n` varies the evidence and id."""
    source = source or f"http://127.0.0.1:9/p{n}.html"
    normalized = f"{evidence}#{n}"
    at = at or (T0 + timedelta(minutes=n))
    values: dict[str, Any] = dict(
        id=finding_id(source, rule, normalized), rule=rule, severity=severity,
        evidence=evidence, start=10, end=10 + len(evidence), clause="二(一)1", lead="市金融局",
        source=source, captured_at=at, rule_name="保本保息/零风险", normalized=normalized,
        context=context if context is not None else f"本平台承诺{evidence}，欢迎投资",
        context_start=5, content_hash="ab" * 32, domain="127.0.0.1", target="demo",
        kind="page")
    values.update(fields)
    return FindingRecord(**values)


# -- the cluster fault tests (test_cluster_faults, test_cluster_write_faults) -----------------
@pytest.fixture
def prefix(search_node: Any, cluster_prefix: str) -> str:
    """A cluster prefix with no indices left from an earlier test."""
    from findings.cluster.admin import clear_prefix

    clear_prefix(search_node.url, cluster_prefix)
    return cluster_prefix


@pytest.fixture
def proxy(search_node: Any) -> Iterator[Any]:
    """A fault proxy in front of the search node (tests/store/faultproxy.py)."""
    from .faultproxy import FaultProxy

    p = FaultProxy(search_node.url).start()
    yield p
    p.stop()
