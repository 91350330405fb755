"""Open the store a URL names: '' -> DATA_DIR/patrol.sqlite3, sqlite:///PATH, http(s):// cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from common.timefmt import zone

from .base import Store

SQLITE_FILE = "patrol.sqlite3"


def sqlite_path(url: str, data_dir: str | Path | None) -> Path:
    """The file a '' or sqlite:// URL names. sqlite:///rel/path is relative to the current
    directory, sqlite:////abs/path (or sqlite:///C:/...) absolute, as in SQLAlchemy."""
    if not url:
        if data_dir is None:
            raise ValueError("an empty store URL needs the data directory")
        return Path(data_dir) / SQLITE_FILE
    rest = url[len("sqlite://"):]
    if rest.startswith("/"):
        rest = rest[1:]
    if not rest:
        raise ValueError(f"no file in store URL {url!r}")
    return Path(rest)


def open_store(url: str, data_dir: str | Path | None = None, **options: Any) -> Store:
    """Open and migrate the store at `url`.

    SQLite options: busy_timeout, write_timeout, synchronous. Cluster options: index_prefix,
    username, password, verify_certs, bulk_size, spool_path (the local queue used while the
    cluster is unreachable; default DATA_DIR/cluster-spool.sqlite3), request_timeout. Both:
    time_zone, the IANA zone of day and week counts (default Asia/Shanghai).
    """
    time_zone = options.pop("time_zone", None)
    url = (url or "").strip()
    if not url or url.startswith("sqlite:"):
        from .sqlite import SQLiteStore

        sqlite_options = {k: options[k] for k in ("busy_timeout", "write_timeout", "synchronous")
                          if k in options}
        store: Store = SQLiteStore(sqlite_path(url, data_dir), **sqlite_options)
    elif url.startswith(("http://", "https://")):
        from .cluster import open_cluster_store

        store = open_cluster_store(url, data_dir=data_dir, **options)
    else:
        raise ValueError(f"unknown store URL {url!r}: expected empty, sqlite:///PATH or "
                         "http(s)://HOST:PORT")
    if time_zone:
        store.time_zone = zone(str(time_zone)).key
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store


def store_options(settings: Any) -> dict[str, Any]:
    return {
        "index_prefix": settings["store_index_prefix"],
        "username": settings["store_username"] or None,
        "password": settings["store_password"] or None,
        "verify_certs": settings["store_verify_certs"],
        "bulk_size": settings["store_bulk_size"],
        "time_zone": settings["time_zone"],
    }


def anchored_url(url: str, home: Path) -> str:
    """A sqlite:/// URL with a relative path made absolute against the settings' home
    directory, like every other relative path of the settings; other URLs unchanged."""
    stripped = (url or "").strip()
    if not stripped.startswith("sqlite:"):
        return url
    path = sqlite_path(stripped, None)
    return url if path.is_absolute() else f"sqlite:///{home / path}"


def store_from_settings(settings: Any, url: str | None = None) -> Store:
    """Open the store the settings name (or `url`, e.g. a command's --store option)."""
    chosen = settings["store_url"] if url is None else url
    return open_store(anchored_url(chosen, settings.home), data_dir=settings.data_dir,
                      **store_options(settings))
