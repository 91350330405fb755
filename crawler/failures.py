"""Name what went wrong with a request: a skip kind or an error kind for the crawl summary."""

from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
    UnsupportedURLSchemeError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_errors
from twisted.python.failure import Failure


def classify_failure(failure: Failure) -> tuple[str, str]:
    """("skip" | "error", kind)."""
    value = failure.value
    text = str(value)
    if failure.check(HttpError):
        return "error", f"http_{value.response.status}"
    if failure.check(DownloadCancelledError) or "max size" in text:
        return "skip", "too_large"
    if failure.check(IgnoreRequest):
        if "max redirections" in text:
            return "skip", "redirect_loop"
        if "decompression" in text:
            return "skip", "decompression_bomb"
        if "robots.txt" in text.lower() or "Forbidden by robots" in text:
            return "skip", "robots"
        return "skip", "ignored"
    if failure.check(UnsupportedURLSchemeError):
        return "skip", "scheme"
    if "Download is starting" in text or "Failed to download" in text:
        return "skip", "download"
    if failure.check(DownloadTimeoutError, twisted_errors.TimeoutError):
        return "error", "timeout"
    if failure.check(CannotResolveHostError, twisted_errors.DNSLookupError):
        return "error", "dns"
    if failure.check(DownloadConnectionRefusedError, twisted_errors.ConnectionRefusedError):
        return "error", "connection_refused"
    if failure.check(ResponseDataLossError, twisted_errors.ConnectionLost,
                     twisted_errors.ConnectionDone, DownloadFailedError):
        return "error", "connection_lost"
    name = type(value).__name__
    if name == "TimeoutError" or "Timeout" in text and "exceeded" in text:
        return "error", "timeout"
    if name in ("Error", "TargetClosedError") and "net::" in text:
        return "error", "browser_" + text.split("net::", 1)[1].split()[0].lower()[:40]
    return "error", name.lower()[:40] or "other"
