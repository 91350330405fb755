"""Console accounts: users with one role each, API tokens, and failed-login counts.

Kept in their own small SQLite file under the data home (console/users.sqlite3), apart from the
findings store: accounts are local to one console installation, and the store may be a cluster.
Passwords are hashed with argon2id; API tokens, console sessions and device cookies are stored
only as SHA-256 digests, so a copy of the file gives neither passwords nor usable credentials.
The file and its WAL/SHM companions are readable by the owner only (SQLite creates the companions
with the main file's mode, so the main file is created 0600 before SQLite opens it).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common.vocabulary import ROLE_IDS as ROLES
from settings import Settings

from .passwords import password_problem

NAME_RE = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,40}$")
DEMO_NAME = "demo"

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        created_at REAL NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        created_at REAL NOT NULL, last_used REAL)""",
    "DROP TABLE IF EXISTS login_failures",
    """CREATE TABLE IF NOT EXISTS login_attempts (key TEXT NOT NULL, at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS login_attempts_key ON login_attempts (key, at)",
    """CREATE TABLE IF NOT EXISTS devices (
        digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        created_at REAL NOT NULL, last_used REAL)""",
    """CREATE TABLE IF NOT EXISTS sessions (
        digest TEXT PRIMARY KEY, name TEXT, created_at REAL NOT NULL, seen_at REAL NOT NULL,
        data TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS sessions_name ON sessions (name)",
]


