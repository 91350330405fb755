"""The console's WSGI server: waitress, with the security headers on its own error pages too.

waitress answers some requests without calling the application (a malformed request line,
headers too large, a body over its limit); those answers would otherwise lack the console's
security headers. Its channel's error task is swapped for one that adds them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import ErrorTask

from settings import Settings

from .security import CONSOLE_CSP, base_headers


def _channel_class(https: bool) -> type[HTTPChannel]:
    extra = [("Content-Security-Policy", CONSOLE_CSP), ("Cache-Control", "no-store"),
             *base_headers(https)]

    class HeaderedErrorTask(ErrorTask):
        def execute(self) -> None:
            # ErrorTask.execute writes the head with its body, so the headers go in first.
            self.response_headers.extend(extra)
            super().execute()

    class Channel(HTTPChannel):
        error_task_class = HeaderedErrorTask

    return Channel


def make_server(app: Flask, settings: Settings, host: str, port: int, **kw: Any) -> Any:
    """A waitress server for `app` on host:port (not started)."""
    server = create_server(app, host=host, port=port, threads=8, ident="patrol", **kw)
    server.channel_class = _channel_class(str(settings["console_base_url"]).startswith("https://"))
    return server
