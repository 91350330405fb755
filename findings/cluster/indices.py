"""Index templates, versioned indexes and their aliases: create, migrate by reindex, delete."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from .bulk import run_bulk
from .clients import Adapter, ClusterError, NotFound
from .docs import RETOKENIZE
from .mappings import INDEXES, SETTINGS, alias, versioned

log = logging.getLogger(__name__)


def template_body(index: str, version: int, mapping: dict[str, Any]) -> dict[str, Any]:
    return {
        "index_patterns": [index],
        "priority": 200,
        "template": {"settings": SETTINGS, "mappings": mapping},
        "_meta": {"managed_by": "finance-patrol", "version": version},
    }


def alias_targets(client: Adapter, name: str) -> list[str]:
    try:
        return sorted(client.request("GET", f"/_alias/{name}"))
    except NotFound:
        return []


def index_exists(client: Adapter, index: str) -> bool:
    try:
        client.request("GET", f"/{index}/_settings")
        return True
    except NotFound:
        return False


def _create_index(client: Adapter, index: str) -> None:
    try:
        client.request("PUT", f"/{index}", body={})
    except ClusterError as exc:
        if "resource_already_exists" not in str(exc.body):  # another process was first
            raise


def ensure_index(client: Adapter, prefix: str, name: str, version: int,
                 mapping: dict[str, Any]) -> bool:
    """Make `alias(prefix, name)` point at the index of `version`, creating it from its
    template and reindexing older versions into it. Returns True when something changed."""
    index = versioned(prefix, name, version)
    name_alias = alias(prefix, name)
    targets = alias_targets(client, name_alias)
    if targets == [index]:
        return False
    newer = [t for t in targets if _version_of(t) > version]
    if newer:  # a newer program migrated this store: never move the alias back
        log.warning("%s points at %s, newer than this program's version %d", name_alias,
                    newer, version)
        return False
    client.request("PUT", f"/_index_template/{index}",
                   body=template_body(index, version, mapping))
    if not index_exists(client, index):
        _create_index(client, index)
    old = [t for t in targets if t != index]
    if old:
        log.warning("reindexing %s into %s (mapping version %d)", old, index, version)
        client.request("POST", f"/{','.join(old)}/_refresh")  # copy what was just written too
        copy_through_python(client, old, index, RETOKENIZE.get(name, dict))
    actions: list[dict[str, Any]] = [{"remove": {"index": t, "alias": name_alias}} for t in old]
    actions.append({"add": {"index": index, "alias": name_alias, "is_write_index": True}})
    client.request("POST", "/_aliases", body={"actions": actions})
    for t in old:
        client.request("DELETE", f"/{t}")
        if _template_exists(client, t):
            client.request("DELETE", f"/_index_template/{t}")
    return True


def scroll_all(client: Adapter, index: str, batch: int = 500,
               query: dict[str, Any] | None = None,
               seq_no: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Every document of `index` matching `query` (hits with _id, _source and, with seq_no,
    _seq_no/_primary_term), in batches, with a scroll."""
    res = client.request("POST", f"/{index}/_search", params={"scroll": "2m"},
                         body={"size": batch, "sort": ["_doc"], "seq_no_primary_term": seq_no,
                               "query": query or {"match_all": {}}})
    scroll_id = res.get("_scroll_id")
    try:
        while res["hits"]["hits"]:
            yield res["hits"]["hits"]
            res = client.request("POST", "/_search/scroll",
                                 body={"scroll": "2m", "scroll_id": scroll_id})
            scroll_id = res.get("_scroll_id", scroll_id)
    finally:
        if scroll_id:
            client.request("DELETE", "/_search/scroll", body={"scroll_id": [scroll_id]})


def copy_through_python(client: Adapter, sources: list[str], dest: str,
                        transform: Callable[[dict[str, Any]], dict[str, Any]],
                        batch: int = 500) -> int:
    """Reindex in Python: scroll the old index, transform each document (pages get their
    jieba tokens rebuilt: they are not in _source), bulk-create into the new. Needs neither the
    cluster's reindex module nor scripting."""
    copied = 0
    for hits in scroll_all(client, ",".join(sources), batch):
        ops = [({"create": {"_index": dest, "_id": h["_id"]}}, transform(h["_source"]))
               for h in hits]
        for (action, _doc), outcome in zip(ops, run_bulk(client, ops), strict=True):
            if outcome.rejected:
                raise ClusterError(400, outcome.error, f"reindex refused {action['create']['_id']}")
        copied += len(ops)
    client.request("POST", f"/{dest}/_refresh")
    return copied


def _version_of(index: str) -> int:
    tail = index.rsplit("-v", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _template_exists(client: Adapter, name: str) -> bool:
    try:
        client.request("GET", f"/_index_template/{name}")
        return True
    except NotFound:
        return False


def ensure_all(client: Adapter, prefix: str,
               indexes: dict[str, tuple[int, dict[str, Any]]] | None = None) -> int:
    """Create or migrate every index of the store; returns how many changed."""
    changed = 0
    for name, (version, mapping) in (indexes or INDEXES).items():
        changed += ensure_index(client, prefix, name, version, mapping)
    return changed


def refresh(client: Adapter, prefix: str, names: list[str] | None = None) -> None:
    targets = ",".join(alias(prefix, n) for n in (names or list(INDEXES)))
    client.request("POST", f"/{targets}/_refresh")


def delete_all(client: Adapter, prefix: str) -> None:
    """Delete every index and template of the store under `prefix` (tests, benchmarks).
    Names are listed first: a cluster may refuse wildcard deletes."""
    for name in INDEXES:
        pattern = f"{prefix}-{name}-v*"
        for index in client.request("GET", f"/{pattern}/_settings"):
            client.request("DELETE", f"/{index}")
        try:
            templates = client.request("GET", f"/_index_template/{pattern}")
        except NotFound:
            continue
        for t in templates.get("index_templates", []):
            client.request("DELETE", f"/_index_template/{t['name']}")


def clear_all(client: Adapter, prefix: str) -> None:
    """Delete every document of the store, keeping its indexes (tests between cases)."""
    targets = ",".join(alias(prefix, n) for n in INDEXES)
    client.request("POST", f"/{targets}/_refresh")  # only searchable documents are found
    for hits in scroll_all(client, targets, 1000):
        ops = [({"delete": {"_index": h["_index"], "_id": h["_id"]}}, None) for h in hits]
        run_bulk(client, ops, 1000)
    client.request("POST", f"/{targets}/_refresh")
