"""Fixtures of the console tests: a real SQLite store on a temporary data home, real accounts,
the Flask app around them, logged-in test clients per role, and findings made through the store
API."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from console import create_app
from console.users import UserStore, users_path
from findings import FindingRecord, PageRecord, Store, finding_id, page_id, utcnow
from findings.open import store_from_settings
from settings import Settings

PASSWORD = "correct-horse-42"
ROLES = ("support", "commerce", "opinion", "finance", "admin")
RULE_LEADS = {  # as config/rules.yaml says ("lead": one department of departments.yaml)
    "promised_return": "市金融局",
    "guaranteed_principal": "市金融局",
    "restricted_name": "市工商局",
    "real_estate_finance": "市住房和城乡建设管理局",
    "margin_financing": "市金融局",
    "unlicensed_payment": "人民银行清远市中心支行",
    "fundraising_signal": "市金融局",
    "improper_subsidy": "市金融局",
    "public_risk": "市委宣传部",
}
_seq = itertools.count()
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_finding(rule: str = "promised_return", severity: str = "high",
                 evidence: str = "保证年化18%", source: str | None = None,
                 seen: datetime | None = None, **kw: Any) -> FindingRecord:
    """A finding as the crawler would store it: evidence inside its context, with offsets."""
    n = next(_seq)
    source = source or f"http://127.0.0.1:9/p/{n}"
    seen = seen or utcnow() - timedelta(minutes=n % 500)
    prefix = kw.pop("prefix", "本平台新推出稳健产品，")
    context = kw.pop("context", f"{prefix}{evidence}，欢迎咨询。")
    start = 100 + len(prefix)
    return FindingRecord(
        id=finding_id(source, rule, evidence), rule=rule, severity=severity, evidence=evidence,
        start=start, end=start + len(evidence), context=context, context_start=100,
        clause="二(一)1", lead=kw.pop("lead", RULE_LEADS[rule]), source=source,
        captured_at=seen, rule_name=kw.pop("rule_name", ""), normalized=evidence,
        domain=kw.pop("domain", "127.0.0.1"), first_seen=seen, last_seen=seen, **kw)


@dataclass
class Console:
    settings: Settings
    store: Store
    users: UserStore
    app: Flask

    def add(self, *findings: FindingRecord) -> list[FindingRecord]:
        self.store.upsert_findings(list(findings))
        return list(findings)

    def page(self, url: str = "http://127.0.0.1:9/page", **kw: Any) -> PageRecord:
        captured = kw.pop("captured_at", utcnow())
        # a capture at another time is another run's record of the URL
        run = kw.get("run_id") or f"run-{captured.isoformat()}"
        record = PageRecord(id=page_id(run, url), url=url, captured_at=captured, **kw)
        self.store.save_page(record)
        return record

    def client(self, role: str | None = None) -> FlaskClient:
        """A test client, logged in as the `role` user when given."""
        client = self.app.test_client()
        if role:
            login(client, role)
        return client


def csrf_of(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client: FlaskClient, name: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One accounts file with a user per role (named after it), hashed once per session."""
    path = tmp_path_factory.mktemp("accounts") / "users.sqlite3"
    users = UserStore(path)
    for role in ROLES:
        users.add(role, role, PASSWORD)
    users.close()
    return path


@pytest.fixture
def console_factory(make_settings: Callable[..., Settings],
                    accounts_file: Path) -> Iterator[Callable[..., Console]]:
    made: list[Console] = []

    def make(**overrides: Any) -> Console:
        settings = make_settings(**overrides)
        target = users_path(settings)
        if not target.exists():
            shutil.copyfile(accounts_file, target)
        store = store_from_settings(settings)
        users = UserStore.from_settings(settings)
        console = Console(settings, store, users, create_app(settings, store=store, users=users))
        made.append(console)
        return console

    yield make
    for console in made:
        console.store.close()
        console.users.close()


@pytest.fixture
def console(console_factory: Callable[..., Console]) -> Console:
    return console_factory()


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC)


# -- headless Chromium, one per session for every browser test of the console ---------------------
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


# Package scope, not session: playwright's sync API keeps its asyncio loop marked running in
# the main thread while it is started, so a later test's asyncio.run() there would fail.
@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
    yield chromium
    chromium.close()
    playwright.stop()


def download_package(client: FlaskClient, url: str, tmp_path: Path,
                     **query: str) -> dict[str, Any]:
    """Download a case package from the console, check it passes `verify`, and return its
    files by name, with the manifest parsed under "manifest"."""
    import json
    import zipfile

    from evidence.verify import verify_package

    response = client.get(url, query_string=query)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    path = tmp_path / f"download-{len(list(tmp_path.iterdir()))}.zip"
    path.write_bytes(response.data)
    report = verify_package(path)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as z:
        files: dict[str, Any] = {n: z.read(n) for n in z.namelist()}
    files["manifest"] = json.loads(files["manifest.json"])
    return files
