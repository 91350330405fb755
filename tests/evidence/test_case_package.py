"""`patrol evidence export` then `verify`: a package passes as built and fails on any changed
byte, saying what does not match; with a real RFC 3161 authority on loopback (openssl ts)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from evidence.timestamp import request_token
from findings import Decision
from tests.conftest import need_service

from .conftest import data_args, rezip, unzip


def _export(patrol_cmd: Any, case_data: Any, out: Path, *extra: str, **sets: Any) -> str:
    args = [*data_args(case_data.settings, **sets), "evidence", "export", "--out", str(out),
            "--title", "测试案件", "--by", "审核员甲"]
    for fid in case_data.finding_ids:
        args += ["--finding", fid]
    code, stdout, stderr = patrol_cmd(*args, *extra)
    assert code == 0, stderr
    assert str(out) in stdout
    return stdout


def _verify(patrol_cmd: Any, case_data: Any, path: Path, *extra: str) -> tuple[int, str]:
    code, stdout, _ = patrol_cmd(*data_args(case_data.settings), "evidence", "verify",
                                 str(path), *extra)
    return code, stdout


@pytest.fixture
def package(case_data: Any, patrol_cmd: Any, tmp_path: Path) -> Path:
    case_data.store.review(Decision(case_data.finding_ids[0], "confirmed", "审核员甲",
                                    case_data.store.get_finding(case_data.finding_ids[0])
                                    .captured_at, note="属实"))
    out = tmp_path / "case.zip"
    _export(patrol_cmd, case_data, out)
    return out


def test_export_holds_captures_screenshots_manifest_and_inert_index(
        package: Path, case_data: Any) -> None:
    files = unzip(package)
    manifest = json.loads(files["manifest.json"])
    listed = {f["path"]: f for f in manifest["files"]}
    assert {"captures.warc.gz", "index.html"} <= set(listed)
    for name, item in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == item["sha256"]
        assert len(files[name]) == item["bytes"]
    # two of the three screenshots are the same picture: stored once
    assert len([n for n in listed if n.startswith("screenshots/")]) == 2
    # records copied byte for byte: same ids and digests as in the patrol's WARC file
    records = list(ArchiveIterator(io.BytesIO(files["captures.warc.gz"])))
    assert [r.rec_type for r in records][:1] == ["warcinfo"]
    first = case_data.store.get_finding(case_data.finding_ids[0])
    original = case_data.storage.read(first.warc_file.removeprefix("evidence/"),
                                      first.warc_offset, first.warc_length)
    entry = next(e for e in manifest["findings"] if e["id"] == first.id)
    cap = entry["capture"]
    assert files["captures.warc.gz"][cap["offset"]:cap["offset"] + cap["length"]] == original
    assert entry["url"] == first.source and entry["clause"] == "二(一)1"
    assert entry["decisions"][0]["by"] == "审核员甲" and entry["decisions"][0]["decision"] == \
        "confirmed"
    html = files["index.html"].decode()
    assert "<script" not in html.lower() and "Content-Security-Policy" in html
    assert "default-src 'none'" in html and "保本保息" in html and "审核员甲" in html
    assert "<a " not in html  # crawled URLs are text, never links


def test_verify_passes_on_the_package_as_built(package: Path, case_data: Any,
                                               patrol_cmd: Any) -> None:
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 0, out
    assert "核验通过" in out and "没有时间戳" in out and "清单哈希与导出记录一致" in out


@pytest.mark.parametrize("name", ["captures.warc.gz", "screenshot", "manifest.json",
                                  "index.html"])
def test_one_changed_byte_fails_with_the_file_named(package: Path, case_data: Any,
                                                    patrol_cmd: Any, name: str) -> None:
    files = unzip(package)
    if name == "screenshot":
        name = next(n for n in files if n.startswith("screenshots/"))
    data = bytearray(files[name])
    if name == "manifest.json":  # a changed URL: still valid JSON, a different manifest
        manifest = json.loads(data)
        manifest["files"][0]["sha256"] = "0" * 64
        data = bytearray(json.dumps(manifest, ensure_ascii=False).encode())
    else:
        data[len(data) // 2] ^= 0x01
    files[name] = bytes(data)
    rezip(package, files)
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 1, out
    assert "核验失败" in out
    mismatch = [ln for ln in out.splitlines() if ln.startswith("不符：")]
    assert mismatch
    if name != "manifest.json":
        assert any(ln.startswith(f"不符：{name}: SHA-256") for ln in mismatch), out
    else:
        listed = json.loads(files["manifest.json"])["files"][0]["path"]
        assert any(listed in ln and "does not match" in ln for ln in mismatch), out


def test_a_flipped_byte_in_the_zip_itself_fails(package: Path, case_data: Any,
                                                patrol_cmd: Any) -> None:
    raw = bytearray(package.read_bytes())
    at = raw.find(b"WARC/1.1")  # inside the stored (uncompressed) WARC member? it is gzip;
    at = at if at > 0 else len(raw) // 3
    raw[at] ^= 0x20
    package.write_bytes(bytes(raw))
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 1 and "不符：" in out


def test_a_file_slipped_into_the_package_fails(package: Path, case_data: Any,
                                               patrol_cmd: Any) -> None:
    files = unzip(package)
    files["screenshots/extra.png"] = b"\x89PNG"
    rezip(package, files)
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 1 and "screenshots/extra.png: in the package but not in the manifest" in out


def test_a_warc_record_with_a_wrong_digest_fails_even_with_matching_hashes(
        package: Path, case_data: Any, patrol_cmd: Any) -> None:
    """Someone rewrote a record and fixed the manifest's file hash: the WARC digest catches it."""
    import gzip

    files = unzip(package)
    manifest = json.loads(files["manifest.json"])
    cap = manifest["findings"][0]["capture"]
    warc = files["captures.warc.gz"]
    member = gzip.decompress(warc[cap["offset"]:cap["offset"] + cap["length"]])
    changed = member.replace("保本保息".encode(), "正常理财".encode(), 1)
    assert changed != member
    # recompress every record of the capture as one member (readers accept it)
    new = warc[:cap["offset"]] + gzip.compress(changed) + warc[cap["offset"] + cap["length"]:]
    files["captures.warc.gz"] = new
    for f in manifest["files"]:
        if f["path"] == "captures.warc.gz":
            f["sha256"], f["bytes"] = hashlib.sha256(new).hexdigest(), len(new)
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    rezip(package, files)
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 1 and "fails its digest" in out, out


