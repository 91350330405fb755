"""Stores written before findings had a date of their own (posted_at / dated_at): after the
upgrade, their findings count on the day they were first seen, as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from findings import FindingQuery, open_store

from .conftest import T0, make_finding

NEW_FIELDS = ("posted_at", "dated_at")


def test_an_sqlite_file_of_version_3_dates_its_findings_by_first_seen(tmp_path: Path) -> None:
    from findings.sqlite import rows
    from findings.sqlite.schema import MIGRATIONS

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                 "applied_at TEXT NOT NULL)")
    for number, statements in enumerate(MIGRATIONS[:3], 1):
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, '2026-01-01')", (number,))
    # a finding as version 3 wrote it: no posted_at, no dated_at
    values = dict(zip(rows.FINDING_COLUMNS, rows.finding_row(make_finding(1)), strict=True))
    old = {k: v for k, v in values.items() if k not in NEW_FIELDS}
    conn.execute("INSERT INTO findings ({}) VALUES ({})".format(
        ", ".join(f'"{k}"' for k in old), ", ".join("?" * len(old))), list(old.values()))
    conn.close()
    with open_store(f"sqlite:///{path}") as store:
        assert store.count_findings(FindingQuery(), "day") == {"2026-03-02": 1}
        assert store.query_findings(FindingQuery(dated_since=T0)).total == 1
        [got] = store.query_findings(FindingQuery()).items
        assert got.posted_at is None and got.first_seen == got.captured_at


def test_a_cluster_index_of_version_2_is_copied_with_the_date(search_node: Any,
                                                              tmp_path: Path) -> None:
    from findings.cluster import indices
    from findings.cluster.clients import connect
    from findings.cluster.docs import finding_doc
    from findings.cluster.mappings import FINDINGS, INDEXES

    prefix = "tdated"
    client = connect(search_node.url)
    try:
        indices.delete_all(client, prefix)
        v2 = {**FINDINGS, "properties": {k: v for k, v in FINDINGS["properties"].items()
                                         if k not in NEW_FIELDS}}
        indices.ensure_all(client, prefix, {**INDEXES, "findings": (2, v2)})
        for n in range(3):
            doc = {k: v for k, v in finding_doc(make_finding(n)).items() if k not in NEW_FIELDS}
            client.request("PUT", f"/{prefix}-findings/_doc/{doc['id']}", body=doc,
                           params={"refresh": "true"})
        assert indices.ensure_all(client, prefix) == 1   # findings v2 -> v3
        with open_store(search_node.url, data_dir=tmp_path, index_prefix=prefix) as store:
            assert store.count_findings(FindingQuery(), "day") == {"2026-03-02": 3}
            assert store.query_findings(FindingQuery(dated_since=T0)).total == 3
    finally:
        indices.delete_all(client, prefix)
        client.close()
