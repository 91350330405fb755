"""The departments of the plan, their channels, and the routing table: config/departments.yaml.

The file is read by the config model (settings.models: departments, channels, routes, roles,
spikes), strictly: a typo in a department id, a rule id or a channel type would otherwise
silently send an alert nowhere, so it is refused at start with the file, line and key
(settings.ConfigError).
"""

from __future__ import annotations

from settings import Settings
from settings.models import (
    CHANNEL_TYPES,
    ChannelSpec,
    Department,
    Directory,
    Route,
    load_directory_file,
)

__all__ = ["CHANNEL_TYPES", "ChannelSpec", "Department", "Directory", "Route", "load_directory",
           "load_directory_file"]


def load_directory(settings: Settings) -> Directory:
    """The validated directory of settings' departments_file (cached until the file changes).

    Also checks the alert settings that are text to parse (quiet hours, time zone), so that
    whatever starts the alerts refuses a bad configuration at once, not at the first alert.
    """
    from .bounds import parse_quiet_hours, timezone_of

    parse_quiet_hours(settings)
    timezone_of(settings)
    return load_directory_file(settings.path("departments_file"))
