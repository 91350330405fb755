"""Shared fixtures: settings on a temporary data home, and the real services tests need.

A service that cannot start fails the test in CI (CI=true) and skips it elsewhere, with the
reason in the summary (pytest -ra). Services start once per session, on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from settings import Settings, load_settings
from tests.services import ServiceUnavailable

IN_CI = os.environ.get("CI", "").lower() == "true"


def need_service(start: Callable[[], Any], name: str) -> Any:
    """Start a service or fail (in CI) / skip (elsewhere) with the reason."""
    try:
        return start()
    except ServiceUnavailable as exc:
        message = f"{name} unavailable: {exc}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings from the shipped config with a temporary data home, plus overrides."""

    def make(**overrides: Any) -> Settings:
        overrides.setdefault("data_dir", str(tmp_path / "var"))
        return load_settings(environ={}, overrides=overrides)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    def find() -> str:
        path = shutil.which("chromium") or shutil.which("chromium-browser")
        if not path:
            raise ServiceUnavailable("Chromium not found (apt-get install chromium)")
        return path

    return need_service(find, "Chromium")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.services.redis_server import start_redis

    server = need_service(lambda: start_redis(tmp_path_factory.mktemp("redis")), "Redis")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from tests.services.s3_server import start_s3

    server = need_service(lambda: start_s3(tmp_path_factory.mktemp("s3")), "S3Proxy")
    yield server
    server.stop()


@pytest.fixture
def s3(s3_server: Any) -> Any:
    """The session's S3 server, up (a test may have stopped it)."""
    if not s3_server.running:
        s3_server.start()
    return s3_server


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Any]:
    from tests.services.smtp_server import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: Any) -> Any:
    """The session's SMTP server, emptied and up."""
    smtp_server.clear()
    smtp_server.up()
    return smtp_server


@pytest.fixture(scope="session")
def webhook_server() -> Iterator[Any]:
    from tests.services.webhook_receiver import WebhookReceiver

    receiver = WebhookReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def webhook(webhook_server: Any) -> Any:
    """The session's webhook receiver with no recorded requests and no scripted answers."""
    webhook_server.clear()
    return webhook_server


@pytest.fixture(scope="session")
def search_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Any]]:
    """Start a real search-engine node of a kind (opensearch, elasticsearch) once a session."""
    from tests.services.searchnode import start_searchnode

    nodes: dict[str, Any] = {}

    def get(kind: str) -> Any:
        if kind not in nodes:
            workdir = tmp_path_factory.mktemp(f"searchnode-{kind}")
            nodes[kind] = need_service(lambda: start_searchnode(kind, workdir),
                                       f"search node ({kind})")
        return nodes[kind]

    yield get
    for node in nodes.values():
        node.stop()


@pytest.fixture(scope="session")
def search_node(search_nodes: Callable[[str], Any]) -> Any:
    """The default node for cluster tests (TEST_SEARCHNODE: opensearch by default)."""
    return search_nodes(os.environ.get("TEST_SEARCHNODE", "opensearch"))
