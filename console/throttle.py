"""Login throttling: per account and per client address, with delays that double.

Every try is reserved before the password is checked, inside one write transaction, so forty
concurrent guesses at one account get exactly as many tries as the limit allows, not as many as
happened to read the counter before anyone wrote it. Past a limit a try waits `delay * 2**k`
after the last one (capped); nothing is ever locked for good.

An account's limit counts tries from browsers it has never logged in from. A browser that did
log in carries a device cookie (`devices` table); its tries count on their own key, so a
stranger hammering an officer's name cannot keep the officer out of their own browser.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .users import UserStore

WINDOW_SECONDS = 3600.0


@dataclass(frozen=True)
class Limits:
    account_failures: int
    address_failures: int
    delay: float
    max_delay: float

    @classmethod
    def from_settings(cls, settings) -> Limits:  # type: ignore[no-untyped-def]
        return cls(int(settings["login_account_failures"]), int(settings["login_address_failures"]),
                   float(settings["login_delay_seconds"]), float(settings["login_delay_max_seconds"]))


@dataclass(frozen=True)
class Reservation:
    """A try that may go ahead (`allowed`), or how long to wait (`retry_after`)."""

    allowed: bool
    retry_after: float = 0.0
    keys: tuple[str, ...] = ()
    at: float = 0.0


def account_key(name: str, device: str | None) -> str:
    return f"dev:{name}:{device}" if device else f"acct:{name}"


def _wait(count: int, last: float, limit: int, limits: Limits, now: float) -> float:
    if count < limit:
        return 0.0
    delay = min(limits.delay * 2 ** (count - limit), limits.max_delay)
    return max(0.0, last + delay - now)


def reserve(users: UserStore, name: str, addr: str, device: str | None, limits: Limits,
            now: float | None = None) -> Reservation:
    """Count this try against the account (or device) and the address, atomically; refused
    with the time to wait when either key is over its limit and its delay has not passed."""
    now = time.time() if now is None else now
    keys = (account_key(name[:100], device), f"addr:{addr}")
    account_limit = limits.account_failures
    with users.transaction() as db:
        db.execute("DELETE FROM login_attempts WHERE at < ?", (now - WINDOW_SECONDS,))
        wait = 0.0
        for key, limit in zip(keys, (account_limit, limits.address_failures), strict=True):
            count, last = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(at), 0) FROM login_attempts WHERE key=?",
                (key,)).fetchone()
            wait = max(wait, _wait(int(count), float(last), limit, limits, now))
        if wait > 0:
            return Reservation(False, retry_after=wait)
        db.executemany("INSERT INTO login_attempts (key, at) VALUES (?, ?)",
                       [(k, now) for k in keys])
    return Reservation(True, keys=keys, at=now)


def succeeded(users: UserStore, reservation: Reservation) -> None:
    """The password was right: this try and the account's (or device's) earlier failures are
    forgotten; the address keeps its count, so one valid account cannot reset a guesser."""
    account, address = reservation.keys
    with users.transaction() as db:
        db.execute("DELETE FROM login_attempts WHERE key=?", (account,))
        db.execute("DELETE FROM login_attempts WHERE rowid IN (SELECT rowid FROM login_attempts "
                   "WHERE key=? AND at=? LIMIT 1)", (address, reservation.at))
