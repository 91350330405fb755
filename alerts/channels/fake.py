"""The fake channel: records the message instead of sending it (demo, dry run, no addresses).

As a configured channel (`type: fake`) it counts as delivered: the message is appended to
DATA_DIR/alerts/fake-channel.jsonl and logged (or echoed to the command's output). In a dry run
every channel is replaced by one that only echoes and leaves the outbox untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from findings import AlertRecord, utcnow
from settings import Settings

from ..departments import ChannelSpec
from ..messages import Message, as_text
from .base import Channel, Delivery

log = logging.getLogger("alerts.fake")


class FakeChannel(Channel):
    type = "fake"

    def __init__(self, spec: ChannelSpec, settings: Settings,
                 echo: Callable[[str], None] | None = None, dry_run: bool = False) -> None:
        super().__init__(spec, settings)
        self.echo = echo
        self.dry_run = dry_run

    def describe(self) -> str:
        return "dry run" if self.dry_run else "fake (recorded, not sent)"

    def send(self, alert: AlertRecord, message: Message) -> Delivery:
        label = "演练，未发送" if self.dry_run else "模拟渠道，未实际发送"
        text = (f"===== [{label}] {alert.payload.get('department_name', alert.department)}"
                f" / {alert.channel} =====\n主题：{message.subject}\n{as_text(message, alert.key)}")
        if self.echo:
            self.echo(text)
        else:
            log.info("%s", text)
        if self.dry_run:
            return Delivery("skipped", "dry run: printed, not sent")
        record = {"at": utcnow().isoformat(), "id": alert.id, "key": alert.key,
                  "department": alert.department, "channel": alert.channel,
                  "subject": message.subject, "text": as_text(message, alert.key)}
        path = self.settings.data_path("alerts", "fake-channel.jsonl")
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return Delivery("sent", f"fake channel: recorded in {path.name}")
