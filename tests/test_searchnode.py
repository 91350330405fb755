"""The one-JVM search nodes really work with our Python clients: Chinese text in, same text out,
found by a full-text match, and still there after a restart on the same port and data dir."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.searchnode import SearchNode

pytestmark = [pytest.mark.searchnode, pytest.mark.slow]

DOC = {"title": "风险提示", "text": "某网贷平台涉嫌非法集资，投资人无法提现"}
EXPECTED_VERSION = {"opensearch": "2.19.", "elasticsearch": "8.19."}


@pytest.fixture(params=["opensearch", "elasticsearch"])
def node(request: pytest.FixtureRequest, search_nodes: Any) -> SearchNode:
    """The session's node of each kind (started once, shared with the store suite)."""
    return search_nodes(request.param)


def client_for(node: SearchNode) -> Any:
    if node.kind == "opensearch":
        from opensearchpy import OpenSearch

        return OpenSearch(node.url, timeout=30)
    from elasticsearch import Elasticsearch

    return Elasticsearch(node.url, request_timeout=30)


def put(node: SearchNode, index: str, doc_id: str, doc: dict) -> None:
    client = client_for(node)
    # One shard, no replica: a single node is then green, not yellow.
    settings = {"number_of_shards": 1, "number_of_replicas": 0}
    if node.kind == "opensearch":
        client.indices.create(index=index, body={"settings": settings})
        client.index(index=index, id=doc_id, body=doc)
    else:
        client.indices.create(index=index, settings=settings)
        client.index(index=index, id=doc_id, document=doc)
    client.indices.refresh(index=index)


def match(node: SearchNode, index: str, text: str) -> list[dict]:
    client = client_for(node)
    query = {"match": {"text": text}}
    if node.kind == "opensearch":
        resp = client.search(index=index, body={"query": query})
    else:
        resp = client.search(index=index, query=query)
    return resp["hits"]["hits"]


def test_node_identifies_itself(node: SearchNode) -> None:
    info = client_for(node).info()
    assert info["version"]["number"] == node.version
    assert node.version.startswith(EXPECTED_VERSION[node.kind])
    assert node.url.startswith("http://127.0.0.1:")


def test_chinese_document_round_trip(node: SearchNode) -> None:
    put(node, "patrol-roundtrip", "p2p-1", DOC)

    got = client_for(node).get(index="patrol-roundtrip", id="p2p-1")
    assert got["found"] is True
    assert got["_source"] == DOC

    hits = match(node, "patrol-roundtrip", "非法集资")
    assert [h["_id"] for h in hits] == ["p2p-1"]
    assert hits[0]["_source"]["text"] == DOC["text"]
    # The standard analyzer indexes CJK as single characters: share none, match nothing.
    assert match(node, "patrol-roundtrip", "银行理财") == []


def test_restart_keeps_port_and_data(node: SearchNode) -> None:
    put(node, "patrol-restart", "r-1", DOC)
    url = node.url

    node.restart()

    assert node.url == url and node.pid is not None
    got = client_for(node).get(index="patrol-restart", id="r-1")
    assert got["_source"] == DOC
