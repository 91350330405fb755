"""What the patrol does to each browser page: watch the DOM and the page's own network and
timers from the first script on, wait until it all goes quiet (with a deadline), refuse
downloads, take screenshots.

"Quiet" means no DOM mutation for `quiet_ms`, no fetch/XHR in flight and no short timer
pending: a page that fills itself in from a fetch() or a setTimeout() is read after it did so,
not after a fixed sleep. Timers re-armed from timers (carousels, clocks) are ignored after a
few generations so that they cannot hold the page until the deadline.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

logger = logging.getLogger(__name__)

INIT_SCRIPT = r"""
(() => {
  if (window.__patrolQuiet) return;
  const st = {inflight: 0, timers: new Map(), last: performance.now(), gen: 0,
              rawSetTimeout: window.setTimeout.bind(window)};
  window.__patrolQuiet = st;
  const touch = () => { st.last = performance.now(); };
  const origFetch = window.fetch;
  if (origFetch) {
    window.fetch = function (...args) {
      st.inflight++;
      let p;
      try { p = origFetch.apply(this, args); } catch (e) { st.inflight--; throw e; }
      const done = () => { st.inflight--; touch(); };
      p.then(done, done);
      return p;
    };
  }
  const origSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (...args) {
    st.inflight++;
    this.addEventListener('loadend', () => { st.inflight--; touch(); }, {once: true});
    return origSend.apply(this, args);
  };
  const origSet = window.setTimeout, origClear = window.clearTimeout;
  window.setTimeout = function (fn, ms, ...rest) {
    const delay = Number(ms) || 0;
    if (typeof fn !== 'function' || delay > 10000 || st.gen > 3) {
      return origSet.call(window, fn, ms, ...rest);
    }
    const gen = st.gen + 1;
    const id = origSet.call(window, function (...a) {
      st.timers.delete(id);
      const saved = st.gen; st.gen = gen;
      try { return fn.apply(this, a); } finally { st.gen = saved; touch(); }
    }, delay, ...rest);
    st.timers.set(id, gen);
    return id;
  };
  window.clearTimeout = function (id) { st.timers.delete(id); return origClear.call(window, id); };
  new MutationObserver(touch).observe(document, {subtree: true, childList: true,
                                                 characterData: true, attributes: true});
})();
"""

WAIT_QUIET = r"""
([quietMs, deadlineMs]) => new Promise((resolve) => {
  const start = performance.now();
  const check = () => {
    const st = window.__patrolQuiet;
    const now = performance.now();
    if (now - start > deadlineMs) return resolve('deadline');
    if (!st) return resolve('unwatched');
    if (st.inflight <= 0 && st.timers.size === 0 && now - st.last >= quietMs) {
      return resolve('quiet');
    }
    // the page's setTimeout is wrapped (and counted): poll with the original one
    (st.rawSetTimeout || setTimeout)(check, 50);
  };
  check();
})
"""


MAX_NAVIGATIONS = 10


async def hold_navigations(page: Any, request: Any) -> None:
    """Keep the page where it is: once the first document is requested, every later top-level
    navigation (a timer setting `location`, a meta refresh, a form submitted by script) is
    answered with 204 No Content, which browsers treat as "stay on this page". The target is
    recorded in `request.meta["patrol_navigations"]` and the spider follows it as a link, so a
    page that leaves during rendering is read with the DOM it had, and where it wanted to go is
    still patrolled under the usual rules."""
    navigations: list[str] = request.meta.setdefault("patrol_navigations", [])
    state = {"first": True}

    async def hold(route: Any, req: Any) -> None:
        try:
            if req.is_navigation_request() and req.frame.parent_frame is None:
                if not state["first"]:
                    if len(navigations) < MAX_NAVIGATIONS and req.url not in navigations:
                        navigations.append(req.url)
                    await route.fulfill(status=204, body=b"")
                    return
                state["first"] = False
            await route.fallback()
        except Exception as exc:  # noqa: BLE001 - the page closed meanwhile
            logger.debug("navigation hold on %s: %s", req.url, exc)

    await page.route("**", hold)


async def init_page(page: Any, request: Any) -> None:
    """Page init callback (scrapy-playwright): watchers first, navigations held, downloads
    refused."""
    await page.add_init_script(INIT_SCRIPT)
    await hold_navigations(page, request)
    counter = request.meta.get("patrol_download_counter")

    async def refuse(download: Any) -> None:
        if counter is not None:
            counter(download.url)
        try:
            await download.cancel()
        except Exception:  # noqa: BLE001 - the page may be gone already
            pass

    page.on("download", refuse)


# CSS ::before/::after text is shown but is not in the DOM, so page.content() would miss it:
# copy each plain-string pseudo content into a <patrol-pseudo> element where it is shown.
# Bounded: at most MAX_PSEUDO_SCAN elements are looked at (a page of 100,000 nodes stays fast).
MAX_PSEUDO_SCAN = 5000
MATERIALIZE_PSEUDO = r"""
(limit) => {
  const els = document.body ? Array.from(document.body.querySelectorAll('*')).slice(0, limit)
                            : [];
  let n = 0;
  for (const el of els) {
    for (const which of ['::before', '::after']) {
      const c = getComputedStyle(el, which).content;
      if (!c || c === 'none' || c === 'normal') continue;
      const m = c.match(/^"((?:[^"\\]|\\.)*)"$/);
      if (!m) continue;
      const text = m[1].replace(/\\(.)/g, '$1');
      if (!text.trim()) continue;
      const node = document.createElement('patrol-pseudo');
      node.textContent = text;
      if (which === '::before') el.insertBefore(node, el.firstChild); else el.appendChild(node);
      n++;
    }
  }
  return n;
}
"""


class RenderHung(RuntimeError):
    """The page's renderer stopped answering (a script that never yields): the page is closed
    and read from its static HTML instead."""


EVALUATE_GRACE_MS = 3000


async def _evaluate(page: Any, script: str, arg: Any, timeout_ms: int) -> Any:
    """page.evaluate with a deadline: Playwright's has none, and a page stuck in `for(;;){}`
    would hold a render slot until the patrol's time limit. On timeout the page is closed."""
    try:
        return await asyncio.wait_for(page.evaluate(script, arg), timeout_ms / 1000)
    except TimeoutError:
        logger.info("renderer not answering on %s: page closed", page.url)
        try:
            await asyncio.wait_for(page.close(), 5)
        except Exception:  # noqa: BLE001 - closing a hung page: the browser may be gone too
            pass
        raise RenderHung(f"renderer not answering after {timeout_ms} ms") from None


