"""Console accounts: users with one role each, API tokens, and failed-login counts.

Kept in their own small SQLite file under the data home (console/users.sqlite3), apart from the
findings store: accounts are local to one console installation, and the store may be a cluster.
Passwords are hashed with argon2id; API tokens are stored only as SHA-256 digests, so a copy of
the file gives neither passwords nor usable tokens.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from common.vocabulary import ROLE_IDS as ROLES
from settings import Settings

NAME_RE = re.compile(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{1,40}$")
MIN_PASSWORD = 8
DEMO_NAME = "demo"

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS users (
        name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL,
        created_at REAL NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS tokens (
        digest TEXT PRIMARY KEY, name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
        created_at REAL NOT NULL, last_used REAL)""",
    """CREATE TABLE IF NOT EXISTS login_failures (
        name TEXT NOT NULL, addr TEXT NOT NULL, at REAL NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS login_failures_key ON login_failures (name, addr, at)",
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

    # -- accounts ------------------------------------------------------------------------------
    def add(self, name: str, role: str, password: str) -> User:
        if not NAME_RE.match(name):
            raise UserError("用户名只能包含字母、数字、汉字和 . _ -，最长 40 个字符")
        if role not in ROLES:
            raise UserError(f"未知角色 {role}；可选：{', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")
        if self.get(name) is not None:
            raise UserError(f"用户 {name} 已存在")
        self._exec("INSERT INTO users (name, role, password_hash, created_at) VALUES (?,?,?,?)",
                   (name, role, self._hasher.hash(password), time.time()))
        return User(name, role)

    def set_password(self, name: str, password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise UserError(f"密码至少 {MIN_PASSWORD} 个字符")
        if self.get(name) is None:
            raise UserError(f"没有用户 {name}")
        self._exec("UPDATE users SET password_hash=? WHERE name=?",
                   (self._hasher.hash(password), name))

    def set_role(self, name: str, role: str) -> None:
        if role not in ROLES:
            raise UserError(f"未知角色 {role}")
        self._exec("UPDATE users SET role=? WHERE name=?", (role, name))

    def set_disabled(self, name: str, disabled: bool) -> None:
        self._exec("UPDATE users SET disabled=? WHERE name=?", (int(disabled), name))

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

    # -- login rate limit ----------------------------------------------------------------------
    def record_failure(self, name: str, addr: str) -> None:
        now = time.time()
        with self._lock:
            self._conn.execute("INSERT INTO login_failures (name, addr, at) VALUES (?,?,?)",
                               (name[:100], addr, now))
            self._conn.execute("DELETE FROM login_failures WHERE at < ?", (now - 3600,))

    def recent_failures(self, name: str, addr: str, seconds: float = 60) -> int:
        rows = self._exec("SELECT COUNT(*) FROM login_failures WHERE name=? AND addr=? AND at>=?",
                          (name[:100], addr, time.time() - seconds))
        return int(rows[0][0])

    def clear_failures(self, name: str, addr: str) -> None:
        self._exec("DELETE FROM login_failures WHERE name=? AND addr=?", (name[:100], addr))


def ensure_demo_account(settings: Settings) -> tuple[str, str]:
    """The demo account (name, password), created on first call with role admin.

    The password is random per data home and kept in DATA_DIR/console/demo-account.txt (mode
    600), so a demo installation never ships a guessable login; calling again returns the same
    pair (and repairs the account if it was removed or its password changed).
    """
    secret_file = settings.data_path("console", "demo-account.txt")
    password = ""
    if secret_file.exists():
        password = secret_file.read_text(encoding="utf-8").strip()
    if len(password) < MIN_PASSWORD:
        password = "demo-" + secrets.token_hex(4)
        secret_file.write_text(password + "\n", encoding="utf-8")
        secret_file.chmod(0o600)
    users = UserStore.from_settings(settings)
    try:
        if users.get(DEMO_NAME) is None:
            users.add(DEMO_NAME, "admin", password)
        elif users.authenticate(DEMO_NAME, password) is None:
            users.set_password(DEMO_NAME, password)
            users.set_disabled(DEMO_NAME, False)
    finally:
        users.close()
    return DEMO_NAME, password
