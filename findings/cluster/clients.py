"""One thin adapter per official client; everything else about the cluster is shared.

`detect()` asks the node what it is (GET / -> version.distribution == "opensearch", or not) and
`connect()` returns an adapter over `opensearchpy.OpenSearch` or `elasticsearch.Elasticsearch`
with three calls: `info()`, `request(method, path, params, body)` and `bulk(operations)`.
The adapters translate the clients' exceptions into the four below, and retry what a cluster
does when it is busy or restarting (connection refused, timeouts, 429, 502-504) with backoff,
until `retry_seconds` have passed.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_STATUSES = {429, 502, 503, 504}

# The clients log every request at INFO and every 404 at WARNING; the store reports what
# matters itself, so their loggers are kept to errors.
for _name in ("opensearch", "elastic_transport", "elasticsearch"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class ClusterError(Exception):
    """The cluster answered with an error that retrying will not fix."""

    def __init__(self, status: int, body: Any, message: str = "") -> None:
        self.status = status
        self.body = body
        super().__init__(message or f"cluster error {status}: {str(body)[:500]}")


class NotFound(ClusterError):
    pass


class Conflict(ClusterError):
    pass


class ClusterUnavailable(Exception):
    """The cluster could not be reached (or stayed overloaded) until the retry deadline."""


def detect(url: str, username: str | None = None, password: str | None = None,
           verify_certs: bool = True, timeout: float = 5.0) -> dict[str, Any]:
    """GET / on the node, with no client, so that either kind of node can be asked."""
    request = urllib.request.Request(url.rstrip("/") + "/", headers={"Accept": "application/json"})
    if username:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    context = None
    if url.startswith("https://") and not verify_certs:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code in RETRY_STATUSES:
            raise ClusterUnavailable(f"{url}: HTTP {exc.code}") from exc
        raise ClusterError(exc.code, exc.read()[:500].decode("utf-8", "replace")) from exc
    except (OSError, ValueError) as exc:
        raise ClusterUnavailable(f"{url}: {exc}") from exc


def distribution(info: dict[str, Any]) -> str:
    version = info.get("version") or {}
    return "opensearch" if version.get("distribution") == "opensearch" else "elasticsearch"


class Adapter:
    """What the shared cluster code needs from a client."""

    kind = ""

    def __init__(self, url: str, retry_seconds: float = 30.0) -> None:
        self.url = url
        self.retry_seconds = retry_seconds

    # to implement per client
    def _request(self, method: str, path: str, params: dict | None, body: Any) -> Any:
        raise NotImplementedError

    def _bulk(self, body: bytes, params: dict | None) -> Any:
        raise NotImplementedError

    def _translate(self, exc: Exception) -> Exception:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    # shared
    def _with_retry(self, call: Callable[[], T], what: str, retry_seconds: float | None) -> T:
        budget = self.retry_seconds if retry_seconds is None else retry_seconds
        deadline = time.monotonic() + budget
        delay = 0.2
        while True:
            try:
                return call()
            except Exception as exc:  # noqa: BLE001 - translated below
                error = self._translate(exc)
                retry = isinstance(error, ClusterUnavailable) or (
                    isinstance(error, ClusterError) and error.status in RETRY_STATUSES)
                if not retry:
                    raise error from exc
                if time.monotonic() + delay > deadline:
                    if isinstance(error, ClusterUnavailable):
                        raise error from exc
                    raise ClusterUnavailable(f"{what}: {error}") from exc
                log.info("cluster busy or away (%s), retrying %s in %.1fs", error, what, delay)
                time.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 5.0)

    def request(self, method: str, path: str, params: dict | None = None, body: Any = None,
                retry_seconds: float | None = None) -> Any:
        return self._with_retry(lambda: self._request(method, path, params, body),
                                f"{method} {path}", retry_seconds)

    def bulk(self, body: bytes, params: dict | None = None,
             retry_seconds: float | None = None) -> dict[str, Any]:
        """One bulk request; `body` is the encoded NDJSON (see bulk.encode)."""
        return self._with_retry(lambda: self._bulk(body, params), "bulk", retry_seconds)

    def info(self, retry_seconds: float | None = None) -> dict[str, Any]:
        return self.request("GET", "/", retry_seconds=retry_seconds)


def _status_error(status: Any, body: Any, exc: Exception) -> Exception:
    if not isinstance(status, int):
        return ClusterUnavailable(str(exc))
    if status == 404:
        return NotFound(status, body)
    if status == 409:
        return Conflict(status, body)
    return ClusterError(status, body)


class OpenSearchAdapter(Adapter):
    kind = "opensearch"

    def __init__(self, url: str, username: str | None = None, password: str | None = None,
                 verify_certs: bool = True, request_timeout: float = 30.0,
                 retry_seconds: float = 30.0) -> None:
        super().__init__(url, retry_seconds)
        from opensearchpy import OpenSearch

        self.client = OpenSearch(
            [url], http_auth=(username, password or "") if username else None,
            verify_certs=verify_certs, ssl_show_warn=verify_certs, timeout=request_timeout,
            max_retries=0, retry_on_timeout=False, http_compress=False)

    def _request(self, method: str, path: str, params: dict | None, body: Any) -> Any:
        return self.client.transport.perform_request(method, path, params=params or None,
                                                     body=body)

    def _bulk(self, body: bytes, params: dict | None) -> Any:
        return self.client.bulk(body=body, params=params or None)

    def _translate(self, exc: Exception) -> Exception:
        import opensearchpy

        if isinstance(exc, opensearchpy.ConnectionError | opensearchpy.ConnectionTimeout):
            return ClusterUnavailable(f"{self.url}: {exc}")
        if isinstance(exc, opensearchpy.TransportError):
            return _status_error(exc.status_code, exc.info, exc)
        return exc

    def close(self) -> None:
        self.client.close()


class ElasticsearchAdapter(Adapter):
    kind = "elasticsearch"
    _JSON = {"accept": "application/json", "content-type": "application/json"}

    def __init__(self, url: str, username: str | None = None, password: str | None = None,
                 verify_certs: bool = True, request_timeout: float = 30.0,
                 retry_seconds: float = 30.0) -> None:
        super().__init__(url, retry_seconds)
        from elasticsearch import Elasticsearch

        self.client = Elasticsearch(
            url, basic_auth=(username, password or "") if username else None,
            verify_certs=verify_certs, ssl_show_warn=verify_certs,
            request_timeout=request_timeout, max_retries=0, retry_on_timeout=False)

    def _request(self, method: str, path: str, params: dict | None, body: Any) -> Any:
        headers = self._JSON if body is not None else {"accept": "application/json"}
        response = self.client.perform_request(method, path, params=params or None,
                                               headers=headers, body=body)
        return response.body

    def _bulk(self, body: bytes, params: dict | None) -> Any:
        return self.client.bulk(operations=body, **(params or {})).body

    def _translate(self, exc: Exception) -> Exception:
        import elastic_transport
        import elasticsearch

        if isinstance(exc, elasticsearch.ApiError):
            return _status_error(exc.meta.status, exc.body, exc)
        if isinstance(exc, elastic_transport.TransportError):  # connection, timeout, TLS
            return ClusterUnavailable(f"{self.url}: {exc}")
        return exc

    def close(self) -> None:
        self.client.close()


def connect(url: str, username: str | None = None, password: str | None = None,
            verify_certs: bool = True, request_timeout: float = 30.0,
            retry_seconds: float = 30.0) -> Adapter:
    """Detect the kind of node at `url` and return the matching adapter."""
    info = detect(url, username, password, verify_certs, timeout=min(request_timeout, 10.0))
    cls = OpenSearchAdapter if distribution(info) == "opensearch" else ElasticsearchAdapter
    return cls(url, username=username, password=password, verify_certs=verify_certs,
               request_timeout=request_timeout, retry_seconds=retry_seconds)
