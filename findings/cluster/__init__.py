"""The store on a search-engine cluster: Elasticsearch 8.x or OpenSearch 2.x/3.x."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .clients import ClusterError, ClusterUnavailable
from .store import ClusterStore

__all__ = ["ClusterError", "ClusterStore", "ClusterUnavailable", "open_cluster_store"]

SPOOL_FILE = "cluster-spool.sqlite3"


def open_cluster_store(url: str, data_dir: str | Path | None = None,
                       spool_path: str | Path | None = None, **options: Any) -> ClusterStore:
    """A ClusterStore for `url`; its spool lives under the data home unless given."""
    if spool_path is None:
        if data_dir is None:
            raise ValueError("a cluster store needs the data directory for its local spool")
        prefix = options.get("index_prefix", "patrol")
        name = SPOOL_FILE if prefix == "patrol" else f"cluster-spool-{prefix}.sqlite3"
        spool_path = Path(data_dir) / name
    known = ("index_prefix", "username", "password", "verify_certs", "bulk_size",
             "request_timeout", "retry_seconds", "probe_seconds")
    return ClusterStore(url, spool_path, **{k: v for k, v in options.items() if k in known})