class UserError(ValueError):
    """A refused account operation; the message is shown to the user (Chinese)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    disabled: bool = False


def users_path(settings: Settings) -> Path:
    return settings.data_path("console", "users.sqlite3")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class UserStore:
    """Accounts in one SQLite file; safe to share between the console's request threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _owner_only(self.path)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                     check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        for statement in _SCHEMA:
            self._conn.execute(statement)
        self._hasher = PasswordHasher()
        self._dummy: str | None = None

    @property
    def _dummy_hash(self) -> str:
        """Verified against when the user does not exist, so that a wrong name costs what a
        wrong password costs (no user enumeration by timing)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_hex(8))
        return self._dummy

    @classmethod
    def from_settings(cls, settings: Settings) -> UserStore:
        return cls(users_path(settings))

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _exec(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken before any read, so a read-count-insert is atomic
        across the console's threads and across processes sharing the file."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- accounts ------------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> User:
        if not NAME_RE.match(name):
            raise UserError("用户名只能包含字母、数字、汉字和 . _ -，最长 40 个字符")
        if role not in ROLES:
            raise UserError(f"未知角色 {role}；可选：{', '.join(ROLES)}")
        _check_password(password, name)
        if self.get(name) is not None:
            raise UserError(f"用户 {name} 已存在")
        self._exec("INSERT INTO users (name, role, password_hash, created_at) VALUES (?,?,?,?)",
                   (name, role, self._hasher.hash(password), time.time()))
        return User(name, role)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every console session and remembered browser of the account ends."""
        _check_password(password, name)
        if self.get(name) is None:
            raise UserError(f"没有用户 {name}")
        self._exec("UPDATE users SET password_hash=? WHERE name=?",
                   (self._hasher.hash(password), name))
        self.end_sessions(name)
        self._exec("DELETE FROM devices WHERE name=?", (name,))

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise UserError(f"未知角色 {role}")
        self._exec("UPDATE users SET role=? WHERE name=?", (role, name))

    def set_disabled(self, name: str, disabled: bool) -> None:
        self._exec("UPDATE users SET disabled=? WHERE name=?", (int(disabled), name))
        if disabled:
            self.end_sessions(name)

    def end_sessions(self, name: str) -> int:
        """End every console session of the account (password change, disabling, an admin)."""
        with self._lock:
            return self._conn.execute("DELETE FROM sessions WHERE name=?", (name,)).rowcount

    def get(self, name: str) -> User | None:
        rows = self._exec("SELECT name, role, disabled FROM users WHERE name=?", (name,))
        return User(rows[0][0], rows[0][1], bool(rows[0][2])) if rows else None

    def list(self) -> list[User]:
        rows = self._exec("SELECT name, role, disabled FROM users ORDER BY name")
        return [User(r[0], r[1], bool(r[2])) for r in rows]

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if the password is right and the account is enabled, else None."""
        rows = self._exec("SELECT password_hash FROM users WHERE name=?", (name,))
        stored = rows[0][0] if rows else self._dummy_hash
        try:
            self._hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if not rows:
            return None
        if self._hasher.check_needs_rehash(stored):
            self._exec("UPDATE users SET password_hash=? WHERE name=?",
                       (self._hasher.hash(password), name))
        user = self.get(name)
        return user if user and not user.disabled else None

    # -- API tokens ----------------------------------------------------------------------------
    def issue_token(self, name: str) -> str:
        """A new API token for `name`; shown once, stored only as its digest."""
        if self.get(name) is None:
            raise UserError(f"没有用户 {name}")
        token = "pt_" + secrets.token_urlsafe(32)
        self._exec("INSERT INTO tokens (digest, name, created_at) VALUES (?,?,?)",
                   (_digest(token), name, time.time()))
        return token

    def revoke_tokens(self, name: str) -> int:
        with self._lock:
            return self._conn.execute("DELETE FROM tokens WHERE name=?", (name,)).rowcount

    def user_for_token(self, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        rows = self._exec("SELECT name FROM tokens WHERE digest=?", (_digest(token),))
        if not rows:
            return None
        user = self.get(rows[0][0])
        if user is None or user.disabled:
            return None
        self._exec("UPDATE tokens SET last_used=? WHERE digest=?", (time.time(), _digest(token)))
        return user

    # -- remembered browsers (device cookies; see console.throttle) ---------------------------
    def remember_device(self, name: str) -> str:
        """A new device cookie value for a browser that just logged in as `name`."""
        value = secrets.token_urlsafe(32)
        self._exec("INSERT INTO devices (digest, name, created_at, last_used) VALUES (?,?,?,?)",
                   (_digest(value), name, time.time(), time.time()))
        return value

    def known_device(self, name: str, value: str | None) -> str | None:
        """The device's digest if `value` is a cookie this account's browser was given."""
        if not value or len(value) > 100:
            return None
        digest = _digest(value)
        rows = self._exec("SELECT 1 FROM devices WHERE digest=? AND name=?", (digest, name[:100]))
        return digest[:32] if rows else None


def _owner_only(path: Path) -> None:
    """Create `path` (and tighten an existing one and its SQLite companions) to mode 0600."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for companion in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if companion.exists():
            companion.chmod(0o600)


def _check_password(password: str, name: str) -> None:
    problem = password_problem(password, name)
    if problem:
        raise UserError(problem)


@dataclass(frozen=True)
class DemoAccount:
    """The demo login after `ensure_demo_account`: the password only when it was just made."""

    name: str
    password: str | None
    disabled: bool = False

    def message(self) -> str:
        """One line for the demo's summary (Chinese)."""
        if self.disabled:
            return f"演示账号 {self.name} 已被管理员停用，保持停用（启用：patrol users disable {self.name} --enable）"
        if self.password:
            return f"演示账号：{self.name}  密码：{self.password}（只显示这一次，请立即记下）"
        return (f"演示账号：{self.name}（密码只在创建时显示一次；忘记时运行 "
                f"patrol users passwd {self.name}）")


def ensure_demo_account(settings: Settings) -> DemoAccount:
    """The demo account: created on first call (role admin) with a random 144-bit password that
    is returned once and stored nowhere but as its hash; later calls change nothing, and an
    account an administrator disabled stays disabled."""
    users = UserStore.from_settings(settings)
    try:
        existing = users.get(DEMO_NAME)
        if existing is not None:
            return DemoAccount(DEMO_NAME, None, existing.disabled)
        password = secrets.token_urlsafe(18)
        users.add(DEMO_NAME, "admin", password)
        return DemoAccount(DEMO_NAME, password)
    finally:
        users.close()
