"""Evidence in S3-compatible object storage (MinIO, Ceph RGW, a cloud store), via boto3.

Every object first lands in a local spool (DATA_DIR/evidence-spool/<key>) and is removed from it
only after the upload succeeded, so storage that is down loses nothing: the next `put_blob`,
`commit` or `replay` sends what waited. Reads look in the spool first (a worker can read what
it has not uploaded yet), then ask the storage for a byte range.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from settings import Settings

from .storage import (
    EvidenceError,
    EvidenceStorage,
    StoredObject,
    blob_key,
    check_key,
    sha256_hex,
    write_atomic,
)

log = logging.getLogger(__name__)
STAGING = ".part"   # a WARC file still being written: never uploaded from the spool


class S3Storage(EvidenceStorage):
    def __init__(self, url: str, spool: Path, client: Any) -> None:
        rest = url.removeprefix("s3://")
        self.bucket, _, prefix = rest.partition("/")
        if not self.bucket:
            raise EvidenceError(f"evidence_url {url!r} names no bucket (s3://BUCKET/PREFIX)")
        self.prefix = prefix.strip("/")
        self.url = url
        self.spool = spool
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Storage:
        import boto3
        from botocore.config import Config

        config = Config(
            s3={"addressing_style": "path"}, retries={"max_attempts": 2, "mode": "standard"},
            connect_timeout=5, read_timeout=60,
            # S3-compatible servers refuse the newer flexible checksums (aws-chunked trailers).
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required")
        client = boto3.client(
            "s3", endpoint_url=settings["evidence_s3_endpoint"] or None,
            region_name=settings["evidence_s3_region"] or None,
            aws_access_key_id=settings["evidence_s3_access_key"] or None,
            aws_secret_access_key=settings["evidence_s3_secret_key"] or None, config=config)
        return cls(settings["evidence_url"], settings.data_dir / "evidence-spool", client)

    # -- keys ----------------------------------------------------------------------------------
    def _name(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _spooled(self, key: str) -> Path:
        return self.spool / check_key(key)

    # -- writing -------------------------------------------------------------------------------
    def put_blob(self, data: bytes, suffix: str) -> str:
        key = blob_key(sha256_hex(data), suffix)
        path = self._spooled(key)
        if not path.exists():
            write_atomic(path, data)
        self._send(key)
        return key

    def _staged(self, key: str) -> Path:
        path = self._spooled(key)
        return path.with_name(path.name + STAGING)

    def staging_path(self, key: str) -> Path:
        path = self._staged(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, key: str) -> None:
        staged = self._staged(key)
        if staged.exists():
            os.replace(staged, self._spooled(key))
        self._send(key)

    def _send(self, key: str) -> bool:
        """Upload the spooled file of `key` (unless the same content is already there) and
        remove it from the spool; on failure it stays for the next replay."""
        path = self._spooled(key)
        if not path.is_file():
            return False
        try:
            if not (key.startswith("blobs/") and self._head(key) is not None):
                with open(path, "rb") as fh:
                    self.client.put_object(Bucket=self.bucket, Key=self._name(key), Body=fh)
        except Exception as exc:  # noqa: BLE001 - botocore raises many kinds; all mean "later"
            log.warning("evidence upload of %s failed, kept in the spool: %s", key, exc)
            return False
        path.unlink(missing_ok=True)
        return True

    def replay(self) -> int:
        sent = 0
        for key in self._spool_keys():
            if self._send(key):
                sent += 1
            else:
                break  # the storage is still away; the rest waits too
        if sent:
            log.info("evidence spool: %d objects uploaded", sent)
        return sent

    def pending(self) -> int:
        return sum(1 for _ in self._spool_keys())

    def _spool_keys(self) -> Iterator[str]:
        if not self.spool.is_dir():
            return
        for dirpath, _dirs, files in os.walk(self.spool):
            for name in sorted(files):
                if name.endswith(STAGING) or name.startswith("."):
                    continue
                yield (Path(dirpath) / name).relative_to(self.spool).as_posix()

    # -- reading -------------------------------------------------------------------------------
    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def read(self, key: str, offset: int = 0, length: int | None = None) -> bytes:
        local = self.local_path(key)
        if local is not None:
            with open(local, "rb") as fh:
                fh.seek(offset)
                return fh.read() if length is None else fh.read(length)
        if length == 0:
            return b""
        byte_range = f"bytes={offset}-" + ("" if length is None else str(offset + length - 1))
        try:
            kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self._name(key)}
            if offset or length is not None:
                kwargs["Range"] = byte_range
            return self.client.get_object(**kwargs)["Body"].read()
        except Exception as exc:  # noqa: BLE001
            raise EvidenceError(f"cannot read {key} from {self.url}: {exc}") from None

    def exists(self, key: str) -> bool:
        if self.local_path(key) is not None:
            return True
        try:
            return self._head(key) is not None
        except Exception as exc:  # noqa: BLE001
            raise EvidenceError(f"cannot reach {self.url}: {exc}") from None

    def delete(self, key: str) -> None:
        self._spooled(key).unlink(missing_ok=True)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._name(key))
        except Exception as exc:  # noqa: BLE001
            raise EvidenceError(f"cannot delete {key} from {self.url}: {exc}") from None

    def list(self, prefix: str = "") -> Iterator[StoredObject]:
        # a listing prefix ("cases/") is not a key: only the stored prefix is put before it
        start = f"{self.prefix}/{prefix}" if self.prefix else prefix
        cut = len(self.prefix) + 1 if self.prefix else 0
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=start):
                for obj in page.get("Contents", []):
                    if obj["Key"].endswith("/"):
                        continue  # a directory marker of a filesystem-backed server
                    yield StoredObject(obj["Key"][cut:], int(obj["Size"]),
                                       obj["LastModified"].timestamp())
        except Exception as exc:  # noqa: BLE001
            raise EvidenceError(f"cannot list {self.url}: {exc}") from None

    def local_path(self, key: str) -> Path | None:
        for path in (self._spooled(key), self._staged(key)):
            if path.is_file():
                return path
        return None

    def ensure_bucket(self) -> None:
        """Create the bucket if missing (tests, a fresh deployment)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)
