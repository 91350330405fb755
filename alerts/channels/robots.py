"""Chat robots that Chinese government offices use: DingTalk, WeCom (企业微信), Feishu.

Written by hand instead of through Apprise: Apprise builds the vendors' fixed hosts into its
URLs (oapi.dingtalk.com, qyapi.weixin.qq.com, open.feishu.cn), so it can reach neither a test
receiver nor an intranet relay, and it reports only success or failure, where the outbox must
tell a 429 (retry, honour Retry-After) from a 400 (dead letter). The formats are small.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote, urlencode

from findings import AlertRecord

from ..messages import Message, as_feishu_post, as_markdown, as_text, truncate_utf8
from .base import Channel, Delivery
from .http import classify, encode, post_json

KEY_HEADER = "X-Patrol-Alert-Key"


def key_header(alert: AlertRecord) -> dict[str, str]:
    """The idempotency key as an HTTP header (percent-encoded: headers are ASCII)."""
    return {KEY_HEADER: quote(alert.key, safe=":/-_.@+=")}


def dingtalk_sign(secret: str, timestamp_ms: str) -> str:
    """DingTalk 加签: base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret"))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, timestamp_s: str) -> str:
    """Feishu 签名校验: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0]


class DingTalkChannel(Channel):
    type = "dingtalk"
    # 130101: sending too fast (20 messages a minute per robot); -1: system busy.
    RETRY_CODES = frozenset({130101, -1})
    MAX_BYTES = 18000   # DingTalk accepts 20000 bytes of markdown text

    def describe(self) -> str:
        return f"dingtalk {_host(self.spec.url)}"

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        url = self.spec.url
        if self.spec.secret:
            ts = str(int(time.time() * 1000))   # the robot checks it against its own clock
            url = _with_query(url, {"timestamp": ts, "sign": dingtalk_sign(self.spec.secret, ts)})
        data = {"msgtype": "markdown", "markdown": {
            "title": message.subject[:60],
            "text": truncate_utf8(as_markdown(message, alert.key), self.MAX_BYTES)}}
        answer = post_json(url, encode(data), key_header(alert), self.timeout, self.deadline)
        return classify(answer, self.RETRY_CODES)


class WeComChannel(Channel):
    type = "wecom"
    # 45009: API frequency limit (20 messages a minute per robot); -1: system busy.
    RETRY_CODES = frozenset({45009, -1})
    MAX_BYTES = 4000    # WeCom robots accept 4096 bytes of markdown content

    def describe(self) -> str:
        return f"wecom {_host(self.spec.url)}"

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        content = truncate_utf8(as_markdown(message, alert.key, line_break="\n"), self.MAX_BYTES)
        data = {"msgtype": "markdown", "markdown": {"content": content}}
        answer = post_json(self.spec.url, encode(data), key_header(alert), self.timeout, self.deadline)
        return classify(answer, self.RETRY_CODES)


class FeishuChannel(Channel):
    type = "feishu"
    # 9499 / 11232: request frequency limited.
    RETRY_CODES = frozenset({9499, 11232})
    MAX_BYTES = 18000   # Feishu accepts a 20 KB request body

    def describe(self) -> str:
        return f"feishu {_host(self.spec.url)}"

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        data: dict[str, object] = {"msg_type": "post",
                                   "content": {"post": as_feishu_post(message, alert.key)}}
        if len(encode(data)) > self.MAX_BYTES:  # too long for rich text: plain, truncated
            text = truncate_utf8(as_text(message, alert.key), self.MAX_BYTES - 200)
            data = {"msg_type": "text", "content": {"text": text}}
        if self.spec.secret:
            ts = str(int(time.time()))
            data["timestamp"] = ts
            data["sign"] = feishu_sign(self.spec.secret, ts)
        answer = post_json(self.spec.url, encode(data), key_header(alert), self.timeout, self.deadline)
        return classify(answer, self.RETRY_CODES)