@pytest.fixture(scope="module")
def tsa(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from tests.services.tsa_server import start_tsa

    server = need_service(lambda: start_tsa(tmp_path_factory.mktemp("tsa")), "openssl TSA")
    yield server
    server.stop()


def test_timestamped_package_verifies_against_the_tsa_ca(
        case_data: Any, patrol_cmd: Any, tsa: Any, tmp_path: Path) -> None:
    ca = tmp_path / "tsa-ca.pem"
    ca.write_bytes(tsa.ca_pem)
    out = tmp_path / "stamped.zip"
    before = tsa.requests
    stdout = _export(patrol_cmd, case_data, out, evidence_tsa_url=tsa.url)
    assert "已加盖可信时间戳" in stdout and tsa.requests == before + 1
    files = unzip(out)
    assert "manifest.json.tsr" in files
    code, text = _verify(patrol_cmd, case_data, out, "--tsa-ca", str(ca))
    assert code == 0, text
    assert "时间戳有效" in text and "未用您信任的根证书" not in text
    # without a trusted CA: integrity is still checked, and the output says trust was not
    code, text = _verify(patrol_cmd, case_data, out)
    assert code == 0 and "未用您信任的根证书" in text


def test_token_for_a_different_hash_fails(case_data: Any, patrol_cmd: Any, tsa: Any,
                                          tmp_path: Path) -> None:
    ca = tmp_path / "tsa-ca.pem"
    ca.write_bytes(tsa.ca_pem)
    out = tmp_path / "stamped.zip"
    _export(patrol_cmd, case_data, out, evidence_tsa_url=tsa.url)
    files = unzip(out)
    files["manifest.json.tsr"] = request_token(tsa.url, hashlib.sha256(b"another").hexdigest())
    rezip(out, files)
    code, text = _verify(patrol_cmd, case_data, out, "--tsa-ca", str(ca))
    assert code == 1
    assert "manifest.json.tsr: the token timestamps a different hash" in text


def test_token_from_an_untrusted_authority_fails(case_data: Any, patrol_cmd: Any, tsa: Any,
                                                 tmp_path: Path) -> None:
    from tests.services.tsa_server import TSAServer

    other = TSAServer(tmp_path / "other-ca")  # a CA nobody trusts (not serving)
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(other.ca_pem)
    out = tmp_path / "stamped.zip"
    _export(patrol_cmd, case_data, out, evidence_tsa_url=tsa.url)
    code, text = _verify(patrol_cmd, case_data, out, "--tsa-ca", str(stranger))
    assert code == 1 and "not trusted" in text


def test_unreachable_tsa_fails_the_export_clearly(case_data: Any, patrol_cmd: Any,
                                                  tmp_path: Path) -> None:
    from tests.services.ports import free_port

    args = [*data_args(case_data.settings,
                       evidence_tsa_url=f"http://127.0.0.1:{free_port()}/tsa"),
            "evidence", "export", "--finding", case_data.finding_ids[0], "--out",
            str(tmp_path / "x.zip")]
    code, _, err = patrol_cmd(*args)
    assert code == 1 and "unreachable" in err and err.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["var"]   # no package, no half-written file


def test_export_needs_a_selection_and_known_ids(case_data: Any, patrol_cmd: Any,
                                                tmp_path: Path) -> None:
    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export")
    assert code == 2 and "--finding" in err
    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export",
                              "--finding", "nope", "--out", str(tmp_path / "y.zip"))
    assert code == 1 and "unknown finding id(s): nope" in err


