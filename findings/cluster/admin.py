"""Housekeeping for tests and benchmarks: remove a store's indexes from a cluster."""

from __future__ import annotations

from . import indices
from .clients import connect


def delete_prefix(url: str, prefix: str, **connect_args: object) -> None:
    """Delete every index and index template of the store under `prefix`."""
    client = connect(url, **connect_args)
    try:
        indices.delete_all(client, prefix)
    finally:
        client.close()


def clear_prefix(url: str, prefix: str, **connect_args: object) -> None:
    """Empty every index of the store under `prefix`, keeping indexes and templates."""
    client = connect(url, **connect_args)
    try:
        indices.clear_all(client, prefix)
    finally:
        client.close()
