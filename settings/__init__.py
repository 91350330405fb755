"""Configuration: every setting declared once (default_settings), read once in layers (loader)."""

from .default_settings import BY_NAME, SETTINGS
from .loader import CHECKOUT, CONFIG_DIR, ROOT, Settings, load_settings
from .resources import shipped_path
from .spec import RULE_IDS, RULE_NAMES, ConfigError, Setting

__all__ = [
    "BY_NAME", "CHECKOUT", "CONFIG_DIR", "ROOT", "RULE_IDS", "RULE_NAMES", "SETTINGS", "ConfigError", "Setting",
    "Settings", "load_settings", "shipped_path",
]