def test_export_of_a_tip_and_of_a_platform_from_the_ledger(case_data: Any, patrol_cmd: Any,
                                                           tmp_path: Path) -> None:
    """--tip: the tip and the findings of the platform it is linked to (here by the patrol
    target); --platform: what the ledger page lists. The tipster's contact stays out."""
    from platforms import open_ledger
    from platforms.ledger import register
    from platforms.tips import make_tip

    with open_ledger(case_data.settings) as ledger:
        platform, _ = register(ledger, name="示范贷", by="t", source="manual", targets=["demo"])
        tip = make_tip(text="朋友拉我投示范贷，说保本保息", url="https://sfd.example.test/",
                       platform_name="示范贷", contact="13800138000", source="cli")
        tip.platform_id = platform.id
        ledger.add_tip(tip)
    out = tmp_path / "tip.zip"
    code, stdout, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export",
                                   "--tip", tip.receipt, "--out", str(out))
    assert code == 0, err
    assert _verify(patrol_cmd, case_data, out)[0] == 0
    files = unzip(out)
    manifest = json.loads(files["manifest.json"])
    assert manifest["title"] == f"举报 {tip.receipt}"
    assert manifest["tip"]["receipt"] == tip.receipt
    assert manifest["tip"]["linked_platform"]["name"] == "示范贷"
    assert sorted(f["id"] for f in manifest["findings"]) == sorted(case_data.finding_ids)
    assert all(f["capture"] for f in manifest["findings"])
    assert all(b"13800138000" not in data for data in files.values())
    assert "朋友拉我投示范贷" in files["index.html"].decode()

    out = tmp_path / "platform.zip"
    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export",
                              "--platform", "示范贷", "--out", str(out))
    assert code == 0, err
    manifest = json.loads(unzip(out)["manifest.json"])
    assert manifest["selection"]["platform_id"] == platform.id and "tip" not in manifest
    assert sorted(f["id"] for f in manifest["findings"]) == sorted(case_data.finding_ids)

    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export",
                              "--tip", "JB-20260101-AAAAAAAA", "--out", str(tmp_path / "n.zip"))
    assert code == 1 and "没有这条举报" in err


