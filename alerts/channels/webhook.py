"""A generic JSON webhook: the whole alert, for an operations system or a relay."""

from __future__ import annotations

import hashlib
import hmac

from findings import AlertRecord

from ..messages import Message, as_text
from .base import Channel, Delivery
from .http import classify, encode, post_json
from .robots import _host, key_header

SIGNATURE_HEADER = "X-Patrol-Signature"


def body_signature(secret: str, body: bytes) -> str:
    """sha256=HEX(HMAC-SHA256(secret, body)), as GitHub-style webhooks sign their bodies."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookChannel(Channel):
    type = "webhook"

    def describe(self) -> str:
        return f"webhook {_host(self.spec.url)}"

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        data = {
            "key": alert.key,
            "id": alert.id,
            "kind": alert.kind,
            "department": alert.department,
            "department_name": alert.payload.get("department_name", alert.department),
            "channel": alert.channel,
            "subject": message.subject,
            "text": as_text(message, alert.key),
            "lines": [{"label": lb, "text": tx, "url": u} for lb, tx, u in message.lines],
            "severity": alert.payload.get("severity"),
            "finding_ids": list(alert.finding_ids),
            "created_at": alert.created_at.isoformat(),
        }
        body = encode(data)
        headers = key_header(alert)
        if self.spec.secret:
            headers[SIGNATURE_HEADER] = body_signature(self.spec.secret, body)
        # Any 2xx is success: a generic receiver's body means nothing to us.
        answer = post_json(self.spec.url, body, headers, self.timeout, self.deadline)
        if 200 <= answer.status < 300:
            return Delivery("sent", f"HTTP {answer.status}")
        return classify(answer)
