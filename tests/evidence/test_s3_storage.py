"""Evidence on a real S3-compatible server (S3Proxy): content addressing, captures read back by
byte range, a case exported from it, and the server down then up with nothing lost."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from evidence.s3 import S3Storage
from evidence.storage import open_storage
from findings.open import store_from_settings
from settings import Settings

from .conftest import data_args, seed_captures, tiny_png


@pytest.fixture
def s3_settings(s3: Any, make_settings: Callable[..., Settings]) -> Settings:
    bucket = f"evidence-{secrets.token_hex(4)}"
    settings = make_settings(**s3.settings(bucket))
    storage = open_storage(settings)
    assert isinstance(storage, S3Storage)
    storage.ensure_bucket()
    return settings


def _objects(storage: Any) -> dict[str, int]:
    return {o.key: o.size for o in storage.list()}


def test_blobs_are_stored_once_by_content(s3_settings: Settings) -> None:
    storage = open_storage(s3_settings)
    first = storage.put_blob(tiny_png(1), "png")
    again = storage.put_blob(tiny_png(1), "png")
    other = storage.put_blob(tiny_png(2), "png")
    assert first == again != other and first.startswith("blobs/")
    assert sorted(_objects(storage)) == sorted([first, other])
    assert storage.read(first) == tiny_png(1) and storage.pending() == 0
    assert not (s3_settings.data_dir / "evidence").exists()   # nothing kept on this disk


def test_captures_live_on_the_server_and_a_case_exports_from_it(
        s3_settings: Settings, patrol_cmd: Any, tmp_path: Path, s3: Any) -> None:
    storage = open_storage(s3_settings)
    with store_from_settings(s3_settings) as store:
        ids = seed_captures(s3_settings, store, storage, 4)
        f = store.get_finding(ids[2])
    key = f.warc_file.removeprefix("evidence/")
    assert key in _objects(storage) and storage.local_path(key) is None
    # a byte range of the object is exactly the capture (what the console and export read)
    part = storage.read(key, f.warc_offset, f.warc_length)
    assert len(part) == f.warc_length and part[:2] == b"\x1f\x8b"
    sets = {k: v for k, v in s3.settings(s3_settings["evidence_url"][5:].split("/")[0]).items()}
    code, out, err = patrol_cmd(*data_args(s3_settings, **sets), "evidence", "export",
                                "--out", str(tmp_path / "case.zip"), *sum(
                                    (["--finding", i] for i in ids), []))
    assert code == 0, err
    code, out, _ = patrol_cmd(*data_args(s3_settings), "evidence", "verify",
                              str(tmp_path / "case.zip"))
    assert code == 0 and "核验通过" in out
    # the case is recorded on the server, where pruning on any machine finds it
    assert [o.key for o in storage.list("cases/")]
    code, out, err = patrol_cmd(*data_args(s3_settings, **sets), "evidence", "prune")
    assert code == 0 and "已清理 0 个" in out, err


def test_server_down_then_up_loses_nothing(s3_settings: Settings, s3: Any,
                                           patrol_cmd: Any) -> None:
    storage = open_storage(s3_settings)
    bucket = s3_settings["evidence_url"][5:].split("/")[0]
    s3.stop()
    with store_from_settings(s3_settings) as store:
        ids = seed_captures(s3_settings, store, storage, 3, run_id="run-offline")
        f = store.get_finding(ids[0])
    key = f.warc_file.removeprefix("evidence/")
    assert storage.pending() >= 2          # the WARC file and the screenshot blobs wait
    local = storage.local_path(key)
    assert local is not None and local.is_relative_to(s3_settings.data_dir / "evidence-spool")
    # still readable on this machine while the storage is away
    assert len(storage.read(key, f.warc_offset, f.warc_length)) == f.warc_length
    waiting = local.read_bytes()
    code, out, _ = patrol_cmd(*data_args(s3_settings, **s3.settings(bucket)), "evidence",
                              "sync")
    assert code == 1 and "仍暂存" in out
    _, out, _ = patrol_cmd(*data_args(s3_settings, **s3.settings(bucket)), "doctor")
    assert "[缺失] 证据存储" in out and "本地暂存" in out

    s3.start()
    code, out, err = patrol_cmd(*data_args(s3_settings, **s3.settings(bucket)), "evidence",
                                "sync")
    assert code == 0, out + err
    assert storage.pending() == 0 and storage.local_path(key) is None
    assert storage.read(key) == waiting     # the very bytes that waited
    _, out, _ = patrol_cmd(*data_args(s3_settings, **s3.settings(bucket)), "doctor")
    assert "[正常] 证据存储" in out


def test_bad_evidence_url_is_a_clear_error(make_settings: Callable[..., Settings],
                                           patrol_cmd: Any, tmp_path: Path) -> None:
    from settings import ConfigError

    for url in ("s3://", "ftp://x", "relative/dir", "s3://Bad_Bucket/x"):
        with pytest.raises(ConfigError, match="s3://BUCKET/PREFIX"):
            make_settings(evidence_url=url)
    code, _, err = patrol_cmd("--data-dir", str(tmp_path), "--set", "evidence_url=ftp://x",
                              "evidence", "sync")
    assert code == 2 and "evidence_url" in err and err.count("\n") == 1


def test_rotated_warc_files_are_all_uploaded_and_readable(s3_settings: Settings) -> None:
    storage = open_storage(s3_settings)
    with store_from_settings(s3_settings) as store:
        ids = seed_captures(s3_settings, store, storage, 6, max_bytes=2000)
        pointers = [store.get_finding(i) for i in ids]
    files = {f.warc_file for f in pointers}
    assert len(files) >= 3                    # rotated past the size limit
    assert storage.pending() == 0 and {o.key for o in storage.list("warc/")} == \
        {f.removeprefix("evidence/") for f in files}
    for f in pointers:
        data = storage.read(f.warc_file.removeprefix("evidence/"), f.warc_offset, f.warc_length)
        assert len(data) == f.warc_length
