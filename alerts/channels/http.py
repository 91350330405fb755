"""A JSON POST over plain http.client, and how its answer maps to a delivery outcome.

http.client rather than urllib or requests: no redirects are followed (a robot URL that
redirects is misconfigured, and following it could send the message elsewhere), no proxy is
picked up from the environment, and the status and Retry-After come back untouched.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .base import Delivery, overall_deadline

USER_AGENT = "FinancePatrol-Alerts/0.1"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


def encode(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None,
              timeout: float = 10.0, deadline: float = 60.0) -> Answer:
    """POST `body` (already encoded JSON, so that callers can sign the exact bytes); each read
    waits at most `timeout`, the whole exchange at most `deadline` (TimeoutError past it)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, timeout=timeout, context=ssl.create_default_context())
    elif parts.scheme == "http":
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    else:
        raise ValueError(f"not an http(s) URL: {parts.scheme}")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    send_headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                    **(headers or {})}
    try:
        with overall_deadline(deadline, lambda: conn.sock) as expired:
            try:
                conn.request("POST", path, body=body, headers=send_headers)
                resp = conn.getresponse()
                text = resp.read(1024 * 1024).decode("utf-8", "replace")
            except (OSError, http.client.HTTPException) as exc:
                if expired.is_set():
                    raise TimeoutError(f"no complete answer within {deadline:g} s") from exc
                raise
        return Answer(resp.status, {k.lower(): v for k, v in resp.getheaders()}, text)
    finally:
        conn.close()


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def classify(answer: Answer, retry_codes: frozenset[int] = frozenset()) -> Delivery:
    """HTTP status first, then the robot's own error code in a 200 answer.

    Robots answer 200 with {"errcode": N} (DingTalk, WeCom) or {"code": N} (Feishu); N != 0 is
    a refusal, temporary only for the vendor's rate-limit / busy codes in `retry_codes`.
    """
    status = answer.status
    short = answer.text[:200].replace("\n", " ")
    if status == 429:
        return Delivery("retry", f"HTTP 429 {short}", retry_after_seconds(answer.headers.get(
            "retry-after")))
    if status in (408, 425) or status >= 500:
        return Delivery("retry", f"HTTP {status} {short}",
                        retry_after_seconds(answer.headers.get("retry-after")))
    if not 200 <= status < 300:
        return Delivery("dead", f"HTTP {status} {short}")
    data = answer.json()
    if isinstance(data, dict):
        for field in ("errcode", "code", "StatusCode"):
            code = data.get(field)
            if isinstance(code, int) and code != 0:
                if code in retry_codes:
                    return Delivery("retry", f"{field} {code} {short}", 60.0)
                return Delivery("dead", f"{field} {code} {short}")
    return Delivery("sent", f"HTTP {status}")
