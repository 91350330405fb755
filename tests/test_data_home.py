"""Everything the program writes by default goes under the data home, nothing elsewhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from settings import ROOT


def test_analyze_writes_only_under_the_data_home(tmp_path: Path) -> None:
    tmpdir, home, data = tmp_path / "tmp", tmp_path / "home", tmp_path / "var"
    tmpdir.mkdir()
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(tmpdir), "HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--data-dir", str(data), "analyze", "-"],
        input='{"id": "a", "text": "保证年化18%，稳赚不赔", "kind": "ad"}\n',
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '"promised_return"' in proc.stdout
    assert list(tmpdir.iterdir()) == [] and list(home.iterdir()) == []
    assert (data / "cache" / "jieba.cache").is_file()
