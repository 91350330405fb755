"""RFC 3161 trusted timestamps over a SHA-256 digest, with the `openssl ts` command.

`request_token` asks the time-stamping authority at `evidence_tsa_url` (HTTP POST of an
application/timestamp-query) for a token over the digest and returns the DER
TimeStampResp; `verify_token` checks that a response is granted, that its message imprint is
the given digest, and that its signature chains to the trusted CA certificate. OpenSSL does the
ASN.1 and CMS work (no hand-rolled parser); its messages are passed on in the result.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30
MAX_RESPONSE = 1024 * 1024
# The TSA is a configured, trusted address: never through an http_proxy from the environment.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class TimestampError(Exception):
    """No token could be obtained; the message says why in one line."""


@dataclass
class TokenCheck:
    ok: bool
    message: str
    gen_time: str = ""
    tsa: str = ""


def _openssl() -> str:
    path = shutil.which("openssl")
    if not path:
        raise TimestampError("openssl not found: it is needed for RFC 3161 timestamps")
    return path


def _run(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([_openssl(), *args], input=stdin, capture_output=True,
                          timeout=TIMEOUT, check=False)


def make_query(digest_hex: str) -> bytes:
    """A DER TimeStampReq for a SHA-256 digest, asking for the TSA's certificate in the token."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest_hex):
        raise TimestampError(f"not a SHA-256 digest: {digest_hex!r}")
    proc = _run(["ts", "-query", "-digest", digest_hex, "-sha256", "-cert"])
    if proc.returncode != 0 or not proc.stdout:
        raise TimestampError(f"openssl ts -query failed: {_first_line(proc.stderr)}")
    return proc.stdout


def request_token(tsa_url: str, digest_hex: str) -> bytes:
    """The TSA's DER TimeStampResp over `digest_hex`; TimestampError if it cannot be had."""
    query = make_query(digest_hex)
    request = urllib.request.Request(tsa_url, data=query, method="POST", headers={
        "Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"})
    try:
        with _http.open(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_RESPONSE + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampError(f"time-stamping authority {tsa_url} unreachable: {exc}") from None
    if len(body) > MAX_RESPONSE:
        raise TimestampError(f"time-stamping authority {tsa_url} sent more than 1 MiB")
    check = inspect_token(body)
    if not check.ok:
        raise TimestampError(f"time-stamping authority {tsa_url}: {check.message}")
    return body


def inspect_token(response: bytes) -> TokenCheck:
    """Parse a TimeStampResp: granted or not, its time and imprint (no signature check)."""
    with tempfile.TemporaryDirectory(prefix="patrol-ts-") as tmp:
        path = Path(tmp) / "reply.tsr"
        path.write_bytes(response)
        proc = _run(["ts", "-reply", "-in", str(path), "-text"])
    text = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0:
        return TokenCheck(False, f"not a timestamp response ({_first_line(proc.stderr)})")
    status = re.search(r"^Status: (.+)$", text, re.M)
    if not status or status.group(1).strip().lower() not in ("granted.", "granted",
                                                             "grantedwithmods."):
        return TokenCheck(False, f"timestamp not granted ({status.group(1) if status else '?'})")
    when = re.search(r"^Time stamp: (.+)$", text, re.M)
    tsa = re.search(r"^TSA: (.+)$", text, re.M)
    return TokenCheck(True, "granted", when.group(1).strip() if when else "",
                      tsa.group(1).strip() if tsa else "")


def verify_token(response: bytes, digest_hex: str, ca_pem: bytes,
                 partial_chain: bool = False) -> TokenCheck:
    """Does `response` timestamp exactly `digest_hex`, signed by a TSA that `ca_pem` trusts?
    `partial_chain` accepts `ca_pem` itself as the anchor even if it is not a root (used with
    the token's own certificates: integrity, not trust)."""
    info = inspect_token(response)
    if not info.ok:
        return info
    with tempfile.TemporaryDirectory(prefix="patrol-ts-") as tmp:
        reply, ca = Path(tmp) / "reply.tsr", Path(tmp) / "ca.pem"
        reply.write_bytes(response)
        ca.write_bytes(ca_pem)
        proc = _run(["ts", "-verify", "-digest", digest_hex, "-in", str(reply),
                     "-CAfile", str(ca), *(["-partial_chain"] if partial_chain else [])])
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    if proc.returncode == 0 and "Verification: OK" in out:
        return TokenCheck(True, f"timestamp valid: {info.gen_time}", info.gen_time, info.tsa)
    if "message imprint mismatch" in out:
        reason = "the token timestamps a different hash than this manifest's"
    elif "certificate verify error" in out or "unable to get local issuer" in out:
        reason = "the token's signer is not trusted by the given CA certificate"
    else:
        reason = f"signature does not verify ({_first_line(out.encode())})"
    return TokenCheck(False, reason, info.gen_time, info.tsa)


def signer_certs(response: bytes) -> bytes | None:
    """PEM certificates carried in the token (a query made with -cert makes the TSA include
    its own), or None."""
    with tempfile.TemporaryDirectory(prefix="patrol-ts-") as tmp:
        reply, der = Path(tmp) / "r.tsr", Path(tmp) / "t.der"
        reply.write_bytes(response)
        if _run(["ts", "-reply", "-in", str(reply), "-token_out", "-out", str(der)]).returncode:
            return None
        proc = _run(["pkcs7", "-inform", "DER", "-in", str(der), "-print_certs"])
    return proc.stdout if proc.returncode == 0 and b"BEGIN CERTIFICATE" in proc.stdout else None


def _first_line(err: bytes) -> str:
    lines = [ln.strip() for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    keep = [ln for ln in lines if "error" in ln.lower() or "mismatch" in ln.lower()] or lines
    return (keep[0] if keep else "(no message)")[:300]
