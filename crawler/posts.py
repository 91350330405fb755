"""Posts, not pages: a forum thread or a comment page split into one record per post.

A public_risk finding must cite the post that said it (author, time, text, thread URL), and one
angry post must not make a whole thread page a finding. A target names where its posts are with
CSS selectors (targets.yaml `posts:`); forum targets without them use DEFAULT_SELECTORS, which
fit the usual markup (.post, .comment, [data-post-id] ...).

    posts:
      item: "div.post"          # one element per post (required)
      text: ".content"          # the post's words, inside the item (required)
      author: ".author"         # optional
      time: "time, .time"       # optional; a datetime="" (data-time, title) attribute wins
                                # over the element text; read by common/posttime.py
      id: "data-post-id"        # optional attribute of the item naming the post

Pages are written by adversaries: at most MAX_POSTS posts per page and MAX_POST_CHARS
characters per post are read (the rest is skipped with a logged warning), and a page whose
markup yields no post is analysed as a whole page, as before.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from settings import ConfigError
from settings.models import POST_SELECTOR_KEYS

logger = logging.getLogger(__name__)
MAX_POSTS = 500
MAX_POST_CHARS = 20_000
SELECTOR_KEYS = POST_SELECTOR_KEYS  # declared with the target keys (settings/models.py)
DEFAULT_SELECTORS = {
    "item": ".post, .comment, .reply, [data-post-id], [itemtype*='Comment']",
    "text": ".content, .post-content, .comment-content, .text, .body, [itemprop='text']",
    "author": ".author, .user, .username, [itemprop='author']",
    "time": "time, .time, .date, [itemprop='dateCreated']",
    "id": "data-post-id",
}
# Attributes that hold a post's exact time where the text says "3天前" (datetime="" of <time>,
# a Unix timestamp in data-time, a full date in title): the first one with a digit wins (a
# title="点击查看" tooltip is no time).
TIME_ATTRIBUTES = ("datetime", "data-time", "data-timestamp", "data-date", "title")
_SPACE = re.compile(r"\s+")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class PostSelectors:
    item: str
    text: str
    author: str = ""
    time: str = ""
    id: str = ""


@dataclass(frozen=True)
class Post:
    index: int        # position on the page, from 1
    post_id: str      # the page's own id of the post, or one made from its position and text
    author: str
    time: str
    text: str

    def anchor(self) -> str:
        """The fragment that makes the thread URL cite this post."""
        return f"post-{self.post_id}"

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.post_id, "author": self.author,
                "time": self.time}


def selectors_from(data: Any, where: str) -> PostSelectors:
    """Checked selectors from a target's `posts:` mapping (ConfigError naming the key)."""
    if not isinstance(data, dict):
        raise ConfigError(where, "posts", "expected a mapping of item/text/author/time/id")
    for key, value in data.items():
        if key not in SELECTOR_KEYS:
            raise ConfigError(where, f"posts.{key}",
                              f"unknown key; known: {', '.join(SELECTOR_KEYS)}")
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(where, f"posts.{key}", "expected a non-empty string")
    for key in ("item", "text"):
        if key not in data:
            raise ConfigError(where, f"posts.{key}", "required")
    for key in ("item", "text", "author", "time"):
        if key in data:
            try:
                HTMLTranslator().css_to_xpath(data[key])
            except Exception as exc:  # noqa: BLE001 - cssselect raises several error types
                raise ConfigError(where, f"posts.{key}", f"not a CSS selector ({exc})") from None
    return PostSelectors(**{k: data[k].strip() for k in data})


DEFAULT = selectors_from(DEFAULT_SELECTORS, "crawler/posts.py")


def _text(node: Selector, css: str, attributes: tuple[str, ...] = ()) -> str:
    """The words of the first element `css` finds, or the first of its `attributes` that
    holds a digit."""
    if not css:
        return ""
    found = node.css(css)
    if not found:
        return ""
    first = found[0]
    when = next((first.attrib[a] for a in attributes
                 if any(c.isdigit() for c in first.attrib.get(a) or "")), None)
    words = when or " ".join(first.css("::text").getall())
    return _SPACE.sub(" ", words).strip()


def split_posts(html: str, sel: PostSelectors = DEFAULT, url: str = "") -> list[Post]:
    """The posts of a page, in page order (none when the selectors match nothing)."""
    try:
        doc = Selector(text=html)
        items = doc.css(sel.item)
    except Exception as exc:  # noqa: BLE001 - lxml on hostile markup
        logger.warning("posts of %s not read: %s", url, exc)
        return []
    if len(items) > MAX_POSTS:
        logger.warning("%s: %d posts, reading the first %d", url, len(items), MAX_POSTS)
        items = items[:MAX_POSTS]
    posts: list[Post] = []
    for i, node in enumerate(items, 1):
        if node.css(sel.item) and len(node.css(sel.item)) > 1:
            continue  # a wrapper holding other posts (a thread inside .comment): its own posts count
        text = _text(node, sel.text)
        if not text:
            continue
        if len(text) > MAX_POST_CHARS:
            logger.warning("%s: post %d has %d characters, reading %d", url, i, len(text),
                           MAX_POST_CHARS)
            text = text[:MAX_POST_CHARS]
        own = node.attrib.get(sel.id, "") if sel.id else ""
        post_id = own if _ID.match(own or "") else \
            f"{i}-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
        posts.append(Post(index=i, post_id=post_id, author=_text(node, sel.author)[:80],
                          time=_text(node, sel.time, TIME_ATTRIBUTES)[:40], text=text))
    return posts
