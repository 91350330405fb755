"""The demo's patrol targets, pointed at wherever the demo sites are listening."""

from __future__ import annotations

from crawler.targets import Target

from .server import DemoSite

_PLAN = {
    "jucaibao": dict(kind="p2p", platform="聚财宝",
                     description="聚财宝（虚构 P2P 平台：静态页面、GBK 页面、仅站点地图页面）"),
    "xinying": dict(kind="p2p", description="鑫盈财富（虚构平台：脚本生成的页面）"),
    "ads": dict(kind="ads", description="粤通付（虚构广告页）"),
    # a forum thread is read post by post (crawler/posts.py): a burst of trouble posts about
    # one fictional platform for the opinion room and its spike alarm
    "forum": dict(kind="forum", platform="清盈贷",
                  description="清远理财交流论坛（虚构论坛：清盈贷的舆情帖子）",
                  posts={"item": "div.post", "text": ".content", "author": ".author",
                         "time": "time", "id": "data-post-id"}),
}


def demo_targets(sites: list[DemoSite]) -> list[Target]:
    return [Target(name=f"demo-{site.name}", start_urls=[site.url], schedule_group="demo",
                   tags=["demo"], **_PLAN[site.name]) for site in sites]
