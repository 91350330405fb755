"""The hand-labeled corpus stays well-formed and covers what rules.md asks for."""

from __future__ import annotations

import subprocess
import sys

from settings import ROOT


def test_corpus_validates() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "tests/corpus/validate.py")],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert proc.stdout.rstrip().endswith("OK")
