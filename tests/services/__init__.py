"""Real services for tests: search-engine node, Redis, SMTP, webhook receiver, Chromium.

Each starts on 127.0.0.1 on a free port. When one cannot start, `ServiceUnavailable` carries a
one-line reason; the fixtures turn it into a failure in CI and a skip elsewhere.
"""


class ServiceUnavailable(Exception):
    """A service needed by tests could not start; the message says why in one line."""
