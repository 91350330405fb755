"""In-browser requests the patrol never needs. The address policy for the browser's traffic is
enforced by the guard proxy (browser_proxy), which also sees redirects; this only saves time."""

from __future__ import annotations

from typing import Any

_UNNEEDED = {"media", "font", "websocket", "eventsource", "manifest"}


def abort_unneeded(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: drop audio/video, web fonts (CJK system fonts are used)..."""
    return request.resource_type in _UNNEEDED