async def wait_dom_quiet(page: Any, quiet_ms: int, deadline_ms: int) -> str:
    """Wait until the page is quiet (see module doc), then copy CSS pseudo-element text into the
    DOM; returns quiet, deadline, unwatched or failed. Raises RenderHung when the page's
    renderer no longer answers."""
    try:
        state = await _evaluate(page, WAIT_QUIET, [quiet_ms, deadline_ms],
                                deadline_ms + EVALUATE_GRACE_MS)
    except RenderHung:
        raise
    except Exception as exc:  # noqa: BLE001 - navigation away, closed page: read what is there
        logger.debug("DOM quiet wait failed on %s: %s", page.url, exc)
        return "failed"
    try:
        await _evaluate(page, MATERIALIZE_PSEUDO, MAX_PSEUDO_SCAN, EVALUATE_GRACE_MS * 2)
    except RenderHung:
        raise
    except Exception as exc:  # noqa: BLE001 - a page that broke getComputedStyle: skip it
        logger.debug("pseudo-element text failed on %s: %s", page.url, exc)
    return state


# CSS background images of large elements (hero banners, posters set as a div's background):
# not in the HTML, so only the browser knows them.
BACKGROUNDS = r"""
([minArea, limit]) => {
  const urls = [];
  const els = document.body ? Array.from(document.body.querySelectorAll('*')).slice(0, 5000) : [];
  for (const el of els) {
    const bg = getComputedStyle(el).backgroundImage;
    if (!bg || bg === 'none' || bg.indexOf('url(') < 0) continue;
    const r = el.getBoundingClientRect();
    if (r.width * r.height < minArea) continue;
    for (const m of bg.matchAll(/url\(\s*"?([^")]+)"?\s*\)/g)) {
      if (!urls.includes(m[1])) urls.push(m[1]);
    }
    if (urls.length >= limit) break;
  }
  return urls.slice(0, limit);
}
"""


async def collect_backgrounds(page: Any, min_area: int, limit: int = 20) -> list[str]:
    """URLs of CSS background images of elements of at least `min_area` pixels."""
    try:
        urls = await _evaluate(page, BACKGROUNDS, [min_area, limit], EVALUATE_GRACE_MS * 2)
    except RenderHung:
        raise
    except Exception as exc:  # noqa: BLE001 - a closed or hostile page: no backgrounds
        logger.debug("background images failed on %s: %s", page.url, exc)
        return []
    return [u for u in urls if isinstance(u, str)][:limit]


async def screenshot(page: Any, timeout_ms: int = 20000) -> bytes:
    return await page.screenshot(full_page=True, type="png", timeout=timeout_ms)
