"""Channels: one small class per way of reaching a department."""

from __future__ import annotations

from collections.abc import Callable

from settings import Settings

from ..departments import ChannelSpec
from .base import Channel, Delivery
from .email import EmailChannel
from .fake import FakeChannel
from .robots import DingTalkChannel, FeishuChannel, WeComChannel
from .webhook import WebhookChannel

CHANNELS: dict[str, type[Channel]] = {
    "email": EmailChannel,
    "dingtalk": DingTalkChannel,
    "wecom": WeComChannel,
    "feishu": FeishuChannel,
    "webhook": WebhookChannel,
}

__all__ = ["CHANNELS", "Channel", "Delivery", "FakeChannel", "make_channel"]


def make_channel(spec: ChannelSpec, settings: Settings, echo: Callable[[str], None] | None = None,
                 dry_run: bool = False) -> Channel:
    """The channel for `spec`; in a dry run, a fake one that only echoes."""
    if dry_run:
        return FakeChannel(spec, settings, echo=echo, dry_run=True)
    if spec.type == "fake":
        return FakeChannel(spec, settings, echo=echo)
    return CHANNELS[spec.type](spec, settings)
