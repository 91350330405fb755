"""Bundled demo sites for `patrol demo` (fictional platforms on 127.0.0.1)."""
