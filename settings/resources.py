"""Files shipped inside the patrol's packages (package data), found through importlib.resources.

The same call works in a source checkout and in an installed wheel, so no module finds its data
relative to the checkout. Installs are unpacked on disk (pip never installs a zip), so a shipped
file is always a real path that can be handed to code that opens files by name.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped_path(package: str, *parts: str) -> Path:
    """The path of `parts` inside `package`, e.g. shipped_path("config", "rules.yaml")."""
    resource = files(package)
    for part in parts:
        resource = resource / part
    if not isinstance(resource, Path):
        raise RuntimeError(f"package {package!r} is not installed as files on disk "
                           f"({type(resource).__name__}); install it with pip")
    return resource


def shipped_setting_path(value: str) -> Path:
    """A shipped file named like the defaults of the *_file settings: "PACKAGE/NAME..."."""
    package, *parts = Path(value).parts
    return shipped_path(package, *parts)
