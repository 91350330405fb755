"""`patrol doctor`: what this machine has, and what each missing piece disables."""

from __future__ import annotations

import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import click

from settings import ConfigError, Settings


@dataclass
class Check:
    name: str
    ok: bool | None          # None: not configured, nothing to check
    detail: str
    disables: str = ""       # what does not work while this is missing
    essential: bool = False  # the patrol cannot run without it


def _run(cmd: list[str]) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else ""


def check_chromium(settings: Settings) -> Check:
    path = settings["chromium_path"] or shutil.which("chromium") or shutil.which("chromium-browser")
    version = _run([path, "--headless", "--no-sandbox", "--version"]) if path else ""
    return Check("Chromium", bool(version), version or "未找到 chromium",
                 "JavaScript 渲染页面和截图（静态页面照常巡查）")


def check_fonts(settings: Settings) -> Check:
    fc = shutil.which("fc-list")
    found = _run([fc, ":lang=zh", "family"]) if fc else ""
    return Check("中文字体", bool(found), found or "未找到中文字体 (fonts-wqy-zenhei)",
                 "截图中的中文（显示为方框）")


def check_ocr(settings: Settings) -> Check:
    if not settings["ocr_enabled"]:
        return Check("图片文字识别（OCR）", None, "已关闭（ocr_enabled）")
    from ocr import ocr_available

    ok, detail = ocr_available()
    return Check("图片文字识别（OCR）", ok, detail, "读取海报、横幅等图片中的文字（网页文字照常分析）")


def check_java(settings: Settings) -> Check:
    java = shutil.which("java")
    version = ""
    if java:
        proc = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=20)
        version = (proc.stderr or proc.stdout).strip().splitlines()[0] if proc.returncode == 0 else ""
    return Check("Java", bool(version), version or "未找到 java",
                 "本机启动测试用搜索引擎节点（生产集群不受影响）")


def check_data_dir(settings: Settings) -> Check:
    d = settings.data_dir
    try:
        d.mkdir(parents=True, exist_ok=True)
        probe = d / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
        return Check("数据目录", True, str(d), essential=True)
    except OSError as exc:
        return Check("数据目录", False, f"{d}: {exc.strerror}", "一切写入（数据库、证据、日志）",
                     essential=True)


def check_store(settings: Settings) -> Check:
    url = settings["store_url"] or "SQLite（数据目录内）"
    try:
        from findings.open import store_from_settings

        store = store_from_settings(settings)
        store.close()
        return Check("存储", True, url, essential=True)
    except Exception as exc:  # noqa: BLE001 - any failure means the store is unusable
        return Check("存储", False, f"{url}: {exc}", "保存和查询发现", essential=True)


def check_search_engine(settings: Settings) -> Check:
    url = settings["store_url"]
    if not url.startswith(("http://", "https://")):
        return Check("搜索引擎集群", None, "未配置（使用内置 SQLite）")
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - operator's URL
            return Check("搜索引擎集群", True, f"{url} HTTP {resp.status}")
    except OSError as exc:
        return Check("搜索引擎集群", False, f"{url}: {exc}",
                     "直接写入集群（写入暂存在本地队列，恢复后重放）")


def check_config(settings: Settings) -> Check:
    """The targets, schedules and departments files, read by the config model as the patrol,
    the scheduler and the alerts read them."""
    from alerts import load_directory
    from scheduling.plan import load_plan

    try:
        plan = load_plan(settings)
        directory = load_directory(settings)
    except ConfigError as exc:
        return Check("配置文件", False, str(exc), "巡查、定时巡查和告警", essential=True)
    return Check("配置文件", True, f"巡查目标 {len(plan.targets)} 个，定时计划 "
                 f"{len(plan.schedules)} 个，部门 {len(directory.departments)} 个", essential=True)


