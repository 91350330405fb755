"""Fixtures of the alert tests: a real SQLite store file, a departments file written per test,
findings to feed, and an SMTP server with TLS and login (the shared one is plain)."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

import findings
from findings import FindingRecord, Store, finding_id

NOW = datetime(2026, 3, 2, 6, 0, 0, tzinfo=UTC)   # 14:00 in Qingyuan: outside quiet hours


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = findings.open_store("sqlite:///" + str(tmp_path / "s.sqlite3"))
    yield s
    s.close()


def departments_yaml(channels: dict[str, list[dict[str, Any]]], routes: list[dict] | None = None,
                     **extra: Any) -> dict[str, Any]:
    """A departments file: the shipped one with the given channels swapped in."""
    from settings import ROOT

    data = yaml.safe_load((ROOT / "config" / "departments.yaml").read_text(encoding="utf-8"))
    for dept in data["departments"].values():
        dept["channels"] = []
    for dept_id, chans in channels.items():
        data["departments"][dept_id]["channels"] = chans
    if routes is not None:
        data["routes"] = routes
    data.update(extra)
    return data


@pytest.fixture
def alert_settings(make_settings: Callable[..., Any], tmp_path: Path) -> Callable[..., Any]:
    """Settings with a departments file built from `channels` (dept id -> channel list)."""
    counter = itertools.count()

    def make(channels: dict[str, list[dict[str, Any]]], routes: list[dict] | None = None,
             **overrides: Any) -> Any:
        path = tmp_path / f"departments-{next(counter)}.yaml"
        path.write_text(yaml.safe_dump(departments_yaml(channels, routes), allow_unicode=True),
                        encoding="utf-8")
        overrides.setdefault("alerts_backoff_seconds", 0)
        overrides.setdefault("alerts_max_attempts", 5)
        return make_settings(departments_file=str(path), **overrides)

    return make


_seq = itertools.count()


def make_finding(rule: str = "promised_return", severity: str = "high",
                 evidence: str = "保证年化18%", source: str | None = None,
                 captured_at: datetime = NOW, **kw: Any) -> FindingRecord:
    source = source or f"http://127.0.0.1:9/page/{next(_seq)}"
    fields: dict[str, Any] = {
        "context": f"本平台{evidence}，欢迎投资", "context_start": 0, "start": 3,
        "end": 3 + len(evidence), "clause": "二(一)1", "lead": "市金融局", "domain": "127.0.0.1",
        **kw}
    return FindingRecord(id=finding_id(source, rule, evidence), rule=rule, severity=severity,
                         evidence=evidence, source=source, captured_at=captured_at,
                         normalized=evidence, **fields)


@pytest.fixture
def finding_factory() -> Callable[..., FindingRecord]:
    return make_finding


# -- an SMTP server with STARTTLS / TLS and login --------------------------------------------

def self_signed(tmp: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp / "smtp-cert.pem", tmp / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class SecureSMTP:
    """aiosmtpd with STARTTLS (or implicit TLS), a login, and recipients it refuses (5xx)."""

    def __init__(self, tmp: Path, implicit_tls: bool, user: str = "patrol",
                 password: str = "口令-secret") -> None:
        import ssl
        import threading

        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        from tests.services.ports import free_port

        self.cert, keyfile = self_signed(tmp)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, keyfile)
        self.messages: list[Any] = []
        self.logins: list[str] = []
        self.cond = threading.Condition()
        outer = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
                if address.startswith("nobody@"):
                    return "550 5.1.1 no such user (test)"
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                import email
                import email.policy

                msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
                with outer.cond:
                    outer.messages.append((session.authenticated, msg))
                    outer.cond.notify_all()
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (auth_data.login.decode() == user and auth_data.password.decode() == password)
            if ok:
                outer.logins.append(user)
            return AuthResult(success=ok, handled=False)

        self.port = free_port()
        kwargs: dict[str, Any] = {"authenticator": authenticator, "auth_require_tls": True}
        if implicit_tls:
            # aiosmtpd only counts STARTTLS as encryption for auth_require_tls; the whole
            # session is TLS here.
            kwargs.update(ssl_context=ctx, auth_require_tls=False)
        else:
            kwargs.update(tls_context=ctx, require_starttls=True)
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     server_hostname="127.0.0.1", **kwargs)
        self.implicit_tls = implicit_tls

    def start(self) -> SecureSMTP:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def secure_smtp(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SecureSMTP]:
    server = SecureSMTP(tmp_path, implicit_tls=getattr(request, "param", "starttls") == "tls")
    server.start()
    yield server
    server.stop()
