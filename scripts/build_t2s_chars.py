#!/usr/bin/env python3
"""List every character OpenCC's t2s conversion can change, for normalize's quick check.

    python scripts/build_t2s_chars.py [--check]

normalize.to_simplified runs OpenCC only on the lines of a text that hold one of these
characters, so most simplified text skips it. A character is listed when some entry of the t2s
dictionaries converts it to another one (the entry's key and its first value, the one OpenCC
uses, differ at that place; every character of an entry that changes the length). A line
without any of them is left as it is by t2s: whatever entries OpenCC's segmentation picks in
it, each converts to itself (no entry spans a line break).

Exports the dictionaries that opencc's own t2s.json names (its normalization and conversion
chain) with the opencc_dict tool shipped in the opencc wheel, and writes those characters,
sorted, to analyzers/model/t2s_chars.txt. --check compares instead of writing (exit 1 when
the installed opencc's dictionaries differ from the file: rebuild after upgrading opencc).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "analyzers" / "model" / "t2s_chars.txt"
PER_LINE = 64


def _dict_files(node: object) -> Iterator[str]:
    """The dictionary files a t2s.json config names, at any depth (groups hold lists)."""
    if isinstance(node, dict):
        if node.get("type") == "ocd2" and "file" in node:
            yield node["file"]
        for value in node.values():
            yield from _dict_files(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dict_files(value)


def t2s_chars() -> str:
    """Every character an entry of the installed opencc's t2s dictionaries changes, sorted."""
    import opencc

    clib = Path(opencc.__file__).parent / "clib"
    share = clib / "share" / "opencc"
    tool = clib / "bin" / "opencc_dict"
    config = json.loads((share / "t2s.json").read_text("utf-8"))
    chars: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(set(_dict_files(config))):
            out = Path(tmp) / (name + ".txt")
            subprocess.run([str(tool), "-i", str(share / name), "-o", str(out),
                            "-f", "ocd2", "-t", "text"], check=True,
                           capture_output=True, timeout=60)
            for line in out.read_text("utf-8").splitlines():
                key, values = line.split("\t", 1)
                value = values.split(" ", 1)[0]
                if len(value) != len(key):
                    chars.update(key)
                else:
                    chars.update(a for a, b in zip(key, value, strict=True) if a != b)
    return "".join(sorted(chars))


def render(chars: str) -> str:
    import opencc

    version = getattr(opencc, "__version__", "?")
    lines = [chars[i:i + PER_LINE] for i in range(0, len(chars), PER_LINE)]
    return (f"# {len(chars)} characters that OpenCC {version}'s t2s conversion can change "
            f"(scripts/build_t2s_chars.py)\n" + "\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed file instead of writing it")
    args = parser.parse_args(argv)
    chars = t2s_chars()
    if args.check:
        from analyzers.normalize import load_t2s_chars

        have = load_t2s_chars(OUT)
        if have != frozenset(chars):
            print(f"{OUT.relative_to(ROOT)} is out of date: {len(set(chars) - have)} characters "
                  f"missing, {len(have - set(chars))} extra; rerun {Path(__file__).name}")
            return 1
        print(f"{OUT.relative_to(ROOT)}: up to date ({len(chars)} characters)")
        return 0
    OUT.write_text(render(chars), "utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(chars)} characters")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