def check_tcp(name: str, url_or_host: str, port: int | None, disables: str) -> Check:
    if not url_or_host:
        return Check(name, None, "未配置")
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    port = port or urlsplit(url_or_host).port
    try:
        with socket.create_connection((host, port), timeout=5):
            return Check(name, True, f"{host}:{port} 可连接")
    except OSError as exc:
        return Check(name, False, f"{host}:{port}: {exc}", disables)


def check_redis(settings: Settings) -> Check:
    """The shared frontier: reachable, persistent (AOF) and never evicting keys."""
    url = settings["redis_url"]
    disables = "多台巡查机器协同（patrol worker、patrol crawl --distributed）"
    if not url:
        return Check("Redis", None, "未配置（单机巡查）")
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        info = client.info("server")
        aof = client.config_get("appendonly").get("appendonly")
        policy = client.config_get("maxmemory-policy").get("maxmemory-policy")
    except redis.RedisError as exc:
        return Check("Redis", False, f"{_redacted(url)}: {exc}", disables)
    finally:
        if "client" in locals():
            client.close()
    problems = []
    if aof != "yes":
        problems.append("未开启 AOF 持久化（appendonly yes），Redis 重启会丢失巡查队列")
    if policy != "noeviction":
        problems.append(f"内存策略为 {policy}，应为 noeviction（否则队列可能被逐出）")
    version = info.get("redis_version", "?")
    if problems:
        return Check("Redis", False, f"{_redacted(url)} 版本 {version}：" + "；".join(problems),
                     disables)
    return Check("Redis", True, f"{_redacted(url)} 版本 {version}，AOF 已开启，noeviction")


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}:{parts.port or 6379}{parts.path}"


def check_evidence(settings: Settings) -> Check:
    """The evidence storage takes and gives back an object (a content-addressed probe blob)."""
    from evidence.storage import EvidenceError, open_storage

    url = settings["evidence_url"] or str(settings.data_dir / "evidence")
    try:
        storage = open_storage(settings)
        key = storage.put_blob(b"patrol doctor probe\n", "txt")
        if storage.pending():
            return Check("证据存储", False, f"{url}: 上传失败，{storage.pending()} 个对象在本地暂存",
                         "证据集中保存（在本机暂存，恢复后 patrol evidence sync）")
        storage.read(key)
        return Check("证据存储", True, url)
    except (EvidenceError, OSError) as exc:
        return Check("证据存储", False, f"{url}: {exc}", "网页存档和案件证据包")


def check_tsa(settings: Settings) -> Check:
    url = settings["evidence_tsa_url"]
    if not url:
        return Check("可信时间戳", None, "未配置 evidence_tsa_url（证据包不带时间戳）")
    import hashlib

    from evidence.timestamp import TimestampError, request_token

    try:
        request_token(url, hashlib.sha256(b"patrol doctor").hexdigest())
        return Check("可信时间戳", True, f"{url} 签发正常")
    except TimestampError as exc:
        return Check("可信时间戳", False, str(exc), "导出案件证据包（时间戳机构不可用时导出失败）")


CHECKS: list[Callable[[Settings], Check]] = [
    check_data_dir,
    check_config,
    check_store,
    check_search_engine,
    check_evidence,
    check_tsa,
    check_chromium,
    check_fonts,
    check_ocr,
    check_java,
    lambda s: check_tcp("SMTP", s["smtp_host"], s["smtp_port"], "邮件告警（告警在发件箱中等待）"),
    check_redis,
]


@click.command(name="doctor", help="Check what this machine has and what a missing piece disables.")
@click.pass_obj
def command(app) -> None:
    failed_essential = False
    for check in CHECKS:
        result = check(app.settings)
        mark = {True: "正常", False: "缺失", None: "未配置"}[result.ok]
        click.echo(f"[{mark}] {result.name}: {result.detail}")
        if result.ok is False and result.disables:
            click.echo(f"        不可用：{result.disables}")
        failed_essential |= result.ok is False and result.essential
    if failed_essential:
        raise click.ClickException("基本条件不满足，巡查无法运行")
