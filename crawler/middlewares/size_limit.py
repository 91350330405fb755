"""Decompress responses without letting a bomb through, and count the bombs.

Scrapy's HttpCompressionMiddleware already decompresses gzip, deflate, br and zstd in 64 KiB
steps and stops once DOWNLOAD_MAXSIZE decompressed bytes are passed, so memory stays bounded by
the page limit. This subclass keeps that code and turns its refusal into a counted skip
(`decompression_bomb`). Pages whose body (or Content-Length) passes the limit before any
decompression are cancelled by the download handler and counted as `too_large` by the spider.

Before decompressing, the response as received (headers, still content-coded body, protocol)
and the request headers as sent are kept in `request.meta["patrol_wire"]`: the WARC evidence
records what the server sent, not what Scrapy made of it. Keeping references costs no copy.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from ..skips import skip

try:  # private in Scrapy; the message test below is the fallback
    from scrapy.utils._compression import _DecompressionMaxSizeExceeded
except ImportError:  # pragma: no cover
    _DecompressionMaxSizeExceeded = None


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Scrapy Headers (bytes, multi-valued) as (name, value) pairs in order, decoded latin-1."""
    return [(k.decode("latin-1"), v.decode("latin-1"))
            for k, values in headers.items() for v in values]


def wire_of(request: Request, response: Response) -> dict[str, Any]:
    return {"method": request.method, "url": response.url,
            "request_headers": header_pairs(request.headers),
            "status": response.status, "headers": header_pairs(response.headers),
            "body": response.body, "protocol": response.protocol or "HTTP/1.1"}


class SizeLimitMiddleware(HttpCompressionMiddleware):
    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Request | Response:
        if request.meta.get("patrol_kind") == "page" and not request.meta.get("playwright"):
            request.meta["patrol_wire"] = wire_of(request, response)
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            cause = exc.__cause__
            is_bomb = (_DecompressionMaxSizeExceeded is not None
                       and isinstance(cause, _DecompressionMaxSizeExceeded)) or \
                "decompression" in str(exc)
            if is_bomb:
                raise skip(self.stats, "decompression_bomb", request.url,
                           f"{len(response.body)} compressed bytes") from None
            raise
