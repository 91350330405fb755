"""A real RFC 3161 time-stamping authority on loopback, made with `openssl ts`.

`start_tsa(workdir)` generates a test CA and a TSA certificate (extendedKeyUsage timeStamping,
critical) with openssl, then serves POSTed timestamp queries on a free 127.0.0.1 port by running
`openssl ts -reply` on each. `ca_pem` is what a verifier must trust; `requests` counts queries.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import ServiceUnavailable

CONFIG = """
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256

[ tsa_ext ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = critical, timeStamping
"""


def _openssl(*args: str, cwd: Path) -> None:
    proc = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, timeout=60,
                          check=False)
    if proc.returncode != 0:
        raise ServiceUnavailable(f"openssl {args[0]} failed: "
                                 f"{proc.stderr.decode(errors='replace').strip()[:300]}")


class TSAServer:
    def __init__(self, workdir: Path) -> None:
        if not shutil.which("openssl"):
            raise ServiceUnavailable("openssl not found; it makes the test TSA")
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "ts.cnf").write_text(CONFIG.format(dir=workdir))
        (workdir / "serial").write_text("01\n")
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
                 "-out", "ca.crt", "-days", "2", "-subj", "/CN=Patrol Test Root CA",
                 cwd=workdir)
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out",
                 "tsa.csr", "-subj", "/CN=Patrol Test TSA", cwd=workdir)
        _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", "tsa.crt", "-days", "2", "-extfile", "ts.cnf",
                 "-extensions", "tsa_ext", cwd=workdir)
        self.ca_pem = (workdir / "ca.crt").read_bytes()
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/tsa"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> TSAServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, query: bytes) -> bytes:
        with self._lock:  # openssl updates the serial file
            self.requests += 1
            n = self.requests
            (self.dir / f"q{n}.tsq").write_bytes(query)
            _openssl("ts", "-reply", "-config", "ts.cnf", "-queryfile", f"q{n}.tsq",
                     "-out", f"r{n}.tsr", cwd=self.dir)
            return (self.dir / f"r{n}.tsr").read_bytes()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                query = self.rfile.read(min(length, 65536))
                try:
                    body, status = tsa.reply(query), 200
                except ServiceUnavailable as exc:
                    body, status = str(exc).encode(), 500
                self.send_response(status)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


def start_tsa(workdir: Path) -> TSAServer:
    return TSAServer(workdir).start()
