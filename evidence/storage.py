"""Where evidence lives: one small interface, a local directory (default) or S3-compatible storage.

Keys are relative POSIX paths such as `warc/<target>/<day>/<run>-00001.warc.gz` (named files,
written once per run) or `blobs/ab/<sha256>.png` (content-addressed: the same screenshot is
stored once). Page and finding records name evidence as `evidence/<key>`, a path under the data
home, so the console can refuse anything outside `evidence/` whatever a record says.

A WARC file is written locally while its run is going (`staging_path`), then handed over with
`commit`: the local backend writes it in place, the S3 backend uploads it (and a failed upload
waits in the spool until `replay`).
"""

from __future__ import annotations

import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from settings import Settings

PREFIX = "evidence/"
_KEY = re.compile(r"^[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*$")


class EvidenceError(Exception):
    """Evidence cannot be read or written; the message says which key and why."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    modified: float  # POSIX time


def check_key(key: str) -> str:
    """`key` if it is a plain relative path of safe names; EvidenceError otherwise."""
    if not _KEY.match(key or "") or any(p in (".", "..") for p in PurePosixPath(key).parts):
        raise EvidenceError(f"not an evidence key: {key!r}")
    return key


def key_of(path: str) -> str | None:
    """The storage key of a record's evidence path (`evidence/<key>`), or None if the path is
    not under evidence/ or not a plain key (records are never trusted to point elsewhere)."""
    if not isinstance(path, str) or not path.startswith(PREFIX):
        return None
    try:
        return check_key(path[len(PREFIX):])
    except EvidenceError:
        return None


def blob_key(sha256: str, suffix: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256}.{suffix}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class EvidenceStorage(ABC):
    url: str = ""

    @abstractmethod
    def put_blob(self, data: bytes, suffix: str) -> str:
        """Store `data` under its SHA-256 (once: an existing blob is not written again);
        returns the key."""

    @abstractmethod
    def staging_path(self, key: str) -> Path:
        """Local file to write `key` into before `commit` (a WARC file while its run goes on)."""

    @abstractmethod
    def commit(self, key: str) -> None:
        """Hand over the finished staging file of `key` (upload, or nothing for local)."""

    @abstractmethod
    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        """Bytes of `key` from `offset` (all, or `length` of them); EvidenceError if absent."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def delete(self, key: str) -> None: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every stored object whose key starts with `prefix`."""

    def replay(self) -> int:
        """Send what waits in the spool; returns how many objects were sent."""
        return 0

    def pending(self) -> int:
        """Objects waiting in the spool."""
        return 0

    def local_path(self, key: str) -> Path | None:
        """The file of `key` on this machine, if there is one (console downloads)."""
        return None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # never a half-written file under the final name


class LocalStorage(EvidenceStorage):
    """A directory (DATA_DIR/evidence by default)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = str(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def _existing(self, key: str) -> Path:
        """The file of `key`; EvidenceError if absent or if a symlink leads out of the root."""
        try:
            path = self._path(key).resolve(strict=True)
            inside = path.is_relative_to(self.root.resolve(strict=True))
        except (OSError, RuntimeError):
            raise EvidenceError(f"no evidence at {key}") from None
        if not inside or not path.is_file():
            raise EvidenceError(f"{key} is not a file inside {self.root}")
        return path

    def put_blob(self, data: bytes, suffix: str) -> str:
        key = blob_key(sha256_hex(data), suffix)
        path = self._path(key)
        if not path.exists():
            write_atomic(path, data)
        return key

    def staging_path(self, key: str) -> Path:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, key: str) -> None:
        if not self._path(key).is_file():
            raise EvidenceError(f"nothing to commit at {key}")

    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        path = self._existing(key)
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                return fh.read() if length is None else fh.read(length)
        except OSError as exc:
            raise EvidenceError(f"cannot read {key}: {exc.strerror or exc}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                if name.startswith("."):
                    continue  # a temporary file mid-write
                path = Path(dirpath) / name
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    st = path.stat()
                    yield StoredObject(key, st.st_size, st.st_mtime)

    def local_path(self, key: str) -> Path | None:
        try:
            return self._existing(key)
        except EvidenceError:
            return None


def open_storage(settings: Settings) -> EvidenceStorage:
    """The evidence storage the settings name: `evidence_url` empty -> DATA_DIR/evidence."""
    url = str(settings["evidence_url"] or "").strip()
    if not url:
        return LocalStorage(settings.data_dir / "evidence")
    if url.startswith("s3://"):
        from .s3 import S3Storage

        return S3Storage.from_settings(settings)
    if url.startswith("file://") or url.startswith("/"):
        return LocalStorage(Path(url.removeprefix("file://")))
    raise EvidenceError(f"evidence_url {url!r}: expected empty, a directory or s3://BUCKET/PREFIX")