def test_verify_of_something_that_is_not_a_package(case_data: Any, patrol_cmd: Any,
                                                   tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK not really")
    code, out = _verify(patrol_cmd, case_data, junk)
    assert code == 1 and "not a readable zip" in out


def test_doctor_checks_evidence_storage_and_the_tsa(case_data: Any, patrol_cmd: Any,
                                                    tsa: Any) -> None:
    from tests.services.ports import free_port

    code, out, _ = patrol_cmd(*data_args(case_data.settings, evidence_tsa_url=tsa.url),
                              "doctor")
    assert "[正常] 证据存储" in out and "[正常] 可信时间戳" in out
    code, out, _ = patrol_cmd(*data_args(
        case_data.settings, evidence_tsa_url=f"http://127.0.0.1:{free_port()}/tsa"), "doctor")
    assert "[缺失] 可信时间戳" in out and "unreachable" in out
    code, out, _ = patrol_cmd(*data_args(case_data.settings), "doctor")
    assert "[未配置] 可信时间戳" in out


def test_hostile_crawled_text_stays_inert_in_index_html(case_data: Any, patrol_cmd: Any,
                                                        tmp_path: Path) -> None:
    from findings import FindingRecord

    hostile = FindingRecord(
        id="hostile0000000000000000", rule="promised_return", severity="high",
        evidence='<script>alert(1)</script>', start=0, end=25, clause="二(一)1",
        lead="市金融局", source="javascript:alert(document.cookie)",
        captured_at=case_data.store.get_finding(case_data.finding_ids[0]).captured_at,
        context='年化 <img src=x onerror="alert(2)"> x\u202emoc.evil 收益',
        rule_name="<b>承诺收益</b>", kind="enterprise",
        extra={"url": "javascript:alert(3)"})
    case_data.store.upsert_findings([hostile])
    out = tmp_path / "hostile.zip"
    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "export", "--out",
                              str(out), "--finding", hostile.id, "--finding",
                              case_data.finding_ids[0])
    assert code == 0, err
    html = unzip(out)["index.html"].decode()
    assert "<script" not in html and "onerror=\"" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>承诺收益" not in html
    assert "\u202e" not in html and 'href="javascript' not in html
    assert _verify(patrol_cmd, case_data, out)[0] == 0


def test_a_manifest_rewritten_consistently_fails_against_the_export_record(
        package: Path, case_data: Any, patrol_cmd: Any) -> None:
    """Without a timestamp, someone rewrites a screenshot and fixes its hash in the manifest:
    every hash in the package agrees, but the manifest is not the one that was exported."""
    files = unzip(package)
    manifest = json.loads(files["manifest.json"])
    shot = next(f for f in manifest["files"] if f["path"].startswith("screenshots/"))
    forged = files[shot["path"]] + b"forged"
    files[shot["path"]] = forged
    shot["sha256"], shot["bytes"] = hashlib.sha256(forged).hexdigest(), len(forged)
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False).encode()
    rezip(package, files)
    code, out = _verify(patrol_cmd, case_data, package)
    assert code == 1 and "differs from the one recorded at export" in out, out


def test_verify_json_output_lists_problems(package: Path, case_data: Any,
                                           patrol_cmd: Any) -> None:
    code, out = _verify(patrol_cmd, case_data, package, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["problems"] == []
    assert report["findings"] == 3 and report["files"] >= 3
    files = unzip(package)
    files["index.html"] = files["index.html"] + b" "
    rezip(package, files)
    code, out = _verify(patrol_cmd, case_data, package, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False
    assert [p for p in report["problems"] if p.startswith("index.html: ")]
