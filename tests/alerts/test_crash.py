"""The sender killed between sending and recording: the message goes out again at most once
more, and the receiver can drop the repeat by the key the message carries."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

import alerts
import findings
from settings import ROOT

from .conftest import departments_yaml, make_finding


class KillingReceiver:
    """Records each request; on the first one, kills the sender process before answering, so
    the sender dies after the message was delivered and before it could mark it sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.victim: int | None = None
        self.cond = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.cond:
                    outer.requests.append((dict(self.headers), body))
                    outer.cond.notify_all()
                    if len(outer.requests) == 1:   # the pid is set just after Popen returns
                        outer.cond.wait_for(lambda: outer.victim is not None, timeout=60)
                    victim, outer.victim = outer.victim, None
                if victim is not None:
                    os.kill(victim, signal.SIGKILL)
                    return   # no answer: the sender is gone
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_sender_killed_after_sending_before_marking(tmp_path: Path, make_settings) -> None:
    receiver = KillingReceiver()
    try:
        dept_file = tmp_path / "departments.yaml"
        dept_file.write_text(yaml.safe_dump(departments_yaml(
            {"finance_bureau": [{"type": "webhook", "url": receiver.url}]}), allow_unicode=True),
            encoding="utf-8")
        store_url = "sqlite:///" + str(tmp_path / "outbox.sqlite3")
        settings = make_settings(departments_file=str(dept_file), store_url=store_url,
                                 alerts_backoff_seconds=0)
        with findings.open_store(store_url) as store:
            store.upsert_findings([f := make_finding()])
            assert alerts.queue_for_findings(store, settings, [f]) == 1

        # `patrol alerts send` in its own process, killed by the receiver mid-delivery.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PATROL_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "--data-dir", str(tmp_path / "var"),
             "--set", f"departments_file={dept_file}", "--set", "alerts_backoff_seconds=0",
             "alerts", "send", "--store", store_url],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with receiver.cond:
            receiver.victim = proc.pid
            receiver.cond.notify_all()
        proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        assert len(receiver.requests) == 1

        with findings.open_store(store_url) as store:
            [alert] = store.list_alerts()
            # Still pending, with the unfinished attempt on record.
            assert alert.status == "pending" and alert.attempts == 1
            assert alert.attempt_log[-1]["outcome"] == "sending"
            # The next sender (the dead one's lock is taken over at once) sends it again...
            report = alerts.send_due(store, settings)
            assert report.sent == 1 and not report.busy
            # ...and never again.
            assert alerts.send_due(store, settings).sent == 0
            [alert] = store.list_alerts()
            assert alert.status == "sent" and alert.attempts == 2
            assert [e["outcome"] for e in alert.attempt_log] == ["interrupted", "sent"]

        assert len(receiver.requests) == 2
        keys = [json.loads(body)["key"] for _, body in receiver.requests]
        headers = [h["X-Patrol-Alert-Key"] for h, _ in receiver.requests]
        assert keys[0] == keys[1] == f"finding:{f.id}:finance_bureau:webhook"
        assert headers[0] == headers[1]
        # What a receiver does with it: one message after deduplication.
        assert len(set(keys)) == 1
    finally:
        receiver.close()
