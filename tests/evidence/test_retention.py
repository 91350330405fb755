"""`patrol evidence prune`: old evidence goes, unless a finding or an exported case needs it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from findings import Decision, utcnow

from .conftest import data_args, seed_captures


def _age(settings: Any, days: int) -> None:
    """Make every evidence file `days` old (as if written then)."""
    old = time.time() - days * 86400
    for path in (settings.data_dir / "evidence").rglob("*"):
        if path.is_file() and "cases" not in path.parts:
            os.utime(path, (old, old))


def _dismiss(store: Any, ids: list[str]) -> None:
    for fid in ids:
        store.review(Decision(fid, "dismissed", "审核员乙", utcnow(), note="误报"))


def test_prune_keeps_what_open_confirmed_forwarded_and_exported_cases_need(
        case_data: Any, patrol_cmd: Any, tmp_path: Path) -> None:
    s, store, storage = case_data.settings, case_data.store, case_data.storage
    open_file = case_data.warc_files[0]                        # run-1: open findings
    exported = seed_captures(s, store, storage, 2, run_id="run-exported")
    dismissed = seed_captures(s, store, storage, 2, run_id="run-dismissed")
    confirmed = seed_captures(s, store, storage, 1, run_id="run-confirmed")
    store.review(Decision(confirmed[0], "confirmed", "审核员甲", utcnow()))
    file_of = {fid: store.get_finding(fid).warc_file for fid in [*exported, *dismissed]}
    code, _, err = patrol_cmd(*data_args(s), "evidence", "export", "--out",
                              str(tmp_path / "case.zip"), "--finding", exported[0])
    assert code == 0, err
    _dismiss(store, exported + dismissed)   # the case was exported before they were dismissed
    _age(s, 400)
    root = s.data_dir / "evidence"

    code, out, err = patrol_cmd(*data_args(s), "evidence", "prune", "--dry-run")
    assert code == 0, err
    assert "将清理 1 个" in out and file_of[dismissed[0]].removeprefix("evidence/") in out
    assert (root / file_of[dismissed[0]].removeprefix("evidence/")).exists()

    code, out, err = patrol_cmd(*data_args(s), "evidence", "prune")
    assert code == 0, err
    assert "已清理 1 个" in out
    assert not (root / file_of[dismissed[0]].removeprefix("evidence/")).exists()
    for kept in (open_file, file_of[exported[0]],
                 store.get_finding(confirmed[0]).warc_file):
        assert (root / kept.removeprefix("evidence/")).exists(), kept
    # screenshots of open findings' pages stay; the audit trail names what went
    for fid in case_data.finding_ids:
        page = store.get_page(store.get_finding(fid).page_id)
        shot = page.evidence[0]["path"].removeprefix("evidence/")
        assert (root / shot).exists()
    trail = [json.loads(ln) for ln in
             (s.data_dir / "logs" / "evidence-prune.log").read_text().splitlines()]
    assert [t["key"] for t in trail if not t["dry_run"]] == \
        [file_of[dismissed[0]].removeprefix("evidence/")]


def test_recent_evidence_is_never_pruned(case_data: Any, patrol_cmd: Any) -> None:
    _dismiss(case_data.store, case_data.finding_ids)
    code, out, _ = patrol_cmd(*data_args(case_data.settings), "evidence", "prune")
    assert code == 0 and "已清理 0 个" in out
    for f in case_data.warc_files:
        assert (case_data.settings.data_dir / f).exists()


def test_retention_zero_keeps_everything(case_data: Any, patrol_cmd: Any) -> None:
    _dismiss(case_data.store, case_data.finding_ids)
    _age(case_data.settings, 4000)
    code, out, _ = patrol_cmd(*data_args(case_data.settings, evidence_retention_days=0),
                              "evidence", "prune")
    assert code == 0 and "永久保存" in out
    assert all((case_data.settings.data_dir / f).exists() for f in case_data.warc_files)


def test_an_unreadable_case_record_stops_pruning(case_data: Any, patrol_cmd: Any) -> None:
    _dismiss(case_data.store, case_data.finding_ids)
    _age(case_data.settings, 400)
    bad = case_data.settings.data_dir / "evidence" / "cases" / "case-broken.json"
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.write_text("{not json")
    code, _, err = patrol_cmd(*data_args(case_data.settings), "evidence", "prune")
    assert code == 1 and "case-broken.json is not valid JSON" in err
    assert all((case_data.settings.data_dir / f).exists() for f in case_data.warc_files)
