"""Evidence tests: a real SQLite store and real WARC captures on a temporary data home, and
`patrol ...` run through its real entry point, `cli.main.main()`."""

from __future__ import annotations

import os
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from evidence.storage import EvidenceStorage, open_storage
from evidence.warc import Capture, HttpExchange, WarcRunWriter
from findings import FindingRecord, PageRecord, Store, finding_id, page_id
from findings.open import store_from_settings
from settings import Settings

T0 = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


def tiny_png(seed: int) -> bytes:
    """A real 1x1 PNG whose colour depends on `seed` (so screenshots differ or repeat)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"\x00" + bytes([seed % 256, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


PHRASES = ["平台介绍与发展历程", "本地新闻与社区动态", "关于我们的服务承诺", "客户服务中心工作时间",
           "常见问题解答汇总", "企业文化与团队建设", "合作伙伴与媒体报道", "理财产品说明书"]


def _filler(seed: int, kb: int) -> str:
    """About `kb` KB of varied page text (compresses like a real page, not like a repeat)."""
    rng = random.Random(seed)
    parts, size = [], 0
    while size < kb * 1024:
        part = f"{rng.choice(PHRASES)}第{rng.randrange(100000)}号。"
        parts.append(part)
        size += len(part.encode())
    return "".join(parts)


@dataclass
class CaseData:
    settings: Settings
    store: Store
    storage: EvidenceStorage
    finding_ids: list[str]
    warc_files: list[str]


def seed_captures(settings: Settings, store: Store, storage: EvidenceStorage, n: int,
                  run_id: str = "run-1", at: datetime = T0, status: str = "new",
                  max_bytes: int = 1_000_000_000, filler_kb: int = 0,
                  shot_kb: int = 0) -> list[str]:
    """n pages with one finding each, captured into real WARC files; returns the finding ids."""
    writer = WarcRunWriter(storage, "demo", run_id, max_bytes=max_bytes)
    ids = []
    for i in range(n):
        url = f"http://127.0.0.1:9/{run_id}/p{i}.html"
        text = f"第{i}号产品，本平台承诺保本保息，年化收益{10 + i % 9}%。"
        html = (f"<html><head><title>理财{i}</title></head><body><p>{text}</p>"
                f"<div>{_filler(i, filler_kb)}</div></body></html>")
        when = at + timedelta(seconds=i)
        pid = page_id(run_id, url)
        shot = tiny_png(i % 2) if i % 2 == 0 or n < 10 else None
        if shot and shot_kb:  # a screenshot of realistic size (bytes after IEND are ignored)
            shot += random.Random(i).randbytes(shot_kb * 1024)
        pointer = writer.write(Capture(
            page_id=pid, url=url, captured_at=when,
            exchange=HttpExchange("GET", url, [("User-Agent", "patrol-test")], 200,
                                  [("Content-Type", "text/html; charset=utf-8")],
                                  html.encode()),
            screenshot=shot, metadata={"run": run_id, "target": "demo", "page_id": pid,
                                       "screenshot": {"load": "second"}}))
        shots = []
        if shot:
            key = storage.put_blob(shot, "png")
            shots = [{"kind": "screenshot", "path": "evidence/" + key, "sha256": "",
                      "bytes": len(shot)}]
        store.save_page(PageRecord(
            id=pid, url=url, captured_at=when, final_url=url, status=200, title=f"理财{i}",
            text=text, target="demo", run_id=run_id, warc_file=pointer.path,
            warc_offset=pointer.offset, warc_length=pointer.length,
            evidence=shots))
        f = FindingRecord(
            id=finding_id(url, "guaranteed_principal", "保本保息"), rule="guaranteed_principal",
            severity="high", evidence="保本保息", start=text.index("保本保息"),
            end=text.index("保本保息") + 4, clause="二(一)1", lead="市金融局", source=url,
            captured_at=when, rule_name="保本保息/零风险", normalized="保本保息",
            context=text, context_start=0, domain="127.0.0.1", target="demo", page_id=pid,
            run_id=run_id, status=status, extra={"url": url}, warc_file=pointer.path,
            warc_offset=pointer.offset, warc_length=pointer.length)
        store.upsert_findings([f])
        ids.append(f.id)
    writer.close()
    return ids


@pytest.fixture
def case_data(make_settings: Callable[..., Settings]) -> CaseData:
    settings = make_settings()
    store = store_from_settings(settings)
    storage = open_storage(settings)
    ids = seed_captures(settings, store, storage, 3)
    files = sorted({store.get_finding(i).warc_file for i in ids})
    yield CaseData(settings, store, storage, ids, files)
    store.close()


@pytest.fixture
def patrol_cmd(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `patrol ARGS` through cli.main.main(); returns (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("PATROL_")}
        try:
            with pytest.raises(SystemExit) as exc:
                main(list(args))
        finally:
            os.environ.update(saved)
        out = capsys.readouterr()
        return int(exc.value.code or 0), out.out, out.err

    return run


def data_args(settings: Settings, **sets: Any) -> list[str]:
    args = ["--data-dir", str(settings.data_dir)]
    for key, value in sets.items():
        args += ["--set", f"{key}={value}"]
    return args


def unzip(path: Path) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def rezip(path: Path, files: dict[str, bytes]) -> None:
    """Write the package again with (tampered) contents: valid zip CRCs, changed bytes."""
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
