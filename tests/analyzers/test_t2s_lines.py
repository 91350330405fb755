"""to_simplified converts only the lines t2s can change, and gives what OpenCC gives on the whole
text (the list of changeable characters is exact and current: scripts/build_t2s_chars.py)."""

from __future__ import annotations

import random
import subprocess
import sys

import opencc

from analyzers.normalize import T2S_CHARS_FILE, load_t2s_chars, to_simplified
from settings import ROOT

# 回覆 and 意志消沈: phrases whose characters do not change alone (覆, 沈); 乾隆 keeps 乾, which
# alone becomes 干; 𠁞 is above U+FFFF
PIECES = ["清遠市人民政府辦公室", "回覆", "意志消沈", "乾隆", "乾坤", "保本保息", "平台跑路了",
          "𠁞", "𝐏2𝐏", "損壞", "坏", " ", "\n", "\n", "，", "abc"]


def test_lines_are_converted_as_opencc_converts_the_whole_text() -> None:
    whole = opencc.OpenCC("t2s").convert
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        assert to_simplified(text) == whole(text), repr(text)


def test_simplified_text_is_returned_as_it_is() -> None:
    text = "清远市人民政府办公室\n保本保息，平台跑路了"
    assert to_simplified(text) is text


def test_every_character_that_converts_alone_is_listed() -> None:
    chars = load_t2s_chars(T2S_CHARS_FILE)
    convert = opencc.OpenCC("t2s").convert
    blocks = [(0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF)]
    candidates = [chr(c) for lo, hi in blocks for c in range(lo, hi + 1)]
    converted = convert("\n".join(candidates)).split("\n")
    missing = [c for c, s in zip(candidates, converted, strict=True) if c != s and c not in chars]
    assert not missing, f"{len(missing)} characters t2s converts are not listed: {missing[:20]}"


def test_the_list_matches_the_installed_opencc() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_t2s_chars.py"),
                           "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "up to date" in proc.stdout
