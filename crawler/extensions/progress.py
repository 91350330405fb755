"""Progress of a running patrol: a live line on a terminal, a log line now and then otherwise.

PATROL_PROGRESS is `tty` (rewrite one line on stderr every second), `log` (an INFO line every
PATROL_PROGRESS_INTERVAL seconds, for the scheduler's log files) or `off`.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from ..context import context_of
from ..skips import ERROR_PREFIX, SKIP_PREFIX

logger = logging.getLogger("crawler.progress")


def progress_line(name: str, stats: dict[str, Any], elapsed: float) -> str:
    skips = sum(v for k, v in stats.items() if k.startswith(SKIP_PREFIX))
    errors = sum(v for k, v in stats.items() if k.startswith(ERROR_PREFIX))
    return (f"[{name}] {elapsed:5.0f}s 页面 {stats.get('patrol/pages', 0)} "
            f"渲染 {stats.get('patrol/rendered', 0)} 发现 {stats.get('patrol/findings', 0)} "
            f"跳过 {skips} 错误 {errors} 队列 {stats.get('scheduler/enqueued', 0)}")


class ProgressReporter:
    def __init__(self, crawler: Any, mode: str, interval: float, name: str) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval if mode == "log" else 1.0
        self.name = name
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressReporter:
        ctx = context_of(crawler)
        mode = crawler.settings.get("PATROL_PROGRESS", "log")
        if ctx is None or mode == "off":
            raise NotConfigured  # switched off: nothing to do in this crawl
        return cls(crawler, mode, crawler.settings.getfloat("PATROL_PROGRESS_INTERVAL", 30.0),
                   ctx.target.name)

    def opened(self, spider: Any) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def report(self) -> None:
        line = progress_line(self.name, self.crawler.stats.get_stats(),
                             time.monotonic() - self.started)
        if self.mode == "tty":
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
        else:
            logger.info("%s", line)

    def closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.mode == "tty":
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
