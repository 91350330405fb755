"""The crawl summary: figures from the Scrapy stats, and their Chinese wording for the CLI."""

from __future__ import annotations

from typing import Any

from common.text import clean

from .skips import ERROR_PREFIX, SKIP_PREFIX, by_prefix

# Why pictures were not read in this run (OCR off or not installed), said once.
OCR_OFF_STAT = "patrol/ocr_off"

# Chinese names of skip and error kinds, for summaries read by support staff.
KIND_NAMES = {
    "too_large": "页面超过大小上限", "decompression_bomb": "压缩炸弹", "redirect_loop": "重定向循环",
    "blocked_address": "内网/本机/元数据地址", "scheme": "非 http(s) 协议", "offsite": "站外链接",
    "malformed_url": "畸形网址", "download": "文件下载", "non_html": "非网页内容",
    "page_limit": "达到页面上限", "host_cap": "单主机页数上限", "pattern_cap": "同类网址上限",
    "render_unavailable": "需渲染但无浏览器", "robots": "robots.txt 禁止", "ignored": "已忽略",
    "timeout": "超时", "dns": "域名解析失败", "connection_refused": "连接被拒绝",
    "connection_lost": "连接中断", "render_failed": "渲染失败", "analyze_failed": "分析失败",
    "evidence_failed": "证据保存失败", "store_failed": "入库失败",
    "screenshot_failed": "截图失败", "parse_failed": "页面解析失败",
    "image_not_image": "图片：并非图片", "image_svg": "图片：矢量图不识别",
    "image_too_many_pixels": "图片：像素超限（解压炸弹）", "image_icon": "图片：图标/像素点",
    "image_aspect": "图片：细长条", "image_bad_image": "图片：损坏或截断",
    "image_timeout": "图片：识别超时", "image_limit": "图片：达到识别上限",
    "ocr_failed": "图片识别失败",
}


def summarize(stats: dict[str, Any], *, chromium: bool = True,
              wanted_render: bool = True) -> dict[str, Any]:
    elapsed = stats.get("elapsed_time_seconds")
    return {
        "pages": int(stats.get("patrol/pages", 0)),
        "bytes": int(stats.get("patrol/bytes", 0)),
        "rendered": int(stats.get("patrol/rendered", 0)),
        # Chromium processes launched: 1, or more when one died and was started again
        "browsers": int(stats.get("playwright/browser_count", 0)),
        "errors": by_prefix(stats, ERROR_PREFIX),
        "skips": by_prefix(stats, SKIP_PREFIX),
        "findings_by_rule": by_prefix(stats, "patrol/findings_by_rule/"),
        "findings": int(stats.get("patrol/findings", 0)),
        "findings_new": int(stats.get("patrol/findings_new", 0)),
        "pages_new": int(stats.get("patrol/pages_new", 0)),
        "pages_changed": int(stats.get("patrol/pages_changed", 0)),
        "pages_unchanged": int(stats.get("patrol/pages_unchanged", 0)),
        "refreshes": int(stats.get("patrol/refreshes", 0)),
        "images_read": int(stats.get("patrol/ocr/read", 0)),
        "images_cached": int(stats.get("patrol/ocr/cached", 0)),
        "image_findings": int(stats.get("patrol/ocr/findings", 0)),
        "images_off": str(stats.get(OCR_OFF_STAT) or ""),
        "sitemaps": int(stats.get("patrol/sitemaps", 0)),
        "sitemap_pages": int(stats.get("patrol/discovered/sitemap", 0)),
        "screenshots": int(stats.get("patrol/screenshots", 0)),
        "evidence_pages": int(stats.get("patrol/evidence_pages", 0)),
        "evidence_seconds": round(float(stats.get("patrol/evidence_seconds", 0.0)), 3),
        "requests": int(stats.get("downloader/request_count", 0)),
        "elapsed_seconds": round(float(elapsed), 1) if elapsed else None,
        "rendering_off": bool(wanted_render and not chromium),
        "operators": {k[len("patrol/operator/"):]: v for k, v in stats.items()
                      if k.startswith("patrol/operator/")},
    }


def _kinds(counts: dict[str, int]) -> str:
    if not counts:
        return "无"
    return "，".join(f"{KIND_NAMES.get(k, k)}({k}) {v}" for k, v in
                     sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def human_bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def format_summary(name: str, summary: dict[str, Any], status: str = "") -> str:
    """Chinese summary of one patrol run."""
    lines = [f"巡查目标 {name}" + (f"（状态：{status}）" if status else "")]
    elapsed = summary.get("elapsed_seconds")
    lines.append(f"  页面 {summary['pages']} 个，共 {human_bytes(summary['bytes'])}，"
                 f"渲染 {summary['rendered']} 个" + (f"，用时 {elapsed} 秒" if elapsed else ""))
    lines.append(f"  页面变化：新 {summary['pages_new']}，有变化 {summary['pages_changed']}，"
                 f"未变 {summary['pages_unchanged']}；站点地图 {summary['sitemaps']} 个，"
                 f"列出页面 {summary['sitemap_pages']} 个；"
                 f"页面跳转（刷新/脚本跳转）{summary.get('refreshes', 0)} 个")
    if summary.get("images_off"):
        lines.append(f"  注意：图片文字识别不可用（{summary['images_off']}），图片未读取")
    else:
        lines.append(f"  图片文字识别：识别 {summary.get('images_read', 0)} 张，"
                     f"缓存命中 {summary.get('images_cached', 0)} 张，"
                     f"图片中的发现 {summary.get('image_findings', 0)} 条")
    if summary.get("rendering_off"):
        lines.append("  注意：未找到 Chromium，JavaScript 渲染和截图已关闭")
    lines.append(f"  错误：{_kinds(summary['errors'])}")
    lines.append(f"  跳过：{_kinds(summary['skips'])}")
    by_rule = summary["findings_by_rule"]
    rules = "，".join(f"{k} {v}" for k, v in sorted(by_rule.items())) or "无"
    lines.append(f"  发现 {summary['findings']} 条（新 {summary['findings_new']} 条）：{rules}")
    if summary.get("operators"):
        # Host and operator come from crawled pages: no control or bidi character on a terminal.
        ops = "，".join(f"{clean(h)}: {clean(o)}" for h, o in sorted(summary["operators"].items()))
        lines.append(f"  网站运营方：{ops}")
    lines.append(f"  截图 {summary['screenshots']} 张，留证页面 {summary['evidence_pages']} 个")
    return "\n".join(lines)
