"""Console sessions kept on the server, so that they can be ended.

The cookie carries only a random session id, signed with the console's key (the current one or,
after `patrol users rotate-key`, the previous one, so a rotation logs nobody out). The session's
data live in the accounts file under the id's SHA-256 digest. A session ends when the officer
logs out, when their password changes or the account is disabled (`UserStore.end_sessions`),
after `session_minutes` without use, and at the latest `session_max_hours` after login: a
replayed cookie then finds nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, Signer
from werkzeug.datastructures import CallbackDict

from .users import UserStore

SALT = "patrol-console-session"


class ServerSession(CallbackDict, SessionMixin):  # type: ignore[type-arg]
    """The session's data; `sid` is None until the first save gives it one."""

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None,
                 expired: bool = False) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(data or {}, on_update)
        self.sid = sid
        self.expired = expired
        self.modified = False
        self.rotate_requested = False

    def rotate(self) -> None:
        """Give the session a new id at its next save (after a login: no session fixation)."""
        self.rotate_requested = True
        self.modified = True


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode("ascii", "replace")).hexdigest()


class ServerSessionInterface(SessionInterface):
    def __init__(self, users: UserStore, keys: list[str], idle_seconds: float,
                 max_seconds: float) -> None:
        self.users = users
        self.signers = [Signer(k, salt=SALT) for k in keys]
        self.idle_seconds = idle_seconds
        self.max_seconds = max_seconds

    def _unsign(self, value: str) -> str | None:
        for signer in self.signers:
            try:
                return signer.unsign(value.encode("ascii", "replace")).decode("ascii")
            except (BadSignature, UnicodeError):
                continue
        return None

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        sid = self._unsign(cookie) if cookie and len(cookie) < 200 else None
        if sid is None:
            return ServerSession()
        rows = self.users._exec(
            "SELECT created_at, seen_at, data FROM sessions WHERE digest=?", (_digest(sid),))
        if not rows:
            return ServerSession(expired=True)
        created, seen, data = rows[0]
        now = time.time()
        if now - seen > self.idle_seconds or now - created > self.max_seconds:
            self.users._exec("DELETE FROM sessions WHERE digest=?", (_digest(sid),))
            return ServerSession(expired=True)
        return ServerSession(json.loads(data), sid=sid)

    def save_session(self, app: Flask, session: ServerSession,  # type: ignore[override]
                     response: Response) -> None:
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        if session.sid and (not session or session.rotate_requested):
            self.users._exec("DELETE FROM sessions WHERE digest=?", (_digest(session.sid),))
            session.sid = None
        if not session:
            if request_had_cookie(app, self):
                response.delete_cookie(name, domain=domain, path=path)
            return
        now = time.time()
        data = json.dumps(dict(session), separators=(",", ":"))
        if session.sid is None:
            session.sid = secrets.token_urlsafe(32)
            self.users._exec(
                "INSERT INTO sessions (digest, name, created_at, seen_at, data) VALUES (?,?,?,?,?)",
                (_digest(session.sid), session.get("user"), now, now, data))
        else:
            self.users._exec("UPDATE sessions SET name=?, seen_at=?, data=? WHERE digest=?",
                             (session.get("user"), now, data, _digest(session.sid)))
        signed = self.signers[0].sign(session.sid.encode("ascii")).decode("ascii")
        response.set_cookie(name, signed, max_age=int(self.max_seconds), domain=domain, path=path,
                            httponly=True, secure=self.get_cookie_secure(app),
                            samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")


def request_had_cookie(app: Flask, interface: SessionInterface) -> bool:
    from flask import request

    return interface.get_cookie_name(app) in request.cookies
